// VecMathCores: exp, expm1 and log on <W x double>.
//
// Tables only of 16 entries (lookup16: a register permute on AVX-512; a
// gather per lane costs more than the extra polynomial terms on the CPUs
// measured), and no target intrinsic otherwise, so the same IR serves
// every vector width.
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

namespace {

// log for pow (ARM optimized-routines' pow log_inline, with 16 entries so
// that the lookups are register permutes): z = x / 2^k in [0.7057, 1.4115)
// in 16 intervals; InvC = 1/c has so few bits that r = z*InvC - 1 is exact
// in one fma (|r| < 0.0385), and InvC = 1 on the interval holding 1.
// LogC = -log(InvC) rounded to a multiple of 2^-42, so k*Ln2Hi42 + LogC is
// exact; LogCTail is the rest. PowLogQ: (log1p(r) - r + r^2/2) / (-r^3/2)
// (mpmath.chebyfit, relative error of log1p below 2^-74).
constexpr uint64_t PowLogOff = 0x3fe6955500000000ULL;
constexpr double Ln2Hi42 = 0x1.62e42fefa3800p-1; // 42 significant bits
constexpr double Ln2Lo42 = 0x1.ef35793c76730p-45;
const double PowInvC[] = {1.375,   1.3125, 1.28125,  1.21875,
                          1.1875,  1.125,  1.09375,  1.0625,
                          1.03125, 1.0,    0.9375,   0.875,
                          0.84375, 0.796875, 0.75,   0.71875};
const double PowLogC[] = {
    -0.31845373111855224, -0.2719337154835557,  -0.2478361639045943,
    -0.19782574332998593, -0.17185025692674571, -0.11778303565643,
    -0.08961215868976069, -0.06062462181648698, -0.03077165866670839,
    0.0,                  0.0645385211375924,   0.13353139262449076,
    0.16989903679541385,  0.22705745063535687,  0.28768207245184385,
    0.33024168687052224};
const double PowLogCTail[] = {
    1.7625431312172662e-14, -8.604306772808733e-14, 1.3029797173308663e-14,
    6.604544877082384e-14,  8.649239607212071e-14,  4.654729747598445e-14,
    7.355770219435029e-14,  5.213620639136504e-14,  -4.529814257790929e-14,
    0.0,                    -2.1225608044809997e-14, 3.1859736349078334e-14,
    -1.6376276414097503e-14, -1.078736749871691e-14, -6.292357389008195e-14,
    5.4612144489920215e-14};
const double PowLogQ[] = {
    0.16719472465835047,  -0.1823868482815049,  0.19999931780590033,
    -0.22222148757102375, 0.2500000003595903,   -0.2857142861015255,
    0.333333333333267,    -0.3999999999999286,  0.5,
    -0.6666666666666666};

// e^z for pow: z = (k + j/16) ln2 + r, |r| <= ln2/32, 2^(j/16) from a
// table (ARM's exp_inline with 16 entries, the scaling by 2^k done by
// scaleFloor): Exp2T[j] is 2^(j/16) rounded, PowExpTail[j] its rounding
// error relative to it. PowExpQ: (e^r - 1 - r) / r^2, e^r to 2^-64
// relative.
const double Exp2T[] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0,
    0x1.2387a6e756238p+0, 0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0,
    0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0, 0x1.6a09e667f3bcdp+0,
    0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0,
    0x1.ea4afa2a490dap+0};
constexpr double Shift16 = 0x1.8p52 / 16; // adding it rounds to 1/16
const double PowExpTail[] = {
    0.0,                    8.189317638195515e-17,  -2.7939114859515733e-17,
    7.826573258636076e-17,  3.3484623336251524e-17, 3.750854201303127e-17,
    1.9572585293112036e-17, 5.68648095791174e-17,   -6.835808657661922e-17,
    -2.3591094770850053e-17, 5.1548301170786783e-17, 1.5341410053603723e-17,
    4.875160526227062e-17,  1.685487290628973e-17,  1.790126907604513e-17,
    -5.545065618639427e-17};
