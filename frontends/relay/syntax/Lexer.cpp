// Lexer: a hand-written scanner over the source text.
#include "Lexer.h"

#include <cctype>
#include <cstdlib>
#include <unordered_map>

namespace kiln::relay {

const char *tokName(Tok t) {
  switch (t) {
  case Tok::Eof: return "end of file";
  case Tok::Newline: return "end of line";
  case Tok::Number: return "number";
  case Tok::String: return "string";
  case Tok::Ident: return "identifier";
  case Tok::Fn: return "'fn'";
  case Tok::Let: return "'let'";
  case Tok::If: return "'if'";
  case Tok::Else: return "'else'";
  case Tok::While: return "'while'";
  case Tok::For: return "'for'";
  case Tok::In: return "'in'";
  case Tok::Break: return "'break'";
  case Tok::Continue: return "'continue'";
  case Tok::Return: return "'return'";
  case Tok::True: return "'true'";
  case Tok::False: return "'false'";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Semi: return "';'";
  case Tok::Colon: return "':'";
  case Tok::Dot: return "'.'";
  case Tok::DotDot: return "'..'";
  case Tok::Arrow: return "'->'";
  case Tok::At: return "'@'";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::Percent: return "'%'";
  case Tok::Lt: return "'<'";
  case Tok::Le: return "'<='";
  case Tok::Gt: return "'>'";
  case Tok::Ge: return "'>='";
  case Tok::EqEq: return "'=='";
  case Tok::Ne: return "'!='";
  case Tok::Assign: return "'='";
  case Tok::AndAnd: return "'&&'";
  case Tok::OrOr: return "'||'";
  case Tok::Bang: return "'!'";
  }
  return "token";
}

namespace {

const std::unordered_map<std::string_view, Tok> keywords = {
    {"fn", Tok::Fn},       {"let", Tok::Let},       {"if", Tok::If},
    {"else", Tok::Else},   {"while", Tok::While},   {"for", Tok::For},
    {"in", Tok::In},       {"break", Tok::Break},   {"continue", Tok::Continue},
    {"return", Tok::Return}, {"true", Tok::True},   {"false", Tok::False},
};

class Scanner {
public:
  Scanner(std::string_view src, DiagList &diags) : Src(src), Diags(diags) {}

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

  void scanNumber(Loc loc) {
    const char *begin = Src.data() + Pos;
    char *end = nullptr;
    double value = std::strtod(begin, &end);
    size_t length = size_t(end - begin);
    // "1..5" is a range: strtod must not eat the first '.'.
    std::string_view text(begin, length);
    size_t dots = text.find("..");
    if (dots != std::string_view::npos) {
      length = dots;
      value = std::strtod(std::string(begin, length).c_str(), nullptr);
    } else if (length > 1 && text.back() == '.' && peek(length) == '.') {
      --length;
      value = std::strtod(std::string(begin, length).c_str(), nullptr);
    }
    Pos += length;
    push(Tok::Number, loc, std::string(begin, length), value);
  }

  static bool isAscii(char c) { return static_cast<unsigned char>(c) < 0x80; }
  static bool isWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || !isAscii(c);
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
      Diags.push_back({at, "unexpected non-ASCII character '" + std::string(word) +
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
    auto kw = keywords.find(word);
    Tok kind = kw == keywords.end() ? Tok::Ident : kw->second;
    // A statement keyword starting a new line cannot sit inside ( ) or [ ]:
    // an earlier bracket was left open. End the statement there so the
    // parser reports it and recovers, instead of swallowing the file.
    bool startsStatement = kind == Tok::Let || kind == Tok::Fn || kind == Tok::If ||
                           kind == Tok::While || kind == Tok::For ||
                           kind == Tok::Return || kind == Tok::Break ||
                           kind == Tok::Continue;
    if (startsStatement && Nesting > 0 && !Out.empty() && Out.back().loc.line < loc.line) {
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
    struct Op { const char *text; Tok kind; };
    static const Op ops[] = {
        {"..", Tok::DotDot}, {"->", Tok::Arrow}, {"<=", Tok::Le}, {">=", Tok::Ge},
        {"==", Tok::EqEq},   {"!=", Tok::Ne},    {"&&", Tok::AndAnd}, {"||", Tok::OrOr},
        {"(", Tok::LParen},  {")", Tok::RParen}, {"[", Tok::LBracket}, {"]", Tok::RBracket},
        {"{", Tok::LBrace},  {"}", Tok::RBrace}, {",", Tok::Comma},  {";", Tok::Semi},
        {":", Tok::Colon},   {".", Tok::Dot},    {"@", Tok::At},     {"+", Tok::Plus},
        {"-", Tok::Minus},   {"*", Tok::Star},   {"/", Tok::Slash},  {"%", Tok::Percent},
        {"<", Tok::Lt},      {">", Tok::Gt},     {"=", Tok::Assign}, {"!", Tok::Bang},
    };
    for (const Op &op : ops) {
      std::string_view text(op.text);
      if (Src.substr(Pos, text.size()) != text)
        continue;
      Pos += text.size();
      if (op.kind == Tok::LParen || op.kind == Tok::LBracket)
        ++Nesting;
      else if ((op.kind == Tok::RParen || op.kind == Tok::RBracket) && Nesting > 0)
        --Nesting;
      push(op.kind, loc);
      return;
    }
    Diags.push_back({loc, std::string("unexpected character '") + Src[Pos] + "'"});
    ++Pos;
  }

  std::string_view Src;
  DiagList &Diags;
  std::vector<Token> Out;
  size_t Pos = 0, LineStart = 0;
  uint32_t Line = 1;
  int Nesting = 0; ///< open ( and [ : newlines inside are not tokens
  Loc LastNewline;  ///< where the most recent line ended
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
