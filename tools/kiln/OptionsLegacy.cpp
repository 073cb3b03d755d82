// OptionsLegacy: the old hand-written parser, until every command moves.
#include "Options.h"

#include <cstdlib>

namespace kiln::tool {

static std::optional<std::string> takeValue(const Args &args, size_t &i,
                                            const std::string &flag,
                                            std::string &out) {
  const std::string &arg = args[i];
  if (arg.size() > flag.size() && arg[flag.size()] == '=') {
    out = arg.substr(flag.size() + 1);
  } else if (i + 1 < args.size()) {
    out = args[++i];
  } else {
    return "option '" + flag + "' needs a value";
  }
  if (out.empty())
    return "option '" + flag + "' needs a value";
  return std::nullopt;
}

static bool isFlag(const std::string &arg, const std::string &flag) {
  return arg == flag || (arg.starts_with(flag + "="));
}

/// --memory-limit SIZE: bytes, or with a K, M or G suffix (powers of 1024).
static std::optional<std::string> legacyParseSize(const std::string &value,
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

std::optional<std::string> parseOptions(const Args &args, bool stopAtInput,
                                        CommonOptions &out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    std::optional<std::string> error;
    if (arg == "--") {
      for (++i; i < args.size(); ++i)
        (out.positional.empty() || !stopAtInput ? out.positional : out.rest)
            .push_back(args[i]);
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      if (stopAtInput) {
        out.rest.assign(args.begin() + i + 1, args.end());
        break;
      }
      continue;
    }
    if (arg.starts_with("-O")) {
      auto level = parseOptLevel(arg);
      if (!level)
        return "unknown optimisation level '" + arg +
               "' (use -O0, -O1, -O2, -O3, -Os or -Oz)";
      out.level = *level;
    } else if (arg == "--time") {
      out.time = true;
    } else if (arg == "--print-pipeline") {
      out.printPipeline = true;
    } else if (arg == "--print-changed") {
      out.printChanged = true;
    } else if (arg == "--no-cache") {
      out.cache = false;
    } else if (arg == "-h" || arg == "--help") {
      out.help = true;
    } else if (isFlag(arg, "--target")) {
      error = takeValue(args, i, "--target", out.target);
    } else if (isFlag(arg, "--cpu")) {
      error = takeValue(args, i, "--cpu", out.cpu);
    } else if (isFlag(arg, "--emit")) {
      error = takeValue(args, i, "--emit", out.emit);
    } else if (isFlag(arg, "--mode")) {
      error = takeValue(args, i, "--mode", out.mode);
      if (!error && out.mode != "interp" && out.mode != "jit" && out.mode != "auto")
        return "unknown mode '" + out.mode + "' (use interp, jit or auto)";
    } else if (isFlag(arg, "--timeout") || isFlag(arg, "--max-depth")) {
      bool timeout = isFlag(arg, "--timeout");
      std::string value;
      error = takeValue(args, i, timeout ? "--timeout" : "--max-depth", value);
      if (error)
        return error;
      char *end = nullptr;
      double number = std::strtod(value.c_str(), &end);
      // A depth past INT_MAX is refused before the (then undefined) cast.
      if (*end != '\0' || !(number > 0) ||
          (!timeout && (number > 2147483647.0 || number != double(int(number)))))
        return std::string(timeout ? "--timeout needs a positive number of seconds"
                                   : "--max-depth needs a positive integer "
                                     "(at most 2147483647)") +
               ", not '" + value + "'";
      if (timeout)
        out.timeout = number;
      else
        out.maxDepth = int(number);
    } else if (arg == "--isolate") {
      out.isolate = true;
    } else if (isFlag(arg, "--memory-limit")) {
      std::string value;
      if ((error = takeValue(args, i, "--memory-limit", value)))
        return error;
      if ((error = legacyParseSize(value, out.memoryLimit)))
        return error;
    } else if (isFlag(arg, "--cpu-limit")) {
      std::string value;
      if ((error = takeValue(args, i, "--cpu-limit", value)))
        return error;
      char *end = nullptr;
      out.cpuLimit = std::strtod(value.c_str(), &end);
      if (*end != '\0' || !(out.cpuLimit > 0) || out.cpuLimit > 1e9)
        return "--cpu-limit needs a positive number of seconds (at most "
               "1e9), not '" + value + "'";
    } else if (arg == "--no-guards") {
      out.guards = false;
    } else if (arg == "--stats") {
      out.stats = true;
    } else if (arg == "-o") {
      error = takeValue(args, i, "-o", out.output);
    } else {
      return "unknown option '" + arg + "'";
    }
    if (error)
      return error;
  }
  return std::nullopt;
}

bool takeFlagValue(const Args &args, size_t &i, std::string &out) {
  const std::string &a = args[i];
  size_t eq = a.find('=');
  if (a.starts_with("--") && eq != std::string::npos)
    out = a.substr(eq + 1);
  else if (i + 1 < args.size())
    out = args[++i];
  else
    return false;
  return !out.empty();
}

} // namespace kiln::tool
