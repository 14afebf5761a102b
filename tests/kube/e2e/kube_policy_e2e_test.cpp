// Kubernetes mode, the file mode's rules on Workspace objects, end to end
// (kube_mode_fixture.h): the paused annotation and spec.managementPolicy
// (ObserveOnly, CreateOnly) as docs/GITOPS.md and the CRD describe them; a
// lost create nothing can resolve ends in CreatePendingUnresolved whose
// message is the `kubectl annotate` that resolves it; an external-name set
// by the user adopts without a create.
#include <algorithm>
#include <sstream>

#include "tests/kube/e2e/kube_mode_fixture.h"

namespace wsop::e2e {
namespace {

constexpr const char* kPaused = "{workspace-operator.io/paused: \"true\"}";
constexpr const char* kExternalNameKey = "workspace-operator.io/external-name";

// The first `backticked` command of `message`.
std::string backticked(const std::string& message) {
  auto open = message.find('`');
  if (open == std::string::npos) return "";
  auto close = message.find('`', open + 1);
  if (close == std::string::npos) return "";
  return message.substr(open + 1, close - open - 1);
}

std::vector<std::string> words_of(const std::string& command) {
  std::vector<std::string> out;
  std::istringstream in(command);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// A paused Workspace is neither created nor updated; a control Workspace
// reconciled in the same revisions proves the controller did look. Deleting
// a paused Workspace leaves its remote workspace and keeps the finalizer (a
// paused record is left alone, as in file mode); unpausing it lets the
// delete finish under its deletionPolicy.
TEST_F(KubeModeE2e, APausedWorkspaceIsNeitherCreatedNorUpdatedNorDeletedUntilUnpaused) {
  apply(provider_config("{env: E2E_TOKEN}") + workspace("held", "new", "Delete", kPaused) +
        workspace("live", "first") + workspace("control", "first"));
  Process& controller = start_controller();
  ASSERT_TRUE(eventually([&] { return ready("live") && ready("control"); }, 60s))
      << controller.err();
  EXPECT_EQ(remote_names().count("E2E held"), 0u) << "a paused Workspace was created";
  const std::string live_id =
      remote_ids("cadenya", "E2E live").empty() ? "" : remote_ids("cadenya", "E2E live")[0];
  ASSERT_FALSE(live_id.empty());

  // Pause "live" and change it; change the control too.
  apply(provider_config("{env: E2E_TOKEN}") + workspace("held", "new", "Delete", kPaused) +
        workspace("live", "second", "Delete", kPaused) + workspace("control", "second"));
  const std::string control_id = remote_ids("cadenya", "E2E control").at(0);
  auto description_of = [&](const std::string& id) {
    auto reply = client("cadenya", kToken).get("/v1/account/workspaces/" + id);
    return reply.status == 200 ? reply.json()["spec"].value("description", "") : "";
  };
  ASSERT_TRUE(eventually([&] { return description_of(control_id) == "second"; }, 30s))
      << controller.err();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(description_of(live_id), "first") << "a paused Workspace was updated";

  // kubectl delete of the paused one: held by the finalizer, remote left.
  auto deleted = kubectl({"delete", "workspace", "live", "-n", kNamespace, "--wait=false"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  std::this_thread::sleep_for(5s);
  auto live = object("live");
  ASSERT_TRUE(live) << "a paused Workspace's finalizer was removed";
  EXPECT_TRUE((*live)["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ((*live)["metadata"]["finalizers"], json::array({"workspace-operator.io/finalizer"}));
  EXPECT_EQ(remote_ids("cadenya", "E2E live").size(), 1u) << "a paused Workspace was deleted";

  // Unpaused, the delete proceeds (deletionPolicy Delete).
  auto unpaused = kubectl({"annotate", "workspace/live", "-n", kNamespace,
                           "workspace-operator.io/paused=false", "--overwrite"});
  ASSERT_EQ(unpaused.exit_code, 0) << unpaused.err;
  ASSERT_TRUE(eventually([&] { return !object("live"); }, 60s)) << controller.err();
  EXPECT_EQ(remote_ids("cadenya", "E2E live").size(), 0u);
  EXPECT_EQ(remote_names().count("E2E held"), 0u);
}

// ObserveOnly never writes to the provider: not for a Workspace that names
// an existing remote workspace with a different spec, not for one with
// nothing to observe, not on delete. CreateOnly creates once, then neither
// updates nor deletes.
TEST_F(KubeModeE2e, ObserveOnlyNeverWritesAndCreateOnlyOnlyCreates) {
  auto seeded = client("cadenya", kToken)
                    .post("/v1/account/workspaces", {{"metadata", {{"name", "E2E observed"}}},
                                                     {"spec", {{"description", "as it is"}}}});
  ASSERT_EQ(seeded.status / 100, 2) << seeded.body;
  const std::string observed_id = seeded.json()["metadata"].value("id", "");
  ASSERT_FALSE(observed_id.empty());
  const std::string observed_annotations =
      std::string("{") + kExternalNameKey + ": \"" + observed_id + "\"}";
  const std::string observe = "  managementPolicy: ObserveOnly\n";
  const std::string create_only = "  managementPolicy: CreateOnly\n";
  auto manifests = [&](const std::string& description) {
    return provider_config("{env: E2E_TOKEN}") +
           workspace("observed", "wanted-" + description, "Delete", observed_annotations, observe) +
           workspace("unseen", "never", "Delete", "", observe) +
           workspace("once", "v-" + description, "Delete", "", create_only) +
           workspace("control", "v-" + description);
  };
  const int writes_before = sim_writes("cadenya");
  apply(manifests("one"));
  Process& controller = start_controller();
  ASSERT_TRUE(eventually([&] { return ready("control") && ready("once"); }, 60s))
      << controller.err();
  ASSERT_TRUE(eventually(
      [&] {
        auto o = object("observed");
        return o && condition(*o, "Synced").rfind("True/", 0) == 0;
      },
      30s))
      << controller.err();
  EXPECT_EQ(sim_writes("cadenya"), writes_before + 2) << "creates of control and once only";
  auto observed = object("observed");
  EXPECT_EQ((*observed)["status"]["atProvider"].value("remoteId", ""), observed_id);
  EXPECT_EQ(remote_names().count("E2E unseen"), 0u);

  // A change: only the control is updated.
  const std::string once_id = remote_ids("cadenya", "E2E once").at(0);
  const std::string control_id = remote_ids("cadenya", "E2E control").at(0);
  auto description_of = [&](const std::string& id) {
    auto reply = client("cadenya", kToken).get("/v1/account/workspaces/" + id);
    return reply.status == 200 ? reply.json()["spec"].value("description", "") : "";
  };
  apply(manifests("two"));
  ASSERT_TRUE(eventually([&] { return description_of(control_id) == "v-two"; }, 30s))
      << controller.err();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(description_of(once_id), "v-one") << "CreateOnly updated";
  EXPECT_EQ(description_of(observed_id), "as it is") << "ObserveOnly updated";
  EXPECT_EQ(sim_writes("cadenya"), writes_before + 3);

  // Delete: the finalizers go, the remote workspaces stay.
  auto deleted = kubectl(
      {"delete", "workspace", "observed", "unseen", "once", "-n", kNamespace, "--timeout=60s"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err << controller.err();
  EXPECT_EQ(remote_ids("cadenya", "E2E observed"), std::vector<std::string>{observed_id});
  EXPECT_EQ(remote_ids("cadenya", "E2E once"), std::vector<std::string>{once_id});
  EXPECT_EQ(sim_writes("cadenya"), writes_before + 3) << "a delete was sent";
}

// Cadenya: the create's answer is lost (provider-sim drops the connection
// after committing it, answering late), and before the operator looks for
// it a second workspace with the same owner label and externalId appears.
// The lookup finds two and cannot tell which is its own, so the Workspace
// ends Synced=False, CreatePendingUnresolved, and its message is the
// kubectl command that resolves it. Running that command with the id of the
// operator's own workspace adopts exactly that one; nothing is created again.
TEST_F(KubeModeE2e, AnUnresolvableLostCreateNamesTheKubectlAnnotateThatAdoptsIt) {
  ASSERT_EQ(client("cadenya", kToken)
                .put("/_sim/faults", {{"latencyMs", 2000}, {"dropAfterCreateRate", 1.0}})
                .status,
            200);
  apply(provider_config("{env: E2E_TOKEN}\n  timeouts: {connect: 2s, request: 4s}") +
        workspace("far", "lost"));
  Process& controller = start_controller();
  // The create commits at once; its (dropped) answer comes 2 s later and the
  // lookup follows a second after that.
  std::vector<std::string> ours;
  ASSERT_TRUE(eventually([&] { return !(ours = remote_ids("cadenya", "E2E far")).empty(); }, 60s))
      << controller.err();
  ASSERT_EQ(client("cadenya", kToken)
                .put("/_sim/faults", {{"latencyMs", 0}, {"dropAfterCreateRate", 0.0}})
                .status,
            200);
  auto twin = client("cadenya", kToken)
                  .post("/v1/account/workspaces",
                        {{"metadata",
                          {{"name", "E2E far"},
                           {"externalId", "team-e2e/far"},
                           {"labels", {{"workspace-operator.io/owner", "default"}}}}},
                         {"spec", {{"description", "a twin"}}}});
  ASSERT_EQ(twin.status / 100, 2) << twin.body;
  const std::string twin_id = twin.json()["metadata"].value("id", "");
  ASSERT_EQ(ours.size(), 1u);
  ASSERT_NE(ours[0], twin_id);
  ASSERT_TRUE(eventually(
      [&] {
        auto o = object("far");
        return o && condition(*o, "Synced") == "False/CreatePendingUnresolved";
      },
      60s))
      << "the lookup ran before the twin appeared, or resolved it\n"
      << controller.err();
  const std::string message = condition_message(*object("far"), "Synced");
  EXPECT_NE(message.find(ours[0]), std::string::npos) << message;
  EXPECT_NE(message.find(twin_id), std::string::npos) << message;
  const std::string command = backticked(message);
  EXPECT_EQ(command, std::string("kubectl annotate workspace/far -n team-e2e ") + kExternalNameKey +
                         "=REMOTE_ID --overwrite")
      << message;
  EXPECT_EQ(message.find("wsctl"), std::string::npos) << message;
  const int creates = sim_calls("cadenya", {"create"});
  EXPECT_EQ(creates, 2) << "the operator's create and the twin";
  ASSERT_TRUE(eventually(
      [&] {
        return kubectl({"describe", "workspace", "far", "-n", kNamespace})
                   .out.find("CreatePendingUnresolved") != std::string::npos;
      },
      15s));

  // The user runs the command with the id of the operator's workspace.
  std::vector<std::string> args = words_of(command);
  ASSERT_GE(args.size(), 2u);
  ASSERT_EQ(args[0], "kubectl");
  args.erase(args.begin());
  for (auto& word : args) {
    if (auto at = word.find("REMOTE_ID"); at != std::string::npos) word.replace(at, 9, ours[0]);
  }
  auto annotated = kubectl(args);
  ASSERT_EQ(annotated.exit_code, 0) << annotated.out << annotated.err;
  ASSERT_TRUE(eventually([&] { return ready("far"); }, 60s)) << controller.err();
  auto far = object("far");
  EXPECT_EQ(annotation(*far, kExternalNameKey), ours[0]);
  EXPECT_EQ((*far)["status"]["atProvider"].value("remoteId", ""), ours[0]);
  EXPECT_EQ(sim_calls("cadenya", {"create"}), creates) << "a create was sent again";
  auto live = remote_ids("cadenya", "E2E far");
  std::sort(live.begin(), live.end());
  std::vector<std::string> expected = {ours[0], twin_id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(live, expected) << "the twin is the user's to remove; nothing else changed";
}

// A new Workspace whose external-name the user set adopts that remote
// workspace: no create, an Adopted event, the id on the status.
TEST_F(KubeModeE2e, AnExternalNameOnANewWorkspaceAdoptsWithoutACreate) {
  auto seeded = client("cadenya", kToken)
                    .post("/v1/account/workspaces", {{"metadata", {{"name", "E2E adopted"}}},
                                                     {"spec", {{"description", "pre-existing"}}}});
  ASSERT_EQ(seeded.status / 100, 2) << seeded.body;
  const std::string id = seeded.json()["metadata"].value("id", "");
  ASSERT_FALSE(id.empty());
  const int creates_before = sim_calls("cadenya", {"create"});
  apply(provider_config("{env: E2E_TOKEN}") +
        workspace("adopted", "pre-existing", "Delete",
                  std::string("{") + kExternalNameKey + ": \"" + id + "\"}"));
  Process& controller = start_controller();
  ASSERT_TRUE(eventually([&] { return ready("adopted"); }, 60s)) << controller.err();
  auto o = object("adopted");
  EXPECT_EQ((*o)["status"]["atProvider"].value("remoteId", ""), id);
  EXPECT_EQ(annotation(*o, kExternalNameKey), id);
  EXPECT_EQ(sim_calls("cadenya", {"create"}), creates_before) << "adoption sent a create";
  EXPECT_EQ(remote_ids("cadenya", "E2E adopted"), std::vector<std::string>{id});
  std::string described;
  ASSERT_TRUE(eventually(
      [&] {
        described = kubectl({"describe", "workspace", "adopted", "-n", kNamespace}).out;
        return described.find("Adopted") != std::string::npos;
      },
      15s))
      << described;
}

}  // namespace
}  // namespace wsop::e2e
