// FaustCommands: `kiln faust info|render|compile|bench` (docs/faust.md).
//
// The four subcommands share one flag parser. Rendering and timing go through
// frontends/faust/harness/Drive.h, so Kiln's numbers compare with the g++
// build and libfaust's backends driven by the same code. WAV files are read
// and written with libsndfile; an output file appears only complete (temp +
// rename). Library errors arrive as diagnostics and are rendered here.
#include "Command.h"
#include "Drive.h"
#include "Options.h"

#include "kiln/core/Timing.h"
#include "kiln/faust/Faust.h"

#include <faust/gui/PathBuilder.h>
#include <faust/gui/SoundUI.h>
#include <sndfile.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::tool {

namespace {

namespace drive = kiln::faust::drive;

struct FaustCli {
  std::string sub, input, output, in, emit, target, faust;
  double seconds = -1;
  int reps = 7;
  int factories = 1; ///< bench --factories N: N creations, 2..N timed as warm
  kiln::OptLevel level = kiln::OptLevel::O3; ///< -O0..-O4, -Os, -Oz
  unsigned compileThreads = 0; ///< --compile-threads N (0: the library's choice)
  bool isDouble = false, vec = false, autoVec = false, time = false;
  bool cache = true; ///< --no-cache; info and render only
  core::PhaseTimings *timings = nullptr; ///< with --time
  std::vector<std::pair<std::string, double>> sets;
  std::vector<std::string> extra; ///< after `--`: faust arguments
};

/// A count flag in [1, 1000] (1e2 works).
ValueParser countInto(const std::string &flag, int &out) {
  return [flag, &out](const std::string &v) {
    int64_t n = 0;
    if (!parseCount(v, n) || n < 1 || n > 1000)
      return std::optional<std::string>(flag + " needs an integer in [1, 1000]");
    out = int(n);
    return std::optional<std::string>();
  };
}

ValueParser secondsInto(double &out) {
  return [&out](const std::string &v) {
    auto seconds = parseSeconds(v);
    if (!seconds)
      return std::optional<std::string>("--seconds needs a positive, finite number");
    out = *seconds;
    return std::optional<std::string>();
  };
}

/// --set /path=value: one parameter's value for render.
ValueParser setInto(FaustCli &cli) {
  return [&cli](const std::string &v) -> std::optional<std::string> {
    size_t eq = v.find('=');
    char *end = nullptr;
    double n = eq == std::string::npos ? 0 : std::strtod(v.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq + 1 == v.size() || *end || !std::isfinite(n))
      return "--set needs /path=value with a finite value, not '" + v + "'";
    cli.sets.emplace_back(v.substr(0, eq), n);
    return std::nullopt;
  };
}

/// `kiln faust SUB`, with the flags every subcommand takes.
CLI::App *addSubcommand(CLI::App &app, const std::string &name,
                        const std::string &help, FaustCli &cli) {
  CLI::App *sub = app.add_subcommand(name, help);
  addValue(*sub, "-O", "optimisation level (default -O3; libfaust's -O4 is -O3)",
           [&cli](const std::string &v) -> std::optional<std::string> {
             auto level = v.size() == 1 ? faust::parseFaustOptLevel(v)
                                        : std::nullopt;
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
  addValue(*sub, "--compile-threads",
           "1 or 2 (default: 2 on a multi-core machine)",
           [&cli](const std::string &v) {
             if (v != "1" && v != "2")
               return std::optional<std::string>("--compile-threads needs 1 or 2");
             cli.compileThreads = unsigned(v[0] - '0');
             return std::optional<std::string>();
           })->type_name("N");
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
  addString(*render, "-o", cli.output, "the WAV file (needed)")->type_name("OUT.wav");
  addValue(*render, "--seconds", "length (default 2)", secondsInto(cli.seconds))
      ->type_name("S");
  addString(*render, "--in", cli.in, "input WAV (default: a test signal)")
      ->type_name("IN.wav");
  addValue(*render, "--set", "a parameter's value", setInto(cli))
      ->type_name("/path=value");
  CLI::App *compile = addSubcommand(*app, "compile", "write code", cli);
  addString(*compile, "--emit", cli.emit, "obj (default), ll, bc or machine")
      ->type_name("KIND");
  addString(*compile, "--target", cli.target, "LLVM triple[:cpu] (default: host)")
      ->type_name("T");
  addString(*compile, "-o", cli.output, "the output file")->type_name("OUT");
  CLI::App *bench = addSubcommand(*app, "bench", "time the DSP", cli);
  addValue(*bench, "--seconds", "length of each run (default 1)",
           secondsInto(cli.seconds))->type_name("S");
  addValue(*bench, "--reps", "runs (default 7)", countInto("--reps", cli.reps))
      ->type_name("R");
  addFlag(*bench, "--auto-vec", cli.autoVec, "try --vec and scalar, keep the faster");
  addValue(*bench, "--factories", "creations, 2..N timed as warm",
           countInto("--factories", cli.factories))->type_name("N");
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
                    "' (use info, render, compile or bench)", 2);
  auto dash = std::find(args.begin(), args.end(), "--");
  cli.extra.assign(dash == args.end() ? dash : dash + 1, args.end());
  auto app = makeFaustApp(cli);
  if (auto done = parseArgs(*app, Args(args.begin(), dash), "kiln faust --help",
                            " (faust arguments go after `--`)"))
    return *done;
  if (app->get_subcommands().empty())
    return fail("`kiln faust` needs a subcommand: info, render, compile or "
                "bench" + see, 2);
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
  o.compileThreads = cli.sub == "compile" && (cli.emit.empty() || cli.emit == "obj")
                         ? 1 : cli.compileThreads;
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

/// A DSP instance of the file (it keeps its factory alive), or nullptr
/// after printing the error and setting `status`.
std::unique_ptr<faust::Dsp> makeInstance(faust::Registry &registry,
                                         const FaustCli &cli, int &status) {
  auto factory = makeFactory(registry, cli, cli.vec);
  if (!factory) {
    status = reportError(factory.diagnostics());
    return nullptr;
  }
  auto dsp = (*factory)->createInstance();
  if (!dsp) {
    status = reportError(dsp.diagnostics());
    return nullptr;
  }
  return std::move(*dsp);
}

std::string dirOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// One line per parameter, with MapUI's paths.
class InfoUI : public UI, public PathBuilder {
public:
  std::vector<std::string> lines;
  void openTabBox(const char *l) override { pushLabel(l); }
  void openHorizontalBox(const char *l) override { pushLabel(l); }
  void openVerticalBox(const char *l) override { pushLabel(l); }
  void closeBox() override { popLabel(); }
  void addButton(const char *l, FAUSTFLOAT *) override { add("button", l); }
  void addCheckButton(const char *l, FAUSTFLOAT *) override { add("checkbox", l); }
  void addVerticalSlider(const char *l, FAUSTFLOAT *, FAUSTFLOAT i, FAUSTFLOAT lo,
                         FAUSTFLOAT hi, FAUSTFLOAT s) override {
    add("vslider", l, fmt::format(" init {} min {} max {} step {}", i, lo, hi, s));
  }
  void addHorizontalSlider(const char *l, FAUSTFLOAT *, FAUSTFLOAT i, FAUSTFLOAT lo,
                           FAUSTFLOAT hi, FAUSTFLOAT s) override {
    add("hslider", l, fmt::format(" init {} min {} max {} step {}", i, lo, hi, s));
  }
  void addNumEntry(const char *l, FAUSTFLOAT *, FAUSTFLOAT i, FAUSTFLOAT lo,
                   FAUSTFLOAT hi, FAUSTFLOAT s) override {
    add("nentry", l, fmt::format(" init {} min {} max {} step {}", i, lo, hi, s));
  }
  void addHorizontalBargraph(const char *l, FAUSTFLOAT *, FAUSTFLOAT lo,
                             FAUSTFLOAT hi) override {
    add("hbargraph", l, fmt::format(" min {} max {}", lo, hi));
  }
  void addVerticalBargraph(const char *l, FAUSTFLOAT *, FAUSTFLOAT lo,
                           FAUSTFLOAT hi) override {
    add("vbargraph", l, fmt::format(" min {} max {}", lo, hi));
  }
  void addSoundfile(const char *l, const char *url, Soundfile **) override {
    add("soundfile", l, fmt::format(" url {}", url));
  }

private:
  void add(const char *type, const char *label, const std::string &rest = "") {
    lines.push_back(fmt::format("  {} {}{}", buildPath(label), type, rest));
  }
};

/// Faust's libsndfile reader, with relative names resolved against the
/// .dsp's directory only (SoundUI would try the working directory first) and
/// without a message for each place it looks: a file that is not there is
/// reported once, as a Kiln warning.
class QuietReader : public LibsndfileReader {
public:
  explicit QuietReader(std::string dir) : Dir(std::move(dir) + "/") {}
  bool checkFile(const std::string &path) override {
    if (!path.starts_with("/") && !path.starts_with(Dir))
      return false; // SoundUI's working-directory attempt
    SF_INFO info{};
    SNDFILE *f = sf_open(path.c_str(), SFM_READ, &info);
    if (f)
      return sf_close(f), true;
    if (path.starts_with(Dir)) // the last place tried
      fmt::print(stderr, "kiln: warning: cannot open soundfile '{}'; it plays "
                         "silence\n", path);
    return false;
  }

private:
  std::string Dir;
};

class InfoMeta : public Meta {
public:
  std::vector<std::string> lines;
  void declare(const char *key, const char *value) override {
    lines.push_back(fmt::format("  {}: {}", key, value));
  }
};

int faustInfo(const FaustCli &cli) {
  faust::Registry registry;
  int status = 0;
  auto dsp = makeInstance(registry, cli, status);
  if (!dsp)
    return status;
  InfoUI ui;
  dsp->buildUserInterface(&ui);
  InfoMeta meta;
  dsp->metadata(&meta);
  fmt::print("name: {}\ninputs: {}\noutputs: {}\nparameters: {}\n",
             dsp->factory()->name(), dsp->getNumInputs(), dsp->getNumOutputs(),
             ui.lines.size());
  for (auto &l : ui.lines)
    fmt::print("{}\n", l);
  fmt::print("metadata: {}\n", meta.lines.size());
  for (auto &l : meta.lines)
    fmt::print("{}\n", l);
  return 0;
}

/// Reads the first `maxFrames` frames of `path` as planar float channels,
/// which must number `channels` (the inputs of `dsp`); false with `error`.
/// Only a regular file is opened (a FIFO would block, a device never end).
bool readWav(const std::string &path, int maxFrames, int channels,
             const std::string &dsp, drive::Planar &out, std::string &error) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    error = "cannot read '" + path + "': " +
            (S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file");
    return false;
  }
  SF_INFO info{};
  SNDFILE *f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) {
    error = "cannot read '" + path + "': " + sf_strerror(nullptr);
    return false;
  }
  sf_count_t frames = std::clamp<sf_count_t>(info.frames, 0, maxFrames);
  if (info.channels != channels) {
    sf_close(f);
    error = fmt::format("'{}' has {} channel(s) but '{}' takes {} input(s)",
                        path, info.channels, dsp, channels);
    return false;
  }
  std::vector<float> interleaved(size_t(frames) * channels);
  frames = std::max<sf_count_t>(sf_readf_float(f, interleaved.data(), frames), 0);
  sf_close(f);
  out.assign(channels, std::vector<FAUSTFLOAT>(size_t(frames)));
  for (sf_count_t n = 0; n < frames; ++n)
    for (int c = 0; c < channels; ++c)
      out[c][n] = interleaved[size_t(n) * channels + c];
  return true;
}

/// Writes 32-bit float WAV through a temporary: renamed onto a regular
/// file, copied through to a device or pipe (support/Files.h).
bool writeWav(const std::string &path, const drive::Planar &ch, int frames,
              std::string &error) {
  support::OutputTarget target;
  std::string temp;
  if (auto e = support::resolveOutput(path, target);
      e || (e = support::temporaryFor(target, temp))) {
    error = *e;
    return false;
  }
  SF_INFO info{};
  info.samplerate = drive::kSampleRate;
  info.channels = int(ch.size());
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE *f = sf_open(temp.c_str(), SFM_WRITE, &info);
  if (!f) {
    error = "cannot write '" + path + "': " + sf_strerror(nullptr);
    std::remove(temp.c_str());
    return false;
  }
  // No PEAK chunk: it carries a timestamp, and renders must be byte-identical.
  sf_command(f, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
  std::vector<float> interleaved(size_t(frames) * ch.size());
  for (int n = 0; n < frames; ++n)
    for (size_t c = 0; c < ch.size(); ++c)
      interleaved[size_t(n) * ch.size() + c] = float(ch[c][n]);
  bool ok = sf_writef_float(f, interleaved.data(), frames) == frames;
  ok = sf_close(f) == 0 && ok;
  if (!ok) {
    std::remove(temp.c_str());
    error = "cannot write '" + path + "'";
    return false;
  }
  if (auto e = support::commitOutput(target, temp)) {
    error = *e;
    return false;
  }
  return true;
}

/// The input channels for `dsp`: --in's (checked and padded) or the test signal.
bool renderInput(const FaustCli &cli, faust::Dsp &dsp, int frames,
                 drive::Planar &in, std::string &error) {
  int nin = dsp.getNumInputs();
  if (cli.in.empty()) {
    in = drive::testSignal(nin, frames);
    return true;
  }
  if (!readWav(cli.in, frames, nin, cli.input, in, error))
    return false;
  for (auto &c : in)
    c.resize(size_t(frames), 0); // shorter files continue with silence
  return true;
}

/// The sample memory one render may take: the input and output channels
/// and the interleaved copy the WAV writer makes.
constexpr double kRenderBudgetBytes = double(1 << 30);
/// The longest bench run (each repetition): more is a hang, not a timing.
constexpr double kMaxBenchSeconds = 3600;
/// The most channels libsndfile writes to a WAV file (its SF_MAX_CHANNELS).
constexpr int kMaxWavChannels = 1024;

/// The frames --seconds asks of `dsp` (default 2 s), or why it cannot be
/// rendered within kRenderBudgetBytes.
std::optional<std::string> renderFrames(const FaustCli &cli, faust::Dsp &dsp,
                                        int &frames) {
  double seconds = cli.seconds > 0 ? cli.seconds : 2.0;
  double perSecond = (dsp.getNumInputs() + 2.0 * dsp.getNumOutputs()) *
                     sizeof(float) * drive::kSampleRate;
  if (seconds * perSecond > kRenderBudgetBytes) {
    double most = kRenderBudgetBytes / perSecond;
    return fmt::format("--seconds {} is too long to render: '{}' would need "
                       "{:.3g} GiB of sample buffers; Kiln renders at most "
                       "1 GiB ({} s of this DSP)",
                       seconds, cli.input, seconds * perSecond / (1 << 30),
                       most >= 10 ? fmt::format("{:.0f}", std::floor(most))
                                  : fmt::format("{:.2g}", most));
  }
  frames = int(seconds * drive::kSampleRate);
  return std::nullopt;
}

int faustRender(const FaustCli &cli) {
  if (cli.output.empty())
    return fail("`kiln faust render` needs -o OUT.wav", 2);
  if (auto error = checkOutput(cli.output, {cli.input, cli.in}))
    return fail(*error);
  faust::Registry registry;
  int status = 0;
  auto dsp = makeInstance(registry, cli, status);
  if (!dsp)
    return status;
  if (dsp->getNumOutputs() == 0)
    return fail("'" + cli.input + "' has no outputs: there is nothing to render");
  if (dsp->getNumOutputs() > kMaxWavChannels)
    return fail(fmt::format("'{}' has {} outputs; a WAV file holds at most {} "
                            "channels", cli.input, dsp->getNumOutputs(),
                            kMaxWavChannels));
  SoundUI sounds(dirOf(cli.input), -1, new QuietReader(dirOf(cli.input)),
                 cli.isDouble);
  dsp->buildUserInterface(&sounds);
  dsp->init(drive::kSampleRate);
  for (auto &[path, value] : cli.sets)
    if (!dsp->setParamValue(path, FAUSTFLOAT(value)))
      return fail("'" + cli.input + "' has no parameter '" + path + "'" +
                  " (see `kiln faust info " + cli.input + "`)");
  int frames = 0;
  if (auto tooLong = renderFrames(cli, *dsp, frames))
    return fail(*tooLong);
  drive::Planar in;
  std::string error;
  if (!renderInput(cli, *dsp, frames, in, error))
    return fail(error);
  drive::Planar out = drive::render(*dsp, in, frames);
  if (!writeWav(cli.output, out, frames, error))
    return fail(error);
  return 0;
}

int faustCompile(const FaustCli &cli) {
  std::string emit = cli.emit.empty() ? "obj" : cli.emit;
  static const std::pair<const char *, const char *> kinds[] = {
      {"obj", ".o"}, {"ll", ".ll"}, {"bc", ".bc"}, {"machine", ".kfm"}};
  const char *ext = nullptr;
  for (auto &[k, e] : kinds)
    if (emit == k)
      ext = e;
  if (!ext)
    return fail("unknown --emit '" + emit + "' (use obj, ll, bc or machine)", 2);
  std::string out = cli.output;
  if (out.empty()) {
    std::string base = cli.input.substr(cli.input.rfind('/') + 1);
    out = base.substr(0, base.rfind('.')) + ext;
  }
  if (auto error = checkOutput(out, {cli.input}))
    return fail(*error);
  faust::Registry registry;
  auto factory = makeFactory(registry, cli, cli.vec);
  if (!factory)
    return reportError(factory.diagnostics());
  faust::Factory &f = **factory;
  kiln::Status written = emit == "obj"  ? f.writeObjectcodeFile(out, "")
                         : emit == "ll" ? f.writeIRFile(out)
                         : emit == "bc" ? f.writeBitcodeFile(out)
                                        : f.writeMachineFile(out, "");
  return written ? 0 : reportError(written.diagnostics());
}

/// One candidate of `bench`: its factory, creation time and an instance.
struct Candidate {
  std::shared_ptr<faust::Factory> factory;
  std::unique_ptr<faust::Dsp> dsp;
  double ms = 0;
  bool vec = false;
  double bestNs = 1e300; ///< fastest trial (--auto-vec)
};

/// Creates the factory (in a fresh registry: nothing cached) and its first
/// instance into `c`, timed.
kiln::Status makeCandidate(const FaustCli &cli, bool vec, Candidate &c) {
  faust::Registry registry;
  c.vec = vec;
  auto t0 = std::chrono::steady_clock::now();
  auto factory = makeFactory(registry, cli, vec);
  if (!factory)
    return factory.takeDiagnostics();
  auto dsp = (*factory)->createInstance();
  c.ms = std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - t0).count();
  if (!dsp)
    return dsp.takeDiagnostics();
  c.factory = std::move(*factory);
  c.dsp = std::move(*dsp);
  return {};
}

/// Creations 2..N of `bench --factories N` with the chosen mode (each in
/// a fresh registry, factory + first instance); their median in ms.
kiln::Expected<double> warmFactoryMs(const FaustCli &cli, bool vec) {
  std::vector<double> ms;
  for (int i = 1; i < cli.factories; ++i) {
    Candidate c;
    if (kiln::Status made = makeCandidate(cli, vec, c); !made)
      return made.takeDiagnostics();
    ms.push_back(c.ms);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

int faustBench(const FaustCli &cli) {
  if (cli.seconds > kMaxBenchSeconds)
    return fail(fmt::format("`kiln faust bench` runs at most --seconds {:.0f}",
                            kMaxBenchSeconds), 2);
  std::vector<Candidate> candidates;
  for (bool vec : cli.autoVec ? std::vector<bool>{false, true}
                              : std::vector<bool>{cli.vec}) {
    Candidate c;
    if (kiln::Status made = makeCandidate(cli, vec, c); !made)
      return reportError(made.diagnostics());
    c.dsp->init(drive::kSampleRate);
    candidates.push_back(std::move(c));
  }
  // --auto-vec: short trials, interleaved so a load spike on a shared
  // machine hits both modes; each keeps its fastest.
  for (int round = 0; candidates.size() > 1 && round < 4; ++round)
    for (Candidate &c : candidates)
      c.bestNs = std::min(c.bestNs, drive::bench(*c.dsp, 0.05, 1).nsPerFrame);
  Candidate &best = *std::min_element(
      candidates.begin(), candidates.end(),
      [](const Candidate &a, const Candidate &b) { return a.bestNs < b.bestNs; });
  best.dsp->init(drive::kSampleRate);
  drive::BenchResult r = drive::bench(*best.dsp, cli.seconds > 0 ? cli.seconds : 1.0,
                                      cli.reps);
  fmt::print("factory-ms: {:.3f}\nns-per-frame: {:.3f} (min {:.3f}, max {:.3f})\n"
             "mode: {}\n",
             best.ms, r.nsPerFrame, r.minNs, r.maxNs, best.vec ? "vec" : "scalar");
  if (cli.factories > 1) {
    kiln::Expected<double> warm = warmFactoryMs(cli, best.vec);
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
