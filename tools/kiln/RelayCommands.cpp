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
void applyCommon(const CommonOptions &opts, core::PhaseTimings &timings,
                 RelayOptions &options) {
  options.level = opts.level;
  options.timeoutSeconds = opts.timeout;
  options.maxDepth = opts.maxDepth;
  options.guards = opts.guards;
  options.timings = &timings;
}

/// Renders the diagnostics (the only place `run` and `build` make text of
/// them) and the phase table; returns `status`.
int finish(const CommonOptions &opts, const core::PhaseTimings &timings,
           const Diagnostics &errors, int status) {
  std::fflush(stdout);
  if (!errors.empty())
    fmt::print(stderr, "{}\n", kiln::render(errors, kiln::stderrWantsColor()));
  if (opts.time)
    std::fputs(timings.table().c_str(), stderr);
  return status;
}

int runRelay(const Args &args) {
  CommonOptions opts;
  if (auto error = parseOptions(args, /*stopAtInput=*/false, opts))
    return fail(*error + " (see `kiln run --help`)", 2);
  if (opts.positional.size() != 1)
    return fail("`kiln run` takes one .relay file", 2);
  std::string source;
  if (auto error = readFile(opts.positional[0], source))
    return fail(*error, 1);
  core::PhaseTimings timings;
  relay::RunOptions options;
  options.mode = opts.mode == "interp" ? relay::Mode::Interp
                 : opts.mode == "jit"  ? relay::Mode::Jit
                                       : relay::Mode::Auto;
  applyCommon(opts, timings, options);
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
    auto status = relay::runIsolated(opts.positional[0], source, options,
                                     {opts.memoryLimit, opts.cpuLimit});
    return finish(opts, timings, status.diagnostics(), status ? *status : 1);
  }
  if (opts.memoryLimit || opts.cpuLimit)
    return fail("--memory-limit and --cpu-limit need --isolate", 2);
  relay::RunStats stats;
  Status status = relay::run(opts.positional[0], source, options, &stats);
  if (opts.stats)
    fmt::print(stderr,
               "stats: compilations {} cache-hits {} functions-compiled {} "
               "native-calls {} interpreted-calls {} osr-compiled {} "
               "osr-entries {}\n",
               stats.compilations, stats.cacheHits, stats.functionsCompiled,
               stats.nativeCalls, stats.interpretedCalls, stats.osrCompiled,
               stats.osrEntries);
  return finish(opts, timings, status.diagnostics(), status ? 0 : 1);
}

int buildRelay(const Args &args) {
  CommonOptions opts;
  if (auto error = parseOptions(args, /*stopAtInput=*/false, opts))
    return fail(*error + " (see `kiln build --help`)", 2);
  if (opts.positional.size() != 1)
    return fail("`kiln build` takes one .relay file", 2);
  const std::string &file = opts.positional[0];
  if (file.size() < 7 || file.compare(file.size() - 6, 6, ".relay") != 0)
    return fail("`kiln build` compiles .relay files; use `kiln compile` for IR", 2);
  relay::BuildOptions options;
  const std::string emit = opts.emit.empty() ? "exe" : opts.emit;
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
  applyCommon(opts, timings, options);
  options.target = opts.target;
  Status status = relay::build(file, source, output, options);
  return finish(opts, timings, status.diagnostics(), status ? 0 : 1);
}

} // namespace

std::vector<FileHandler> relayFileHandlers() {
  return {{".relay", runRelay, buildRelay}};
}

std::vector<Command> relayCommands() {
  return {
      {"build", "compile a .relay program to an executable (or obj/asm/ll/bc/tokens/ast)",
       "usage: kiln build FILE.relay -o OUT [--emit=exe|obj|asm|ll|bc|tokens|ast]\n"
       "                  [--target TRIPLE] [-O0..-O3] [--timeout S] [--max-depth N]\n"
       "                  [--time]\n"
       "The executable needs no LLVM at run time; KILN_TIMEOUT=S limits its run.",
       buildRelay},
      replCommandEntry(),
  };
}

} // namespace kiln::tool
