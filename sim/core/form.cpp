#include "sim/core/form.h"

#include "common/http/message.h"

namespace wsop::sim {
namespace {

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// The value of a part's header `name` (case-insensitive); "" when absent.
std::string part_header(std::string_view headers, std::string_view name) {
  while (!headers.empty()) {
    std::size_t end = headers.find("\r\n");
    std::string_view line = headers.substr(0, end);
    headers = end == std::string_view::npos ? std::string_view() : headers.substr(end + 2);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && http::lower(trim(line.substr(0, colon))) == name) {
      return std::string(trim(line.substr(colon + 1)));
    }
  }
  return "";
}

}  // namespace

std::optional<std::string> header_param(std::string_view header_value, std::string_view name) {
  std::size_t semicolon = header_value.find(';');
  while (semicolon != std::string_view::npos) {
    header_value = header_value.substr(semicolon + 1);
    semicolon = header_value.find(';');
    std::string_view param = trim(header_value.substr(0, semicolon));
    std::size_t eq = param.find('=');
    if (eq == std::string_view::npos || http::lower(trim(param.substr(0, eq))) != name) continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

nlohmann::json parse_urlencoded(std::string_view body) {
  nlohmann::json out = nlohmann::json::object();
  while (!body.empty()) {
    std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string value = eq == std::string_view::npos ? "" : http::url_decode(pair.substr(eq + 1));
    out[http::url_decode(pair.substr(0, eq))] = std::move(value);
  }
  return out;
}

// Parts are separated by CRLF "--boundary"; the last delimiter ends in "--".
std::optional<nlohmann::json> parse_multipart(std::string_view body, std::string_view boundary,
                                              std::string* error) {
  if (boundary.empty()) {
    *error = "Invalid boundary in multipart: None";
    return std::nullopt;
  }
  const std::string delimiter = "--" + std::string(boundary);
  nlohmann::json out = nlohmann::json::object();
  std::size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return out;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") break;
    std::size_t next = body.find("\r\n" + delimiter, pos + 2);
    if (next == std::string_view::npos) break;
    std::string_view part = body.substr(pos + 2, next - pos - 2);
    std::size_t blank = part.find("\r\n\r\n");
    std::string_view headers = blank == std::string_view::npos ? part : part.substr(0, blank);
    std::string disposition = part_header(headers, "content-disposition");
    std::optional<std::string> name = header_param(disposition, "name");
    if (blank != std::string_view::npos && name && !header_param(disposition, "filename")) {
      out[*name] = std::string(part.substr(blank + 4));
    }
    pos = next + 2;
  }
  *error = "the multipart body is not terminated by its boundary";
  return std::nullopt;
}

}  // namespace wsop::sim
