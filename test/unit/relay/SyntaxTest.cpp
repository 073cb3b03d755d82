// SyntaxTest: the Relay lexer, parser and type checker on valid and invalid
// programs, with the exact diagnostic text and position.
#include "relay/syntax/Lexer.h"
#include "relay/syntax/Parser.h"
#include "relay/syntax/Sema.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace kiln::relay;

namespace {

/// "line:col: message" for every diagnostic, one per line.
std::string diagnose(const std::string &source) {
  DiagList diags;
  auto program = parseProgram("t.relay", source, diags);
  if (diags.empty())
    analyze(*program, diags);
  std::string out;
  for (auto &d : diags)
    out += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + ": " +
           d.message + "\n";
  return out;
}

std::unique_ptr<Program> analyzed(const std::string &source) {
  DiagList diags;
  auto program = parseProgram("t.relay", source, diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_TRUE(analyze(*program, diags));
  for (auto &d : diags)
    ADD_FAILURE() << d.loc.line << ":" << d.loc.col << ": " << d.message;
  return program;
}

TEST(RelayLexer, TokensAndLocations) {
  DiagList diags;
  auto toks = lex("let x = 1..n // c\n  y.push(2.5e1)", diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(dumpTokens(toks),
            "1:1 'let'\n1:5 identifier x\n1:7 '='\n1:9 number 1\n"
            "1:10 '..'\n1:12 identifier n\n1:18 end of line\n"
            "2:3 identifier y\n2:4 '.'\n2:5 identifier push\n2:9 '('\n"
            "2:10 number 2.5e1\n2:15 ')'\n2:16 end of file\n");
}

TEST(RelayLexer, NewlinesInsideParenthesesAreSkipped) {
  DiagList diags;
  auto toks = lex("f(1,\n2)\n[3,\n4]", diags);
  int newlines = 0;
  for (auto &t : toks)
    newlines += t.kind == Tok::Newline;
  EXPECT_EQ(newlines, 1);
}

TEST(RelayLexer, BadCharactersAndStrings) {
  // The parser goes on after a lexical error, so what follows is checked too.
  EXPECT_EQ(diagnose("let x = 1 $ 2"),
            "1:11: unexpected character '$'\n"
            "1:13: expected end of statement, found number '2'\n");
  EXPECT_EQ(diagnose("print(\"abc)"),
            "1:7: unterminated string literal\n"
            "1:12: expected ',' or ')', found end of file\n");
}

// Found by the bad-input corpus (test/error/corpus): strtod took "0x10"
// as 16 and stopped silently at "1e"; '#' and '/*' comments cascaded; a
// control byte went raw into the message; a BOM was an identifier.
TEST(RelayLexer, MalformedNumbersAndForeignComments) {
  const std::string hint = "' (numbers are decimal: 12, 3.5, .5, 1e-3)\n";
  EXPECT_EQ(diagnose("print(0x10)"), "1:7: malformed number '0x10" + hint);
  EXPECT_EQ(diagnose("print(1e)"), "1:7: malformed number '1e" + hint);
  EXPECT_EQ(diagnose("print(1e+)"), "1:7: malformed number '1e+" + hint);
  EXPECT_EQ(diagnose("print(0x1.8p3)"),
            "1:7: malformed number '0x1.8p3" + hint);
  EXPECT_EQ(diagnose("print(12abc)"), "1:7: malformed number '12abc" + hint);
  EXPECT_EQ(diagnose("for i in 1..2 { print(1.5e-3, .5, 2., 1E+2) }"), "");
  EXPECT_EQ(diagnose("# shell\nprint(1)"),
            "1:1: unexpected character '#' (comments start with '//')\n");
  EXPECT_EQ(
      diagnose("/* a\n b */ print(1)"),
      "1:1: '/*' comments do not exist in Relay; use '//' on each line\n");
  EXPECT_EQ(diagnose(std::string("print(1\x01)")),
            "1:8: unexpected control character '\\x01'\n");
  EXPECT_EQ(diagnose("\xEF\xBB\xBFprint(x)"), "1:7: unknown variable 'x'\n");
}

// A '}' with no block open made the parser loop forever (recover() stops
// at a '}'), pushing one diagnostic per turn until memory ran out.
TEST(RelayParser, StrayClosingBraceAndUnclosedBlock) {
  EXPECT_EQ(diagnose("print(1)\n}\nprint(2)"),
            "2:1: unexpected '}' (no block is open here)\n");
  EXPECT_EQ(diagnose("fn f()\n  return 1\n}"),
            "1:7: expected '{', found end of line\n"
            "3:1: unexpected '}' (no block is open here)\n");
  EXPECT_EQ(diagnose("fn f() {\n  return 1\n"),
            "1:8: this '{' is never closed (the file ends before its '}')\n");
}

TEST(RelayParser, PrecedenceAndAssociativity) {
  auto p = analyzed("let x = 1 - 2 - 3 * 4 % 5 < 6 && !false || true");
  std::string ast = dumpAST(*p);
  EXPECT_NE(ast.find("binary ||"), std::string::npos) << ast;
  EXPECT_LT(ast.find("binary ||"), ast.find("binary &&")) << ast;
  EXPECT_LT(ast.find("binary <"), ast.find("binary -")) << ast;
}

TEST(RelayParser, OneLineBlocksAndSemicolons) {
  auto p = analyzed("fn f(x) { if x > 1 { return 1 } else { return 2 } }; "
                    "print(f(3)); print(f(0))");
  EXPECT_EQ(p->functions.size(), 2u);
  EXPECT_EQ(p->main->body->body.size(), 2u);
}

TEST(RelayParser, ReportsSeveralSyntaxErrors) {
  EXPECT_EQ(diagnose("let = 3\nlet y = (1 + \nprint(1 2)\n"),
            "1:5: expected variable name, found '='\n"
            "3:9: expected ',' or ')', found number '2'\n");
  EXPECT_EQ(diagnose("fn f( { }"), "1:7: expected parameter name, found '{'\n");
  EXPECT_EQ(diagnose("if 1 < 2 < 3 { }"),
            "1:10: comparisons cannot be chained; use '&&'\n");
  EXPECT_EQ(diagnose("1 + 2 = 3"),
            "1:7: cannot assign to this expression (only to a variable or an "
            "array element)\n");
  EXPECT_EQ(diagnose("let x = 1 let y = 2"),
            "1:11: expected end of statement, found 'let'\n");
  EXPECT_EQ(diagnose("x.pop()"),
            "1:3: unknown method 'pop' (arrays have push)\n");
}

TEST(RelaySema, InfersTypesAcrossCalls) {
  auto p = analyzed(
      "fn first(a) { return a[0] }\nfn flag(x) { return x > 1 }\n"
      "fn unused(q) { return q }\nlet v = [1, 2]\nprint(first(v), flag(2))");
  FuncDecl &first = *p->functions[0];
  EXPECT_EQ(first.paramTypes[0], Type::Array);
  EXPECT_EQ(first.returnType, Type::Number);
  EXPECT_EQ(p->functions[1]->returnType, Type::Bool);
  EXPECT_EQ(p->functions[2]->paramTypes[0], Type::Number)
      << "unconstrained defaults to number";
  EXPECT_EQ(p->main->returnType, Type::Void);
}

TEST(RelaySema, SlotsFollowScopes) {
  auto p = analyzed("fn f(a, b) { let c = a\n if b > 0 { let c = 2; c = 3 }\n "
                    "return c }\nprint(f(1, 2))");
  FuncDecl &f = *p->functions[0];
  ASSERT_EQ(f.slotTypes.size(), 4u); // a, b, outer c, inner c
}

TEST(RelaySema, TypeErrorsWithLocations) {
  EXPECT_EQ(
      diagnose("let x = 1\nx = true"),
      "2:5: type mismatch in assignment to 'x': expected number, found bool\n");
  EXPECT_EQ(diagnose("if 1 { }"),
            "1:4: the condition of 'if' must be a bool, found number\n");
  EXPECT_EQ(diagnose("let a = [1]\nprint(a + 1)"),
            "2:7: the left operand of '+' must be a number, found array\n");
  EXPECT_EQ(diagnose("print(y)"), "1:7: unknown variable 'y'\n");
  EXPECT_EQ(diagnose("fn f(x) { return x }\nprint(f(1, 2))"),
            "2:7: 'f' takes 1 argument, got 2\n");
  EXPECT_EQ(
      diagnose("fn f(x) { return x + 1 }\nprint(f(true))"),
      "2:9: type mismatch in argument 1 of 'f': expected number, found bool\n");
  EXPECT_EQ(diagnose("print(g(1))"), "1:7: unknown function 'g'\n");
  EXPECT_EQ(diagnose("break"), "1:1: 'break' outside a loop\n");
  EXPECT_EQ(diagnose("return 1"), "1:1: 'return' outside a function\n");
  EXPECT_EQ(diagnose("let s = \"hi\""),
            "1:9: string literals can only be arguments of print\n");
  EXPECT_EQ(diagnose("fn p() { print(1) }\nlet x = p()"),
            "2:9: 'p(…)' has no value (the function returns nothing)\n");
  EXPECT_EQ(diagnose("fn f(x) { if x { return 1 }; return true }"),
            "1:37: type mismatch in return value of 'f': expected number, "
            "found bool\n");
  EXPECT_EQ(diagnose("fn sqrt(x) { return x }"),
            "1:4: 'sqrt' is a builtin function and cannot be redefined\n");
  EXPECT_EQ(diagnose("print([1] == [1])"),
            "1:11: '==' compares numbers or bools, not arrays\n");
}

TEST(RelaySema, NumericBuiltinsCheckArityAndArgumentTypes) {
  EXPECT_EQ(diagnose("print(pow(2))"), "1:7: 'pow' takes 2 arguments, got 1\n");
  EXPECT_EQ(diagnose("print(sqrt(1, 2))"),
            "1:7: 'sqrt' takes 1 argument, got 2\n");
  EXPECT_EQ(diagnose("print(min(1, true))"),
            "1:14: argument 2 of 'min' must be a number, found bool\n");
  EXPECT_EQ(diagnose("let y = floor(2.5) + max(1, 2)"), "");
  EXPECT_EQ(diagnose("let f = sqrt"),
            "1:9: 'sqrt' is a function; call it with '(…)'\n");
  EXPECT_EQ(diagnose("let z = print(1)"),
            "1:9: 'print(…)' has no value (the function returns nothing)\n");
}

TEST(RelaySema, ReportsSeveralTypeErrors) {
  EXPECT_EQ(diagnose("let a = 1 + true\nlet b = !3\nlen(4)"),
            "1:13: the right operand of '+' must be a number, found bool\n"
            "2:10: the operand of '!' must be a bool, found number\n"
            "3:5: the argument of 'len' must be an array, found number\n");
}

} // namespace

namespace {

// ---- Deep nesting and long chains (issue 15) --------------------------------

std::string repeat(const std::string &text, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += text;
  return out;
}

TEST(RelayParser, NestingTooDeepIsOneLocatedError) {
  const std::string deep =
      "nesting too deep (more than 256 levels of parentheses, "
      "brackets, operators or blocks)\n";
  EXPECT_EQ(
      diagnose("print(" + repeat("(", 10000) + "1" + repeat(")", 10000) + ")"),
      "1:262: " + deep);
  EXPECT_EQ(
      diagnose("let a = " + repeat("[", 100000) + "1" + repeat("]", 100000)),
      "1:265: " + deep);
  EXPECT_EQ(diagnose("print(" + repeat("-", 100000) + "1)"), "1:261: " + deep);
  EXPECT_EQ(diagnose("print(" + repeat("!", 100000) + "true)"),
            "1:261: " + deep);
  EXPECT_EQ(diagnose(repeat("if true {", 100000) + repeat("}", 100000)),
            "1:2308: " + deep);
  // The statements after the deep one are still parsed (and checked).
  EXPECT_EQ(diagnose("print(" + repeat("abs(", 300) + "1" + repeat(")", 300) +
                     ")\nlet = 1"),
            "1:1027: " + deep + "2:5: expected variable name, found '='\n");
  // Just under the limit is fine.
  EXPECT_EQ(
      diagnose("print(" + repeat("(", 250) + "1" + repeat(")", 250) + ")"), "");
}

TEST(RelayParser, LongChainsAreLeftAssociativeAndFlat) {
  // 100,000 terms: parse, sema, dump and destruction take no stack per term.
  auto p = analyzed("let x = " + repeat("1 - ", 99999) + "1");
  auto *let = cast<LetStmt>(p->main->body->body[0].get());
  const Expr *e = let->init.get();
  int depth = 0;
  while (auto *bin = dyn_cast<BinaryExpr>(e)) {
    EXPECT_EQ(bin->type, Type::Number);
    EXPECT_TRUE(isa<NumberExpr>(bin->rhs.get()));
    e = bin->lhs.get();
    ++depth;
  }
  EXPECT_EQ(depth, 99999);
  std::string ast = dumpAST(*p);
  EXPECT_NE(ast.find("<99999> number 1 : number\n"), std::string::npos);
  EXPECT_LT(ast.size(), 40u * 1000 * 1000) << "the dump grows linearly";
}

TEST(RelayParser, ElseIfChainsAreFlat) {
  std::string source = "let x = 5\nif x < 0 { print(0) }";
  for (int i = 1; i < 100000; ++i)
    source += " else if x < " + std::to_string(i) + " { print(" +
              std::to_string(i) + ") }";
  auto p = analyzed(source + " else { x = 1 }");
  int arms = 0;
  for (auto *s = dyn_cast<IfStmt>(p->main->body->body[1].get()); s;
       s = dyn_cast<IfStmt>(s->elseStmt.get()))
    ++arms;
  EXPECT_EQ(arms, 100000);
  EXPECT_NE(dumpAST(*p).find("<100001> block @2:"), std::string::npos);
}

TEST(RelayParser, PrecedenceClimbingKeepsTheGrammar) {
  auto p = analyzed("let x = 1 - 2 * 3 - 4 < 5 && true || false");
  EXPECT_EQ(dumpAST(*p), "fn main() -> void @0:0\n"
                         "  let x @1:1\n"
                         "    binary || : bool\n"
                         "      binary && : bool\n"
                         "        binary < : bool\n"
                         "          binary - : number\n"
                         "            binary - : number\n"
                         "              number 1 : number\n"
                         "              binary * : number\n"
                         "                number 2 : number\n"
                         "                number 3 : number\n"
                         "            number 4 : number\n"
                         "          number 5 : number\n"
                         "        true : bool\n"
                         "      false : bool\n");
}

TEST(RelayLexer, NonAsciiIdentifierIsOneError) {
  EXPECT_EQ(diagnose("let café = 1"), "1:8: identifiers must be ASCII; 'café' "
                                      "contains a non-ASCII character\n");
  EXPECT_EQ(
      diagnose("let x = 1 × 2"),
      "1:11: unexpected non-ASCII character '×' (only strings and comments may "
      "contain them)\n1:14: expected end of statement, found number '2'\n");
  EXPECT_EQ(diagnose("print(\"café\") // naïve"), "");
}

} // namespace

namespace {

// ---- The builtins table (Builtins.def) -----------------------------------

std::vector<Builtin> allBuiltins() {
  std::vector<Builtin> all;
  for (int i = 1; i <= kBuiltinCount; ++i)
    all.push_back(static_cast<Builtin>(i));
  return all;
}

TEST(RelayBuiltins, EveryRowIsFoundByItsName) {
  std::set<std::string> names;
  for (Builtin b : allBuiltins()) {
    SCOPED_TRACE(builtinName(b));
    EXPECT_TRUE(names.insert(builtinName(b)).second) << "a name used twice";
    EXPECT_EQ(lookupBuiltin(builtinName(b)), b);
    EXPECT_NE(std::string(builtinDoc(b)), "");
    if (isNumericBuiltin(b)) {
      EXPECT_GE(builtinArity(b), 1);
      EXPECT_EQ(builtinResult(b), Type::Number);
    }
  }
  EXPECT_EQ(lookupBuiltin("sqrt"), Builtin::Sqrt);
  EXPECT_EQ(lookupBuiltin("Sqrt"), Builtin::None);
  EXPECT_EQ(lookupBuiltin(""), Builtin::None);
  EXPECT_EQ(builtinArity(Builtin::Print), -1);
  EXPECT_EQ(builtinArity(Builtin::Pow), 2);
  EXPECT_EQ(builtinResult(Builtin::Push), Type::Void);
  EXPECT_FALSE(isNumericBuiltin(Builtin::Len));
  EXPECT_TRUE(isNumericBuiltin(Builtin::Min));
}

/// docs/relay.md, found from this file's path (test/unit/relay/).
std::string languageReference() {
  auto path =
      std::filesystem::path(__FILE__).parent_path() / "../../../docs/relay.md";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The row of docs/relay.md's builtin table for `name`, "" if none.
std::string docsRow(const std::string &docs, const std::string &name) {
  size_t at = docs.find("\n| `" + name + "(");
  if (at == std::string::npos)
    return "";
  return docs.substr(at + 1, docs.find('\n', at + 1) - at - 1);
}

TEST(RelayBuiltins, TheLanguageReferenceListsEveryRow) {
  std::string docs = languageReference();
  for (Builtin b : allBuiltins()) {
    SCOPED_TRACE(builtinName(b));
    std::string row = docsRow(docs, builtinName(b));
    EXPECT_NE(row, "") << "docs/relay.md's Builtins table has no row";
    EXPECT_NE(row.find(std::string("| ") + builtinDoc(b) + " |"),
              std::string::npos)
        << row;
  }
  EXPECT_EQ(docsRow(docs, "nosuchbuiltin"), "");
}

} // namespace
