// Options: CLI11 set up for Kiln (help layout, error lines) and the shared
// flags with their value parsers.
#include "Options.h"

#include <cctype>
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
  } catch (const CLI::ArgumentMismatch &e) { // "NAME: 1 required ... missing"
    std::string what = e.what();
    error = "option '" + what.substr(0, what.find(':')) + "' needs a value";
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

CLI::Option *addString(CLI::App &app, const std::string &name, std::string &out,
                       const std::string &help) {
  return addValue(app, name, help, [&out](const std::string &value) {
    out = value;
    return std::optional<std::string>();
  });
}

CLI::Option *addFlag(CLI::App &app, const std::string &name, bool &out,
                     const std::string &help, bool value) {
  return app.add_flag_callback(
      name, [&out, value] { out = value; }, help);
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
  size_t first = text.starts_with('-') || text.starts_with('+') ? 1 : 0;
  if (text.size() <= first || !std::isdigit((unsigned char)text[first]) ||
      text.find_first_not_of("0123456789.eE+-") != std::string::npos)
    return false; // no hex, inf or nan
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) { // 1e6, or past int64_t
    double d = std::strtod(text.c_str(), &end);
    if (*end != '\0' || d != std::floor(d))
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

/// A flag whose value is a number `valid` accepts, into `out`; otherwise
/// "NAME needs NEED, not 'V'".
template <typename T>
CLI::Option *addNumber(CLI::App &app, const std::string &name,
                       const std::string &help, const std::string &need,
                       bool (*valid)(double), T &out) {
  auto parse = [=,
                &out](const std::string &value) -> std::optional<std::string> {
    char *end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    if (*end != '\0' || !valid(number))
      return name + " needs " + need + ", not '" + value + "'";
    out = T(number);
    return std::nullopt;
  };
  return addValue(app, name, help, parse);
}

void addTimeout(CLI::App &app, double &out) {
  addNumber(
      app, "--timeout", "end the run after S seconds (status 1)",
      "a positive number of seconds", [](double s) { return s > 0; }, out)
      ->type_name("S");
}

void addMaxDepth(CLI::App &app, int &out) {
  // Past INT_MAX is refused before the (then undefined) cast.
  addNumber(
      app, "--max-depth", "deepest call chain (default 10000)",
      "a positive integer (at most 2147483647)",
      [](double n) {
        return n > 0 && n <= 2147483647.0 && n == double(int(n));
      },
      out)
      ->type_name("N");
}

void addDebugInfo(CLI::App &app, bool &out) {
  addFlag(app, "-g", out,
          "Relay: debug information for gdb (source lines, variables)");
}

/// --memory-limit SIZE: bytes, or with a K, M or G suffix (powers of 1024).
static std::optional<std::string> parseSize(const std::string &value,
                                            uint64_t &out) {
  char *end = nullptr;
  double bytes = std::strtod(value.c_str(), &end);
  if (std::string_view suffix = end; !suffix.empty()) { // 0: refused
    size_t power = std::string_view("kmg").find(std::tolower(suffix[0]));
    bytes *= suffix.size() == 1 && power != std::string_view::npos
                 ? std::ldexp(1.0, 10 * int(power + 1))
                 : 0;
  }
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
  addValue(
      app, "--memory-limit", "address space of that process (512M, 2G)",
      [&opts](const std::string &v) { return parseSize(v, opts.memoryLimit); })
      ->type_name("SIZE");
  addNumber(
      app, "--cpu-limit", "CPU seconds of that process",
      "a positive number of seconds (at most 1e9)",
      [](double s) { return s > 0 && s <= 1e9; }, opts.cpuLimit)
      ->type_name("S");
}

std::unique_ptr<CLI::App> makeRunApp(RunOptions &opts, bool programArgs) {
  auto app = makeApp(
      "kiln run",
      "JIT-compile and run main(argc, argv) of an IR/bitcode file, or a "
      "Relay program",
      "IR: runs main(argc, argv[, envp]) like lli; the exit status is main's\n"
      "(0 for void main). Relay: see docs/relay.md (default mode auto, -O2).\n"
      "`kiln run -` reads standard input: bitcode, or text that starts like\n"
      "LLVM IR (`;`, `@`, `define`, `target`, ...), is IR, the rest Relay;\n"
      "-x ir or -x relay says which.\n"
      "Compiled code is cached under $KILN_CACHE_DIR (default ~/.cache/kiln).");
  addCompileFlags(*app, opts.compile);
  addFlag(*app, "--no-cache", opts.cache, "compile without the cache", false);
  addTimeout(*app, opts.timeout);
  addIsolateFlags(*app, opts);
  addValue(*app, "--mode", "Relay: interp, jit or auto (default)",
           [&opts](const std::string &v) -> std::optional<std::string> {
             if (v != "interp" && v != "jit" && v != "auto")
               return "unknown mode '" + v + "' (use interp, jit or auto)";
             opts.mode = v;
             return std::nullopt;
           })
      ->type_name("MODE");
  addMaxDepth(*app, opts.maxDepth);
  addFlag(*app, "--stats", opts.stats, "Relay: execution statistics on stderr");
  addFlag(*app, "--no-guards", opts.guards,
          "Relay: compiled code without depth and time guards", false);
  addDebugInfo(*app, opts.debugInfo);
  addString(*app, "--target", opts.target, "")->group("");
  addString(*app, "--cpu", opts.cpu, "")->group("");
  addValue(*app, "-x,--language",
           "the input's language, ir or relay (default: by its extension; "
           "for -, by its first bytes)",
           [&opts](const std::string &v) -> std::optional<std::string> {
             opts.language = v;
             return std::nullopt;
           })
      ->type_name("LANG");
  auto *file = app->add_option("FILE", opts.files,
                               "FILE.ll, FILE.bc or FILE.relay; - reads "
                               "standard input")
                   ->type_name("");
  if (programArgs) {
    file->expected(1)->allow_extra_args(false);
    app->add_option("ARGS", opts.args, "main's arguments (IR)")->type_name("");
    app->positionals_at_end();
  }
  return app;
}

} // namespace kiln::tool
