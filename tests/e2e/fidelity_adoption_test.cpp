// Adoption as the vendors' pages allow it, through the wsctl binary
// (docs/PROVIDERS.md): a Paradigm GET shows no company, so import and the
// external-name annotation confirm it through the company list the token
// covers; a field the manifest leaves unset takes the remote's value
// (late initialisation) and only a value the user wrote can differ; and no
// limit or enum the vendor never stated stands between a manifest and the
// server, whose 400 is reported with its message.
#include <gmock/gmock.h>

#include "common/http/server.h"
#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kAdoptExitFailed = 3;  // wsctl: some workspaces failed

std::string external_name(const std::string& id) {
  return "  annotations: {workspace-operator.io/external-name: \"" + id + "\"}\n";
}

class E2eAdoptionFidelityTest : public CliTest {
 protected:
  json synced_of(const std::string& name) {
    json item = get_item(name);
    return item.is_null() ? json() : item["status"]["conditions"][1];
  }

  // A Paradigm workspace made on the simulator in `company`, bypassing wsctl.
  std::string made_in_company(int company, const std::string& name,
                              const std::string& method = "manual") {
    simtest::Reply reply =
        client("paradigm")
            .post("/api/v3/instance/workspaces",
                  {{"name", name}, {"company_id", company}, {"document_upload_method", method}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return id_string(reply.json()["id"]);
  }

  // The simulator answers the fixture's token with the list of `company`,
  // and the Paradigm ProviderConfig declares that company.
  void token_of_company(int company) {
    sim::SimConfig config = e2e_config();
    sim::paradigm::options_of(config).token_companies = {{"e2e-token", company}};
    restart(config);
    std::string configs;
    for (const auto& provider : all_providers()) {
      std::string one = provider_config_yaml(provider, provider, sim_->url(provider));
      const std::string declared = "companyId: 1}";
      if (auto at = one.find(declared); at != std::string::npos) {
        one.replace(at, declared.size(), "companyId: " + std::to_string(company) + "}");
      }
      configs += one + "---\n";
    }
    write("providers.yaml", configs);
  }
};

// Point 5, the annotation: a workspace of company 2 named by a manifest of
// company 1 is not adopted (GET cannot tell; the list of company 1 does not
// hold it), nothing is created in its place; one of company 1 is adopted.
TEST_F(E2eAdoptionFidelityTest, ParadigmExternalNameOfAnotherCompanyIsNotAdopted) {
  std::string other = made_in_company(2, "elsewhere");
  std::string mine = made_in_company(1, "here");
  auto manifest = [&](const std::string& id) {
    return workspace_yaml("ws", "paradigm", "  displayName: here\n" + default_spec("paradigm"),
                          external_name(id));
  };
  write("ws.yaml", manifest(other));
  RunResult refused = apply();
  EXPECT_EQ(refused.exit_code, kAdoptExitFailed) << refused.out << refused.err;
  json condition = synced_of("ws");
  EXPECT_EQ(condition["reason"], "ExternalNameConflict") << condition.dump();
  EXPECT_THAT(condition["message"].get<std::string>(),
              HasSubstr("Paradigm workspace " + other + " is not in company 1"));
  EXPECT_TRUE(get_item("ws")["status"]["remoteId"].is_null()) << get_item("ws").dump();
  EXPECT_EQ(calls("paradigm", "create"), 2);  // only the two made above
  EXPECT_EQ(writes("paradigm"), 2);
  EXPECT_EQ(remote("paradigm", other)["name"], "elsewhere");

  write("ws.yaml", manifest(mine));
  RunResult adopted = apply();
  EXPECT_EQ(adopted.exit_code, 0) << adopted.out << adopted.err;
  EXPECT_EQ(get_item("ws")["status"]["remoteId"], mine);
  EXPECT_EQ(get_item("ws")["status"]["origin"], "adopted");
  EXPECT_EQ(calls("paradigm", "create"), 2);
  EXPECT_EQ(diff().exit_code, 0);
}

// Point 5 with a token of company 2 (provider-sim --paradigm-token
// e2e-token=2): import and the annotation take only company 2's workspaces;
// a workspace of company 1 is refused by import, and a manifest of company
// 1 cannot be confirmed at all, since the list covers company 2 only.
TEST_F(E2eAdoptionFidelityTest, ParadigmTokenOfAnotherCompanyAdoptsOnlyItsOwnCompany) {
  token_of_company(2);
  std::string first = made_in_company(1, "first-company");
  std::string second = made_in_company(2, "second-company");
  write("ws.yaml", workspace_yaml("ws", "paradigm",
                                  "  displayName: second-company\n"
                                  "  paradigm: {companyId: 2, documentUploadMethod: manual}\n"));
  RunResult refused = wsctl({"import", "ws", "--id", first, "-f", source()});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_THAT(refused.err, HasSubstr("Paradigm workspace " + first + " is not in company 2"));
  EXPECT_TRUE(get_item("ws").is_null());
  RunResult taken = wsctl({"import", "ws", "--id", second, "-f", source()});
  EXPECT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  EXPECT_EQ(get_item("ws")["status"]["remoteId"], second);

  // A manifest of company 1, the workspace in company 1: true, but the
  // token's list cannot show it, so nothing may adopt it.
  write("far.yaml", workspace_yaml("far", "paradigm",
                                   "  displayName: first-company\n" + default_spec("paradigm"),
                                   external_name(first)));
  RunResult unconfirmed = apply();
  EXPECT_EQ(unconfirmed.exit_code, kAdoptExitFailed) << unconfirmed.out << unconfirmed.err;
  json condition = synced_of("far");
  EXPECT_EQ(condition["reason"], "ExternalNameConflict") << condition.dump();
  EXPECT_THAT(
      condition["message"].get<std::string>(),
      HasSubstr("cannot confirm that Paradigm workspace " + first + " belongs to company 1"));
  EXPECT_THAT(condition["message"].get<std::string>(), HasSubstr("covers company 2"));
  RunResult again = wsctl({"import", "far", "--id", first, "-f", source()});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("cannot confirm"));
  EXPECT_EQ(calls("paradigm", "create"), 2);
  EXPECT_EQ(get_item("ws")["status"]["conditions"][1]["status"], "True");
}

// Point 6, Aether: hardware unset in the manifest takes the remote's, which
// differs from the documented defaults; no change is planned, the adoption
// writes nothing, and the next diff is empty. A value the user then writes
// is the only thing that can differ.
TEST_F(E2eAdoptionFidelityTest, AetherAdoptionWithoutHardwareTakesTheRemoteHardware) {
  simtest::Reply made = client("aether").post(
      std::string("/projects/") + simtest::kProject + "/workspaces",
      {{"hardware",
        {{"cpu_kind", "performance"}, {"cpus", 4}, {"memory_mb", 4096}, {"volume_size_gb", 20}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  std::string id = made.json()["id"];
  auto manifest = [&](const std::string& hardware) {
    return workspace_yaml(
        "box", "aether",
        hardware + "  aether: {projectId: " + std::string(simtest::kProject) + "}\n",
        external_name(id));
  };
  write("ws.yaml", manifest(""));
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("adopt"));
  EXPECT_THAT(planned.out, HasSubstr("0 to update, 0 to replace"));
  EXPECT_THAT(planned.out, Not(HasSubstr("spec.hardware")));
  RunResult adopted = apply();
  ASSERT_EQ(adopted.exit_code, 0) << adopted.out << adopted.err;
  EXPECT_EQ(writes("aether"), 1) << stats("aether").dump();  // only the create above
  EXPECT_EQ(get_item("box")["status"]["remoteId"], id);
  EXPECT_EQ(get_item("box")["status"]["observed"]["hardware"]["cpuKind"], "performance");
  RunResult settled = diff();
  EXPECT_EQ(settled.exit_code, 0) << settled.out << settled.err;

  write("ws.yaml", manifest("  hardware: {cpus: 2}\n"));
  RunResult written = diff();
  EXPECT_EQ(written.exit_code, 1) << written.out;
  EXPECT_THAT(written.out, HasSubstr("spec.hardware.cpus"));
  EXPECT_THAT(written.out, Not(HasSubstr("spec.hardware.cpuKind")));
  EXPECT_THAT(written.out, HasSubstr("1 to update, 0 to replace"));
}

// Point 6, Paradigm: an unset documentUploadMethod plans and applies no
// replacement; a value the user wrote that differs is one, refused without
// --allow-replace, and nothing is deleted.
TEST_F(E2eAdoptionFidelityTest, ParadigmOnlyAWrittenUploadMethodCanRequireAReplacement) {
  std::string id = made_in_company(1, "synced-one", "synced");
  auto manifest = [&](const std::string& method) {
    return workspace_yaml("adopted", "paradigm",
                          "  displayName: synced-one\n  paradigm: {companyId: 1" + method + "}\n",
                          external_name(id));
  };
  write("ws.yaml", manifest(", documentUploadMethod: manual"));
  RunResult refused = apply();
  EXPECT_EQ(refused.exit_code, kAdoptExitFailed) << refused.out << refused.err;
  EXPECT_EQ(synced_of("adopted")["reason"], "ReplaceRequired") << synced_of("adopted").dump();
  RunResult written = diff();
  EXPECT_EQ(written.exit_code, 1) << written.out << written.err;
  EXPECT_THAT(written.out, HasSubstr("spec.paradigm.documentUploadMethod"));
  EXPECT_THAT(written.out, HasSubstr("requires replacement"));
  EXPECT_EQ(calls("paradigm", "delete"), 0);
  EXPECT_EQ(calls("paradigm", "create"), 1);

  write("ws.yaml", manifest(""));
  RunResult unset = diff();
  EXPECT_EQ(unset.exit_code, 0) << unset.out << unset.err;
  EXPECT_THAT(unset.out, Not(HasSubstr("requires replacement")));
  EXPECT_EQ(apply().exit_code, 0);
  EXPECT_EQ(diff().exit_code, 0);
  EXPECT_EQ(get_item("adopted")["status"]["remoteId"], id);
  EXPECT_EQ(synced_of("adopted")["status"], "True");
  EXPECT_EQ(calls("paradigm", "delete"), 0);
  EXPECT_EQ(calls("paradigm", "create"), 1);
}

// Point 7: no volume cap and no CPU kind list of our own. A volume far
// beyond any number in the vendor's pages passes validation and reaches
// the server, which takes it; values the server refuses come back as its
// 400 with its message.
TEST_F(E2eAdoptionFidelityTest, AetherHardwareIsJudgedByTheServerNotByInventedLimits) {
  const std::string project = std::string("  aether: {projectId: ") + simtest::kProject + "}\n";
  write("big.yaml", workspace_yaml("big", "aether",
                                   "  hardware: {cpuKind: shared, cpus: 2, memoryMb: 2048, "
                                   "volumeSizeGb: 100000}\n" +
                                       project));
  write("odd.yaml", workspace_yaml("odd", "aether", "  hardware: {cpuKind: a100-gpu}\n" + project));
  write("many.yaml", workspace_yaml("many", "aether", "  hardware: {cpus: 64}\n" + project));
  RunResult checked = wsctl({"validate", "-f", source()});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  RunResult applied = apply();
  EXPECT_EQ(applied.exit_code, kAdoptExitFailed) << applied.out << applied.err;
  json live = remote_live("aether");
  ASSERT_EQ(live.size(), 1u) << live.dump();
  EXPECT_EQ(live[0]["hardware"]["volume_size_gb"], 100000);
  EXPECT_EQ(get_item("big")["status"]["remoteId"], live[0]["id"]);
  EXPECT_THAT(synced_of("odd")["message"].get<std::string>(),
              HasSubstr("invalid hardware configuration: cpu_kind must be"));
  EXPECT_THAT(synced_of("many")["message"].get<std::string>(),
              HasSubstr("invalid hardware configuration: cpus must be between 1 and 8"));
  EXPECT_THAT(applied.out + applied.err, HasSubstr("cpus must be between 1 and 8"));
}

// Point 7: a CPU kind the vendor's pages never show, from a loopback Aether,
// is what import records and what get and diff show, never "shared".
TEST_F(E2eAdoptionFidelityTest, AetherUnknownCpuKindIsShownAsTheServerSpellsIt) {
  const json workspace = {{"id", "6f1c2b1e-0000-4000-8000-00000000a100"},
                          {"project_id", simtest::kProject},
                          {"status", "running"},
                          {"hardware",
                           {{"cpu_kind", "a100-gpu"},
                            {"cpus", 2},
                            {"memory_mb", 2048},
                            {"volume_size_gb", 10},
                            {"gpu_kind", nullptr}}},
                          {"keep_active", false}};
  http::Server aether(http::ServerOptions{}, [&](const http::Request& request) {
    http::Response response;
    response.set_header("Content-Type", "application/json");
    if (request.method == "GET" && request.target == "/workspaces") {
      response.body = json{{"workspaces", {workspace}}}.dump();
    } else if (request.method == "GET" &&
               request.target == "/workspaces/" + workspace["id"].get<std::string>()) {
      response.body = workspace.dump();
    } else {
      response.status = 404;
      response.body = R"({"error": "not found"})";
    }
    return response;
  });
  ASSERT_TRUE(aether.start().is_ok());
  write("loopback.yaml", provider_config_yaml("loopback", "aether", aether.url()));
  write("ws.yaml", workspace_yaml("gpu", "loopback",
                                  "  hardware: {cpuKind: shared}\n  aether: {projectId: " +
                                      std::string(simtest::kProject) + "}\n"));
  RunResult imported =
      wsctl({"import", "gpu", "--id", workspace["id"].get<std::string>(), "-f", source()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_EQ(get_item("gpu")["status"]["observed"]["hardware"]["cpuKind"], "a100-gpu");
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("spec.hardware.cpuKind: \"a100-gpu\" -> \"shared\""));
  aether.stop();
}

}  // namespace
}  // namespace wsop::e2e
