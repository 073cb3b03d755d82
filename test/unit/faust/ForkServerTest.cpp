// ForkServerTest: compilations served by the faust fork server give what a
// freshly started faust gives, reuse one server, and survive its death.
#include "compiler/ForkServer.h"
#include "TestUtil.h"
#include "compiler/FaustCompiler.h"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kiln::faust {
namespace {

/// Skips the test, saying why, when there is no fork server to test.
#define REQUIRE_FORK_SERVER()                                                  \
  do {                                                                         \
    REQUIRE_FAUST();                                                           \
    if (forkServerLibrary().empty())                                           \
      GTEST_SKIP() << "no fork server library ($KILN_FAUST_FORKSERVER is "     \
                      "'off' or the built library is missing)";                \
  } while (0)

FaustInput writeDsp(const test::TempDir &dir, const std::string &name,
                    const std::string &source) {
  FaustInput in;
  in.path = in.displayName = dir.path + "/" + name;
  in.source = source;
  std::ofstream(in.path) << source;
  return in;
}

/// runFaust's result flattened for comparison: the module and warnings, or
/// the diagnostics as the kiln tool renders them.
struct FaustResult {
  bool ok = false;
  std::string bitcode, diagnostics;
  std::vector<std::string> warnings;
};

FaustResult compile(const FaustInput &in) {
  kiln::Expected<FaustOutput> out = runFaust(in);
  if (!out)
    return {false, "", kiln::render(out.diagnostics()), {}};
  return {true, out->bitcode, "", out->warnings};
}

/// compile with the server switched off: faust started afresh.
FaustResult spawned(const FaustInput &in) {
  setenv("KILN_FAUST_FORKSERVER", "off", 1);
  FaustResult result = compile(in);
  unsetenv("KILN_FAUST_FORKSERVER");
  return result;
}

const char *kOsc = "import(\"stdfaust.lib\");\nprocess = os.osc(440) * 0.5;\n";

TEST(ForkServerTest, ServedCompilationsEqualAFreshFaust) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  FaustInput in = writeDsp(dir, "osc.dsp", kOsc);
  FaustResult first = compile(in);
  ASSERT_TRUE(first.ok) << first.diagnostics;
  int pid = forkServerPid();
  EXPECT_GT(pid, 0) << "the first compilation did not start a server";
  FaustResult second = compile(in);
  ASSERT_TRUE(second.ok) << second.diagnostics;
  EXPECT_EQ(forkServerPid(), pid) << "the server was not reused";
  FaustResult fresh = spawned(in);
  ASSERT_TRUE(fresh.ok) << fresh.diagnostics;
  EXPECT_EQ(first.bitcode, fresh.bitcode);
  EXPECT_EQ(second.bitcode, fresh.bitcode);
}

TEST(ForkServerTest, ErrorsAreTheSameAsFromAFreshFaust) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  FaustInput in = writeDsp(dir, "bad.dsp", "process = nowhere;\n");
  FaustResult served = compile(in);
  EXPECT_GT(forkServerPid(), 0);
  FaustResult fresh = spawned(in);
  EXPECT_FALSE(served.ok);
  EXPECT_EQ(served.diagnostics, fresh.diagnostics);
  EXPECT_NE(served.diagnostics.find(
                "bad.dsp:1:11: error: undefined symbol : nowhere"),
            std::string::npos)
      << served.diagnostics;
}

// A child whose faust main returns leaves with _exit, after flushing what
// faust wrote: the warnings `-wall` prints (on stderr) arrive as they do
// from a faust that exits normally.
TEST(ForkServerTest, WarningsAreTheSameAsFromAFreshFaust) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  FaustInput in = writeDsp(dir, "osc.dsp", kOsc);
  in.args = {"-wall"};
  FaustResult served = compile(in);
  ASSERT_TRUE(served.ok) << served.diagnostics;
  EXPECT_GT(forkServerPid(), 0);
  FaustResult fresh = spawned(in);
  ASSERT_TRUE(fresh.ok) << fresh.diagnostics;
  EXPECT_FALSE(fresh.warnings.empty()) << "faust -wall printed no warning";
  EXPECT_EQ(served.warnings, fresh.warnings);
  EXPECT_EQ(served.bitcode, fresh.bitcode);
}

// A child reports its exit status before its process is torn down, and the
// server's own status for it is collected before the next request: a run
// of good and bad compilations back to back keeps every answer with its
// request, on one server.
TEST(ForkServerTest, BackToBackRequestsKeepTheirOwnStatus) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  FaustInput good = writeDsp(dir, "osc.dsp", kOsc);
  FaustInput bad = writeDsp(dir, "bad.dsp", "process = nowhere;\n");
  ASSERT_TRUE(compile(good).ok);
  int pid = forkServerPid();
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    FaustResult failed = compile(bad);
    EXPECT_FALSE(failed.ok);
    EXPECT_NE(failed.diagnostics.find("undefined symbol : nowhere"),
              std::string::npos)
        << failed.diagnostics;
    FaustResult passed = compile(good);
    EXPECT_TRUE(passed.ok) << passed.diagnostics;
    EXPECT_FALSE(passed.bitcode.empty());
  }
  EXPECT_EQ(forkServerPid(), pid) << "the server was replaced";
}

