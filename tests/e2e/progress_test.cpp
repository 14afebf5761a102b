// A long apply is never silent: off a terminal (a CI log) a progress line
// with the counts by phase every --progress-every; on a terminal a bar
// redrawn in place (cmd/wsctl/apply_progress.h).
#include <sstream>
#include <thread>

#include "cmd/wsctl/apply_progress.h"
#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

size_t lines_starting(const std::string& text, const std::string& prefix) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

class ProgressE2e : public CliTest {};

TEST_F(ProgressE2e, WaitingForProvisioningPrintsTheCountsByPhaseOffATerminal) {
  sim::SimConfig config = e2e_config();
  sim::aether::options_of(config).creating_delay = std::chrono::milliseconds(3000);
  restart(config);
  write("slow.yaml", workspace_yaml("slow", "aether", default_spec("aether")));
  write("quick.yaml", workspace_yaml("quick", "paradigm", default_spec("paradigm")));
  RunResult r = apply({"--wait", "--progress-every", "500ms", "--timeout", "60s"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GE(lines_starting(r.out, "progress: "), 2u) << r.out;
  // While Aether provisions: the Paradigm one done, the Aether one waiting.
  EXPECT_NE(r.out.find("progress: 1 of 2 done (created 2, updated 0, deleted 0, failed 0), "
                       "1 provisioning, 0 not started, "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "terminal codes in a log";

  RunResult quiet = apply({"--progress-every", "0"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(lines_starting(quiet.out, "progress: "), 0u) << quiet.out;
  RunResult bad = apply({"--progress-every", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--progress-every"), std::string::npos) << bad.err;
}

TEST(ApplyProgressBar, OnATerminalTheBarIsRedrawnInPlace) {
  std::ostringstream out;
  {
    cli::ApplyProgress progress(out, /*tty=*/true, 4);
    progress.start();
    for (const char* key : {"default/a", "default/b"}) {
      progress.on_reconciled(key, Status::ok(), std::chrono::seconds(0), false);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // one redraw at least
    progress.finish();
  }
  std::string text = out.str();
  EXPECT_NE(text.find("\r\033[K[##########----------] 2/4 "), std::string::npos) << text;
  EXPECT_EQ(text.find("progress: "), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");  // the bar is cleared at the end
}

}  // namespace
}  // namespace wsop::e2e
