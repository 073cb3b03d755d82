// VecMathCores: exp, expm1 and log on <W x double>.
//
// Written without tables (a table lookup per lane is a gather, which costs
// more than the few extra polynomial terms on the CPUs measured) and
// without target intrinsics, so the same IR serves every vector width.
#include "VecMathCores.h"

#include <cmath>
#include <vector>

namespace kiln::core::vecmath {

namespace {

// fdlibm's split of ln 2: Ln2Hi has 32 significant bits, so k*Ln2Hi is
// exact for |k| < 2^21.
constexpr double Ln2Hi = 6.93147180369123816490e-01;
constexpr double Ln2Lo = 1.90821492927058770002e-10;
constexpr double InvLn2 = 1.44269504088896338700e+00;
constexpr double Ln2 = 6.93147180559945286227e-01;
constexpr double Round = 0x1.8p52; // adding it rounds to an integer

// The polynomials: near-minimax fits (mpmath.chebyfit, 50 digits) whose
// error is far below the final rounding, highest power first.
// (e^r - 1 - r) / r^2 on |r| <= 0.3466: error 1.4e-18.
const double ExpQ[] = {2.0914685161418067e-09, 2.5105214474751413e-08, 2.7557273647451087e-07,
                       2.7557255406285044e-06, 2.480158732554432e-05,
                       0.00019841269874815834, 0.001388888888888375,
                       0.008333333333326136,   0.04166666666666667,
                       0.1666666666666667,     0.5};
// 2^r on |r| <= 1/2: relative error 2e-9 (2^-29), for float results.
const double Exp2F[] = {0.0001546144469856913, 0.0013400428177615838,
                        0.009618056678524637,  0.05550327226670302,
                        0.24022650922288757,   0.6931472067028326, 1.0};
// (2 atanh(s) - 2s - 2s^3/3) / s^5 as a function of a = s^2 <= 0.0295:
// error 3e-16, scaled by s^4 <= 2^-10 in log(m).
const double LogTail[] = {0.12916088513173332, 0.1328575731452747,
                          0.15385580823628317, 0.18181808164729227,
                          0.2222222227161022,  0.2857142857133739,
                          0.4000000000000003};

/// x = k*ln2 + r, |r| <= ln2/2 (+ rounding); returns r, sets the integer k.
llvm::Value *reduceLn2(VecBuilder &v, llvm::Value *x, llvm::Value *&k) {
  llvm::Value *t = v.mulAdd(x, v.c(InvLn2), v.c(Round));
  k = v.b.CreateSub(v.toBits(t), v.toBits(v.c(Round)));
  llvm::Value *kd = v.b.CreateFSub(t, v.c(Round));
  llvm::Value *r = v.fma(kd, v.c(-Ln2Hi), x);
  return v.mulAdd(kd, v.c(-Ln2Lo), r);
}

/// x = 2^k * m, m in [sqrt(1/2), sqrt(2)), for finite x > 0 (subnormals
/// included); other lanes give garbage the callers replace.
llvm::Value *reduceLog(VecBuilder &v, llvm::Value *x, llvm::Value *&k,
                       bool ordinary) {
  auto &b = v.b;
  llvm::Value *ix = v.toBits(x), *tiny = nullptr;
  if (!ordinary) {
    tiny = b.CreateICmpULT(ix, v.ci(0x0010000000000000ULL));
    ix = v.select(tiny, v.toBits(b.CreateFMul(x, v.c(0x1p54))), ix);
  }
  llvm::Value *tmp = b.CreateSub(ix, v.ci(0x3fe6a09e667f3bcdULL));
  k = b.CreateAShr(tmp, v.ci(52));
  if (!ordinary)
    k = b.CreateSub(k, v.select(tiny, v.ci(54), v.ci(0)));
  llvm::Value *iz = b.CreateSub(ix, b.CreateAnd(tmp, v.ci(0xfffULL << 52)));
  return v.fromBits(iz);
}

/// log's value outside (0, inf): -inf at 0, inf at inf, NaN below 0/NaN.
llvm::Value *logSpecial(VecBuilder &v, llvm::Value *x) {
  auto &b = v.b;
  llvm::Value *inf = v.c(INFINITY);
  return v.select(b.CreateFCmpOEQ(x, v.c(0)), v.c(-INFINITY),
                  v.select(b.CreateFCmpOEQ(x, inf), inf, v.c(NAN)));
}

llvm::Value *logFinite(VecBuilder &v, llvm::Value *x) {
  auto &b = v.b;
  return b.CreateAnd(b.CreateFCmpOGT(x, v.c(0)),
                     b.CreateFCmpOLT(x, v.c(INFINITY)));
}

} // namespace

llvm::Value *expCore(VecBuilder &v, llvm::Value *x, llvm::Value *lo,
                     bool base2, bool ordinary) {
  auto &b = v.b;
  llvm::Value *xc = x;
  if (!ordinary) { // past these the result is inf or 0 (NaN stays)
    double hi = base2 ? 1025 : 710, low = base2 ? -1076 : -746;
    xc = v.select(b.CreateFCmpOGT(x, v.c(hi)), v.c(hi), x);
    xc = v.select(b.CreateFCmpOLT(xc, v.c(low)), v.c(low), xc);
  }
  llvm::Value *k, *p;
  if (base2) { // x - round(x) is exact
    llvm::Value *t = b.CreateFAdd(xc, v.c(Round));
    k = b.CreateSub(v.toBits(t), v.toBits(v.c(Round)));
    p = v.poly(b.CreateFSub(xc, b.CreateFSub(t, v.c(Round))), Exp2F);
  } else {
    llvm::Value *r = reduceLn2(v, xc, k);
    if (lo && !ordinary)
      lo = v.select(b.CreateFCmpOLT(v.abs(x), v.c(750)), lo, v.c(0));
    if (lo)
      r = b.CreateFAdd(r, lo);
    llvm::Value *t = v.mulAdd(b.CreateFMul(r, r), v.poly(r, ExpQ), r);
    p = b.CreateFAdd(t, v.c(1));
  }
  if (!ordinary)
    return v.scale(p, k);
  return b.CreateFMul(
      p, v.fromBits(b.CreateShl(b.CreateAdd(k, v.ci(1023)), v.ci(52))));
}

llvm::Value *expm1Core(VecBuilder &v, llvm::Value *u) {
  auto &b = v.b;
  llvm::Value *k;
  llvm::Value *r = reduceLn2(v, u, k);
  llvm::Value *p = v.mulAdd(b.CreateFMul(r, r), v.poly(r, ExpQ), r);
  // 2^k (1 + p) - 1 = 2^k p + (2^k - 1); exact 2^k - 1 for k <= 53.
  llvm::Value *s = v.fromBits(b.CreateShl(b.CreateAdd(k, v.ci(1023)), v.ci(52)));
  return v.mulAdd(s, p, b.CreateFSub(s, v.c(1)));
}

llvm::Value *logCore(VecBuilder &v, llvm::Value *x, bool base2,
                     bool ordinary) {
  auto &b = v.b;
  llvm::Value *k;
  llvm::Value *f = b.CreateFSub(reduceLog(v, x, k, ordinary), v.c(1));
  llvm::Value *s = b.CreateFDiv(f, b.CreateFAdd(f, v.c(2)));
  llvm::Value *z = b.CreateFMul(s, s);
  llvm::Value *w = b.CreateFMul(z, z);
  // fdlibm's Lg1..Lg7, split into even and odd powers of w.
  llvm::Value *t1 = b.CreateFMul(
      w, v.poly(w, {1.531383769920937332e-01, 2.222219843214978396e-01,
                      3.999999999940941908e-01}));
  llvm::Value *t2 = b.CreateFMul(
      z, v.poly(w, {1.479819860511658591e-01, 1.818357216161805012e-01,
                      2.857142874366239149e-01, 6.666666666666735130e-01}));
  llvm::Value *r = b.CreateFAdd(t2, t1);
  llvm::Value *hfsq = b.CreateFMul(b.CreateFMul(v.c(0.5), f), f);
  llvm::Value *dk = v.intToFp(k);
  llvm::Value *res;
  if (base2) { // k + log(m)/ln2: exact for powers of two
    llvm::Value *logm = b.CreateFSub(
        f, b.CreateFSub(hfsq, b.CreateFMul(s, b.CreateFAdd(hfsq, r))));
    res = v.mulAdd(logm, v.c(InvLn2), dk);
  } else { // dk*ln2hi - ((hfsq - (s*(hfsq+R) + dk*ln2lo)) - f)
    llvm::Value *inner = v.mulAdd(s, b.CreateFAdd(hfsq, r),
                                  b.CreateFMul(dk, v.c(Ln2Lo)));
    res = b.CreateFSub(b.CreateFMul(dk, v.c(Ln2Hi)),
                       b.CreateFSub(b.CreateFSub(hfsq, inner), f));
  }
  return ordinary ? res : v.select(logFinite(v, x), res, logSpecial(v, x));
}

DoubleDouble logDD(VecBuilder &v, llvm::Value *x, bool ordinary) {
  auto &b = v.b;
  llvm::Value *k;
  llvm::Value *f = b.CreateFSub(reduceLog(v, x, k, ordinary), v.c(1)); // exact
  // s = f / (2 + f) in two parts: d = dh + dl exactly, sh + sl = f / d.
  llvm::Value *dh = b.CreateFAdd(f, v.c(2));
  llvm::Value *dl = b.CreateFSub(f, b.CreateFSub(dh, v.c(2)));
  llvm::Value *rcp = b.CreateFDiv(v.c(1), dh);
  llvm::Value *sh = b.CreateFMul(f, rcp);
  llvm::Value *e = b.CreateFSub(v.fma(b.CreateFNeg(sh), dh, f),
                                b.CreateFMul(sh, dl));
  llvm::Value *sl = b.CreateFMul(e, rcp);
  // s^2 and s^3 in two parts.
  llvm::Value *a = b.CreateFMul(sh, sh);
  llvm::Value *al = v.fma(sh, sh, b.CreateFNeg(a));
  llvm::Value *c = b.CreateFMul(a, sh);
  llvm::Value *cl = b.CreateFAdd(
      v.fma(a, sh, b.CreateFNeg(c)),
      v.mulAdd(al, sh, b.CreateFMul(b.CreateFMul(v.c(3), a), sl)));
  // 2s^3/3 in two parts (2/3 = TwoThirds + TwoThirdsLo).
  constexpr double TwoThirds = 2.0 / 3, TwoThirdsLo = 3.700743415417188e-17;
  llvm::Value *t3 = b.CreateFMul(c, v.c(TwoThirds));
  llvm::Value *t3l = b.CreateFAdd(
      v.fma(c, v.c(TwoThirds), b.CreateFNeg(t3)),
      v.mulAdd(c, v.c(TwoThirdsLo), b.CreateFMul(cl, v.c(TwoThirds))));
  // 2s^5/5 + ...: below 2^-12 of the sum, plain doubles do.
  llvm::Value *t5 = b.CreateFMul(b.CreateFMul(c, a), v.poly(a, LogTail));
  llvm::Value *dk = v.intToFp(k);
  // |k ln2| >= 0.69 > |2s| unless k = 0, where the sum is 2s exactly.
  DoubleDouble s1 = v.fastTwoSum(b.CreateFMul(dk, v.c(Ln2Hi)),
                                 b.CreateFMul(v.c(2), sh));
  DoubleDouble s2 = v.fastTwoSum(s1.hi, t3);
  llvm::Value *lo = b.CreateFAdd(s1.lo, s2.lo);
  lo = b.CreateFAdd(lo, b.CreateFAdd(t3l, t5));
  lo = b.CreateFAdd(lo, v.mulAdd(dk, v.c(Ln2Lo), b.CreateFMul(v.c(2), sl)));
  DoubleDouble r = v.fastTwoSum(s2.hi, lo);
  if (ordinary)
    return r;
  llvm::Value *ok = logFinite(v, x);
  return {v.select(ok, r.hi, logSpecial(v, x)), v.select(ok, r.lo, v.c(0))};
}

// log2 of positive normal floats (ARM optimized-routines' powf scheme):
// z in [0.699, 1.398) in 16 intervals, r = z/c - 1 (|r| < 0.0297) with
// InvC = 1/c (c = 1 for the interval holding 1, so log2 is exact-ish near
// 1) and LogC = -log2(InvC); log2(1+r)/r to 2.4e-10 relative.
constexpr uint32_t Log2Off = 0x3f330000;
const double InvC[] = {
    1.3989071038251366, 1.3403141361256545, 1.2864321608040201,
    1.2367149758454106, 1.1906976744186046, 1.147982062780269,
    1.1082251082251082, 1.0711297071129706, 1.0364372469635628, 1.0,
    0.9481481481481482, 0.8951048951048951, 0.847682119205298,
    0.8050314465408805, 0.7664670658682635, 0.7314285714285714};
const double LogC[] = {
    -0.4843001617159575,  -0.4225711719642514, -0.3633753794563512,
    -0.3065130425006747,  -0.2518071504105397, -0.19910010007969525,
    -0.14825095858394247, -0.09913319201925132, -0.05163276841532236, 0.0,
    0.07681559705083084,  0.1598713367783894,  0.2384047393250789,
    0.3128829552843553,   0.38370429247405213, 0.4512111118323288};
const double Log2R[] = {0.2887653347793514, -0.36093780148231086,
                        0.4808982972806295, -0.7213474624834978,
                        1.4426950408889634};

llvm::Value *log2Float(VecBuilder &f, VecBuilder &d, llvm::Value *x) {
  auto &b = f.b;
  llvm::Value *ix = f.toBits(x);
  llvm::Value *tmp = b.CreateSub(ix, f.ci(Log2Off));
  llvm::Value *i = b.CreateAnd(b.CreateLShr(tmp, f.ci(19)), f.ci(15));
  llvm::Value *top = b.CreateAnd(tmp, f.ci(0xff800000u));
  llvm::Value *z = b.CreateFPExt(f.fromBits(b.CreateSub(ix, top)), d.fp);
  llvm::Value *k = b.CreateSIToFP(b.CreateAShr(top, f.ci(23)), d.fp);
  llvm::Value *i64 = b.CreateZExt(i, d.bits);
  llvm::Value *r = d.mulAdd(z, d.lookup16(InvC, i64), d.c(-1));
  llvm::Value *y0 = b.CreateFAdd(d.lookup16(LogC, i64), k);
  return d.mulAdd(r, d.poly(r, Log2R), y0);
}

llvm::Value *exp2Float(VecBuilder &f, VecBuilder &d, llvm::Value *z) {
  auto &b = f.b;
  llvm::Value *t = b.CreateFAdd(z, d.c(Round));
  llvm::Value *k = b.CreateTrunc(
      b.CreateSub(d.toBits(t), d.toBits(d.c(Round))), f.bits);
  llvm::Value *r = b.CreateFSub(z, b.CreateFSub(t, d.c(Round))); // exact
  llvm::Value *p = f.poly(b.CreateFPTrunc(r, f.fp), Exp2F);
  llvm::Value *s = f.fromBits(b.CreateShl(b.CreateAdd(k, f.ci(127)), f.ci(23)));
  return b.CreateFMul(p, s);
}

llvm::Value *isOrdinaryPositive(VecBuilder &v, llvm::Value *x) {
  bool f64 = v.fp->getScalarType()->isDoubleTy();
  uint64_t minNormal = f64 ? 0x0010000000000000ULL : 0x00800000;
  uint64_t span = f64 ? 0x7fe0000000000000ULL : 0x7f000000;
  return v.b.CreateICmpULT(v.b.CreateSub(v.toBits(x), v.ci(minNormal)),
                           v.ci(span));
}

} // namespace kiln::core::vecmath
