// kube/client.h against the Kubernetes API double over verified TLS with
// its token, from the kubeconfig it writes: the REST verbs, metav1 Status
// errors (404, 409 AlreadyExists vs Conflict, 410, 422, 401), the status
// subresource, delete preconditions, Retry-After honoured, the token file
// re-read after the server stops accepting the old token, RetryOnConflict
// against a real concurrent writer, and watches with bookmarks and 410.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "kube/errors.h"
#include "tests/kube/client/kube_it_support.h"

namespace wsop::kube {
namespace {

using kubetest::client_from_kubeconfig;
using kubetest::kWorkspaceResource;
using kubetest::workspace_object;
using namespace std::chrono_literals;

class ClientItTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kube_.start()) << kube_.log();
    client_ = client_from_kubeconfig(kube_);
    ASSERT_TRUE(client_);
  }
  kubetest::KubeDouble kube_;
  std::shared_ptr<Client> client_;
};

TEST_F(ClientItTest, VerbsAndTheirErrorsAgainstTheApi) {
  Outcome<Json> created = client_->create(kWorkspaceResource, "default", workspace_object("ml"));
  ASSERT_TRUE(created) << created.status().to_string();
  const std::string version = object_resource_version(*created);
  EXPECT_FALSE(version.empty());
  Outcome<Json> again = client_->create(kWorkspaceResource, "default", workspace_object("ml"));
  EXPECT_TRUE(is_already_exists(again.status())) << again.status().to_string();
  EXPECT_TRUE(is_not_found(client_->get(kWorkspaceResource, "default", "nope").status()));
  Json changed = *created;
  changed["spec"]["description"] = "first";
  Outcome<Json> updated = client_->update(kWorkspaceResource, changed);
  ASSERT_TRUE(updated) << updated.status().to_string();
  changed["spec"]["description"] = "stale";  // still at the old resourceVersion
  Outcome<Json> stale = client_->update(kWorkspaceResource, changed);
  EXPECT_TRUE(is_conflict(stale.status())) << stale.status().to_string();
  Outcome<Json> patched = client_->patch(kWorkspaceResource, "default", "ml",
                                         {{"metadata", {{"labels", {{"tier", "gpu"}}}}}});
  ASSERT_TRUE(patched) << patched.status().to_string();
  EXPECT_EQ((*patched)["metadata"]["labels"]["tier"], "gpu");
  EXPECT_EQ((*patched)["spec"]["description"], "first");
  Outcome<Json> json_patched = client_->patch(
      kWorkspaceResource, "default", "ml",
      Json::array({{{"op", "replace"}, {"path", "/spec/description"}, {"value", "second"}}}),
      PatchType::kJson);
  ASSERT_TRUE(json_patched) << json_patched.status().to_string();
  EXPECT_EQ((*json_patched)["spec"]["description"], "second");
  Json invalid = workspace_object("bad");
  invalid["spec"]["deletionPolicy"] = "Sometimes";
  Outcome<Json> refused = client_->create(kWorkspaceResource, "default", invalid);
  EXPECT_TRUE(is_invalid(refused.status())) << refused.status().to_string();
  EXPECT_EQ(refused.status().reason(), kReasonInvalid);
  ListOptions by_label;
  by_label.label_selector = "tier=gpu";
  Outcome<Json> listed = client_->list(kWorkspaceResource, "default", by_label);
  ASSERT_TRUE(listed);
  EXPECT_EQ((*listed)["items"].size(), 1u);
  DeleteOptions wrong;
  wrong.precondition_resource_version = version;  // long gone
  EXPECT_TRUE(is_conflict(client_->remove(kWorkspaceResource, "default", "ml", wrong).status()));
  ASSERT_TRUE(client_->remove(kWorkspaceResource, "default", "ml"));
  EXPECT_TRUE(is_not_found(client_->get(kWorkspaceResource, "default", "ml").status()));
}

TEST_F(ClientItTest, TheStatusSubresourceChangesOnlyStatus) {
  Outcome<Json> created = client_->create(kWorkspaceResource, "default", workspace_object("st"));
  ASSERT_TRUE(created) << created.status().to_string();
  const int generation = (*created)["metadata"].value("generation", 0);
  Json with_status = *created;
  with_status["status"]["observedGeneration"] = generation;
  with_status["spec"]["description"] = "ignored by a status write";
  Outcome<Json> written = client_->update_status(kWorkspaceResource, with_status);
  ASSERT_TRUE(written) << written.status().to_string();
  EXPECT_EQ((*written)["status"]["observedGeneration"], generation);
  EXPECT_FALSE((*written)["spec"].contains("description"));
  EXPECT_EQ((*written)["metadata"].value("generation", 0), generation);
  Outcome<Json> patched =
      client_->patch_status(kWorkspaceResource, "default", "st",
                            {{"status", {{"atProvider", {{"externalName", "r-1"}}}}}});
  ASSERT_TRUE(patched) << patched.status().to_string();
  Outcome<Json> read = client_->get_status(kWorkspaceResource, "default", "st");
  ASSERT_TRUE(read);
  EXPECT_EQ((*read)["status"]["observedGeneration"], generation);
}

