// providers/http/redact.h: a server that quotes the token back, whole, in
// part or encoded, must not get any 8 characters of it into a body the
// operator keeps.
#include "providers/http/redact.h"

#include <gtest/gtest.h>

#include <random>

namespace wsop::http {
namespace {

// Tokens with the characters that encodings change ('/', '+', '=', '"').
const std::string kToken = "sk-live/Q7w+Zp2=Kd9\"Lm4Rt8Vx3_Nc6~Bh1Yj5";

std::string base64(const std::string& bytes, bool url_safe = false) {
  const char* alphabet = url_safe
                             ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= uint8_t(bytes[i + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string url_encode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Every substring of `leaked` of 8 characters: none may survive.
void expect_no_window_of(const std::string& body, const std::string& leaked) {
  for (size_t i = 0; i + kMinRedactedEcho <= leaked.size(); ++i) {
    ASSERT_EQ(body.find(leaked.substr(i, kMinRedactedEcho)), std::string::npos)
        << "\"" << leaked.substr(i, kMinRedactedEcho) << "\" of \"" << leaked << "\" left in "
        << body;
  }
}

// redact_token's answer, checked against a TokenRedactor's: the client
// builds one per token and uses it on every answer.
std::string redacted(std::string body, const std::string& token = kToken) {
  std::string by_redactor = body;
  TokenRedactor(token).redact(by_redactor);
  redact_token(body, token);
  EXPECT_EQ(by_redactor, body) << "a TokenRedactor redacts as redact_token does";
  return body;
}

TEST(RedactTest, WholeTokenAndTheTextAroundIt) {
  std::string body = redacted("{\"detail\": \"invalid token " + kToken + ", try again\"}");
  EXPECT_EQ(body, "{\"detail\": \"invalid token [REDACTED], try again\"}");
  redact_token(body = "key " + kToken, bearer_token("Bearer " + kToken));
  EXPECT_EQ(body, "key [REDACTED]");
  redact_token(body = "key " + kToken, bearer_token("Basic " + kToken));
  EXPECT_EQ(body, "key " + kToken) << "only a bearer token is known to be one";
}

TEST(RedactTest, ARedactorBuiltOnceServesManyBodies) {
  const TokenRedactor redactor(kToken);
  for (int i = 0; i < 3; ++i) {
    std::string body = "attempt " + std::to_string(i) + ": " + kToken;
    redactor.redact(body);
    EXPECT_EQ(body, "attempt " + std::to_string(i) + ": [REDACTED]");
  }
  std::string body = "key abc1234";
  TokenRedactor("abc1234").redact(body);  // under 8 characters: cannot be told from text
  EXPECT_EQ(body, "key abc1234");
  EXPECT_EQ(bearer_token("Bearer " + kToken), kToken);
  EXPECT_EQ(bearer_token("Basic " + kToken), "");
}

TEST(RedactTest, HalvesQuartersPrefixesAndSuffixes) {
  size_t n = kToken.size();
  for (const std::string& part :
       {kToken.substr(0, n / 2), kToken.substr(n / 2), kToken.substr(n / 4, n / 4),
        kToken.substr(0, 8), kToken.substr(n - 8), kToken.substr(3, 11)}) {
    SCOPED_TRACE(part);
    std::string body = redacted("token " + part + "... rejected");
    expect_no_window_of(body, part);
    EXPECT_NE(body.find("[REDACTED]"), std::string::npos) << body;
    EXPECT_EQ(body.rfind("token ", 0), 0u) << "the text around was kept: " << body;
  }
  // "first...last", as APIs that mask the middle print it.
  std::string body = redacted(kToken.substr(0, 10) + "..." + kToken.substr(n - 10));
  EXPECT_EQ(body, "[REDACTED]...[REDACTED]");
}

// The characters of base64(prefix + secret + suffix) that depend on the
// secret's bytes alone: those an echo must not keep.
std::string base64_of_secret_part(const std::string& prefix, const std::string& secret,
                                  const std::string& suffix, bool url_safe = false) {
  std::string all = base64(prefix + secret + suffix, url_safe);
  size_t first = (8 * prefix.size() + 5) / 6;
  size_t last = 8 * (prefix.size() + secret.size()) / 6;
  return all.substr(first, last - first);
}

TEST(RedactTest, EncodedFormsWholeAndInPart) {
  size_t n = kToken.size();
  struct Echo {
    std::string sent;    // what the server quotes
    std::string secret;  // the part of it that must go
  };
  std::vector<Echo> echoes = {
      {url_encode(kToken), url_encode(kToken)},
      {json_escape(kToken), json_escape(kToken)},
      {base64(kToken), base64_of_secret_part("", kToken, "")},
      {base64(kToken, true), base64_of_secret_part("", kToken, "", true)},
      // Basic authentication echoed back: "user:" shifts the token by 5 bytes.
      {base64("user:" + kToken), base64_of_secret_part("user:", kToken, "")},
      {base64("x" + kToken + "yz"), base64_of_secret_part("x", kToken, "yz")},
      {url_encode(kToken.substr(n / 2)), url_encode(kToken.substr(n / 2))},
      {base64(kToken.substr(0, n / 2)), base64_of_secret_part("", kToken.substr(0, n / 2), "")},
      {base64("ab" + kToken.substr(n / 3, n / 2)),
       base64_of_secret_part("ab", kToken.substr(n / 3, n / 2), "")},
  };
  for (const Echo& echo : echoes) {
    SCOPED_TRACE(echo.sent);
    ASSERT_GE(echo.secret.size(), kMinRedactedEcho);
    std::string body = redacted("{\"echo\": \"" + echo.sent + "\"}");
    expect_no_window_of(body, echo.secret);
    // The quote before the echo may go with it: kToken holds "Lm4Rt8V, whose
    // window a quote and the second half make again. More hidden, never less.
    EXPECT_EQ(body.rfind("{\"echo\": ", 0), 0u) << body;
  }
}

TEST(RedactTest, OrdinaryTextAndShortTokensAreLeftAlone) {
  std::string body = R"({"items": [{"id": 1, "name": "ledger", "owner": "team-a"}]})";
  EXPECT_EQ(redacted(body), body);
  EXPECT_EQ(redacted("short token abc1234 echoed", "abc1234"), "short token abc1234 echoed");
  EXPECT_EQ(redacted("", kToken), "");
  EXPECT_EQ(redacted("1234567", kToken), "1234567");
}

TEST(RedactTest, RandomEchoesAnywhereInALargeBody) {
  std::mt19937 random(20);
  std::string token(64, ' ');
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=";
  for (char& c : token) c = alphabet[random() % alphabet.size()];
  std::string body;
  std::vector<std::string> echoed;
  for (int i = 0; i < 200; ++i) {
    body += "{\"id\": " + std::to_string(i) + ", \"note\": \"";
    size_t from = random() % (token.size() - 8);
    size_t length = 8 + random() % (token.size() - from - 7);
    echoed.push_back(token.substr(from, length));
    body += echoed.back() + "\"},\n";
  }
  redact_token(body, token);
  for (const auto& echo : echoed) expect_no_window_of(body, echo);
  EXPECT_NE(body.find("{\"id\": 199, \"note\": \"[REDACTED]\"}"), std::string::npos);
}

TEST(RedactTest, LongestTokenOverAMegabyteBody) {
  std::string token(16 * 1024, 'x');
  for (size_t i = 0; i < token.size(); ++i)
    token[i] = static_cast<char>('A' + (i * 7 + i / 26) % 26);
  std::string body(1 << 20, 'a');
  body.replace(500000, token.size() / 2, token.substr(token.size() / 2));
  redact_token(body, token);
  EXPECT_EQ(body, std::string(500000, 'a') + std::string(kRedacted) +
                      std::string((1u << 20) - 500000 - token.size() / 2, 'a'));
}

}  // namespace
}  // namespace wsop::http
