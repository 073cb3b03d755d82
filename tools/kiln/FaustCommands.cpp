// FaustCommands: `kiln faust info|render|compile|bench` (docs/faust.md).
//
// The four subcommands share one flag parser; the work is the Faust host
// library's (frontends/faust/harness: Describe, Soundfiles, RenderFile,
// BenchFile over Drive.h, so Kiln's numbers compare with the g++ build and
// libfaust's backends driven by the same code). Library errors arrive as
// diagnostics and are rendered here.
#include "BenchFile.h"
#include "Command.h"
#include "Describe.h"
#include "Options.h"
#include "RenderFile.h"
#include "Soundfiles.h"
#include "WriteCode.h"

#include "kiln/core/Timing.h"
#include "kiln/faust/Faust.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <optional>

namespace kiln::tool {

namespace {

namespace host = kiln::faust::host;

struct FaustCli {
  std::string sub, input, output, in, emit, target, faust;
  double seconds = -1;
  int reps = 7;
  int factories = 1; ///< bench --factories N: N creations, 2..N timed as warm
  kiln::OptLevel level = kiln::OptLevel::O3; ///< -O0..-O4, -Os, -Oz
  unsigned compileThreads =
      0; ///< --compile-threads N (0: the library's choice)
  bool isDouble = false, vec = false, autoVec = false, time = false;
  bool cache = true;                     ///< --no-cache; info and render only
  core::PhaseTimings *timings = nullptr; ///< with --time
  std::vector<std::pair<std::string, double>> sets;
  std::vector<std::string> extra; ///< after `--`: faust arguments
};

/// A count flag in [1, 1000] (1e2 works).
ValueParser countInto(const std::string &flag, int &out) {
  return [flag, &out](const std::string &v) {
    int64_t n = 0;
    if (!parseCount(v, n) || n < 1 || n > 1000)
      return std::optional<std::string>(flag +
                                        " needs an integer in [1, 1000]");
    out = int(n);
    return std::optional<std::string>();
  };
}

ValueParser secondsInto(double &out) {
  return [&out](const std::string &v) {
    auto seconds = parseSeconds(v);
    if (!seconds)
      return std::optional<std::string>(
          "--seconds needs a positive, finite number");
    out = *seconds;
    return std::optional<std::string>();
  };
}

/// --set /path=value: one parameter's value for render.
ValueParser setInto(FaustCli &cli) {
  return [&cli](const std::string &v) -> std::optional<std::string> {
    size_t eq = v.find('=');
    char *end = nullptr;
    double n =
        eq == std::string::npos ? 0 : std::strtod(v.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq + 1 == v.size() || *end ||
        !std::isfinite(n))
      return "--set needs /path=value with a finite value, not '" + v + "'";
    cli.sets.emplace_back(v.substr(0, eq), n);
    return std::nullopt;
  };
}

/// `kiln faust SUB`, with the flags every subcommand takes.
CLI::App *addSubcommand(CLI::App &app, const std::string &name,
                        const std::string &help, FaustCli &cli) {
  CLI::App *sub = app.add_subcommand(name, help);
  addValue(*sub, "-O",
           "optimisation level (default -O3; libfaust's -O4 is -O3)",
           [&cli](const std::string &v) -> std::optional<std::string> {
             auto level =
                 v.size() == 1 ? faust::parseFaustOptLevel(v) : std::nullopt;
             if (!level)
               return "unknown optimisation level '-O" + v +
                      "' (use -O0..-O4, -Os or -Oz)";
             cli.level = *level;
             return std::nullopt;
           })
      ->option_text("-O0..-O4, -Os, -Oz");
  addFlag(*sub, "--double", cli.isDouble, "compute in double precision");
  addFlag(*sub, "--vec", cli.vec, "faust -vec: the vector code generator");
  addFlag(*sub, "--time", cli.time, "print the phase times on stderr");
  addValue(
      *sub, "--compile-threads", "1 or 2 (default: 2 on a multi-core machine)",
      [&cli](const std::string &v) {
        if (v != "1" && v != "2")
          return std::optional<std::string>("--compile-threads needs 1 or 2");
        cli.compileThreads = unsigned(v[0] - '0');
        return std::optional<std::string>();
      })
      ->type_name("N");
  addFlag(*sub, "--no-cache", cli.cache,
          "info/render: do not reuse factories from $KILN_CACHE_DIR", false);
  addString(*sub, "--faust", cli.faust,
            "the faust compiler (else $KILN_FAUST, else `faust` on PATH)")
      ->type_name("PATH");
  sub->add_option("FILE", cli.input, "FILE.dsp")->type_name("");
  return sub;
}

std::unique_ptr<CLI::App> makeFaustApp(FaustCli &cli) {
  auto app = makeApp("kiln faust", "Faust DSPs (docs/faust.md)",
                     "Faust compiler arguments go after `--`.");
  addSubcommand(*app, "info", "inputs, outputs, parameters, metadata", cli);
  CLI::App *render = addSubcommand(*app, "render", "render to a WAV file", cli);
  addString(*render, "-o", cli.output, "the WAV file (needed)")
      ->type_name("OUT.wav");
  addValue(*render, "--seconds", "length (default 2)", secondsInto(cli.seconds))
      ->type_name("S");
  addString(*render, "--in", cli.in, "input WAV (default: a test signal)")
      ->type_name("IN.wav");
  addValue(*render, "--set", "a parameter's value", setInto(cli))
      ->type_name("/path=value");
  CLI::App *compile = addSubcommand(*app, "compile", "write code", cli);
  addString(*compile, "--emit", cli.emit, "obj (default), ll, bc or machine")
      ->type_name("KIND");
  addString(*compile, "--target", cli.target,
            "LLVM triple[:cpu] (default: host)")
      ->type_name("T");
  addString(*compile, "-o", cli.output, "the output file")->type_name("OUT");
  CLI::App *bench = addSubcommand(*app, "bench", "time the DSP", cli);
  addValue(*bench, "--seconds", "length of each run (default 1)",
           secondsInto(cli.seconds))
      ->type_name("S");
  addValue(*bench, "--reps", "runs (default 7)", countInto("--reps", cli.reps))
      ->type_name("R");
  addFlag(*bench, "--auto-vec", cli.autoVec,
          "try --vec and scalar, keep the faster");
  addValue(*bench, "--factories", "creations, 2..N timed as warm",
           countInto("--factories", cli.factories))
      ->type_name("N");
  return app;
}

/// Parses `kiln faust SUB FILE [flags] [-- faust args]` into `cli`: -1 to
/// go on, else the exit status (help printed, or a misuse reported).
int parseFaustArgs(const Args &args, FaustCli &cli) {
  const std::string see = " (see `kiln faust --help`)";
  static const std::vector<std::string> subs = {"info", "render", "compile",
                                                "bench"};
  if (!args.empty() && !args[0].starts_with("-") &&
      std::find(subs.begin(), subs.end(), args[0]) == subs.end())
    return fail("unknown `kiln faust` subcommand '" + args[0] +
                    "' (use info, render, compile or bench)",
                2);
  auto dash = std::find(args.begin(), args.end(), "--");
  cli.extra.assign(dash == args.end() ? dash : dash + 1, args.end());
  auto app = makeFaustApp(cli);
  if (auto done = parseArgs(*app, Args(args.begin(), dash), "kiln faust --help",
                            " (faust arguments go after `--`)"))
    return *done;
  if (app->get_subcommands().empty())
    return fail("`kiln faust` needs a subcommand: info, render, compile or "
                "bench" +
                    see,
                2);
  cli.sub = app->get_subcommands()[0]->get_name();
  if (cli.input.empty())
    return fail("`kiln faust " + cli.sub + "` needs a .dsp file" + see, 2);
  return -1;
}

faust::FactoryOptions factoryOptions(const FaustCli &cli, bool vec) {
  faust::FactoryOptions o;
  o.args = cli.extra;
  if (cli.isDouble)
    o.args.push_back("-double");
  if (vec)
    o.args.push_back("-vec");
  o.optLevel = cli.level;
  o.target = cli.target;
  o.faustPath = cli.faust;
  o.timings = cli.timings;
  // compile --emit=obj writes one object: compile the module whole.
  o.compileThreads =
      cli.sub == "compile" && (cli.emit.empty() || cli.emit == "obj")
          ? 1
          : cli.compileThreads;
  // compile needs the bitcode a cached factory lacks; bench times the build.
  o.cache = cli.cache && (cli.sub == "info" || cli.sub == "render");
  return o;
}

/// Prints a library error: located diagnostics rendered (in colour on a
/// terminal), one without a place as `kiln: error: message`.
int reportError(const Diagnostics &diags) {
  std::string plain = kiln::render(diags);
  if (plain.starts_with("error: "))
    return fail(plain.substr(7));
  return failWith(kiln::render(diags, kiln::stderrWantsColor()));
}

faust::Registry::Result makeFactory(faust::Registry &registry,
                                    const FaustCli &cli, bool vec) {
  return registry.createDSPFactoryFromFile(cli.input, factoryOptions(cli, vec));
}

/// A DSP instance of the file (it keeps its factory alive).
kiln::Expected<std::unique_ptr<faust::Dsp>>
makeInstance(faust::Registry &registry, const FaustCli &cli) {
  auto factory = makeFactory(registry, cli, cli.vec);
  if (!factory)
    return factory.takeDiagnostics();
  return (*factory)->createInstance();
}

/// Prints the warnings the library collected, as `kiln: warning: ...`.
void printWarnings(const Diagnostics &warnings) {
  for (const Diagnostic &w : warnings)
    fmt::print(stderr, "kiln: {}\n", kiln::render(w));
}

int faustInfo(const FaustCli &cli) {
  faust::Registry registry;
  auto instance = makeInstance(registry, cli);
  if (!instance)
    return reportError(instance.diagnostics());
  faust::Dsp *dsp = instance->get();
  host::Description d = host::describe(*dsp);
  fmt::print("name: {}\ninputs: {}\noutputs: {}\nparameters: {}\n",
             dsp->factory()->name(), d.inputs, d.outputs, d.parameters.size());
  for (auto &l : d.parameters)
    fmt::print("  {}\n", l);
  fmt::print("metadata: {}\n", d.metadata.size());
  for (auto &l : d.metadata)
    fmt::print("  {}\n", l);
  return 0;
}

int faustRender(const FaustCli &cli) {
  if (cli.output.empty())
    return fail("`kiln faust render` needs -o OUT.wav", 2);
  if (auto error = checkOutput(cli.output, {cli.input, cli.in}))
    return fail(*error);
  faust::Registry registry;
  auto instance = makeInstance(registry, cli);
  if (!instance)
    return reportError(instance.diagnostics());
  faust::Dsp *dsp = instance->get();
  if (kiln::Status renderable = host::checkRenderable(*dsp, cli.input);
      !renderable)
    return reportError(renderable.diagnostics());
  Diagnostics warnings;
  host::Soundfiles sounds(*dsp, cli.input, cli.isDouble, warnings);
  printWarnings(warnings);
  dsp->init(faust::drive::kSampleRate);
  for (auto &[path, value] : cli.sets)
    if (!dsp->setParamValue(path, FAUSTFLOAT(value)))
      return fail("'" + cli.input + "' has no parameter '" + path + "'" +
                  " (see `kiln faust info " + cli.input + "`)");
  kiln::Status rendered =
      host::renderToWav(*dsp, {cli.input, cli.in, cli.output,
                               cli.seconds > 0 ? cli.seconds : 2.0});
  return rendered ? 0 : reportError(rendered.diagnostics());
}

int faustCompile(const FaustCli &cli) {
  std::string emit = cli.emit.empty() ? "obj" : cli.emit;
  const char *ext = host::emitExtension(emit);
  if (!ext)
    return fail("unknown --emit '" + emit + "' (use obj, ll, bc or machine)",
                2);
  std::string out =
      cli.output.empty() ? host::codeFileFor(cli.input, ext) : cli.output;
  if (auto error = checkOutput(out, {cli.input}))
    return fail(*error);
  faust::Registry registry;
  auto factory = makeFactory(registry, cli, cli.vec);
  if (!factory)
    return reportError(factory.diagnostics());
  kiln::Status written = host::writeCode(**factory, emit, out);
  return written ? 0 : reportError(written.diagnostics());
}

/// The longest bench run (each repetition): more is a hang, not a timing.
constexpr double kMaxBenchSeconds = 3600;

int faustBench(const FaustCli &cli) {
  if (cli.seconds > kMaxBenchSeconds)
    return fail(fmt::format("`kiln faust bench` runs at most --seconds {:.0f}",
                            kMaxBenchSeconds),
                2);
  host::BenchJob job{cli.input, factoryOptions(cli, false),
                     cli.autoVec ? std::vector<bool>{false, true}
                                 : std::vector<bool>{cli.vec},
                     cli.seconds > 0 ? cli.seconds : 1.0, cli.reps};
  kiln::Expected<host::BenchReport> r = host::benchFile(job);
  if (!r)
    return reportError(r.diagnostics());
  fmt::print(
      "factory-ms: {:.3f}\nns-per-frame: {:.3f} (min {:.3f}, max {:.3f})\n"
      "mode: {}\n",
      r->factoryMs, r->compute.nsPerFrame, r->compute.minNs, r->compute.maxNs,
      r->vec ? "vec" : "scalar");
  if (cli.factories > 1) {
    kiln::Expected<double> warm =
        host::warmFactoryMs(job, r->vec, cli.factories - 1);
    if (!warm)
      return reportError(warm.diagnostics());
    fmt::print("factory-warm-ms: {:.3f}\n", *warm);
  }
  return 0;
}

int runFaust(const Args &args) {
  FaustCli cli;
  if (int status = parseFaustArgs(args, cli); status >= 0)
    return status;
  int (*run)(const FaustCli &) = cli.sub == "info"      ? faustInfo
                                 : cli.sub == "render"  ? faustRender
                                 : cli.sub == "compile" ? faustCompile
                                                        : faustBench;
  core::PhaseTimings timings;
  if (cli.time)
    cli.timings = &timings;
  int status = run(cli);
  if (cli.time) {
    std::fflush(stdout);
    std::fputs(timings.table().c_str(), stderr);
  }
  return status;
}

} // namespace

std::vector<Command> faustCommands() {
  return {{"faust", "Faust DSPs: info, render, compile, bench (docs/faust.md)",
           runFaust}};
}

} // namespace kiln::tool
