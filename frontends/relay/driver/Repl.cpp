// Repl: kiln::relay::Repl, an incremental session over the router.
//
// Each entry is parsed alone (so diagnostics point into the entry), merged
// with the definitions kept so far, analysed with the session's variables
// as globals, and run by the router with every function compiled up front.
// A shared in-memory compile cache keeps functions that did not change.
#include "kiln/relay/Repl.h"

#include "DriverSupport.h"
#include "Executor.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include "kiln/core/Diagnostic.h"

#include <cstdio>

namespace kiln::relay {

struct Repl::Impl {
  RunOptions Options;
  std::vector<std::string> Definitions; ///< source of each kept function
  std::vector<std::string> DefinitionNames;
  std::vector<Global> Globals;
  std::vector<Slot> Values;
  std::shared_ptr<core::CompileCache> Cache =
      std::make_shared<core::CompileCache>();
  size_t ArenaMark = kiln_rt_arena_mark();
  RunStats Totals;

  void adoptTopLevelVariables(const Program &program);
  Status runEntry(const Program &program);
};

Repl::Repl(const RunOptions &options) : P(new Impl) { P->Options = options; }

Repl::~Repl() {
  kiln_rt_arena_release(P->ArenaMark);
  delete P;
}

bool Repl::incomplete(const std::string &text) {
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"' || c == '\n')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    }
  }
  return depth > 0;
}

namespace {

/// The entry's diagnostics, located in it.
Diagnostics located(const std::string &entry, DiagList diags, ErrorKind kind) {
  for (Diagnostic &d : diags)
    if (d.kind == ErrorKind::Other)
      d.kind = kind;
  attachSource(diags, "<repl>", entry);
  return diags;
}

/// Byte offset of a 1-based line/column in `text`.
size_t offsetOf(const std::string &text, Loc loc) {
  size_t pos = 0;
  for (uint32_t line = 1; line < loc.line && pos != std::string::npos; ++line)
    pos = text.find('\n', pos) == std::string::npos ? std::string::npos
                                                    : text.find('\n', pos) + 1;
  return pos == std::string::npos ? text.size()
                                  : std::min(text.size(), pos + loc.col - 1);
}

/// The source of one function definition in `entry`, from its `fn` (or
/// `@llvm`) to its closing brace.
std::string definitionText(const std::string &entry, const FuncDecl &f) {
  size_t name = offsetOf(entry, f.loc);
  size_t start = entry.rfind("fn", name);
  if (f.llvmAttr)
    start = entry.rfind("@llvm", start);
  size_t end = offsetOf(entry, f.body->end) + 1;
  if (start == std::string::npos || end <= start)
    return {};
  return entry.substr(start, end - start);
}

struct Bracket {
  Loc loc;
  char c;
};

/// The innermost ( [ or { that `text` leaves open, as incomplete() scans
/// it (the first column when none is).
Bracket unclosedBracket(const std::string &text) {
  std::vector<Bracket> open;
  Loc here{1, 1};
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i, ++here.col) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i, ++here.col;
      else if (c == '"' || c == '\n')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i + 1 < text.size() && text[i + 1] != '\n')
        ++i, ++here.col;
    } else if (c == '(' || c == '[' || c == '{') {
      open.push_back({here, c});
    } else if ((c == ')' || c == ']' || c == '}') && !open.empty()) {
      open.pop_back();
    }
    if (i < text.size() && text[i] == '\n')
      here = {here.line + 1, 0};
  }
  return open.empty() ? Bracket{{1, 1}, '('} : open.back();
}

/// Parses the kept definitions (they parsed before, so without errors).
std::unique_ptr<Program> keptDefinitions(const std::vector<std::string> &defs) {
  std::string text;
  for (auto &d : defs)
    text += d + "\n";
  DiagList ignored; // kept definitions parsed before
  return parseProgram("<repl>", text, ignored);
}

} // namespace

