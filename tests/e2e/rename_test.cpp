// A rename (a new manifest taking over, through its external-name
// annotation or `wsctl import`, the remote workspace of a record whose
// manifest left the source) is one move: planned and carried out as such,
// and the old name's remote workspace is never deleted, pruning or not.
#include <gmock/gmock.h>

#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RenameE2e : public CliTest {
 protected:
  // Applies workspace "old" on Paradigm with `description`; returns its id.
  std::string apply_old(const std::string& description) {
    write("old.yaml", workspace_yaml("old", "paradigm", spec(description)));
    RunResult r = apply();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    json item = get_item("old");
    return item.is_null() ? "" : id_string(item["status"]["remoteId"]);
  }
  static std::string spec(const std::string& description) {
    // displayName is set: it defaults to the name, which a rename changes.
    return default_spec("paradigm") + "  displayName: Legal\n  description: " + description +
           "\n";
  }
  // Renames "old" to "new", naming the remote id in the annotation.
  void rename_by_annotation(const std::string& id, const std::string& description) {
    remove("old.yaml");
    write("new.yaml",
          workspace_yaml("new", "paradigm", spec(description),
                         "  annotations: {workspace-operator.io/external-name: \"" + id + "\"}\n"));
  }
  void expect_moved(const std::string& id, const std::string& description) {
    EXPECT_TRUE(get_item("old").is_null()) << get_items().dump();
    json moved = get_item("new");
    ASSERT_FALSE(moved.is_null()) << get_items().dump();
    EXPECT_EQ(id_string(moved["status"]["remoteId"]), id);
    json remote_ws = remote("paradigm", id);
    ASSERT_FALSE(remote_ws.is_null());
    EXPECT_FALSE(remote_ws.value("deleted", false)) << remote_ws.dump();
    EXPECT_EQ(remote_ws.value("description", ""), description) << remote_ws.dump();
    EXPECT_EQ(calls("paradigm", "delete"), 0);
    EXPECT_EQ(calls("paradigm", "create"), 1);
    EXPECT_EQ(remote_live("paradigm").size(), 1u);
  }
};

TEST_F(RenameE2e, ARenameWithoutChangesIsOneMoveAndPruneDeletesNothing) {
  std::string id = apply_old("Contracts");
  ASSERT_FALSE(id.empty());
  rename_by_annotation(id, "Contracts");

  RunResult planned = diff({"--prune"});
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("> move            default/new (paradigm): moved from "
                                     "default/old (remote workspace " +
                                     id + ")"));
  EXPECT_THAT(planned.out, Not(HasSubstr("- delete")));
  EXPECT_THAT(planned.out, HasSubstr("0 to delete or forget"));
  EXPECT_THAT(planned.out, HasSubstr("1 to move"));

  RunResult as_json = diff({"--prune", "-o", "json"});
  json plan = json::parse(as_json.out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << as_json.out;
  EXPECT_EQ(plan["summary"]["move"], 1) << as_json.out;
  EXPECT_EQ(plan["summary"]["delete"], 0) << as_json.out;
  for (const auto& item : plan["items"]) {
    if (item["name"] == "new") {
      EXPECT_EQ(item["movedFrom"], "default/old") << item.dump();
    }
    if (item["name"] == "old") {
      EXPECT_EQ(item["action"], "skip") << item.dump();
    }
  }

  RunResult applied = apply({"--prune"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("moved default/new (paradigm): from default/old"));
  EXPECT_THAT(applied.out, HasSubstr("moved 1"));
  expect_moved(id, "Contracts");
  EXPECT_EQ(calls("paradigm", "update"), 0);
  EXPECT_EQ(diff({"--prune"}).exit_code, 0);
}

TEST_F(RenameE2e, ARenameWithAChangeMovesThenUpdatesInPlace) {
  std::string id = apply_old("Contracts");
  ASSERT_FALSE(id.empty());
  rename_by_annotation(id, "Contracts and policies");
  RunResult planned = diff({"--prune"});
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("~ update          default/new (paradigm): moved from "
                                     "default/old"));
  EXPECT_THAT(planned.out, Not(HasSubstr("- delete")));
  RunResult applied = apply({"--prune"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  expect_moved(id, "Contracts and policies");
  EXPECT_EQ(diff({"--prune"}).exit_code, 0);
}

// Without --prune too: the old record goes with the move, not left behind
// to hold the remote id against its new manifest.
TEST_F(RenameE2e, WithoutPruneTheOldRecordMovesToo) {
  std::string id = apply_old("Contracts");
  ASSERT_FALSE(id.empty());
  rename_by_annotation(id, "Contracts");
  RunResult applied = apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  expect_moved(id, "Contracts");
}

TEST_F(RenameE2e, ImportUnderTheNewNameMovesTheRecord) {
  std::string id = apply_old("Contracts");
  ASSERT_FALSE(id.empty());
  // While the old manifest is in the source, its record keeps the id.
  write("new.yaml", workspace_yaml("new", "paradigm", spec("Contracts")));
  RunResult refused = wsctl({"import", "new", "--id", id, "-f", source()});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("already managed by default/old"));

  remove("old.yaml");
  RunResult imported = wsctl({"import", "new", "--id", id, "-f", source()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("moved default/old to default/new"));
  RunResult applied = apply({"--prune"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  expect_moved(id, "Contracts");
}

}  // namespace
}  // namespace wsop::e2e
