// The controller's log formats: with --log-format json every line is one
// JSON object, whoever logged it (providers/ calls spdlog directly).
#include "controller/observability/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace wsop::observability {
namespace {

using json = nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class JsonLogging : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(setup_logging(LogFormat::kJson, "info").is_ok()); }
  void TearDown() override { ASSERT_TRUE(setup_logging(LogFormat::kText, "info").is_ok()); }
};

TEST_F(JsonLogging, DirectSpdlogCallWithQuotesAndNewlinesIsOneObject) {
  testing::internal::CaptureStderr();
  spdlog::warn("ProviderConfig {}: \"quoted\"\nsecond line\\ and a tab\t", "p\"1");
  auto lines = lines_of(testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 1u);
  json parsed = json::parse(lines[0], nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << lines[0];
  EXPECT_EQ(parsed["level"], "warning");
  EXPECT_EQ(parsed["msg"], "ProviderConfig p\"1: \"quoted\"\nsecond line\\ and a tab\t");
  EXPECT_TRUE(parsed["time"].is_string());
}

TEST_F(JsonLogging, StructuredFieldsAreKeys) {
  testing::internal::CaptureStderr();
  log_info("list \"failed\"", {{"providerConfig", "sim"}, {"error", "a\nb"}});
  spdlog::error("raw after structured");
  auto lines = lines_of(testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 2u);
  json first = json::parse(lines[0], nullptr, false);
  ASSERT_TRUE(first.is_object()) << lines[0];
  EXPECT_EQ(first["msg"], "list \"failed\"");
  EXPECT_EQ(first["providerConfig"], "sim");
  EXPECT_EQ(first["error"], "a\nb");
  json second = json::parse(lines[1], nullptr, false);
  ASSERT_TRUE(second.is_object()) << lines[1];
  EXPECT_EQ(second["msg"], "raw after structured");
  EXPECT_FALSE(second.contains("providerConfig"));  // fields of one line only
}

TEST_F(JsonLogging, InvalidUtf8StaysValidJson) {
  testing::internal::CaptureStderr();
  spdlog::info("bad byte \xff here");
  auto lines = lines_of(testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(json::parse(lines[0], nullptr, false).is_object()) << lines[0];
}

TEST(TextLogging, KeepsKeyValueFields) {
  ASSERT_TRUE(setup_logging(LogFormat::kText, "info").is_ok());
  testing::internal::CaptureStderr();
  log_warn("list failed", {{"providerConfig", "sim"}, {"error", "two words"}});
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find(" warning list failed error=\"two words\" providerConfig=sim\n"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace wsop::observability
