// Chapter 1 driver: prints the tokens of an Ember file, one per line.
//
// Usage: ember-ch01 FILE. Seeing the token stream is the quickest way to
// check a lexer: every token, its kind and where it starts.
#include "Lexer.h"

#include "kiln/support/Files.h"

#include <cstdio>
#include <string>

// [tutorial:ch01-main]
int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.ember\n", argv[0]);
    return 2;
  }
  std::string source;
  if (auto error = kiln::support::readInputFile(argv[1], source)) {
    std::fprintf(stderr, "error: %s\n", error->c_str());
    return 1;
  }
  ember::Lexer lexer(source);
  for (ember::Token tok = lexer.next();; tok = lexer.next()) {
    std::printf("%u:%u\t%-12s %.*s\n", tok.loc.line, tok.loc.col,
                ember::tokName(tok.kind), (int)tok.text.size(),
                tok.text.data());
    if (tok.kind == ember::Tok::Eof)
      return 0;
  }
}
// [/tutorial]
