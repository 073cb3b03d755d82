// Chapter 1 solutions: token statistics, and every rejected character.
//
// Usage: ember-ch01-solutions stats|errors FILE.
//   stats:  exercise 1, how many tokens of each kind the file holds;
//   errors: exercise 2, each character the lexer rejected, with its place.
#include "Lexer.h"

#include "kiln/support/Files.h"

#include <cstdio>
#include <map>
#include <string>

namespace {

// [tutorial:ex-token-stats]
void printStats(std::string_view source) {
  std::map<std::string, unsigned> counts;
  ember::Lexer lexer(source);
  for (ember::Token tok = lexer.next(); tok.kind != ember::Tok::Eof;
       tok = lexer.next())
    ++counts[ember::tokName(tok.kind)];
  for (const auto &[kind, count] : counts)
    std::printf("%-12s %u\n", kind.c_str(), count);
}
// [/tutorial]

// [tutorial:ex-rejected]
unsigned printRejected(std::string_view source) {
  unsigned rejected = 0;
  ember::Lexer lexer(source);
  for (ember::Token tok = lexer.next(); tok.kind != ember::Tok::Eof;
       tok = lexer.next()) {
    if (tok.kind != ember::Tok::Error)
      continue;
    ++rejected;
    std::printf("%u:%u: unexpected character '%.*s'\n", tok.loc.line,
                tok.loc.col, (int)tok.text.size(), tok.text.data());
  }
  return rejected;
}
// [/tutorial]

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "stats" && mode != "errors") {
    std::fprintf(stderr, "usage: %s stats|errors FILE.ember\n", argv[0]);
    return 2;
  }
  std::string source;
  if (auto error = kiln::support::readInputFile(argv[2], source)) {
    std::fprintf(stderr, "error: %s\n", error->c_str());
    return 1;
  }
  if (mode == "stats")
    printStats(source);
  else if (printRejected(source) != 0)
    return 1;
  return 0;
}
