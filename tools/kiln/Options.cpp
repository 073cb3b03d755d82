// Options: CLI11 set up for Kiln (help layout, error lines) and the shared
// flags with their value parsers.
#include "Options.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace kiln::tool {

namespace {

/// Usage first, as `kiln --help` and most Unix tools print it.
class Formatter : public CLI::Formatter {
public:
  Formatter() {
    label("Usage", "usage");
    column_width(26);
  }
  std::string make_help(const CLI::App *app, std::string name,
                        CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub)
      return make_expanded(app);
    return make_usage(app, name) + "\n" + make_description(app) +
           make_positionals(app) + make_groups(app, mode) +
           make_subcommands(app, mode) + "\n" + make_footer(app);
  }
  /// An option with its own text (`-O0..-O3, -Os, -Oz`) shows only that.
  std::string make_option_name(const CLI::Option *opt,
                               bool positional) const override {
    return opt->get_option_text().empty()
               ? CLI::Formatter::make_option_name(opt, positional)
               : "";
  }
  std::string make_option_opts(const CLI::Option *opt) const override {
    return opt->get_option_text().empty()
               ? CLI::Formatter::make_option_opts(opt)
               : opt->get_option_text();
  }
};

/// The option a "NAME: 1 required TEXT missing" error names.
std::string optionNamed(const std::string &what) {
  return what.substr(0, what.find(':'));
}

/// An argument `app` (or its subcommand) did not take, as a message; an
/// option another subcommand of the same parent has "applies to" that one.
std::optional<std::string> extraArgument(const CLI::App &app,
                                         const std::string &unknownNote) {
  for (const CLI::App *sub : app.get_subcommands())
    if (auto message = extraArgument(*sub, unknownNote))
      return message;
  std::vector<std::string> extra = app.remaining();
  std::erase(extra, "--"); // CLI11 keeps the positional mark it honoured
  if (extra.empty())
    return std::nullopt;
  const std::string &arg = extra[0];
  if (arg.size() < 2 || arg[0] != '-')
    return "unexpected argument '" + arg + "'";
  std::string name = arg.substr(0, arg.find('=')), owners;
  if (const CLI::App *parent = app.get_parent())
    for (const CLI::App *other : parent->get_subcommands({}))
      if (other != &app && other->get_option_no_throw(name))
        owners += std::string(owners.empty() ? "" : " and ") + "`" +
                  parent->get_name() + " " + other->get_name() + "`";
  if (!owners.empty())
    return "option '" + name + "' applies to " + owners + " only";
  return "unknown option '" + arg + "'" + unknownNote;
}

} // namespace

std::unique_ptr<CLI::App> makeApp(const std::string &name,
                                  const std::string &description,
                                  const std::string &footer) {
  auto app = std::make_unique<CLI::App>(description, name);
  app->formatter(std::make_shared<Formatter>());
  app->allow_extras(); // reported by parseArgs, in Kiln's words
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (!footer.empty())
    app->footer(footer);
  return app;
}

std::optional<int> parseArgs(CLI::App &app, const Args &args,
                             const std::string &hint,
                             const std::string &unknownNote) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  std::string error;
  try {
    app.parse(reversed);
    if (auto extra = extraArgument(app, unknownNote))
      error = *extra;
  } catch (const CLI::CallForHelp &) {
    fmt::print("{}", app.help());
    return 0;
  } catch (const CLI::ArgumentMismatch &e) {
    error = "option '" + optionNamed(e.what()) + "' needs a value";
  } catch (const CLI::ParseError &e) {
    error = e.what();
  }
  if (error.empty())
    return std::nullopt;
  return fail(error + " (see `" + hint + "`)", 2);
}

CLI::Option *addValue(CLI::App &app, const std::string &name,
                      const std::string &help, ValueParser parse) {
  auto apply = [name, parse](const std::vector<std::string> &values) {
    for (const std::string &value : values) {
      if (value.empty())
        throw CLI::ValidationError("option '" + name + "' needs a value");
      if (auto error = parse(value))
        throw CLI::ValidationError(*error);
    }
  };
  return app.add_option_function<std::vector<std::string>>(name, apply, help)
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("V");
}

CLI::Option *addString(CLI::App &app, const std::string &name,
                       std::string &out, const std::string &help) {
  return addValue(app, name, help, [&out](const std::string &value) {
    out = value;
    return std::optional<std::string>();
  });
}

CLI::Option *addFlag(CLI::App &app, const std::string &name, bool &out,
                     const std::string &help, bool value) {
  return app.add_flag_callback(name, [&out, value] { out = value; }, help);
}

CLI::Option *addOptLevel(CLI::App &app, OptLevel &out,
                         const std::string &help) {
  auto parse = [&out](const std::string &value) -> std::optional<std::string> {
    auto level = value.size() == 1 ? parseOptLevel(value) : std::nullopt;
    if (!level)
      return "unknown optimisation level '-O" + value +
             "' (use -O0, -O1, -O2, -O3, -Os or -Oz)";
    out = *level;
    return std::nullopt;
  };
  return addValue(app, "-O", help, parse)->option_text("-O0..-O3, -Os, -Oz");
}

bool parseCount(const std::string &text, int64_t &out) {
  if (text.empty() || !(std::isdigit((unsigned char)text[0]) ||
                        ((text[0] == '-' || text[0] == '+') && text.size() > 1 &&
                         std::isdigit((unsigned char)text[1]))))
    return false;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) {
    if (text.find_first_not_of("0123456789.eE+-") != std::string::npos)
      return false; // no hex, inf or nan
    double d = std::strtod(text.c_str(), &end);
    if (*end != '\0' || std::isnan(d) || d != std::floor(d))
      return false;
    v = std::fabs(d) < 0x1p63 ? static_cast<long long>(d)
        : d < 0               ? LLONG_MIN
                              : LLONG_MAX;
  }
  out = v;
  return true;
}

