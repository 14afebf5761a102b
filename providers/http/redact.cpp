#include "providers/http/redact.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <vector>

namespace wsop::http {
namespace {

static_assert(kMinRedactedEcho == sizeof(uint64_t), "a window is one 64-bit key");

uint64_t window_at(const char* at) {
  uint64_t key = 0;
  std::memcpy(&key, at, sizeof key);
  return key;
}

// An open-addressing set of 8-byte windows, sized once: the windows of a
// token's forms never change while a body is scanned. 0 marks an empty slot:
// no form holds a NUL byte (a token is printable ASCII), so no window is 0.
// Beside it, the bytes any form holds: a window with another byte in it
// cannot be in the set, so most of a body is passed over with one table
// lookup per byte and no hashing.
}  // namespace

class TokenRedactor::Windows {
 public:
  explicit Windows(const std::vector<std::string>& forms) {
    size_t expected = 0;
    for (const auto& form : forms) expected += form.size();
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    for (const auto& form : forms) {
      for (unsigned char c : form) in_forms_[c] = true;
      for (size_t i = 0; i + kMinRedactedEcho <= form.size(); ++i) insert(window_at(&form[i]));
    }
  }
  bool holds_byte(char c) const { return in_forms_[static_cast<unsigned char>(c)]; }
  bool contains(uint64_t key) const {
    for (size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      if (slots_[slot] == 0) return false;
      if (slots_[slot] == key) return true;
    }
  }

 private:
  size_t hash(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & mask_;
  }
  void insert(uint64_t key) {
    if (key == 0) return;
    size_t slot = hash(key);
    while (slots_[slot] != 0 && slots_[slot] != key) slot = (slot + 1) & mask_;
    slots_[slot] = key;
  }
  std::vector<uint64_t> slots_;
  std::array<bool, 256> in_forms_{};
  size_t mask_ = 0;
};

namespace {

std::string url_encoded(std::string_view token, const char* hex) {
  std::string out;
  for (char c : token) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 15];
    }
  }
  return out;
}

std::string json_escaped(std::string_view token, bool escape_slash) {
  std::string out;
  for (char c : token) {
    if (c == '"' || c == '\\' || (escape_slash && c == '/')) out += '\\';
    out += c;
  }
  return out;
}

// The characters of base64(`shift` unknown bytes + token + unknown bytes)
// that depend on the token's bytes alone.
std::string base64_middle(std::string_view token, size_t shift, const char* alphabet) {
  std::string bytes(shift, '\0');
  bytes.append(token);
  std::string encoded;
  uint32_t bits = 0;
  int pending = 0;
  for (char c : bytes) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      encoded += alphabet[(bits >> pending) & 63];
    }
  }
  size_t first = (8 * shift + 5) / 6;  // the first character with no unknown bit
  return first < encoded.size() ? encoded.substr(first) : std::string();
}

std::vector<std::string> forms_of(std::string_view token) {
  static constexpr const char* kStandard =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr const char* kUrlSafe =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<std::string> forms = {std::string(token), url_encoded(token, "0123456789ABCDEF"),
                                    url_encoded(token, "0123456789abcdef"),
                                    json_escaped(token, false), json_escaped(token, true)};
  for (size_t shift = 0; shift < 3; ++shift) {
    forms.push_back(base64_middle(token, shift, kStandard));
    forms.push_back(base64_middle(token, shift, kUrlSafe));
  }
  return forms;
}

}  // namespace

TokenRedactor::TokenRedactor(std::string_view token) {
  if (token.size() >= kMinRedactedEcho) windows_ = std::make_unique<const Windows>(forms_of(token));
}

TokenRedactor::~TokenRedactor() = default;

void TokenRedactor::redact(std::string& body) const {
  if (!windows_ || body.size() < kMinRedactedEcho) return;
  const Windows& set = *windows_;
  std::string out;
  size_t copied = 0;   // body[0, copied) is in out already
  size_t run_end = 0;  // end of the covered run being built
  size_t run_start = 0;
  bool in_run = false;
  auto close_run = [&] {
    out.append(body, copied, run_start - copied);
    out += kRedacted;
    copied = run_end;
    in_run = false;
  };
  size_t held = 0;  // how many bytes up to j the forms hold, in a row
  for (size_t j = 0; j < body.size(); ++j) {
    held = set.holds_byte(body[j]) ? held + 1 : 0;
    if (held < kMinRedactedEcho) continue;
    size_t i = j + 1 - kMinRedactedEcho;  // the window body[i, j]
    if (!set.contains(window_at(&body[i]))) continue;
    if (in_run && i > run_end) close_run();
    if (!in_run) {
      in_run = true;
      run_start = i;
    }
    run_end = i + kMinRedactedEcho;
  }
  if (in_run) close_run();
  if (copied == 0 && out.empty()) return;  // nothing found
  out.append(body, copied, std::string::npos);
  body = std::move(out);
}

void redact_token(std::string& body, std::string_view token) {
  if (token.size() < kMinRedactedEcho || body.size() < kMinRedactedEcho) return;
  TokenRedactor(token).redact(body);
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) return {};
  return authorization.substr(kBearer.size());
}

}  // namespace wsop::http
