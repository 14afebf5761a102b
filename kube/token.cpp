#include "kube/token.h"

#include <fstream>
#include <sstream>

#include "common/text.h"

namespace wsop::kube {

BearerToken::BearerToken(std::string token, std::string file,
                         std::chrono::milliseconds reread_after)
    : token_(std::move(token)), file_(std::move(file)), reread_after_(reread_after) {}

Outcome<std::shared_ptr<BearerToken>> BearerToken::from_config(
    const RestConfig& config, std::chrono::milliseconds reread_after) {
  if (config.token_file.empty() && config.token.empty()) {
    return std::shared_ptr<BearerToken>();
  }
  auto token = std::make_shared<BearerToken>(config.token, config.token_file, reread_after);
  if (!config.token_file.empty()) {
    std::lock_guard lock(token->mu_);
    Status status = token->reread_locked();
    if (!status) return status;
  }
  return token;
}

Status BearerToken::reread_locked() {
  read_at_ = std::chrono::steady_clock::now();
  std::ifstream in(file_, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in) return Status::error(Code::kInvalid, "token file " + file_ + " cannot be read");
  token_ = std::string(trim_whitespace(text.str()));
  return Status::ok();
}

std::string BearerToken::current() {
  std::lock_guard lock(mu_);
  if (!file_.empty() && std::chrono::steady_clock::now() - read_at_ >= reread_after_) {
    // A failed read keeps the last good token (token.h): the file may be
    // caught mid-rename, and a token gone stale shows as the server's 401.
    (void)reread_locked();
  }
  return token_;
}

bool BearerToken::refresh_after_unauthorized() {
  if (file_.empty()) return false;
  std::lock_guard lock(mu_);
  std::string before = token_;
  // A failed read leaves the token unchanged, so this returns false and the
  // caller hands on the server's 401: the failure is reported there.
  (void)reread_locked();
  return token_ != before;
}

}  // namespace wsop::kube
