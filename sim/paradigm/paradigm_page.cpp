#include "sim/paradigm/paradigm_page.h"

#include "sim/paradigm/paradigm_validate.h"

namespace wsop::sim::paradigm::internal {

std::optional<long> page_number(const http::Request& request) {
  std::optional<std::string> text = request.query_param("page");
  if (!text) return 1;
  std::optional<std::int64_t> page = parse_integer(*text);
  if (!page || *page < 1) return std::nullopt;
  return static_cast<long>(*page);
}

long page_size(const http::Request& request, long default_size, long max_size) {
  std::optional<std::string> text = request.query_param("page_size");
  if (!text) return default_size;
  std::optional<std::int64_t> size = parse_integer(*text);
  if (!size || *size < 1) return default_size;
  return static_cast<long>(std::min<std::int64_t>(*size, max_size));
}

std::string page_url(const http::Request& request, long page) {
  std::string query;
  std::string_view rest = request.query();
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty() || http::url_decode(pair.substr(0, pair.find('='))) == "page") continue;
    // Appends piecewise: "literal" + std::string trips GCC 12's -Wrestrict
    // false positive at -O3.
    if (!query.empty()) query += '&';
    query.append(pair);
  }
  if (page > 1) {
    if (!query.empty()) query += '&';
    query += "page=";
    query += std::to_string(page);
  }
  std::string host = request.header("host").value_or("localhost");
  std::string url =
      std::string(request.secure ? "https://" : "http://") + host + std::string(request.path());
  return query.empty() ? url : url + "?" + query;
}

}  // namespace wsop::sim::paradigm::internal
