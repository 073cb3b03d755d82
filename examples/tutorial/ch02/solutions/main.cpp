// Chapter 2 solutions: unparse (with a round-trip check) and node counts.
//
// Usage: ember-ch02-solutions unparse|count FILE.
//   unparse: exercise 1, prints the program back and checks the round trip;
//   count:   exercise 2, counts calls, loops and operators with isa<>.
#include "Casting.h"
#include "Parser.h"
#include "Unparse.h"

#include "kiln/support/Files.h"

#include <cstdio>
#include <string>

namespace {

struct Counts {
  unsigned calls = 0, loops = 0, binaries = 0;
};

void countExpr(const ember::Expr *e, Counts &n);

// [tutorial:ex-count]
void countBlock(const ember::Block &body, Counts &n) {
  using namespace ember;
  for (const StmtPtr &s : body) {
    n.loops += isa<WhileStmt>(s.get()) || isa<ForStmt>(s.get());
    if (auto *v = dyn_cast<VarStmt>(s.get()))
      countExpr(v->value.get(), n);
    else if (auto *e = dyn_cast<ExprStmt>(s.get()))
      countExpr(e->value.get(), n);
    else if (auto *i = dyn_cast<IfStmt>(s.get())) {
      countExpr(i->cond.get(), n);
      countBlock(i->thenBody, n);
      countBlock(i->elseBody, n);
    } else if (auto *w = dyn_cast<WhileStmt>(s.get())) {
      countExpr(w->cond.get(), n);
      countBlock(w->body, n);
    } else if (auto *f = dyn_cast<ForStmt>(s.get())) {
      countExpr(f->start.get(), n);
      countExpr(f->end.get(), n);
      countBlock(f->body, n);
    }
  }
}
// [/tutorial]

void countExpr(const ember::Expr *e, Counts &n) {
  using namespace ember;
  if (auto *u = dyn_cast<UnaryExpr>(e)) {
    countExpr(u->operand.get(), n);
  } else if (auto *b = dyn_cast<BinaryExpr>(e)) {
    ++n.binaries;
    countExpr(b->lhs.get(), n);
    countExpr(b->rhs.get(), n);
  } else if (auto *c = dyn_cast<CallExpr>(e)) {
    ++n.calls;
    for (const ExprPtr &arg : c->args)
      countExpr(arg.get(), n);
  }
}

int unparseTwice(const std::string &source) {
  auto first = ember::parseProgram(source);
  if (!first)
    return 1;
  std::string once = ember::unparse(*first);
  auto second = ember::parseProgram(once);
  bool same = second && ember::unparse(*second) == once;
  std::printf("%sround trip: %s\n", once.c_str(), same ? "same" : "DIFFERENT");
  return same ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc == 3 ? argv[1] : "", source;
  if ((mode != "unparse" && mode != "count") ||
      kiln::support::readInputFile(argv[2], source)) {
    std::fprintf(stderr, "usage: %s unparse|count FILE.ember\n", argv[0]);
    return 2;
  }
  if (mode == "unparse")
    return unparseTwice(source);
  auto program = ember::parseProgram(source);
  if (!program)
    return 1;
  Counts n;
  for (const ember::Function &fn : program->functions)
    countBlock(fn.body, n);
  std::printf("calls %u, loops %u, binary operators %u\n", n.calls, n.loops,
              n.binaries);
  return 0;
}
