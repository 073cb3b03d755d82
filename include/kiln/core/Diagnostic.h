// Diagnostic: the one error type of Kiln, with an optional source location.
//
// User-facing errors (bad source, bad IR, bad flags) travel inside the library
// as llvm::Error values holding a KilnError; tools render them as
// `file:line:col: error: message`, followed by the source line and a caret.
#pragma once

#include "llvm/Support/Error.h"

#include <string>
#include <string_view>
#include <vector>

namespace kiln::core {

/// A position in a source file; line and column are 1-based, 0 means unknown.
struct SourceLocation {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
  bool known() const { return line != 0; }
};

/// An error for the user. `sourceLine` is the text of the offending line when
/// the producer had it (so rendering needs no file access).
class KilnError : public llvm::ErrorInfo<KilnError> {
public:
  static char ID;
  KilnError(std::string message, SourceLocation loc = {},
            std::string sourceLine = {});
  const std::string &text() const { return Message; }
  const SourceLocation &location() const { return Loc; }
  const std::string &sourceLine() const { return SourceLine; }
  /// `file:line:col: error: msg` + source line + caret (no trailing newline).
  std::string render() const;
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string Message;
  SourceLocation Loc;
  std::string SourceLine;
};

/// Shorthands for producing user errors.
llvm::Error makeError(std::string message);
llvm::Error makeError(SourceLocation loc, std::string message,
                      std::string sourceLine = {});

/// Returns line `line` (1-based) of `text`, without its newline.
std::string_view lineOf(std::string_view text, unsigned line);

/// Renders any error for a terminal: KilnErrors with location and caret,
/// others as `error: message`. Consumes the error. One diagnostic per line
/// group, joined by newlines.
std::string renderError(llvm::Error err);

/// Collects several diagnostics so one run can report them all.
class Diagnostics {
public:
  void error(SourceLocation loc, std::string message,
             std::string sourceLine = {});
  bool hasErrors() const { return !Errors.empty(); }
  size_t size() const { return Errors.size(); }
  /// All collected diagnostics as one llvm::Error (success when none).
  llvm::Error takeError();

private:
  std::vector<KilnError> Errors;
};

} // namespace kiln::core
