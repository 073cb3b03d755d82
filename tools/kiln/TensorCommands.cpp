// TensorCommands: `kiln tensor run|build` (docs/tensor.md).
//
// `run` compiles one kernel of a .tk file, measures it on generated data
// (frontends/tensor/harness) and prints a checksum and the throughput;
// `build` writes a shared library plus its C header, or with --emit the
// fused loop as IR, assembly or an object. This file declares the flags,
// calls the libraries and renders their results.
#include "Command.h"
#include "Options.h"

#include "RunArgs.h"

#include "kiln/core/Timing.h"
#include "kiln/tensor/GraphAot.h"
#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>

namespace kiln::tool {

namespace {

using namespace kiln::tensor;

/// `kiln tensor run|build`'s flags (CLI11 declares them in makeTensorApp).
struct TensorCli {
  std::string sub, input, kernel, output, header, emit; // emit: run's
  bool time = false;           ///< phase times: every timings below, and parse
  EngineOptions engine;        ///< run: -O, --threads, --no-cache
  harness::MeasureOptions run; ///< run: --n, --reps, --shape
  AotOptions aot;              ///< build: -O, --emit, --target, --cpu
};

/// A count flag's parser: at least `least` (else "FLAG needs a ...
/// integer"), at most `most` (larger values are clamped).
template <typename T>
ValueParser countInto(const std::string &flag, int64_t least, int64_t most,
                      T &out) {
  return [flag, least, most, &out](const std::string &v) {
    int64_t num = 0;
    if (!parseCount(v, num) || num < least)
      return std::optional<std::string>(
          flag + " needs a " + (least == 0 ? "non-negative" : "positive") +
          " integer");
    out = T(std::min(num, most));
    return std::optional<std::string>();
  };
}

/// `kiln tensor SUB`, with the flags both subcommands take.
CLI::App *addSubcommand(CLI::App &app, const std::string &name,
                        const std::string &help, TensorCli &cli) {
  CLI::App *sub = app.add_subcommand(name, help);
  bool build = name == "build";
  std::string kinds = build ? "ll or asm or obj" : "ll or asm";
  addOptLevel(*sub, build ? cli.aot.optLevel : cli.engine.optLevel,
              "optimisation level (default -O3)");
  addValue(*sub, "--emit",
           build ? "write the fused loops (ll, asm or obj)"
                 : "print the fused loop (ll or asm)",
           [&emit = build ? cli.aot.emit : cli.emit, kinds,
            build](const std::string &v) {
             if (v != "ll" && v != "asm" && !(build && v == "obj"))
               return std::optional<std::string>("--emit must be " + kinds +
                                                 ", got '" + v + "'");
             emit = v;
             return std::optional<std::string>();
           })
      ->type_name("KIND");
  addFlag(*sub, "--time", cli.time,
          "phase times (parse, irgen, optimize, codegen, link, run) in ms "
          "on stderr");
  sub->add_option("FILE", cli.input, "FILE.tk")->type_name("");
  return sub;
}

std::unique_ptr<CLI::App> makeTensorApp(TensorCli &cli) {
  auto app = makeApp("kiln tensor", "elementwise array kernels as fused "
                                    "native loops (docs/tensor.md)");
  CLI::App *run =
      addSubcommand(*app, "run",
                    "run a kernel on generated data; print a checksum and the "
                    "throughput",
                    cli);
  run->footer("Each array parameter gets [N] elements (or its --shape); the "
              "output has the\nbroadcast shape. The throughput is the median "
              "of R runs.");
  addString(*run, "--kernel", cli.kernel, "the kernel (FILE has several)")
      ->type_name("NAME");
  addValue(*run, "--n", "elements per array (default 1000000, or 1e6)",
           countInto("--n", 0, INT64_MAX, cli.run.n))
      ->type_name("N");
  addValue(*run, "--threads", "threads (default: one per core)",
           countInto("--threads", 1, 1024, cli.engine.threads))
      ->type_name("T");
  addValue(*run, "--reps", "runs timed (default 5)",
           countInto("--reps", 1, 1000000, cli.run.reps))
      ->type_name("R");
  addValue(*run, "--shape", "an array parameter's shape instead of [N]",
           [&cli](const std::string &v) {
             auto shape = harness::parseShapeOverride(v, parseCount);
             if (!shape)
               return std::optional(shape.diagnostics()[0].message);
             cli.run.shapes.push_back(*shape);
             return std::optional<std::string>();
           })
      ->type_name("NAME=D0xD1..");
  addFlag(*run, "--no-cache", cli.engine.cache, "compile without the cache",
          false);
  CLI::App *build =
      addSubcommand(*app, "build",
                    "write a shared library and its C header (--emit: the "
                    "fused loops instead)",
                    cli);
  addString(*build, "-o", cli.output, "the library")->type_name("OUT");
  addString(*build, "--header", cli.header,
            "the C header (default: FILE's name with .h, next to OUT)")
      ->type_name("H");
  addString(*build, "--target", cli.aot.triple,
            "the target triple (default: host)")
      ->type_name("TRIPLE");
  addString(*build, "--cpu", cli.aot.cpu, "the CPU")->type_name("CPU");
  return app;
}

/// Parses `kiln tensor SUB FILE [flags]` into `cli`: -1 to go on, else the
/// exit status (help printed, or a misuse reported).
int parseTensorArgs(const Args &args, TensorCli &cli) {
  const std::string see = " (see `kiln help tensor`)";
  if (!args.empty() && !args[0].starts_with("-") && args[0] != "run" &&
      args[0] != "build")
    return fail("unknown `kiln tensor` subcommand '" + args[0] +
                    "' (use run or build)" + see,
                2);
  auto app = makeTensorApp(cli);
  if (auto done = parseArgs(*app, args, "kiln help tensor"))
    return *done;
  if (app->get_subcommands().empty())
    return fail("`kiln tensor` needs a subcommand: run or build" + see, 2);
  cli.sub = app->get_subcommands()[0]->get_name();
  if (cli.input.empty())
    return fail("`kiln tensor " + cli.sub + "` needs a .tk file" + see, 2);
  if (cli.sub == "build" && cli.output.empty())
    return fail("`kiln tensor build` needs -o OUTPUT" + see, 2);
  return -1;
}

/// A call, engine or build error after "kiln: error: " (a diagnostic that
/// names a file or position is rendered in full).
int failPlain(const Diagnostics &diags, int status = 1) {
  std::string text;
  for (const Diagnostic &d : diags)
    text += (text.empty() ? "" : "\n") +
            (d.file.empty() && !d.loc.known() ? d.message : render(d));
  return fail(text, status);
}

/// Runs `ck` on generated data (Measure.h); prints the checksum and the
/// median throughput (bytes of every array read and written).
int measureKernel(const TensorCli &cli, const CompiledKernel &ck,
                  unsigned poolThreads) {
  auto m = harness::measure(ck, cli.run);
  if (!m)
    return failPlain(m.diagnostics());
  fmt::print("kernel {} n {}: checksum {:.17g}\n", ck.signature().name,
             m->elements, m->checksum);
  fmt::print("throughput: {:.2f} GB/s, {:.1f} Melem/s (median of {} runs, "
             "{:.3f} ms, {} threads)\n",
             m->gbPerSecond(), m->melemPerSecond(), cli.run.reps,
             m->medianSeconds * 1e3, poolThreads);
  return 0;
}

int runKernel(const TensorCli &cli, const Program &program) {
  auto chosen =
      harness::chooseKernel(program, cli.kernel, cli.input, cli.run.shapes);
  if (!chosen) { // a misuse of the command exits 2
    bool misuse = chosen.diagnostics()[0].kind == ErrorKind::InvalidArgument;
    return failPlain(chosen.diagnostics(), misuse ? 2 : 1);
  }
  const Kernel *k = *chosen;
  if (!cli.emit.empty()) {
    auto text = emitText(*k, cli.emit, cli.engine.optLevel);
    if (!text)
      return failPlain(text.diagnostics());
    fmt::print("{}", *text);
    return 0;
  }
  auto engine = Engine::create(cli.engine);
  if (!engine)
    return failPlain(engine.diagnostics());
  auto compiled = compile(**engine, *k);
  if (!compiled)
    return failWith(render(compiled.diagnostics(), stderrWantsColor()));
  return measureKernel(cli, **compiled, (*engine)->threads());
}

/// Whether two output paths name one file (whether or not it exists yet).
bool sameFile(const std::string &a, const std::string &b) {
  std::error_code ea, eb;
  return std::filesystem::weakly_canonical(a, ea) ==
             std::filesystem::weakly_canonical(b, eb) &&
         !ea && !eb;
}

/// The library's header path: --header, or beside the library named after
/// the input (none for --emit).
std::string headerPath(const TensorCli &cli) {
  if (!cli.header.empty() || !cli.aot.emit.empty())
    return cli.header;
  std::string dir = cli.output.substr(0, cli.output.find_last_of('/') + 1);
  std::string base = cli.input.substr(cli.input.find_last_of('/') + 1);
  return dir + base.substr(0, base.rfind('.')) + ".h";
}

/// Why the library or its header cannot be written there, if so.
std::optional<std::string> outputsError(const TensorCli &cli,
                                        const std::string &header) {
  for (const std::string &out : {cli.output, header})
    if (auto error = out.empty() ? std::nullopt : checkOutput(out, {cli.input}))
      return error;
  if (!header.empty() && sameFile(header, cli.output))
    return "the library and its --header are both '" + header + "'";
  return std::nullopt;
}

/// `kiln tensor build` of a file with graphs (docs/tensor-graphs.md).
int buildGraphs(const TensorCli &cli, const std::string &source) {
  GraphParseResult parsed = parseGraphProgram(source, cli.input);
  if (!parsed.ok())
    return failWith(render(parsed.errors, stderrWantsColor()));
  std::string header = headerPath(cli);
  if (auto error = outputsError(cli, header))
    return fail(*error);
  Status built = buildGraphLibrary(parsed.program, cli.output, header, cli.aot);
  if (built)
    return 0;
  Diagnostics diags = built.takeDiagnostics(); // gradient errors are located
  attachSource(diags, cli.input, source);
  bool located = !diags.empty() && diags[0].loc.known();
  return located ? failWith(render(diags, stderrWantsColor()))
                 : failPlain(diags);
}

int buildKernels(const TensorCli &cli, const Program &program) {
  std::string header = headerPath(cli);
  if (auto error = outputsError(cli, header))
    return fail(*error);
  Status built = buildSharedLibrary(program, cli.output, header, cli.aot);
  return built ? 0 : failPlain(built.diagnostics());
}

/// Whether the kernel parser stopped at a graph (which `build` takes).
bool hasGraph(const std::vector<Diag> &errors) {
  for (const Diag &d : errors)
    if (d.message.rfind("`kiln tensor run` takes kernels only", 0) == 0)
      return true;
  return false;
}

int tensorMain(const Args &args) {
  TensorCli cli;
  if (int status = parseTensorArgs(args, cli); status >= 0)
    return status;
  core::PhaseTimings timings;
  if (cli.time)
    cli.engine.timings = cli.run.timings = cli.aot.timings = &timings;
  std::string source;
  if (auto error = readFile(cli.input, source))
    return fail(*error);
  ParseResult parsed = [&] {
    core::ScopedPhase phase(cli.run.timings, "parse");
    return parseProgram(source, cli.input);
  }();
  bool graphs = !parsed.ok() && cli.sub == "build" && hasGraph(parsed.errors);
  if (!parsed.ok() && !graphs)
    return failWith(render(parsed.errors, stderrWantsColor()));
  int status = graphs             ? buildGraphs(cli, source)
               : cli.sub == "run" ? runKernel(cli, parsed.program)
                                  : buildKernels(cli, parsed.program);
  if (cli.time && status == 0) {
    std::fflush(stdout);
    std::fputs(timings.table().c_str(), stderr);
  }
  return status;
}

} // namespace

std::vector<Command> tensorCommands() {
  return {{"tensor",
           "elementwise array kernels as fused native loops (docs/tensor.md)",
           tensorMain}};
}

} // namespace kiln::tool