std::optional<double> parseSeconds(const std::string &text) {
  char *end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(number > 0) || !std::isfinite(number))
    return std::nullopt;
  return number;
}

void addCompileFlags(CLI::App &app, CompileFlags &flags) {
  addOptLevel(app, flags.level, "optimisation level (default -O2)");
  addFlag(app, "--time", flags.time, "print the phase times on stderr");
  addFlag(app, "--print-pipeline", flags.printPipeline,
          "print the optimisation pipeline (as `opt -passes=` takes it)");
  addFlag(app, "--print-changed", flags.printChanged,
          "print the IR after every pass that changed it");
}

void addTimeout(CLI::App &app, double &out) {
  addValue(app, "--timeout", "end the run after S seconds (status 1)",
           [&out](const std::string &value) -> std::optional<std::string> {
             char *end = nullptr;
             double number = std::strtod(value.c_str(), &end);
             if (*end != '\0' || !(number > 0))
               return "--timeout needs a positive number of seconds, not '" +
                      value + "'";
             out = number;
             return std::nullopt;
           })
      ->type_name("S");
}

void addMaxDepth(CLI::App &app, int &out) {
  addValue(app, "--max-depth", "deepest call chain (default 10000)",
           [&out](const std::string &value) -> std::optional<std::string> {
             char *end = nullptr;
             double number = std::strtod(value.c_str(), &end);
             // Past INT_MAX is refused before the (then undefined) cast.
             if (*end != '\0' || !(number > 0) || number > 2147483647.0 ||
                 number != double(int(number)))
               return "--max-depth needs a positive integer (at most "
                      "2147483647), not '" + value + "'";
             out = int(number);
             return std::nullopt;
           })
      ->type_name("N");
}

/// --memory-limit SIZE: bytes, or with a K, M or G suffix (powers of 1024).
static std::optional<std::string> parseSize(const std::string &value,
                                            uint64_t &out) {
  char *end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  std::string suffix = end;
  double scale = suffix.empty() ? 1
                 : suffix == "K" || suffix == "k" ? 1024.0
                 : suffix == "M" || suffix == "m" ? 1048576.0
                 : suffix == "G" || suffix == "g" ? 1073741824.0
                                                  : 0;
  double bytes = number * scale;
  if (end == value.c_str() || !(bytes >= 1) || bytes > 1.0e18)
    return "--memory-limit needs a size such as 512M or 2G, not '" + value +
           "'";
  out = uint64_t(bytes);
  return std::nullopt;
}

static void addIsolateFlags(CLI::App &app, RunOptions &opts) {
  addFlag(app, "--isolate", opts.isolate,
          "run the code in a kiln-executor process: a crash, a limit or the "
          "timeout there is one error line here");
  addValue(app, "--memory-limit", "address space of that process (512M, 2G)",
           [&opts](const std::string &v) { return parseSize(v, opts.memoryLimit); })
      ->type_name("SIZE");
  addValue(app, "--cpu-limit", "CPU seconds of that process",
           [&opts](const std::string &v) -> std::optional<std::string> {
             auto seconds = parseSeconds(v);
             if (!seconds || *seconds > 1e9)
               return "--cpu-limit needs a positive number of seconds (at "
                      "most 1e9), not '" + v + "'";
             opts.cpuLimit = *seconds;
             return std::nullopt;
           })
      ->type_name("S");
}

std::unique_ptr<CLI::App> makeRunApp(RunOptions &opts, bool programArgs) {
  auto app = makeApp(
      "kiln run",
      "JIT-compile and run main(argc, argv) of an IR/bitcode file, or a "
      "Relay program",
      "IR: runs main(argc, argv[, envp]) like lli; the exit status is main's\n"
      "(0 for void main). Relay: see docs/relay.md (default mode auto, -O2).\n"
      "Compiled code is cached under $KILN_CACHE_DIR (default ~/.cache/kiln).");
  addCompileFlags(*app, opts.compile);
  addFlag(*app, "--no-cache", opts.cache, "compile without the cache", false);
  addTimeout(*app, opts.limits.timeout);
  addIsolateFlags(*app, opts);
  addValue(*app, "--mode", "Relay: interp, jit or auto (default)",
           [&opts](const std::string &v) -> std::optional<std::string> {
             if (v != "interp" && v != "jit" && v != "auto")
               return "unknown mode '" + v + "' (use interp, jit or auto)";
             opts.mode = v;
             return std::nullopt;
           })
      ->type_name("MODE");
  addMaxDepth(*app, opts.limits.maxDepth);
  addFlag(*app, "--stats", opts.stats, "Relay: execution statistics on stderr");
  addFlag(*app, "--no-guards", opts.limits.guards,
          "Relay: compiled code without depth and time guards", false);
  addString(*app, "--target", opts.target, "")->group("");
  addString(*app, "--cpu", opts.cpu, "")->group("");
  auto *file =
      app->add_option("FILE", opts.files, "FILE.ll, FILE.bc or FILE.relay")
          ->type_name("");
  if (programArgs) {
    file->expected(1)->allow_extra_args(false);
    app->add_option("ARGS", opts.args, "main's arguments (IR)")->type_name("");
    app->positionals_at_end();
  }
  return app;
}

support::FileError readFile(const std::string &path, std::string &text) {
  return support::readInputFile(path, text);
}

support::FileError checkOutput(const std::string &output,
                               const std::vector<std::string> &inputs) {
  support::OutputTarget target;
  if (auto error = support::resolveOutput(output, target))
    return error;
  return support::checkOutputNotInput(output, inputs);
}

} // namespace kiln::tool
