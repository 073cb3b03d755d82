// Json: a recursive-descent reader for the JSON Faust generates.
#include "Json.h"

#include <cstdlib>

namespace kiln::faust::json {

const Value *Value::get(const std::string &key) const {
  if (kind != Kind::Object)
    return nullptr;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key)
      return &members[i];
  return nullptr;
}

double Value::numberOr(const std::string &key, double fallback) const {
  const Value *v = get(key);
  return v && v->kind == Kind::Number ? v->number : fallback;
}

std::string Value::stringOr(const std::string &key,
                            const std::string &fallback) const {
  const Value *v = get(key);
  return v && v->kind == Kind::String ? v->string : fallback;
}

namespace {

class Reader {
public:
  explicit Reader(const std::string &text) : T(text) {}

  bool document(Value &out, std::string &error) {
    bool ok = value(out, 0) && (skip(), Pos == T.size());
    if (!ok)
      error = Error.empty() ? "unexpected text at offset " + std::to_string(Pos)
                            : Error;
    return ok;
  }

private:
  void skip() {
    while (Pos < T.size() && (T[Pos] == ' ' || T[Pos] == '\n' ||
                              T[Pos] == '\t' || T[Pos] == '\r'))
      ++Pos;
  }
  bool fail(const std::string &what) {
    if (Error.empty())
      Error = what + " at offset " + std::to_string(Pos);
    return false;
  }
  bool literal(const char *word) {
    std::string w(word);
    if (T.compare(Pos, w.size(), w) != 0)
      return fail("expected '" + w + "'");
    Pos += w.size();
    return true;
  }

  /// value ::= object | array | string | number | 'true' | 'false' | 'null'
  bool value(Value &v, int depth) {
    if (depth > 200)
      return fail("nesting too deep");
    skip();
    if (Pos >= T.size())
      return fail("unexpected end");
    char c = T[Pos];
    if (c == '{')
      return object(v, depth);
    if (c == '[')
      return array(v, depth);
    if (c == '"')
      return v.kind = Value::Kind::String, string(v.string);
    if (c == 't' || c == 'f') {
      v.kind = Value::Kind::Bool;
      v.boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n')
      return v.kind = Value::Kind::Null, literal("null");
    return number(v);
  }

  /// object ::= '{' (string ':' value (',' string ':' value)*)? '}'
  bool object(Value &v, int depth) {
    v.kind = Value::Kind::Object;
    ++Pos;
    skip();
    if (Pos < T.size() && T[Pos] == '}')
      return ++Pos, true;
    for (;;) {
      skip();
      std::string key;
      if (Pos >= T.size() || T[Pos] != '"' || !string(key))
        return fail("expected a member name");
      skip();
      if (Pos >= T.size() || T[Pos] != ':')
        return fail("expected ':'");
      ++Pos;
      v.keys.push_back(std::move(key));
      v.members.emplace_back();
      if (!value(v.members.back(), depth + 1))
        return false;
      skip();
      if (Pos < T.size() && T[Pos] == ',') {
        ++Pos;
        continue;
      }
      if (Pos < T.size() && T[Pos] == '}')
        return ++Pos, true;
      return fail("expected ',' or '}'");
    }
  }

  /// array ::= '[' (value (',' value)*)? ']'
  bool array(Value &v, int depth) {
    v.kind = Value::Kind::Array;
    ++Pos;
    skip();
    if (Pos < T.size() && T[Pos] == ']')
      return ++Pos, true;
    for (;;) {
      v.array.emplace_back();
      if (!value(v.array.back(), depth + 1))
        return false;
      skip();
      if (Pos < T.size() && T[Pos] == ',') {
        ++Pos;
        continue;
      }
      if (Pos < T.size() && T[Pos] == ']')
        return ++Pos, true;
      return fail("expected ',' or ']'");
    }
  }

  static void appendUtf8(std::string &out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  /// string ::= '"' (char | '\' escape)* '"'
  bool string(std::string &out) {
    ++Pos;
    while (Pos < T.size() && T[Pos] != '"') {
      char c = T[Pos++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (Pos >= T.size())
        break;
      char e = T[Pos++];
      switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        if (Pos + 4 > T.size())
          return fail("bad \\u escape");
        unsigned cp = std::strtoul(T.substr(Pos, 4).c_str(), nullptr, 16);
        Pos += 4;
        appendUtf8(out, cp);
        break;
      }
      default: out += e; // '"', '\\', '/' and Faust's lenient escapes
      }
    }
    if (Pos >= T.size())
      return fail("unterminated string");
    ++Pos;
    return true;
  }

  /// number ::= '-'? digits ('.' digits)? ([eE] [+-]? digits)?
  bool number(Value &v) {
    const char *start = T.c_str() + Pos;
    char *end = nullptr;
    double d = std::strtod(start, &end);
    if (end == start)
      return fail("unexpected character");
    v.kind = Value::Kind::Number;
    v.number = d;
    Pos += size_t(end - start);
    return true;
  }

  const std::string &T;
  size_t Pos = 0;
  std::string Error;
};

} // namespace

bool parse(const std::string &text, Value &out, std::string &error) {
  out = Value{};
  return Reader(text).document(out, error);
}

} // namespace kiln::faust::json