// 2^r on |r| <= 1/32 to 2^-29.7 relative (float results).
const double Exp2Q[] = {0.05550541078283726, 0.24023589979184537,
                        0.6931471804009951, 0.9999999988534117};
const double PowExpQ[] = {0.00019841471622935791, 0.0013889070492589719,
                          0.00833333333296396,    0.04166666666334231,
                          0.16666666666666669,    0.5000000000000001};

/// x = 2^k z for pow's log: z, k as doubles and the table index.
struct PowLogReduced {
  llvm::Value *z, *kd, *idx;
};

PowLogReduced reducePowLog(VecBuilder &v, llvm::Value *x, bool ordinary) {
  auto &b = v.b;
  llvm::Value *ix = v.toBits(x), *tiny = nullptr;
  if (!ordinary) { // subnormals: scale up by 2^52 first
    tiny = b.CreateICmpULT(ix, v.ci(0x0010000000000000ULL));
    ix = v.select(tiny, v.toBits(b.CreateFMul(x, v.c(0x1p52))), ix);
  }
  llvm::Value *tmp = b.CreateSub(ix, v.ci(PowLogOff));
  llvm::Value *idx = b.CreateLShr(tmp, v.ci(48)); // lookup16 takes 4 bits
  llvm::Value *k = b.CreateAShr(tmp, v.ci(52));
  if (!ordinary)
    k = b.CreateSub(k, v.select(tiny, v.ci(52), v.ci(0)));
  llvm::Value *iz = b.CreateSub(ix, b.CreateAnd(tmp, v.ci(0xfffULL << 52)));
  return {v.fromBits(iz), b.CreateSIToFP(k, v.fp), idx};
}

} // namespace

DoubleDouble logDD(VecBuilder &v, llvm::Value *x, bool ordinary) {
  auto &b = v.b;
  PowLogReduced red = reducePowLog(v, x, ordinary);
  llvm::Value *r = v.fma(red.z, v.lookup16(PowInvC, red.idx), v.c(-1)); // exact
  // log x = k ln2 + logc + log1p(r), summed as ARM's log_inline does.
  llvm::Value *t1 = v.mulAdd(red.kd, v.c(Ln2Hi42), v.lookup16(PowLogC, red.idx));
  llvm::Value *t2 = b.CreateFAdd(t1, r);
  llvm::Value *lo1 =
      v.mulAdd(red.kd, v.c(Ln2Lo42), v.lookup16(PowLogCTail, red.idx));
  llvm::Value *lo2 = b.CreateFAdd(b.CreateFSub(t1, t2), r);
  llvm::Value *ar = b.CreateFMul(r, v.c(-0.5));
  llvm::Value *ar2 = b.CreateFMul(r, ar);
  llvm::Value *ar3 = b.CreateFMul(r, ar2);
  llvm::Value *hi = b.CreateFAdd(t2, ar2);
  llvm::Value *lo3 = v.fma(ar, r, b.CreateFNeg(ar2));
  llvm::Value *lo4 = b.CreateFAdd(b.CreateFSub(t2, hi), ar2);
  llvm::Value *p = b.CreateFMul(ar3, v.poly(r, PowLogQ));
  llvm::Value *lo = b.CreateFAdd(b.CreateFAdd(lo1, lo2), b.CreateFAdd(lo3, lo4));
  DoubleDouble out = v.fastTwoSum(hi, b.CreateFAdd(lo, p));
  if (ordinary)
    return out;
  llvm::Value *ok = logFinite(v, x);
  return {v.select(ok, out.hi, logSpecial(v, x)), v.select(ok, out.lo, v.c(0))};
}

