// Lexer: a hand-written scanner over the source text.
#include "Lexer.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace kiln::relay {

const char *tokName(Tok t) {
  static const char *const names[] = {
#define RELAY_TOKEN(Id, Name) Name,
#include "relay/syntax/Tokens.def"
  };
  return names[static_cast<int>(t)];
}

const char *tokSpelling(Tok t) {
  switch (t) {
    // clang-format off
#define RELAY_KEYWORD(Id, Spelling) case Tok::Id: return Spelling;
#define RELAY_PUNCT(Id, Spelling) case Tok::Id: return Spelling;
#include "relay/syntax/Tokens.def"
    // clang-format on
  default: return nullptr;
  }
}

namespace {

struct Spelling {
  std::string_view text;
  Tok kind;
};

const Spelling keywords[] = {
#define RELAY_KEYWORD(Id, Spelling) {Spelling, Tok::Id},
#include "relay/syntax/Tokens.def"
};

const Spelling punctuation[] = {
#define RELAY_PUNCT(Id, Spelling) {Spelling, Tok::Id},
#include "relay/syntax/Tokens.def"
};

/// The keyword spelled `word`, or Ident.
Tok keywordOrIdent(std::string_view word) {
  for (const Spelling &k : keywords)
    if (k.text == word)
      return k.kind;
  return Tok::Ident;
}

/// The longest punctuation at the start of `text`; null for none.
const Spelling *punctuationAt(std::string_view text) {
  const Spelling *best = nullptr;
  for (const Spelling &p : punctuation)
    if (text.substr(0, p.text.size()) == p.text &&
        (!best || p.text.size() > best->text.size()))
      best = &p;
  return best;
}

class Scanner {
public:
  Scanner(std::string_view src, DiagList &diags) : Src(src), Diags(diags) {
    // A UTF-8 byte order mark (editors on Windows write one) is not text;
    // columns count from the character after it.
    if (Src.substr(0, 3) == "\xEF\xBB\xBF")
      Pos = LineStart = 3;
  }

  std::vector<Token> run() {
    while (true) {
      skipSpaceAndComments();
      if (Pos >= Src.size())
        break;
      scanOne();
    }
    push(Tok::Eof, here());
    return std::move(Out);
  }

private:
  Loc here() const { return {Line, uint32_t(Pos - LineStart + 1)}; }
  char peek(size_t ahead = 0) const {
    return Pos + ahead < Src.size() ? Src[Pos + ahead] : '\0';
  }
  void push(Tok kind, Loc loc, std::string text = {}, double number = 0) {
    Out.push_back({kind, loc, std::move(text), number});
  }

  void skipSpaceAndComments() {
    while (Pos < Src.size()) {
      char c = Src[Pos];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++Pos;
      } else if (c == '/' && peek(1) == '/') {
        while (Pos < Src.size() && Src[Pos] != '\n')
          ++Pos;
      } else if (c == '/' && peek(1) == '*') {
        skipBlockComment();
      } else if (c == '\n') {
        LastNewline = here();
        if (Nesting == 0 && !Out.empty() && Out.back().kind != Tok::Newline)
          push(Tok::Newline, here());
        ++Pos;
        ++Line;
        LineStart = Pos;
      } else {
        return;
      }
    }
  }

