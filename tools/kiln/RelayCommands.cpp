// RelayCommands: `kiln run FILE.relay`, `kiln build FILE.relay` and
// `kiln repl` (docs/relay.md).
#include "Command.h"
#include "Options.h"

#include "kiln/core/Timing.h"
#include "kiln/relay/Relay.h"

#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace kiln::tool {

namespace {

/// The flags `run` and `build` share, into either's options.
template <typename RelayOptions>
void applyCommon(OptLevel level, const RelayLimits &limits,
                 core::PhaseTimings &timings, RelayOptions &options) {
  options.level = level;
  options.timeoutSeconds = limits.timeout;
  options.maxDepth = limits.maxDepth;
  options.guards = limits.guards;
  options.timings = &timings;
}

/// Renders the diagnostics (the only place `run` and `build` make text of
/// them) and the phase table; returns `status`.
int finish(bool time, const core::PhaseTimings &timings,
           const Diagnostics &errors, int status) {
  std::fflush(stdout);
  if (!errors.empty())
    fmt::print(stderr, "{}\n", kiln::render(errors, kiln::stderrWantsColor()));
  if (time)
    std::fputs(timings.table().c_str(), stderr);
  return status;
}

/// `kiln run FILE.relay`: the flags come from `kiln run` (Options.h).
int runRelay(const RunOptions &opts) {
  if (opts.files.size() != 1)
    return fail("`kiln run` takes one .relay file", 2);
  const std::string &file = opts.files[0];
  std::string source;
  if (auto error = readFile(file, source))
    return fail(*error, 1);
  core::PhaseTimings timings;
  relay::RunOptions options;
  options.mode = opts.mode == "interp" ? relay::Mode::Interp
                 : opts.mode == "jit"  ? relay::Mode::Jit
                                       : relay::Mode::Auto;
  applyCommon(opts.compile.level, opts.limits, timings, options);
  options.cache = opts.cache;
  // A testing knob (docs/relay.md, "On-stack replacement"): OSR after N
  // loop iterations, compiled at once and waited for.
  if (const char *osr = std::getenv("KILN_OSR_THRESHOLD"); osr && *osr) {
    char *end = nullptr;
    unsigned long long n = std::strtoull(osr, &end, 10);
    if (*end || *osr == '-')
      return fail("KILN_OSR_THRESHOLD must be a count of loop iterations, not '" +
                      std::string(osr) + "'", 2);
    options.osrThreshold = n;
    options.tierUpDelayMs = 0;
    options.osrWait = true;
  }
  if (opts.isolate && opts.mode == "interp")
    return fail("--isolate runs compiled code; it does not combine with "
                "--mode=interp", 2);
  if (opts.isolate) { // compiled as for `kiln build`, run in kiln-executor
    auto status = relay::runIsolated(file, source, options,
                                     {opts.memoryLimit, opts.cpuLimit});
    return finish(opts.compile.time, timings, status.diagnostics(), status ? *status : 1);
  }
  if (opts.memoryLimit || opts.cpuLimit)
    return fail("--memory-limit and --cpu-limit need --isolate", 2);
  relay::RunStats stats;
  Status status = relay::run(file, source, options, &stats);
  if (opts.stats)
    fmt::print(stderr,
               "stats: compilations {} cache-hits {} functions-compiled {} "
               "native-calls {} interpreted-calls {} osr-compiled {} "
               "osr-entries {}\n",
               stats.compilations, stats.cacheHits, stats.functionsCompiled,
               stats.nativeCalls, stats.interpretedCalls, stats.osrCompiled,
               stats.osrEntries);
  return finish(opts.compile.time, timings, status.diagnostics(),
                status ? 0 : 1);
}

/// `kiln build`'s flags.
struct BuildFlags {
  OptLevel level = OptLevel::O2;
  bool time = false;
  RelayLimits limits;
  std::string emit = "exe", output, target;
  std::vector<std::string> files;
};

std::unique_ptr<CLI::App> makeBuildApp(BuildFlags &opts) {
  auto app = makeApp(
      "kiln build",
      "compile a .relay program to an executable (or obj/asm/ll/bc/tokens/ast)",
      "The executable needs no LLVM at run time; KILN_TIMEOUT=S limits its run.");
  addOptLevel(*app, opts.level, "optimisation level (default -O2)");
  addFlag(*app, "--time", opts.time, "print the phase times on stderr");
  addString(*app, "--emit", opts.emit,
            "exe (default), obj, asm, ll, bc, tokens or ast")->type_name("KIND");
  addString(*app, "-o", opts.output, "the output (tokens, ast: default stdout)")
      ->type_name("OUT");
  addString(*app, "--target", opts.target, "the target triple (default: host)")
      ->type_name("TRIPLE");
  addTimeout(*app, opts.limits.timeout);
  addMaxDepth(*app, opts.limits.maxDepth);
  addFlag(*app, "--no-guards", opts.limits.guards,
          "compiled code without depth and time guards", false);
  app->add_option("FILE", opts.files, "FILE.relay")->type_name("");
  return app;
}

int buildRelay(const Args &args) {
  BuildFlags opts;
  auto app = makeBuildApp(opts);
  if (auto done = parseArgs(*app, args, "kiln build --help"))
    return *done;
  if (opts.files.size() != 1)
    return fail("`kiln build` takes one .relay file", 2);
  const std::string &file = opts.files[0];
  if (file.size() < 7 || file.compare(file.size() - 6, 6, ".relay") != 0)
    return fail("`kiln build` compiles .relay files; use `kiln compile` for IR", 2);
  relay::BuildOptions options;
  const std::string &emit = opts.emit;
  static const std::pair<const char *, relay::BuildKind> kinds[] = {
      {"exe", relay::BuildKind::Executable}, {"obj", relay::BuildKind::Object},
      {"asm", relay::BuildKind::Assembly},   {"ll", relay::BuildKind::IR},
      {"bc", relay::BuildKind::Bitcode},     {"tokens", relay::BuildKind::Tokens},
      {"ast", relay::BuildKind::AST}};
  bool known = false;
  for (auto &[name, kind] : kinds)
    if (emit == name) {
      options.kind = kind;
      known = true;
    }
  if (!known)
    return fail("unknown --emit kind '" + emit +
                    "' (use exe, obj, asm, ll, bc, tokens or ast)", 2);
  std::string output = opts.output;
  if (output.empty()) {
    if (options.kind == relay::BuildKind::Tokens || options.kind == relay::BuildKind::AST)
      output = "-";
    else
      return fail("`kiln build` needs -o OUTPUT", 2);
  }
  if (auto error = checkOutput(output, {file}))
    return fail(*error, 1);
  std::string source;
  if (auto error = readFile(file, source))
    return fail(*error, 1);
  core::PhaseTimings timings;
  applyCommon(opts.level, opts.limits, timings, options);
  options.target = opts.target;
  Status status = relay::build(file, source, output, options);
  return finish(opts.time, timings, status.diagnostics(), status ? 0 : 1);
}

} // namespace

std::vector<FileHandler> relayFileHandlers() {
  return {{".relay", runRelay}};
}

std::vector<Command> relayCommands() {
  return {
      {"build",
       "compile a .relay program to an executable (or obj/asm/ll/bc/tokens/ast)",
       buildRelay},
      replCommandEntry(),
  };
}

} // namespace kiln::tool
