#include "tests/providers/integration/hostile_corpus.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wsop::itest {
namespace {

using nlohmann::json;

Outcome<std::string> base64_decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=' || std::isspace(static_cast<unsigned char>(c))) continue;
    size_t value = kAlphabet.find(c);
    if (value == std::string::npos) return Status::error(Code::kInvalid, "bad base64");
    bits = (bits << 6) | static_cast<uint32_t>(value);
    if ((count += 6) >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

// The text with every {{name}} of vars replaced by its value.
std::string fill(std::string text, const Placeholders& vars) {
  if (text.find("{{") == std::string::npos) return text;
  for (const auto& [name, value] : vars) {
    const std::string key = "{{" + name + "}}";
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  }
  return text;
}

// A body or raw answer: a string, or an array of parts, each a string,
// {"repeat": s, "times": n} or {"base64": s}.
Outcome<std::string> expand(const json& value, const Placeholders& vars) {
  if (value.is_string()) return fill(value.get<std::string>(), vars);
  if (!value.is_array()) return Status::error(Code::kInvalid, "body must be a string or parts");
  std::string out;
  for (const json& part : value) {
    if (part.is_string()) {
      out += fill(part.get<std::string>(), vars);
    } else if (part.is_object() && part.contains("repeat")) {
      std::string unit = part.value("repeat", "");
      auto times = part.value("times", size_t{0});
      out.reserve(out.size() + unit.size() * times);
      for (size_t i = 0; i < times; ++i) out += unit;
    } else if (part.is_object() && part.contains("base64")) {
      auto bytes = base64_decode(part.value("base64", ""));
      if (!bytes) return bytes.status();
      out += *bytes;
    } else {
      return Status::error(Code::kInvalid, "unknown body part " + part.dump());
    }
  }
  return out;
}

// Headers as [[name, value]...] (repeats allowed) or {name: value}.
std::vector<std::pair<std::string, std::string>> headers_of(const json& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  const json headers = spec.value("headers", json::array());
  if (headers.is_object()) {
    for (const auto& [name, value] : headers.items()) {
      out.emplace_back(name, value.get<std::string>());
    }
  } else {
    for (const json& pair : headers) out.emplace_back(pair.at(0), pair.at(1));
  }
  return out;
}

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers,
                const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return http::lower(h.first) == name; });
}

Outcome<std::string> wire_bytes(const json& spec, const Placeholders& vars) {
  if (spec.contains("raw")) return expand(spec["raw"], vars);
  auto body = spec.contains("body_json")
                  ? Outcome<std::string>(fill(spec["body_json"].dump(), vars))
                  : expand(spec.value("body", json("")), vars);
  if (!body) return body;
  auto headers = headers_of(spec);
  if (spec.value("defaults", true)) {
    if (!has_header(headers, "content-type")) {
      headers.emplace_back("Content-Type", "application/json");
    }
    if (!has_header(headers, "content-length") && !has_header(headers, "transfer-encoding")) {
      headers.emplace_back("Content-Length", std::to_string(body->size()));
    }
  }
  std::string out = "HTTP/1.1 " + std::to_string(spec.value("status", 200)) + " " +
                    spec.value("reason", std::string("Hostile")) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  return out + "\r\n" + *body;
}

Outcome<Delivery> delivery_of(const std::string& name) {
  if (name == "respond") return Delivery::kRespond;
  if (name == "close") return Delivery::kClose;
  if (name == "reset") return Delivery::kReset;
  if (name == "hang") return Delivery::kHang;
  if (name == "trickle") return Delivery::kTrickle;
  return Status::error(Code::kInvalid, "unknown transport " + name);
}

}  // namespace

std::vector<HostileCase> load_hostile_corpus(const std::string& dir) {
  std::vector<HostileCase> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    HostileCase c;
    c.file = entry.path().filename().string();
    c.label = entry.path().stem().string();
    for (char& ch : c.label) {
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    }
    c.spec = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(),
            [](const HostileCase& a, const HostileCase& b) { return a.file < b.file; });
  return out;
}

Outcome<HostileReply> reply_for(const json& spec, const Placeholders& vars) {
  if (!spec.is_object()) return Status::error(Code::kInvalid, "a case must be a JSON object");
  try {
    HostileReply reply;
    auto bytes = wire_bytes(spec, vars);
    if (!bytes) return bytes.status();
    reply.bytes = std::move(*bytes);
    auto delivery = delivery_of(spec.value("transport", std::string("respond")));
    if (!delivery) return delivery.status();
    reply.delivery = *delivery;
    reply.trickle_interval = std::chrono::milliseconds(spec.value("trickle_ms", 300));
    json from = spec.value("trickle_from", json(0));
    reply.trickle_from = from == "body" ? reply.bytes.find("\r\n\r\n") + 4 : from.get<size_t>();
    return reply;
  } catch (const json::exception& e) {
    return Status::error(Code::kInvalid, std::string("malformed case: ") + e.what());
  }
}

std::map<std::string, std::string> expectations(const json& spec, const std::string& provider) {
  std::map<std::string, std::string> out;
  if (!spec.is_object()) return out;
  for (const char* section : {"expect", provider.c_str()}) {
    const json& block = spec.contains(section) ? spec[section] : json::object();
    if (!block.is_object()) continue;
    for (const auto& [op, code] : block.items()) {
      if (code.is_string()) out[op] = code.get<std::string>();
      if (code.is_null()) out.erase(op);
    }
  }
  return out;
}

}  // namespace wsop::itest
