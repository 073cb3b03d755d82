// Source: reading files and running parse + check, with rendered errors.
#include "Source.h"
#include "Check.h"
#include "Parser.h"

#include "kiln/support/Files.h"

#include <charconv>
#include <cstdio>

namespace ember {

kiln::Expected<SourceFile> readSource(const std::string &path) {
  SourceFile file{path, {}};
  if (auto error = kiln::support::readInputFile(path, file.text))
    return kiln::errorDiagnostic(*error);
  return file;
}

kiln::Expected<Program> loadProgram(const std::string &path) {
  kiln::Expected<SourceFile> file = readSource(path);
  if (!file)
    return file.takeDiagnostics();
  return frontEnd(*file);
}

// [tutorial:front-end]
kiln::Expected<Program> frontEnd(const SourceFile &file) {
  kiln::Expected<Program> program = parseProgram(file.text);
  kiln::Diagnostics diags =
      program ? checkProgram(*program) : program.takeDiagnostics();
  if (diags.empty())
    return program;
  // The parser and checker know only line and column; here we know the
  // file, so every diagnostic (and note) gets its name and source line.
  kiln::attachSource(diags, file.path, file.text);
  return diags;
}

void printDiagnostics(const kiln::Diagnostics &diags) {
  std::string text = kiln::render(diags, kiln::stderrWantsColor());
  std::fprintf(stderr, "%s\n", text.c_str());
}
// [/tutorial]

std::optional<unsigned> parseCount(std::string_view text) {
  unsigned value = 0;
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end)
    return std::nullopt;
  return value;
}

} // namespace ember
