#include "providers/support/pagination.h"

#include <cctype>

namespace wsop::providers {
namespace {

std::string lowered(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Whether `link` names base's origin, or is what a TLS-terminating proxy's
// backend (Django) writes for it: http:// on base's host, without a port or
// with base's port.
bool same_origin(const http::Url& link, const std::string& written, const http::Url& base) {
  if (lowered(link.host) != lowered(base.host)) return false;
  if (link.tls == base.tls) return link.port == base.port;
  if (!base.tls) return false;  // an https link for an http base: another origin
  if (link.port == base.port) return true;
  // No port written: parse_url filled in 80.
  std::string authority = written.substr(std::string("http://").size());
  authority = authority.substr(0, authority.find_first_of("/?#"));
  return authority.find(':') == std::string::npos ||
         (authority.front() == '[' && authority.back() == ']');
}

}  // namespace

Status PageGuard::error(Code code, const std::string& why) const {
  return Status::error(code, provider_ + " list: " + why);
}

Status PageGuard::before_page(const std::string& link) {
  auto [at, fresh] = seen_.emplace(link, pages_ + 1);
  if (!fresh) {
    return error(Code::kTransient,
                 "pagination: next link repeats page " + std::to_string(at->second));
  }
  if (++pages_ > limits_.max_pages) {
    return error(Code::kInvalid, "pagination: more than " + std::to_string(limits_.max_pages) +
                                     " pages (the server's next links do not end)");
  }
  return Status::ok();
}

Status PageGuard::on_items(size_t count, bool unpaged) {
  const size_t page_cap = unpaged ? limits_.max_unpaged_items : limits_.max_page_items;
  if (count > page_cap) {
    return error(Code::kInvalid,
                 (unpaged ? "the list holds " : "page " + std::to_string(pages_) + " holds ") +
                     std::to_string(count) + " items, more than " + std::to_string(page_cap));
  }
  items_ += count;
  if (items_ > limits_.max_items) {
    return error(Code::kInvalid, "list exceeds " + std::to_string(limits_.max_items) + " items");
  }
  return Status::ok();
}

Status PageGuard::on_body(size_t bytes) {
  bytes_ += bytes;
  if (bytes_ > limits_.max_bytes) {
    return error(Code::kInvalid,
                 "list exceeds " + std::to_string(limits_.max_bytes >> 20) + " MiB of answers");
  }
  return Status::ok();
}

Outcome<std::string> next_link_path(const std::string& next, const http::Url& base,
                                    const std::string& provider) {
  auto url = http::parse_url(next);
  if (!url || !same_origin(*url, next, base)) {
    return Status::error(Code::kTransient, provider +
                                               " list: pagination: next link points to another "
                                               "origin (host, scheme or port) than the baseUrl");
  }
  std::string path = url->base_path;
  const std::string& prefix = base.base_path;
  if (!prefix.empty() && path.rfind(prefix, 0) == 0 &&
      (path.size() == prefix.size() || path[prefix.size()] == '/' || path[prefix.size()] == '?')) {
    path = path.substr(prefix.size());
  }
  if (path.empty() || path[0] != '/') path = "/" + path;
  return path;
}

}  // namespace wsop::providers