  void scanOne() {
    Loc loc = here();
    char c = Src[Pos];
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))))
      return scanNumber(loc);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || !isAscii(c))
      return scanWord(loc);
    if (c == '"')
      return scanString(loc);
    scanPunct(loc);
  }

  /// number ::= digits ('.' digits?)? exponent? | '.' digits exponent?
  /// exponent ::= ('e'|'E') ('+'|'-')? digits. Decimal only: strtod alone
  /// would also take hex ("0x10" is 16) and stop silently at "1e". A
  /// letter, digit or '_' glued to the number makes it one malformed token.
  void scanNumber(Loc loc) {
    size_t start = Pos;
    auto digits = [&] {
      while (std::isdigit(static_cast<unsigned char>(peek())))
        ++Pos;
    };
    digits();
    if (peek() == '.' && peek(1) != '.') { // "1..5" is a range
      ++Pos;
      digits();
    }
    bool bad = false;
    if (peek() == 'e' || peek() == 'E') {
      size_t sign = peek(1) == '+' || peek(1) == '-' ? 1 : 0;
      bad = !std::isdigit(static_cast<unsigned char>(peek(1 + sign)));
      Pos += 1 + sign;
      digits();
    }
    while (Pos < Src.size() &&
           (isWordChar(Src[Pos]) || (bad && Src[Pos] == '.'))) {
      bad = true;
      ++Pos;
    }
    std::string text(Src.substr(start, Pos - start));
    if (bad)
      Diags.push_back({loc, "malformed number '" + text +
                                "' (numbers are decimal: 12, 3.5, .5, 1e-3)"});
    push(Tok::Number, loc, text, bad ? 0 : std::strtod(text.c_str(), nullptr));
  }

  static bool isAscii(char c) { return static_cast<unsigned char>(c) < 0x80; }
  static bool isWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           !isAscii(c);
  }

  /// A word with bytes >= 0x80 (UTF-8 text outside a string): one error for
  /// the whole word, at its first non-ASCII byte. Identifiers stay ASCII:
  /// they become symbol names in the generated code and in AOT objects, and
  /// columns count bytes. A word that has ASCII letters still becomes an
  /// identifier token, so the parser reports nothing more.
  bool rejectNonAscii(std::string_view word, Loc loc) {
    size_t bad = 0;
    while (bad < word.size() && isAscii(word[bad]))
      ++bad;
    if (bad == word.size())
      return false;
    Loc at{loc.line, loc.col + uint32_t(bad)};
    bool hasAscii = false;
    for (char c : word)
      hasAscii |= isAscii(c);
    if (!hasAscii) {
      Diags.push_back(
          {at, "unexpected non-ASCII character '" + std::string(word) +
                   "' (only strings and comments may contain them)"});
      return true;
    }
    Diags.push_back({at, "identifiers must be ASCII; '" + std::string(word) +
                             "' contains a non-ASCII character"});
    push(Tok::Ident, loc, std::string(word));
    return true;
  }

  void scanWord(Loc loc) {
    size_t start = Pos;
    while (Pos < Src.size() && isWordChar(Src[Pos]))
      ++Pos;
    std::string_view word = Src.substr(start, Pos - start);
    if (rejectNonAscii(word, loc))
      return;
    Tok kind = keywordOrIdent(word);
    // A statement keyword starting a new line cannot sit inside ( ) or [ ]:
    // an earlier bracket was left open. End the statement there so the
    // parser reports it and recovers, instead of swallowing the file.
    bool startsStatement = kind == Tok::Let || kind == Tok::Fn ||
                           kind == Tok::If || kind == Tok::While ||
                           kind == Tok::For || kind == Tok::Return ||
                           kind == Tok::Break || kind == Tok::Continue;
    if (startsStatement && Nesting > 0 && !Out.empty() &&
        Out.back().loc.line < loc.line) {
      Nesting = 0;
      push(Tok::Newline, LastNewline);
    }
    push(kind, loc, std::string(word));
  }

  void scanString(Loc loc) {
    std::string value;
    ++Pos;
    while (Pos < Src.size() && Src[Pos] != '"' && Src[Pos] != '\n') {
      char c = Src[Pos++];
      if (c != '\\') {
        value += c;
        continue;
      }
      char e = peek();
      ++Pos;
      switch (e) {
      case 'n': value += '\n'; break;
      case 't': value += '\t'; break;
      case '\\': value += '\\'; break;
      case '"': value += '"'; break;
      default:
        Diags.push_back({{Line, uint32_t(Pos - LineStart - 1)},
                         std::string("unknown escape sequence '\\") + e + "'"});
      }
    }
    if (peek() != '"') {
      Diags.push_back({loc, "unterminated string literal"});
    } else {
      ++Pos;
    }
    push(Tok::String, loc, std::move(value));
  }

  void scanPunct(Loc loc) {
    const Spelling *op = punctuationAt(Src.substr(Pos));
    if (!op)
      return unexpectedChar(loc);
    Pos += op->text.size();
    if (op->kind == Tok::LParen || op->kind == Tok::LBracket)
      ++Nesting;
    else if ((op->kind == Tok::RParen || op->kind == Tok::RBracket) &&
             Nesting > 0)
      --Nesting;
    push(op->kind, loc);
  }

  /// A character no token starts with. '#' and '/*' comments get a hint and
  /// are skipped whole, so one mistake gives one error.
  void unexpectedChar(Loc loc) {
    unsigned char c = Src[Pos];
    if (c == '#') {
      Diags.push_back(
          {loc, "unexpected character '#' (comments start with '//')"});
      while (Pos < Src.size() && Src[Pos] != '\n')
        ++Pos;
      return;
    }
    char text[8];
    std::snprintf(text, sizeof text, c < 0x20 || c == 0x7f ? "\\x%02x" : "%c",
                  c);
    Diags.push_back({loc, std::string(c < 0x20 || c == 0x7f
                                          ? "unexpected control character '"
                                          : "unexpected character '") +
                              text + "'"});
    ++Pos;
  }

  /// '/*' ... '*/': not Relay. One error, then the comment is skipped.
  void skipBlockComment() {
    Diags.push_back(
        {here(), "'/*' comments do not exist in Relay; use '//' on each line"});
    size_t end = Src.find("*/", Pos + 2);
    end = end == std::string_view::npos ? Src.size() : end + 2;
    for (; Pos < end; ++Pos)
      if (Src[Pos] == '\n') {
        ++Line;
        LineStart = Pos + 1;
      }
  }

  std::string_view Src;
  DiagList &Diags;
  std::vector<Token> Out;
  size_t Pos = 0, LineStart = 0;
  uint32_t Line = 1;
  int Nesting = 0; ///< open ( and [ : newlines inside are not tokens
  Loc LastNewline; ///< where the most recent line ended
};

} // namespace

std::vector<Token> lex(std::string_view source, DiagList &diags) {
  return Scanner(source, diags).run();
}

std::string dumpTokens(const std::vector<Token> &tokens) {
  std::string out;
  for (const Token &t : tokens) {
    out += std::to_string(t.loc.line) + ":" + std::to_string(t.loc.col) + " " +
           tokName(t.kind);
    if (t.kind == Tok::Ident || t.kind == Tok::Number)
      out += " " + t.text;
    else if (t.kind == Tok::String)
      out += " \"" + t.text + "\"";
    out += "\n";
  }
  return out;
}

} // namespace kiln::relay
