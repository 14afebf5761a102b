// Takes a bearer token out of an answer a server quotes it in ("Invalid
// token sk-live-...", its first half, its URL-encoded or base64 form), before
// the body reaches a Status message, a log line or the state store.
//
// What is redacted: every run of the body covered by 8-character windows of
// one of the token's forms:
//   - the token itself;
//   - URL-encoded (everything but A-Za-z0-9-._~ as %XX, upper and lower hex);
//   - JSON-escaped (\" and \\, with and without \/);
//   - base64, standard and URL-safe alphabets, at each of the three offsets
//     the token can start at inside a larger encoded text (only the
//     characters that depend on the token's bytes alone: "user:token"
//     encoded whole still shows the token's part).
// Why windows: any substring of a form that is 8 characters or longer (a
// prefix, a suffix, a half, a quarter of a long token, the whole form) is
// the union of the 8-character windows of that form it contains, all of
// which are in the set, so every one of its characters is covered and the
// run holding it is replaced by [REDACTED]. Text made only of such windows
// without being an echo is redacted too: more is hidden, never less.
// Fragments under 8 characters are left: they cannot be told from ordinary
// text, and a token under 8 characters is left alone for the same reason.
// Cost: the windows of every form (about 10 per character of the token)
// go into a flat hash set of 64-bit keys; the body is scanned once, with a
// table lookup per byte (a byte no form holds rules out the 8 windows over
// it) and a hash lookup only inside runs of 8 bytes the forms hold: linear
// in both, and markup or punctuation-heavy bodies are passed over quickly.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace wsop::http {

inline constexpr std::string_view kRedacted = "[REDACTED]";
inline constexpr size_t kMinRedactedEcho = 8;

// Redacts every echo of token in body (see above).
void redact_token(std::string& body, std::string_view token);

// The same, with the windows of one token's forms built once: a client
// redacts every answer with the same token, and building them (about ten
// set entries per character of the token, eleven strings) costs more than
// scanning a short answer.
class TokenRedactor {
 public:
  explicit TokenRedactor(std::string_view token);
  ~TokenRedactor();
  TokenRedactor(const TokenRedactor&) = delete;
  TokenRedactor& operator=(const TokenRedactor&) = delete;
  void redact(std::string& body) const;

 private:
  class Windows;                            // the forms' 8-byte windows (redact.cpp)
  std::unique_ptr<const Windows> windows_;  // null: a token too short to tell
};

// The token of an Authorization header value ("Bearer T"); empty for any
// other scheme or an empty value.
std::string_view bearer_token(std::string_view authorization);

}  // namespace wsop::http