TEST_F(ClientItTest, RetryAfterIsHonouredAndFiveHundredsRetried) {
  ASSERT_TRUE(client_->create(kWorkspaceResource, "default", workspace_object("r")));
  ASSERT_TRUE(kube_.fail({{"count", 2}, {"code", 429}, {"retryAfter", 1}, {"verbs", {"get"}}}));
  auto start = std::chrono::steady_clock::now();
  Outcome<Json> got = client_->get(kWorkspaceResource, "default", "r");
  ASSERT_TRUE(got) << got.status().to_string();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1900ms);  // two waits of a second
  ASSERT_TRUE(kube_.fail({{"count", 2}, {"code", 500}, {"verbs", {"list"}}}));
  EXPECT_TRUE(client_->list(kWorkspaceResource, "default"));
  Outcome<Json> stats = kube_.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ((*stats)["errorCodes"].value("429", 0), 2);
  EXPECT_EQ((*stats)["errorCodes"].value("500", 0), 2);
}

TEST_F(ClientItTest, ARotatedTokenFileIsPickedUpAfterA401) {
  std::string dir = (std::filesystem::temp_directory_path() / "wsop-kubeit-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  Outcome<RestConfig> config = load_kubeconfig({kube_.kubeconfig_path()}, "");
  ASSERT_TRUE(config);
  config->token.clear();
  config->token_file = dir + "/token";
  std::ofstream(config->token_file) << kube_.token();
  ClientOptions options;
  options.transport.token_reread_after = std::chrono::hours(1);
  Outcome<std::shared_ptr<Client>> client = Client::create(*config, options);
  ASSERT_TRUE(client);
  ASSERT_TRUE((*client)->list(kWorkspaceResource, "default"));
  ASSERT_TRUE(kube_.set_tokens({"rotated-token"}));  // the old token is refused from now on
  Outcome<Json> refused = (*client)->list(kWorkspaceResource, "default");
  EXPECT_EQ(refused.status().code(), Code::kUnauthorized);
  EXPECT_EQ(refused.status().message().find(kube_.token()), std::string::npos);
  std::ofstream(config->token_file) << "rotated-token\n";  // the kubelet wrote the new one
  Outcome<Json> listed = (*client)->list(kWorkspaceResource, "default");
  EXPECT_TRUE(listed) << listed.status().to_string();
  std::filesystem::remove_all(dir);
}

TEST_F(ClientItTest, RetryOnConflictReappliesTheChangeOverAConcurrentWrite) {
  ASSERT_TRUE(client_->create(kWorkspaceResource, "default", workspace_object("c")));
  int calls = 0;
  Outcome<Json> written =
      update_with_retry(*client_, kWorkspaceResource, "default", "c", [&](Json& object) {
        if (++calls == 1) {
          // Another writer gets in between this read and its write.
          Outcome<Json> other = client_->patch(kWorkspaceResource, "default", "c",
                                               {{"metadata", {{"labels", {{"other", "yes"}}}}}});
          EXPECT_TRUE(other) << other.status().to_string();
        }
        object["metadata"]["annotations"]["workspace-operator.io/external-name"] = "1234";
        return Status::ok();
      });
  ASSERT_TRUE(written) << written.status().to_string();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ((*written)["metadata"]["labels"]["other"], "yes");  // the other write survived
  EXPECT_EQ((*written)["metadata"]["annotations"]["workspace-operator.io/external-name"], "1234");
}

TEST_F(ClientItTest, AWatchSeesChangesAndBookmarksAndATooOldVersionIsGone) {
  Outcome<Json> listed = client_->list(kWorkspaceResource, "default");
  ASSERT_TRUE(listed);
  const std::string version = (*listed)["metadata"]["resourceVersion"];
  WatchOptions options;
  options.resource_version = version;
  options.timeout = 60s;
  Outcome<std::unique_ptr<WatchStream>> watch =
      client_->watch(kWorkspaceResource, "default", options);
  ASSERT_TRUE(watch) << watch.status().to_string();
  ASSERT_TRUE(client_->create(kWorkspaceResource, "default", workspace_object("w")));
  bool added = false, bookmarked = false;
  while (!(added && bookmarked)) {  // the double sends a bookmark every second
    Outcome<std::optional<WatchEvent>> event = (*watch)->next();
    ASSERT_TRUE(event && *event) << event.status().to_string();
    added |=
        (*event)->type == WatchEvent::Type::kAdded && (*event)->object["metadata"]["name"] == "w";
    bookmarked |= (*event)->type == WatchEvent::Type::kBookmark && added;
  }
  (*watch)->cancel();
  ASSERT_TRUE(client_->create(kWorkspaceResource, "default", workspace_object("w2")));
  Outcome<std::string> compacted = kube_.compact();
  ASSERT_TRUE(compacted);
  Outcome<std::unique_ptr<WatchStream>> old =
      client_->watch(kWorkspaceResource, "default", options);
  Status gone = old ? (*old)->next().status() : old.status();
  EXPECT_TRUE(is_gone(gone)) << gone.to_string();
}

TEST_F(ClientItTest, AWrongTokenIsUnauthorized) {
  Outcome<RestConfig> config = load_kubeconfig({kube_.kubeconfig_path()}, "");
  ASSERT_TRUE(config);
  config->token = "wrong-token-value";
  Outcome<std::shared_ptr<Client>> client = Client::create(*config);
  ASSERT_TRUE(client);
  Outcome<Json> refused = (*client)->list(kWorkspaceResource, "default");
  EXPECT_EQ(refused.status().code(), Code::kUnauthorized);
  EXPECT_EQ(refused.status().to_string().find("wrong-token-value"), std::string::npos);
}

}  // namespace
}  // namespace wsop::kube
