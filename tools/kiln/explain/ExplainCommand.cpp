// ExplainCommand: `kiln explain FILE [-o PAGE]` — a .relay, .tk or .ll file
// compiled stage by stage (the frontends' explain(), the core's
// explainModule) and written as one self-contained HTML page (HtmlPage.h).
//
// The page is written once, at the end, through support/Files.h: a file
// that does not compile leaves no page behind, an existing page is
// replaced atomically, `-o -` writes to stdout, and the input is never
// overwritten.
#include "../Command.h"
#include "../Options.h"
#include "HtmlPage.h"

#include "kiln/core/ExplainModule.h"
#include "kiln/relay/Explain.h"
#include "kiln/tensor/Explain.h"

#include <filesystem>

namespace kiln::tool {

namespace {

struct ExplainFlags {
  OptLevel level = OptLevel::O2;
  bool levelGiven = false;
  bool guards = true;
  std::string output;
  std::vector<std::string> files;
};

/// FILE's page in the current directory: fib.relay gives fib.html.
std::string defaultOutput(const std::string &file) {
  return std::filesystem::path(file).filename().replace_extension(".html");
}

Expected<core::Explanation> explainFile(const std::string &file,
                                        const std::string &source,
                                        const ExplainFlags &flags) {
  if (file.ends_with(".relay"))
    return relay::explain(file, source, flags.level, flags.guards);
  if (file.ends_with(".tk")) // tensor kernels default to -O3, as they run
    return tensor::explain(file, source,
                           flags.levelGiven ? flags.level : OptLevel::O3);
  return core::explainIRFile(file, source, flags.level);
}

std::unique_ptr<CLI::App> makeExplainApp(ExplainFlags &flags) {
  auto app = makeApp(
      "kiln explain",
      "write an HTML page showing how a .relay, .tk or .ll file compiles",
      "The page (docs/explain.md) shows the source, tokens, AST, the IR as\n"
      "generated, each pass that changed it, the assembly and the phase\n"
      "times; clicking a source line highlights its IR and assembly lines.\n"
      "It needs no network: open it from disk in any browser.");
  addOptLevel(*app, flags.level, "optimisation level (default -O2; .tk -O3)");
  addString(*app, "-o", flags.output,
            "the page (default: FILE's name with .html, here; - for stdout)")
      ->type_name("PAGE");
  addFlag(*app, "--no-guards", flags.guards,
          "Relay: compiled code without depth and time guards (less to read)",
          false);
  app->add_option("FILE", flags.files, "FILE.relay, FILE.tk or FILE.ll")
      ->type_name("");
  return app;
}

int explainCommand(const Args &args) {
  ExplainFlags flags;
  auto app = makeExplainApp(flags);
  if (auto done = parseArgs(*app, args, "kiln explain --help"))
    return *done;
  flags.levelGiven = app->get_option("-O")->count() > 0;
  if (flags.files.size() != 1)
    return fail("`kiln explain` takes one .relay, .tk or .ll file", 2);
  const std::string &file = flags.files[0];
  if (!file.ends_with(".relay") && !file.ends_with(".tk") &&
      !file.ends_with(".ll"))
    return fail("`kiln explain` shows .relay, .tk and .ll files, not '" + file +
                    "'",
                2);
  std::string output =
      flags.output.empty() ? defaultOutput(file) : flags.output;
  if (auto error = checkOutput(output, {file}))
    return fail(*error);
  std::string source;
  if (auto error = readFile(file, source))
    return fail(*error);
  auto explanation = explainFile(file, source, flags);
  if (!explanation)
    return failWith(explanation.diagnostics());
  if (auto error =
          support::writeOutputFile(output, explain::renderPage(*explanation)))
    return fail(*error);
  return 0;
}

} // namespace

std::vector<Command> explainCommands() {
  return {{"explain",
           "write an HTML page showing how a .relay, .tk or .ll file compiles",
           explainCommand}};
}

} // namespace kiln::tool