TEST(ForkServerTest, RelativePathsResolveInTheCallersDirectory) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  writeDsp(dir, "rel.dsp", kOsc);
  ASSERT_TRUE(compile(writeDsp(dir, "warm.dsp", kOsc)).ok); // server started
  char old[4096];
  ASSERT_NE(getcwd(old, sizeof old), nullptr);
  ASSERT_EQ(chdir(dir.path.c_str()), 0);
  FaustInput in;
  in.path = in.displayName = "rel.dsp";
  in.source = kOsc;
  FaustResult result = compile(in);
  ASSERT_EQ(chdir(old), 0);
  EXPECT_TRUE(result.ok) << result.diagnostics;
}

// faust waits forever on a FIFO it is told to import: past
// $KILN_FAUST_TIMEOUT the child is killed, served or spawned alike, the
// error says so, and the server goes on serving.
TEST(ForkServerTest, AHungCompilationIsStoppedAtTheTimeout) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  std::string fifo = dir.path + "/never.lib";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  FaustInput hung =
      writeDsp(dir, "hung.dsp", "import(\"" + fifo + "\");\nprocess = _;\n");
  const std::string expected =
      "error: the Faust compiler did not finish within 1 s and was stopped "
      "(set KILN_FAUST_TIMEOUT to allow longer)";
  setenv("KILN_FAUST_TIMEOUT", "0.5", 1);
  FaustResult served = compile(hung);
  int pid = forkServerPid();
  FaustResult fresh = spawned(hung);
  unsetenv("KILN_FAUST_TIMEOUT");
  EXPECT_FALSE(served.ok);
  EXPECT_EQ(served.diagnostics, expected);
  EXPECT_GT(pid, 0);
  EXPECT_EQ(fresh.diagnostics, expected);
  FaustResult next = compile(writeDsp(dir, "osc.dsp", kOsc));
  EXPECT_TRUE(next.ok) << next.diagnostics;
  EXPECT_EQ(forkServerPid(), pid) << "the server did not survive the kill";
  setenv("KILN_FAUST_TIMEOUT", "abc", 1);
  FaustResult bad = compile(hung);
  unsetenv("KILN_FAUST_TIMEOUT");
  EXPECT_EQ(bad.diagnostics, "error: KILN_FAUST_TIMEOUT must be a positive "
                             "number of seconds, not 'abc'");
}

TEST(ForkServerTest, ADeadServerIsReplaced) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  FaustInput in = writeDsp(dir, "osc.dsp", kOsc);
  ASSERT_TRUE(compile(in).ok);
  int pid = forkServerPid();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  // A fresh faust, or (while the kernel still tears the server down) the
  // standby child it had forked: either way the right bitcode.
  FaustResult afterDeath = compile(in);
  ASSERT_TRUE(afterDeath.ok) << afterDeath.diagnostics;
  FaustResult next = compile(in); // through a new server, in both cases
  ASSERT_TRUE(next.ok) << next.diagnostics;
  EXPECT_GT(forkServerPid(), 0);
  EXPECT_NE(forkServerPid(), pid);
  EXPECT_EQ(next.bitcode, afterDeath.bitcode);
}

/// A host that forks (without exec) after starting the server: the child
/// must start its own, never talk to its parent's.
TEST(ForkServerTest, AForkedHostStartsItsOwnServer) {
  REQUIRE_FORK_SERVER();
  test::TempDir dir;
  FaustInput in = writeDsp(dir, "osc.dsp", kOsc);
  ASSERT_TRUE(compile(in).ok);
  int parentServer = forkServerPid();
  ASSERT_GT(parentServer, 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    FaustResult r = compile(in);
    int own = forkServerPid();
    _exit(r.ok && own > 0 && own != parentServer ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "the forked host could not compile through a server of its own";
  ASSERT_TRUE(compile(in).ok);
  EXPECT_EQ(forkServerPid(), parentServer);
}

TEST(ForkServerTest, AMissingLibraryMeansPlainSpawning) {
  REQUIRE_FAUST();
  setenv("KILN_FAUST_FORKSERVER", "/nonexistent/libkiln_faust_forkserver.so",
         1);
  test::TempDir dir;
  FaustResult result = compile(writeDsp(dir, "osc.dsp", kOsc));
  unsetenv("KILN_FAUST_FORKSERVER");
  EXPECT_TRUE(result.ok) << result.diagnostics;
  EXPECT_EQ(forkServerPid(), -1);
}

} // namespace
} // namespace kiln::faust
