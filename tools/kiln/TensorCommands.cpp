// TensorCommands: `kiln tensor run|build` (docs/tensor.md).
//
// `run` compiles one kernel of a .tk file, runs it on generated data (the
// same deterministic data test/tensor/aot_main.c generates) and prints a
// checksum and the throughput; `build` writes a shared library plus its C
// header, or with --emit the fused loop as IR, assembly or an object.
#include "Command.h"
#include "Options.h"

#include "kiln/core/Timing.h"
#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <new>
#include <sstream>
#include <unistd.h>

namespace kiln::tool {

namespace {

using namespace kiln::tensor;

/// `kiln tensor run|build`'s flags (CLI11 declares them in makeTensorApp).
struct TensorCli {
  std::string sub, input, kernel, output, header, emit, target, cpu;
  int64_t n = 1000000;
  unsigned threads = 0;
  int reps = 5;
  OptLevel level = OptLevel::O3;
  bool cache = true, time = false;
  /// --shape NAME=D0xD1..: that array parameter's shape (default [n]).
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  /// --time: parse, irgen, optimize, codegen, link, run (stderr table).
  core::PhaseTimings *timings = nullptr;
};

/// "NAME=D0xD1..." (1-4 non-negative dims) into `out`; "" or what is wrong.
std::string parseShape(const std::string &text,
                       std::pair<std::string, std::vector<int64_t>> &out) {
  std::string usage =
      "--shape needs NAME=D0xD1.. (1 to 4 dimensions), got '" + text + "'";
  size_t eq = text.find('=');
  if (eq == 0 || eq == std::string::npos)
    return usage;
  out.first = text.substr(0, eq);
  std::string dims = text.substr(eq + 1) + "x";
  int64_t count = 1;
  bool overflow = false;
  for (size_t at = 0, x; (x = dims.find('x', at)) != std::string::npos;
       at = x + 1) {
    int64_t d = 0;
    if (!parseCount(dims.substr(at, x - at), d) || d < 0 ||
        out.second.size() == 4)
      return usage;
    out.second.push_back(d);
    overflow = overflow || __builtin_mul_overflow(count, d, &count);
  }
  if (overflow || count > (int64_t(1) << 60))
    return "--shape " + text + " has too many elements";
  return "";
}

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
  addOptLevel(*sub, cli.level, "optimisation level (default -O3)");
  addValue(*sub, "--emit", build ? "write the fused loops (ll, asm or obj)"
                                 : "print the fused loop (ll or asm)",
           [&cli, kinds, build](const std::string &v) {
             if (v != "ll" && v != "asm" && !(build && v == "obj"))
               return std::optional<std::string>("--emit must be " + kinds +
                                                 ", got '" + v + "'");
             cli.emit = v;
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
  CLI::App *run = addSubcommand(
      *app, "run", "run a kernel on generated data; print a checksum and the "
                   "throughput", cli);
  run->footer("Each array parameter gets [N] elements (or its --shape); the "
              "output has the\nbroadcast shape. The throughput is the median "
              "of R runs.");
  addString(*run, "--kernel", cli.kernel, "the kernel (FILE has several)")
      ->type_name("NAME");
  addValue(*run, "--n", "elements per array (default 1000000, or 1e6)",
           countInto("--n", 0, INT64_MAX, cli.n))->type_name("N");
  addValue(*run, "--threads", "threads (default: one per core)",
           countInto("--threads", 1, 1024, cli.threads))->type_name("T");
  addValue(*run, "--reps", "runs timed (default 5)",
           countInto("--reps", 1, 1000000, cli.reps))->type_name("R");
  addValue(*run, "--shape", "an array parameter's shape instead of [N]",
           [&cli](const std::string &v) {
             std::pair<std::string, std::vector<int64_t>> shape;
             std::string err = parseShape(v, shape);
             cli.shapes.push_back(shape);
             return err.empty() ? std::nullopt : std::optional(err);
           })->type_name("NAME=D0xD1..");
  addFlag(*run, "--no-cache", cli.cache, "compile without the cache", false);
  CLI::App *build = addSubcommand(
      *app, "build", "write a shared library and its C header (--emit: the "
                     "fused loops instead)", cli);
  addString(*build, "-o", cli.output, "the library")->type_name("OUT");
  addString(*build, "--header", cli.header,
            "the C header (default: FILE's name with .h, next to OUT)")
      ->type_name("H");
  addString(*build, "--target", cli.target, "the target triple (default: host)")
      ->type_name("TRIPLE");
  addString(*build, "--cpu", cli.cpu, "the CPU")->type_name("CPU");
  return app;
}

/// Parses `kiln tensor SUB FILE [flags]` into `cli`: -1 to go on, else the
/// exit status (help printed, or a misuse reported).
int parseTensorArgs(const Args &args, TensorCli &cli) {
  const std::string see = " (see `kiln help tensor`)";
  if (!args.empty() && !args[0].starts_with("-") && args[0] != "run" &&
      args[0] != "build")
    return fail("unknown `kiln tensor` subcommand '" + args[0] +
                    "' (use run or build)" + see, 2);
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
int failPlain(const Diagnostics &diags) {
  std::string text;
  for (const Diagnostic &d : diags)
    text += (text.empty() ? "" : "\n") +
            (d.file.empty() && !d.loc.known() ? d.message : render(d));
  return fail(text);
}

std::string kernelNames(const Program &p) {
  std::string s;
  for (const Kernel &k : p.kernels)
    s += (s.empty() ? "" : ", ") + k.name;
  return s;
}

/// The data `kiln tensor run` and aot_main.c feed kernels: element i of
/// parameter p is h = (i*7919 + p*104729) % 1000; floats 0.5 + h/1000,
/// integers 1 + h % 100, bools h % 3 != 0. Scalars: 1.25, 3, true.
struct Data {
  std::vector<std::vector<unsigned char>> buffers;
  std::vector<Arg> args;
};

/// Parameter p's shape: its --shape, else [n].
std::vector<int64_t> shapeFor(const TensorCli &cli, const Param &p) {
  for (const auto &[name, dims] : cli.shapes)
    if (name == p.name)
      return dims;
  return {cli.n};
}

/// Generated contiguous arrays (element i of parameter p as above) and
/// scalars for every parameter of `k`.
Data generate(const TensorCli &cli, const Kernel &k) {
  Data d;
  d.buffers.resize(k.params.size());
  for (size_t p = 0; p < k.params.size(); ++p) {
    DType t = k.params[p].type;
    if (!k.params[p].isArray) {
      d.args.push_back(Arg::of(t == DType::F32   ? Scalar::f32(1.25f)
                               : t == DType::F64 ? Scalar::f64(1.25)
                               : t == DType::I32 ? Scalar::i32(3)
                               : t == DType::I64 ? Scalar::i64(3)
                                                 : Scalar::boolean(true)));
      continue;
    }
    std::vector<int64_t> shape = shapeFor(cli, k.params[p]);
    int64_t n = 1;
    for (int64_t dim : shape)
      n *= dim;
    auto &buf = d.buffers[p];
    buf.resize(size_t(n) * dtypeSize(t));
    for (int64_t i = 0; i < n; ++i) {
      int64_t h = (i * 7919 + int64_t(p) * 104729) % 1000;
      void *at = buf.data() + i * dtypeSize(t);
      switch (t) {
      case DType::F32: *static_cast<float *>(at) = float(0.5 + h / 1000.0); break;
      case DType::F64: *static_cast<double *>(at) = 0.5 + h / 1000.0; break;
      case DType::I32: *static_cast<int32_t *>(at) = int32_t(1 + h % 100); break;
      case DType::I64: *static_cast<int64_t *>(at) = 1 + h % 100; break;
      case DType::Bool: *static_cast<uint8_t *>(at) = h % 3 != 0; break;
      }
    }
    d.args.push_back(Arg::of(ArrayView::contiguous(buf.data(), t, shape)));
  }
  return d;
}

double elementAt(const std::vector<unsigned char> &buf, DType t, int64_t i) {
  const void *at = buf.data() + i * dtypeSize(t);
  switch (t) {
  case DType::F32: return *static_cast<const float *>(at);
  case DType::F64: return *static_cast<const double *>(at);
  case DType::I32: return *static_cast<const int32_t *>(at);
  case DType::I64: return double(*static_cast<const int64_t *>(at));
  case DType::Bool: return *static_cast<const uint8_t *>(at);
  }
  return 0;
}

/// The output shape: the broadcast of the parameters' shapes ([] when there
/// are no array parameters: one element; [n] when they do not broadcast:
/// run() then reports the mismatch).
std::vector<int64_t> outputShape(const TensorCli &cli, const Kernel &k) {
  std::vector<std::vector<int64_t>> shapes;
  for (const Param &p : k.params)
    if (p.isArray)
      shapes.push_back(shapeFor(cli, p));
  auto shape = broadcastShapes(shapes);
  return shape ? *shape : std::vector<int64_t>{cli.n};
}

/// "" when the generated arrays of a run (each array parameter's, the array
/// output's) can be allocated, else why not: a broadcast output shape beyond
/// 2^60 elements, or more bytes than this machine has memory.
std::string checkFootprint(const TensorCli &cli, const Kernel &k,
                           const std::vector<int64_t> &outShape) {
  auto count = [](const std::vector<int64_t> &shape) {
    long double n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  };
  std::string text;
  for (int64_t d : outShape)
    text += (text.empty() ? "" : "x") + std::to_string(d);
  if (count(outShape) > 0x1p60L)
    return "the output shape " + text + " has too many elements";
  long double bytes =
      k.resultIsArray ? count(outShape) * dtypeSize(k.resultType) : 0;
  for (const Param &p : k.params)
    if (p.isArray)
      bytes += count(shapeFor(cli, p)) * dtypeSize(p.type);
  long double memory = (long double)sysconf(_SC_PHYS_PAGES) *
                       (long double)sysconf(_SC_PAGE_SIZE);
  if (memory > 0 && bytes > memory)
    return fmt::format("the arrays need {:.1f} GiB, more than this machine's "
                       "{:.1f} GiB of memory; use a smaller --n or --shape",
                       double(bytes / 0x1p30L), double(memory / 0x1p30L));
  return "";
}

/// Prints the checksum (the output elements' sum, or the scalar result) and
/// the median throughput (bytes of every array read and written).
void report(const TensorCli &cli, const Kernel &k, const Data &data,
            const std::vector<unsigned char> &outBuf, const Scalar &result,
            std::vector<double> seconds, unsigned poolThreads) {
  // The output's elements (allocated for a scalar result too).
  int64_t n = int64_t(outBuf.size() / dtypeSize(k.resultType));
  double checksum = result.asDouble(), bytes = 0;
  if (k.resultIsArray) {
    checksum = 0;
    for (int64_t i = 0; i < n; ++i)
      checksum += elementAt(outBuf, k.resultType, i);
    bytes = double(n) * dtypeSize(k.resultType);
  }
  for (size_t p = 0; p < k.params.size(); ++p)
    bytes += double(data.buffers[p].size());
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  fmt::print("kernel {} n {}: checksum {:.17g}\n", k.name, n, checksum);
  fmt::print("throughput: {:.2f} GB/s, {:.1f} Melem/s (median of {} runs, "
             "{:.3f} ms, {} threads)\n",
             median > 0 ? bytes / median / 1e9 : 0.0,
             median > 0 ? n / median / 1e6 : 0.0, cli.reps, median * 1e3,
             cli.threads ? cli.threads : poolThreads);
}

/// Runs `ck` cli.reps times on generated data, then reports.
int measure(const TensorCli &cli, const Kernel &k, const CompiledKernel &ck,
            unsigned poolThreads) {
  std::vector<int64_t> shape = outputShape(cli, k);
  if (std::string err = checkFootprint(cli, k, shape); !err.empty())
    return fail(err);
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  Data data;
  std::vector<unsigned char> outBuf;
  try {
    data = generate(cli, k);
    outBuf.resize(size_t(n) * dtypeSize(k.resultType));
  } catch (const std::exception &) { // bad_alloc, length_error
    return fail("cannot allocate the arrays for --n " + std::to_string(n));
  }
  ArrayView out = ArrayView::contiguous(outBuf.data(), k.resultType, shape);
  Scalar result;
  std::vector<double> seconds;
  for (int r = 0; r < cli.reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    Status ran = ck.run(data.args, k.resultIsArray ? &out : nullptr, &result);
    auto t1 = std::chrono::steady_clock::now();
    if (!ran)
      return failPlain(ran.diagnostics());
    seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
    if (cli.timings)
      cli.timings->add("run", seconds.back() * 1e3);
  }
  report(cli, k, data, outBuf, result, seconds, poolThreads);
  return 0;
}

int runKernel(const TensorCli &cli, const Program &program,
              const std::string &source) {
  if (cli.kernel.empty() && program.kernels.size() != 1)
    return fail("`kiln tensor run` needs --kernel NAME (kernels in '" +
                    cli.input + "': " + kernelNames(program) + ")",
                2);
  const Kernel *k = cli.kernel.empty() ? &program.kernels[0]
                                       : program.find(cli.kernel);
  if (!k)
    return fail("no kernel '" + cli.kernel + "' in '" + cli.input +
                "' (kernels: " + kernelNames(program) + ")");
  for (const auto &shape : cli.shapes) {
    auto p = std::find_if(k->params.begin(), k->params.end(),
                          [&](const Param &q) { return q.name == shape.first; });
    if (p == k->params.end() || !p->isArray)
      return fail("--shape: kernel '" + k->name + "' has no array parameter '" +
                      shape.first + "'",
                  2);
  }
  if (!cli.emit.empty()) {
    auto text = emitText(*k, cli.emit, cli.level);
    if (!text)
      return failPlain(text.diagnostics());
    fmt::print("{}", *text);
    return 0;
  }
  EngineOptions eo;
  eo.optLevel = cli.level;
  eo.threads = cli.threads;
  eo.cache = cli.cache;
  eo.timings = cli.timings;
  auto engine = Engine::create(eo);
  if (!engine)
    return failPlain(engine.diagnostics());
  auto compiled = compile(**engine, *k);
  if (!compiled)
    return failWith(render(compiled.diagnostics(), stderrWantsColor()));
  return measure(cli, *k, **compiled, (*engine)->threads());
}

/// Whether two output paths name one file (whether or not it exists yet).
bool sameFile(const std::string &a, const std::string &b) {
  std::error_code ea, eb;
  return std::filesystem::weakly_canonical(a, ea) ==
             std::filesystem::weakly_canonical(b, eb) &&
         !ea && !eb;
}

int buildKernels(const TensorCli &cli, const Program &program) {
  AotOptions o;
  o.optLevel = cli.level;
  o.triple = cli.target;
  o.cpu = cli.cpu;
  o.emit = cli.emit;
  o.timings = cli.timings;
  std::string header = cli.header;
  if (header.empty() && cli.emit.empty()) {
    std::string dir = cli.output.substr(0, cli.output.find_last_of('/') + 1);
    std::string base = cli.input.substr(cli.input.find_last_of('/') + 1);
    header = dir + base.substr(0, base.rfind('.')) + ".h";
  }
  for (const std::string &out : {cli.output, header})
    if (auto error = out.empty() ? std::nullopt : checkOutput(out, {cli.input}))
      return fail(*error);
  if (!header.empty() && sameFile(header, cli.output))
    return fail("the library and its --header are both '" + header + "'");
  if (Status built = buildSharedLibrary(program, cli.output, header, o); !built)
    return failPlain(built.diagnostics());
  return 0;
}

int tensorMain(const Args &args) {
  TensorCli cli;
  if (int status = parseTensorArgs(args, cli); status >= 0)
    return status;
  core::PhaseTimings timings;
  if (cli.time)
    cli.timings = &timings;
  std::string source;
  if (auto error = readFile(cli.input, source))
    return fail(*error);
  ParseResult parsed = [&] {
    core::ScopedPhase phase(cli.timings, "parse");
    return parseProgram(source, cli.input);
  }();
  if (!parsed.ok())
    return failWith(render(parsed.errors, stderrWantsColor()));
  int status = cli.sub == "run" ? runKernel(cli, parsed.program, source)
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