Status Repl::eval(const std::string &entry) {
  DiagList diags;
  if (incomplete(entry)) { // only at the end of the input
    Bracket open = unclosedBracket(entry);
    diags.push_back(
        {open.loc, std::string("unexpected end of input: unfinished "
                               "entry (this '") +
                       open.c + "' is never closed)"});
    return located(entry, std::move(diags), ErrorKind::Parse);
  }
  auto program = parseProgram("<repl>", entry, diags);
  if (!diags.empty())
    return located(entry, std::move(diags), ErrorKind::Parse);
  // Definitions the entry does not replace, then the entry's own.
  std::vector<std::string> keptSource, keptNames;
  for (size_t i = 0; i < P->Definitions.size(); ++i) {
    bool replaced = false;
    for (auto &f : program->functions)
      replaced |= f.get() != program->functions.back().get() &&
                  f->name == P->DefinitionNames[i];
    if (!replaced) {
      keptSource.push_back(P->Definitions[i]);
      keptNames.push_back(P->DefinitionNames[i]);
    }
  }
  auto kept = keptDefinitions(keptSource);
  kept->functions.pop_back(); // its empty top-level code
  std::vector<std::unique_ptr<FuncDecl>> merged;
  for (auto &f : kept->functions)
    merged.push_back(std::move(f));
  size_t firstNew = merged.size();
  for (auto &f : program->functions)
    merged.push_back(std::move(f));
  program->functions = std::move(merged);
  if (!analyze(*program, diags, P->Globals))
    return located(entry, std::move(diags), ErrorKind::Type);
  Status status = P->runEntry(*program);
  for (size_t i = firstNew; i + 1 < program->functions.size(); ++i) {
    keptNames.push_back(program->functions[i]->name);
    keptSource.push_back(definitionText(entry, *program->functions[i]));
  }
  P->Definitions = std::move(keptSource);
  P->DefinitionNames = std::move(keptNames);
  if (status)
    P->adoptTopLevelVariables(*program);
  else if (P->Values.size() > P->Globals.size())
    P->Values.resize(P->Globals.size()); // the entry's own lets are dropped
  return status;
}

/// Runs an analysed entry on the router with every function compiled up
/// front, the session's variables as its top-level frame.
Status Repl::Impl::runEntry(const Program &program) {
  RouterSession session;
  session.globals = &Values;
  session.compileAll = true;
  session.cache = Cache;
  RunOptions options = Options;
  options.mode = Mode::Auto;
  RunStats stats;
  OutputScope output(options.print);
  GuardScope guards(options.maxDepth, options.timeoutSeconds);
  auto router = makeRouted(program, options, session);
  if (!router)
    return router.takeDiagnostics();
  Status ran = (*router)->run(&stats);
  Totals.functionsCompiled += stats.functionsCompiled;
  Totals.compilations += stats.compilations;
  return ran ? output.failure() : std::move(ran);
}

void Repl::Impl::adoptTopLevelVariables(const Program &program) {
  // Old globals keep slots 0..n-1; a top-level `let` makes (or re-makes) a
  // variable in a new slot, which wins.
  std::vector<std::pair<std::string, int>> order;
  for (size_t i = 0; i < Globals.size(); ++i)
    order.push_back({Globals[i].name, int(i)});
  for (auto &stmt : program.main->body->body)
    if (auto *let = dyn_cast<LetStmt>(stmt.get())) {
      bool found = false;
      for (auto &[name, slot] : order)
        if (name == let->name) {
          slot = let->slot;
          found = true;
        }
      if (!found)
        order.push_back({let->name, let->slot});
    }
  std::vector<Global> globals;
  std::vector<Slot> values;
  for (auto &[name, slot] : order) {
    globals.push_back({name, program.main->slotTypes[slot]});
    values.push_back(slot < int(Values.size()) ? Values[slot] : Slot{});
  }
  Globals = std::move(globals);
  Values = std::move(values);
}

Repl::SessionResult
Repl::session(const LineReader &readLine,
              const std::function<void(const Diagnostics &)> &report) {
  auto blank = [](const std::string &text) {
    return text.find_first_not_of(" \t\r\n") == std::string::npos;
  };
  SessionResult result;
  std::string entry, line;
  while (readLine(entry.empty() ? "relay> " : "  ...> ", line)) {
    entry += line + "\n";
    if (incomplete(entry))
      continue;
    if (!blank(entry))
      if (Status status = eval(entry); !status) {
        ++result.failures;
        report(status.diagnostics());
      }
    entry.clear();
  }
  result.unfinished = !blank(entry);
  if (result.unfinished)
    if (Status status = eval(entry); !status)
      report(status.diagnostics());
  return result;
}

std::string Repl::statsLine() const {
  return "stats: functions-compiled " + std::to_string(functionsCompiled()) +
         " compilations " + std::to_string(compilations()) + " level " +
         optLevelName(P->Options.level) + "\n";
}

uint64_t Repl::functionsCompiled() const { return P->Totals.functionsCompiled; }
uint64_t Repl::compilations() const { return P->Totals.compilations; }

} // namespace kiln::relay
