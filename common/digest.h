// SHA-256 of a request body, hex-encoded: the create journal's digest.
#pragma once

#include <string>
#include <string_view>

namespace wsop {

std::string sha256_hex(std::string_view data);

}  // namespace wsop
