// Syntax rules for names and values, as Kubernetes defines them where it
// does. Each returns an empty string when the value is valid, or a message.
#pragma once

#include <string>
#include <string_view>

namespace wsop::manifest {

std::string check_dns1123_label(std::string_view value);  // metadata.name, namespace
std::string check_label_key(std::string_view key);        // [prefix/]name
std::string check_label_value(std::string_view value);    // <= 63, may be empty
std::string check_http_url(std::string_view value);       // http:// or https:// with a host
std::string check_env_var_name(std::string_view value);   // [A-Za-z_][A-Za-z0-9_]*
std::string check_printable(std::string_view value, size_t max_length);  // no control chars

}  // namespace wsop::manifest

namespace wsop::manifest {
// Like check_printable, but newlines and tabs are allowed (descriptions).
std::string check_multiline(std::string_view value, size_t max_length);
}  // namespace wsop::manifest

namespace wsop::manifest {
std::string check_dns1123_subdomain(std::string_view value);  // a Secret's name
std::string check_secret_key(std::string_view value);         // [-._a-zA-Z0-9]+, not . or ..*
}  // namespace wsop::manifest