llvm::Value *expTable(VecBuilder &v, DoubleDouble z) {
  auto &b = v.b;
  llvm::Value *t = v.mulAdd(z.hi, v.c(InvLn2), v.c(Shift16));
  llvm::Value *j = v.toBits(t); // low 4 bits: those of round(16 z / ln2)
  llvm::Value *kd = b.CreateFSub(t, v.c(Shift16)); // k + j/16
  llvm::Value *r = v.fma(kd, v.c(-Ln2Hi), z.hi); // exact
  r = b.CreateFAdd(v.mulAdd(kd, v.c(-Ln2Lo), r), z.lo);
  llvm::Value *tj = v.scaleFloor(v.lookup16(Exp2T, j), kd); // 2^(k + j/16)
  llvm::Value *tmp = b.CreateFAdd(
      b.CreateFAdd(v.lookup16(PowExpTail, j), r),
      b.CreateFMul(b.CreateFMul(r, r), v.poly(r, PowExpQ)));
  return v.mulAdd(tj, tmp, tj);
}

// log2 of doubles widened from positive normal floats (ARM
// optimized-routines' powf scheme): z in [0.699, 1.398) in 16 intervals, r = z/c - 1 (|r| < 0.0297) with
// InvC = 1/c (c = 1 for the interval holding 1, so log2 is exact-ish near
// 1) and LogC = -log2(InvC); log2(1+r)/r to 2.4e-10 relative.
constexpr uint64_t Log2OffD = 0x3fe6600000000000ULL; // the float 0x3f330000
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

llvm::Value *log2Double(VecBuilder &d, llvm::Value *x) {
  auto &b = d.b;
  llvm::Value *ix = d.toBits(x);
  llvm::Value *tmp = b.CreateSub(ix, d.ci(Log2OffD));
  llvm::Value *i = b.CreateLShr(tmp, d.ci(48)); // lookup16 takes 4 bits
  llvm::Value *top = b.CreateAnd(tmp, d.ci(0xfffULL << 52));
  llvm::Value *z = d.fromBits(b.CreateSub(ix, top));
  llvm::Value *k = b.CreateSIToFP(b.CreateAShr(tmp, d.ci(52)), d.fp);
  llvm::Value *r = d.mulAdd(z, d.lookup16(InvC, i), d.c(-1));
  llvm::Value *y0 = b.CreateFAdd(d.lookup16(LogC, i), k);
  // y0 + r c4 + r^2 (c3 + c2 r + r^2 (c1 + c0 r)): the chain is 3
  // multiply-adds after r^2, Horner's 5 (the loop is latency-bound).
  llvm::Value *r2 = b.CreateFMul(r, r);
  llvm::Value *hi = d.mulAdd(d.c(Log2R[0]), r, d.c(Log2R[1]));
  llvm::Value *mid = d.mulAdd(d.c(Log2R[2]), r, d.c(Log2R[3]));
  return d.mulAdd(r2, d.mulAdd(r2, hi, mid), d.mulAdd(r, d.c(Log2R[4]), y0));
}

llvm::Value *exp2Double(VecBuilder &d, llvm::Value *z) {
  auto &b = d.b;
  llvm::Value *t = b.CreateFAdd(z, d.c(Shift16));
  llvm::Value *kd = b.CreateFSub(t, d.c(Shift16)); // round(16 z) / 16
  llvm::Value *r = b.CreateFSub(z, kd);             // exact
  // Scaling the table entry first keeps it off the polynomial's chain.
  llvm::Value *scale = d.scaleFloor(d.lookup16(Exp2T, d.toBits(t)), kd);
  return b.CreateFMul(scale, d.horner(r, Exp2Q));
}

llvm::Value *isOrdinaryPositive(VecBuilder &v, llvm::Value *x) {
  bool f64 = v.fp->getScalarType()->isDoubleTy();
  uint64_t minNormal = f64 ? 0x0010000000000000ULL : 0x00800000;
  uint64_t span = f64 ? 0x7fe0000000000000ULL : 0x7f000000;
  return v.b.CreateICmpULT(v.b.CreateSub(v.toBits(x), v.ci(minNormal)),
                           v.ci(span));
}

} // namespace kiln::core::vecmath
