// providers/http/token_source.h: what a token may be (16 KiB, one line,
// printable ASCII) and how a token file is read (a bounded read, a regular
// file only). Each case is an attack a manifest or a careless operator made.
#include "providers/http/token_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace wsop::http {
namespace {

namespace fs = std::filesystem;

// Bytes this process has passed through read(2) so far (/proc/self/io's
// rchar): proves a file was not read whole without timing anything.
long long bytes_read_so_far() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  return -1;
}

class TokenSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("wsop-token-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto policy = CredentialPolicy::create({dir_.string()}, kDefaultCredentialsEnvPattern);
    ASSERT_TRUE(policy) << policy.status().to_string();
    policy_ = *policy;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    ::unsetenv("WSOP_TS_TOKEN");
  }

  std::string write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return path;
  }

  Outcome<std::string> from_file(const std::string& path) {
    model::Credentials credentials;
    credentials.file = path;
    return TokenSource(credentials, policy_).token();
  }
  Outcome<std::string> from_env(const std::string& name) {
    model::Credentials credentials;
    credentials.env = name;
    return TokenSource(credentials, policy_).token();
  }

  // Refused as kUnauthorized, naming where the token is and never quoting it.
  static void expect_refused(const Outcome<std::string>& got, const std::string& where,
                             const std::string& secret_part) {
    ASSERT_FALSE(got) << "accepted";
    EXPECT_EQ(got.status().code(), Code::kUnauthorized) << got.status().to_string();
    EXPECT_NE(got.status().message().find(where), std::string::npos) << got.status().to_string();
    EXPECT_EQ(got.status().to_string().find(secret_part), std::string::npos)
        << got.status().to_string();
  }

  fs::path dir_;
  CredentialPolicy policy_;
};

TEST_F(TokenSourceTest, SixteenKibIsTheLimitAndOneByteMoreIsRefused) {
  std::string longest(kMaxTokenBytes, 'k');
  auto got = from_file(write("max", longest + "\n"));
  ASSERT_TRUE(got) << got.status().to_string();
  EXPECT_EQ(*got, longest);

  std::string path = write("over", longest + "K");  // 16 KiB + 1, no newline
  got = from_file(path);
  expect_refused(got, path, "kkkkkkkk");
  EXPECT_NE(got.status().message().find("16 KiB"), std::string::npos) << got.status().message();

  path = write("over-with-newline", longest + "K\n");  // 16 KiB + 2: refused by its size
  expect_refused(from_file(path), path, "kkkkkkkk");
}

TEST_F(TokenSourceTest, EnvironmentTokenOverTheLimitIsRefusedNotACrash) {
  // 65,534 bytes made `wsctl apply` abort (an uncaught length_error).
  std::string huge(65534, 'h');
  ::setenv("WSOP_TS_TOKEN", huge.c_str(), 1);
  expect_refused(from_env("WSOP_TS_TOKEN"), "WSOP_TS_TOKEN", "hhhhhhhh");
  ::setenv("WSOP_TS_TOKEN", std::string(kMaxTokenBytes, 'h').c_str(), 1);
  EXPECT_TRUE(from_env("WSOP_TS_TOKEN"));
}

TEST_F(TokenSourceTest, CrLfAndEveryOtherControlCharacterAreRefused) {
  for (const std::string& bad :
       {std::string("tok-secret\r\nX-Injected: 1"), std::string("tok-secret\nsecond-line\n"),
        std::string("tok-secret\r\n"), std::string("tok-secret\r"), std::string("tok\tsecret"),
        std::string("tok secret"), std::string(" tok-secret"), std::string("tok\x01secret"),
        std::string("tok\x7fsecret"),
        std::string("tok-s\xc3\xa9"
                    "cret"),
        std::string("tok\0secret", 10), std::string("\n")}) {
    SCOPED_TRACE(::testing::PrintToString(bad));
    std::string path = write("bad", bad);
    expect_refused(from_file(path), path, "secret");
    if (bad.find('\0') == std::string::npos) {
      ::setenv("WSOP_TS_TOKEN", bad.c_str(), 1);
      expect_refused(from_env("WSOP_TS_TOKEN"), "WSOP_TS_TOKEN", "secret");
    }
  }
}

TEST_F(TokenSourceTest, OneTrailingNewlineIsNotPartOfTheToken) {
  auto got = from_file(write("t", "tok-123\n"));
  ASSERT_TRUE(got) << got.status().to_string();
  EXPECT_EQ(*got, "tok-123");
  ::setenv("WSOP_TS_TOKEN", "tok-456\n", 1);  // a Secret made from a file with its newline
  auto env = from_env("WSOP_TS_TOKEN");
  ASSERT_TRUE(env) << env.status().to_string();
  EXPECT_EQ(*env, "tok-456");
  EXPECT_TRUE(check_token("!~azAZ09-._").empty());
}

TEST_F(TokenSourceTest, HugeSparseFileIsRefusedWithoutReadingIt) {
  std::string path = (dir_ / "huge").string();
  std::ofstream(path).put('x');
  fs::resize_file(path, 300ull * 1024 * 1024);  // sparse: no disk used
  long long before = bytes_read_so_far();
  ASSERT_GE(before, 0) << "/proc/self/io unreadable";
  auto got = from_file(path);
  long long read = bytes_read_so_far() - before;
  expect_refused(got, path, "xxxxxxxx");
  EXPECT_NE(got.status().message().find("314572800 bytes"), std::string::npos)
      << got.status().message();
  // The checks themselves read a little (/proc/self/io's own text).
  EXPECT_LT(read, 64 * 1024) << "the 300 MB file was read";
}

TEST_F(TokenSourceTest, AFifoOrADirectoryIsRefusedNotWaitedOn) {
  std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto got = from_file(fifo);  // a blocking open would never return: no writer
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kInvalid) << got.status().to_string();
  EXPECT_NE(got.status().message().find("not a regular file"), std::string::npos);
  fs::create_directories(dir_ / "sub");
  got = from_file((dir_ / "sub").string());
  ASSERT_FALSE(got);
  EXPECT_NE(got.status().message().find("not a regular file"), std::string::npos);
}

TEST_F(TokenSourceTest, PolicyIsCheckedAtEveryRead) {
  auto got = from_file("/proc/self/environ");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kInvalid) << got.status().to_string();
  EXPECT_EQ(from_env("PATH").status().code(), Code::kInvalid);

  // Allowed when made, swapped afterwards for a link to a file outside.
  fs::path outside = dir_.parent_path() / (dir_.filename().string() + "-outside");
  fs::create_directories(outside);
  std::ofstream(outside / "stolen") << "tok-outside-secret\n";
  std::string path = write("token", "tok-inside\n");
  model::Credentials credentials;
  credentials.file = path;
  TokenSource source(credentials, policy_);
  ASSERT_TRUE(source.token());
  fs::remove(path);
  fs::create_symlink(outside / "stolen", path);
  got = source.token();
  ASSERT_FALSE(got) << "read through a symlink out of the directory";
  EXPECT_EQ(got.status().code(), Code::kInvalid);
  EXPECT_EQ(got.status().to_string().find("tok-outside"), std::string::npos);
  fs::remove_all(outside);
}

}  // namespace
}  // namespace wsop::http
