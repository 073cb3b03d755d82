// Source: an Ember file in memory, and the front end run over it.
//
// Every driver from chapter 3 on does the same three things: read a file,
// parse and check it, and print any diagnostics with the source line and a
// caret. They live here once.
#pragma once

#include "Ast.h"

#include "kiln/support/Expected.h"

#include <optional>
#include <string>
#include <string_view>

namespace ember {

struct SourceFile {
  std::string path; // as given on the command line, for messages
  std::string text;
};

/// Reads `path`; the diagnostic says why it could not.
kiln::Expected<SourceFile> readSource(const std::string &path);

/// Parses and checks `file`: a correct program or every diagnostic, each
/// with the file name and source line attached (ready for kiln::render).
kiln::Expected<Program> frontEnd(const SourceFile &file);

/// readSource, then frontEnd: what the drivers of later chapters start with.
kiln::Expected<Program> loadProgram(const std::string &path);

/// Prints `diags` to stderr, coloured when stderr is a terminal.
void printDiagnostics(const kiln::Diagnostics &diags);

/// `text` as a count for a driver's numeric argument: decimal digits only,
/// no sign, no overflow; nullopt otherwise (std::stoul throws on "abc" and
/// turns "-1" into a huge number).
std::optional<unsigned> parseCount(std::string_view text);

} // namespace ember
