// Staged: an axis-reduction kernel lowered to passes (compile time) and run
// pass by pass over per-call temporaries (run time). See Staged.h.
#include "Staged.h"

#include "tensor/syntax/AxisShape.h"

#include "kiln/tensor/Syntax.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <new>
#include <unordered_map>
#include <unordered_set>

namespace kiln::tensor {
namespace {

// ---- Lowering: the body with each axis reduction replaced by a temporary.

bool isArg(ReduceOp op) {
  return op == ReduceOp::ArgMax || op == ReduceOp::ArgMin;
}

uint64_t bitsOf(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

/// Rewrites a typed body over "global" parameters: the kernel's own, then
/// one per axis reduction (its temporary). Each axis reduction's argument
/// becomes a whole-array reduction body of its own pass.
struct Lowering {
  std::vector<Param> globals;
  std::vector<ExprRef> reduceBodies;  ///< per temporary: whole reduction
  std::vector<const Expr *> reduceOf; ///< per temporary: the axis node
  std::unordered_map<const Expr *, ExprRef> memo;
  std::unordered_map<std::string, ExprRef> byKey; ///< axis reductions
  std::unordered_map<const Expr *, std::string> keys;
  std::vector<ExprRef> keep;

  /// A structural key: equal keys, equal values (kind, operator, type,
  /// literal, parameter and axis fields, then the children's keys).
  const std::string &keyOf(const Expr &e) {
    if (auto it = keys.find(&e); it != keys.end())
      return it->second;
    std::string k =
        "(" + std::to_string(int(e.kind)) + " " + std::to_string(int(e.type)) +
        " " + std::to_string(e.param) + " " + std::to_string(bitsOf(e.number)) +
        std::to_string(e.numberIsInt) + " " + std::to_string(int(e.unary)) +
        std::to_string(int(e.binary)) + " " + std::to_string(int(e.builtin)) +
        std::to_string(int(e.reduce)) + std::to_string(int(e.castTo)) + " " +
        std::to_string(e.hasAxis) + std::to_string(e.keepdims) +
        std::to_string(e.axis);
    for (const ExprRef &c : e.children)
      k += " " + keyOf(*c);
    return keys[&e] = k + ")";
  }

  ExprRef rewrite(const ExprRef &e) {
    if (auto it = memo.find(e.get()); it != memo.end())
      return it->second;
    auto n = std::make_shared<Expr>(*e);
    n->children.clear();
    for (const ExprRef &c : e->children)
      n->children.push_back(rewrite(c));
    ExprRef result = n;
    if (e->kind == ExprKind::Reduce && e->hasAxis) {
      // The same reduction written twice (softmax's two row maxima) is
      // one pass: keyed by its rewritten text.
      keep.push_back(n); // keys is keyed by address: no reuse
      std::string key = keyOf(*n);
      if (auto it = byKey.find(key); it != byKey.end())
        return memo[e.get()] = it->second;
      n->hasAxis = n->keepdims = n->isArray = false;
      n->axis = 0;
      reduceBodies.push_back(isArg(e->reduce) ? n->children[0] : n);
      reduceOf.push_back(e.get());
      globals.push_back({"axis." + std::to_string(reduceOf.size() - 1), e->type,
                         true, e->loc});
      auto p = std::make_shared<Expr>();
      p->kind = ExprKind::Param;
      p->loc = e->loc;
      p->type = e->type;
      p->isArray = true;
      p->param = unsigned(globals.size() - 1);
      result = byKey[key] = p;
    }
    return memo[e.get()] = result;
  }
};

void usedParams(const Expr &e, std::map<unsigned, unsigned> &used,
                std::unordered_set<const Expr *> &seen) {
  if (!seen.insert(&e).second)
    return;
  if (e.kind == ExprKind::Param)
    used.emplace(e.param, 0);
  for (const ExprRef &c : e.children)
    usedParams(*c, used, seen);
}

ExprRef renumber(const ExprRef &e, const std::map<unsigned, unsigned> &to,
                 std::unordered_map<const Expr *, ExprRef> &memo) {
  if (auto it = memo.find(e.get()); it != memo.end())
    return it->second;
  auto n = std::make_shared<Expr>(*e);
  if (n->kind == ExprKind::Param)
    n->param = to.at(e->param);
  n->children.clear();
  for (const ExprRef &c : e->children)
    n->children.push_back(renumber(c, to, memo));
  return memo[e.get()] = n;
}

/// A kernel computing `body` over only the globals it uses; `sources` gets
/// each parameter's origin (a call argument or kFromTemp + temporary).
Kernel passKernel(const std::string &name, const ExprRef &body,
                  const Lowering &low, size_t ownParams,
                  std::vector<int> &sources) {
  std::map<unsigned, unsigned> used;
  std::unordered_set<const Expr *> seen;
  usedParams(*body, used, seen);
  Kernel k;
  k.name = name;
  for (auto &[global, local] : used) {
    local = unsigned(k.params.size());
    k.params.push_back(low.globals[global]);
    sources.push_back(global < ownParams ? int(global)
                                         : kFromTemp + int(global - ownParams));
  }
  std::unordered_map<const Expr *, ExprRef> memo;
  k.body = renumber(body, used, memo);
  k.resultType = body->type;
  k.resultIsArray = body->isArray;
  k.loc = body->loc;
  return k;
}

// ---- Running: temporaries, rows, then the final pass.

struct Temp {
  std::vector<uint64_t> words;
  ArrayView view;
};

/// Stores a pass's scalar result as element `i` of `t`.
void store(Temp &t, int64_t i, const Scalar &s) {
  char *p = static_cast<char *>(t.view.data) + i * dtypeSize(t.view.dtype);
  switch (t.view.dtype) {
  case DType::Bool: *reinterpret_cast<uint8_t *>(p) = s.i != 0; return;
  case DType::I32: *reinterpret_cast<int32_t *>(p) = int32_t(s.i); return;
  case DType::I64: *reinterpret_cast<int64_t *>(p) = s.i; return;
  case DType::F32: *reinterpret_cast<float *>(p) = float(s.f); return;
  case DType::F64: *reinterpret_cast<double *>(p) = s.f; return;
  }
}

Arg sourceArg(int source, const Arg *args, const std::vector<Temp> &temps) {
  return source >= kFromTemp ? Arg::of(temps[size_t(source - kFromTemp)].view)
                             : args[source];
}

/// Element strides of `v` broadcast to `shape` (aligned at the right).
std::vector<int64_t> broadcastStrides(const ArrayView &v,
                                      const syntax::Shape &shape) {
  std::vector<int64_t> s(shape.size(), 0);
  for (int d = 0; d < v.rank; ++d) {
    size_t to = shape.size() - size_t(v.rank) + size_t(d);
    s[to] = v.shape[d] == 1 ? 0 : v.strides[d];
  }
  return s;
}

/// Element `p` of dtype `type` as a Scalar.
Scalar load(DType type, const void *p) {
  switch (type) {
  case DType::Bool: return Scalar::boolean(*static_cast<const uint8_t *>(p));
  case DType::I32: return Scalar::i32(*static_cast<const int32_t *>(p));
  case DType::I64: return Scalar::i64(*static_cast<const int64_t *>(p));
  case DType::F32: return Scalar::f32(*static_cast<const float *>(p));
  case DType::F64: return Scalar::f64(*static_cast<const double *>(p));
  }
  return {};
}

/// Whether this call can use the pass's rowKernel: every parameter it
/// takes as a scalar does not move along the row (stride 0 on `axis`).
bool rowConstant(const StagedPass &pass,
                 const std::vector<std::vector<int64_t>> &strides,
                 const syntax::Shape &shape, size_t axis) {
  if (!pass.rowKernel)
    return false;
  for (size_t k = 0; k < pass.asScalar.size(); ++k)
    if (pass.asScalar[k] && strides[k][axis] != 0 && shape[axis] > 1)
      return false;
  return true;
}

/// One row of a reduction pass: the pass's reduction kernel on the row's
/// views, or for argmax/argmin its elementwise argument kernel into a row
/// buffer that is then scanned (syntax::argBest).
struct RowCall {
  const CompiledKernel &kernel;
  const Expr &reduce;
  std::vector<uint64_t> buffer;
  ArrayView row;

  RowCall(const CompiledKernel &k, const Expr &r, int64_t length)
      : kernel(k), reduce(r) {
    if (!isArg(r.reduce))
      return;
    DType t = r.children[0]->type;
    buffer.assign(size_t(length) * dtypeSize(t) / 8 + 1, 0);
    row = ArrayView::contiguous(buffer.data(), t, {length});
  }

  Status run(const std::vector<Arg> &at, unsigned threads, Scalar &s) {
    if (!isArg(reduce.reduce))
      return kernel.run(at.data(), at.size(), nullptr, &s, threads);
    if (Status ran = kernel.run(at.data(), at.size(), &row, nullptr, threads);
        !ran)
      return ran;
    s = Scalar::i64(syntax::argBest(row.dtype, row.data, row.shape[0], 1,
                                    reduce.reduce == ReduceOp::ArgMax));
    return {};
  }
};

/// Runs a reduction pass once per row along `axis` of its argument's
/// `shape`, each on 1-D views, into temporary `dst` (row-major order).
Status runRows(const StagedPass &pass, const Arg *args,
               const std::vector<Temp> &temps, const syntax::Shape &shape,
               size_t axis, Temp &dst, unsigned threads) {
  std::vector<Arg> row;
  std::vector<std::vector<int64_t>> strides;
  for (int source : pass.sources) {
    Arg a = sourceArg(source, args, temps);
    strides.push_back(a.isArray ? broadcastStrides(a.array, shape)
                                : std::vector<int64_t>(shape.size(), 0));
    if (a.isArray) {
      a.array.rank = 1;
      a.array.shape[0] = shape[axis];
      a.array.strides[0] = strides.back()[axis];
    }
    row.push_back(a);
  }
  const bool scalars = rowConstant(pass, strides, shape, axis);
  RowCall call(scalars ? *pass.rowKernel : *pass.kernel, *pass.reduce,
               shape[axis]);
  std::vector<Arg> at = row;
  std::vector<int64_t> idx(shape.size(), 0);
  const int64_t rows = dst.view.size();
  for (int64_t i = 0; i < rows; ++i) {
    for (size_t k = 0; k < row.size(); ++k) {
      if (!row[k].isArray)
        continue;
      int64_t off = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        off += idx[d] * strides[k][d];
      at[k].array.data = static_cast<char *>(row[k].array.data) +
                         off * int64_t(dtypeSize(row[k].array.dtype));
      if (scalars && pass.asScalar[k])
        at[k] = Arg::of(load(row[k].array.dtype, at[k].array.data));
    }
    Scalar s;
    if (Status ran = call.run(at, threads, s); !ran)
      return ran;
    store(dst, i, s);
    for (size_t d = shape.size(); d-- > 0;) // next index, skipping `axis`
      if (d != axis && ++idx[d] < shape[d])
        break;
      else if (d != axis)
        idx[d] = 0;
  }
  return {};
}

/// The identity of `op` as element `i` of `t` (min: +inf / INT_MAX / true).
void storeIdentity(Temp &t, int64_t i, ReduceOp op) {
  DType d = t.view.dtype;
  bool isMin = op == ReduceOp::Min, extreme = isMin || op == ReduceOp::Max;
  double inf = isMin ? INFINITY : -INFINITY;
  int64_t big = d == DType::I32   ? (isMin ? INT32_MAX : INT32_MIN)
                : d == DType::I64 ? (isMin ? INT64_MAX : INT64_MIN)
                                  : int64_t(isMin);
  double one = op == ReduceOp::Prod ? 1 : 0;
  store(t, i, Scalar{d, extreme ? inf : one, extreme ? big : int64_t(one)});
}

/// Whether slices (one call per position along the axis, each over all
/// other positions) beat rows (one call per row): fewer calls of ~100
/// elements' overhead each, strided elements counted 4 times.
bool preferColumns(const StagedPass &pass, const syntax::Shape &shape,
                   size_t axis, int64_t rows) {
  if (!pass.columnKernel)
    return false;
  const double call = 100, length = double(shape[axis]);
  const bool last = axis + 1 == shape.size();
  double byRows = double(rows) * (call + length * (last ? 1 : 4));
  double bySlices = length * (call + double(rows) * (last ? 4 : 1));
  return bySlices < byRows;
}

/// The reduction by slices into `dst` (see StagedPass::columnKernel).
Status runColumns(const StagedPass &pass, const Arg *args,
                  const std::vector<Temp> &temps, const syntax::Shape &shape,
                  size_t axis, Temp &dst, unsigned threads) {
  syntax::Shape rest = shape;
  rest.erase(rest.begin() + long(axis));
  ArrayView acc = ArrayView::contiguous(dst.view.data, dst.view.dtype, rest);
  for (int64_t i = 0; i < dst.view.size(); ++i)
    storeIdentity(dst, i, pass.reduce->reduce);
  std::vector<Arg> call{Arg::of(acc)};
  std::vector<int64_t> step; // element stride along the axis, per argument
  for (int source : pass.sources) {
    Arg a = sourceArg(source, args, temps);
    std::vector<int64_t> s = a.isArray ? broadcastStrides(a.array, shape)
                                       : std::vector<int64_t>(shape.size());
    step.push_back(s[axis]);
    if (a.isArray) {
      s.erase(s.begin() + long(axis));
      a.array.rank = int(rest.size());
      std::copy(rest.begin(), rest.end(), a.array.shape);
      std::copy(s.begin(), s.end(), a.array.strides);
    }
    call.push_back(a);
  }
  std::vector<Arg> at = call;
  for (int64_t i = 0; i < shape[axis]; ++i) {
    for (size_t k = 1; k < call.size(); ++k)
      if (call[k].isArray)
        at[k].array.data =
            static_cast<char *>(call[k].array.data) +
            i * step[k - 1] * int64_t(dtypeSize(call[k].array.dtype));
    if (Status ran = pass.columnKernel->run(at, &acc, nullptr, threads); !ran)
      return ran;
  }
  if (!pass.scaleKernel)
    return {};
  Scalar n{acc.dtype, double(shape[axis]), 0};
  return pass.scaleKernel->run({Arg::of(acc), Arg::of(n)}, &acc, nullptr,
                               threads);
}

/// A temporary with `shape` and `type`; throws bad_alloc.
Temp makeTemp(DType type, const syntax::Shape &shape) {
  Temp t;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  t.words.assign(size_t(n * dtypeSize(type) + 15) / 8, 0);
  t.view = ArrayView::contiguous(t.words.data(), type, shape);
  return t;
}

Status runPasses(const CompiledKernel::Impl &impl, const Arg *args,
                 size_t count, ArrayView *out, Scalar *result,
                 unsigned threads) {
  std::vector<Arg> all(args, args + count);
  if (Status call = checkCall(impl.Signature, all, out); !call)
    return call;
  syntax::ShapeMap shapes;
  syntax::nodeShapes(impl.Signature, all, shapes); // checked just above
  const StagedKernel &staged = *impl.Staged;
  std::vector<Temp> temps;
  for (const StagedPass &pass : staged.passes) {
    if (!pass.reduce) {
      std::vector<Arg> final;
      for (int source : pass.sources)
        final.push_back(sourceArg(source, args, temps));
      return pass.kernel->run(final, out, result, threads);
    }
    const syntax::Shape &argShape = shapes[pass.reduce->children[0].get()];
    temps.push_back(makeTemp(pass.reduce->type, shapes[pass.reduce]));
    size_t axis = size_t(syntax::normalAxis(*pass.reduce, argShape.size()));
    auto run = preferColumns(pass, argShape, axis, temps.back().view.size())
                   ? runColumns
                   : runRows;
    if (Status ran =
            run(pass, args, temps, argShape, axis, temps.back(), threads);
        !ran)
      return ran;
  }
  return {};
}

Status runStaged(const CompiledKernel::Impl &impl, const Arg *args,
                 size_t count, ArrayView *out, Scalar *result,
                 unsigned threads) {
  try {
    return runPasses(impl, args, count, out, result, threads);
  } catch (const std::bad_alloc &) {
    Diagnostic d = errorDiagnostic(
        "out of memory for the temporaries of an axis reduction");
    d.kind = ErrorKind::Runtime;
    return d;
  }
}

/// Compiles pass.rowKernel when some temporary it reads is constant along
/// its rows: an earlier keepdims reduction along the same axis. A variant
/// that no longer type-checks (no array left to reduce) is not made.
Status addRowKernel(StagedPass &pass, const Kernel &k, const Lowering &low,
                    const CompileOne &compileOne) {
  Kernel row = k;
  bool any = false;
  pass.asScalar.assign(k.params.size(), false);
  for (size_t q = 0; q < k.params.size(); ++q) {
    int source = pass.sources[q];
    if (source < kFromTemp)
      continue;
    const Expr &earlier = *low.reduceOf[size_t(source - kFromTemp)];
    if (earlier.keepdims && earlier.axis == pass.reduce->axis)
      any = pass.asScalar[q] = true, row.params[q].isArray = false;
  }
  if (!any || !typeCheck(row).empty())
    return {};
  auto compiled = compileOne(row);
  if (!compiled)
    return compiled.takeDiagnostics();
  pass.rowKernel = std::move(*compiled);
  return {};
}

std::shared_ptr<Expr> newNode(ExprKind kind, std::vector<ExprRef> kids,
                              SourceLoc loc) {
  auto n = std::make_shared<Expr>();
  n->kind = kind;
  n->loc = loc;
  n->children = std::move(kids);
  return n;
}

/// `acc OP arg`, untyped (typeCheck types it): the step of reduction `op`.
ExprRef combineNode(ReduceOp op, DType argType, ExprRef acc, ExprRef arg) {
  SourceLoc loc = arg->loc;
  if (op == ReduceOp::Mean && !isFloat(argType)) { // integer means: f64
    auto cast = newNode(ExprKind::Cast, {arg}, loc);
    cast->castTo = DType::F64;
    arg = cast;
  }
  const bool isBool = argType == DType::Bool;
  if (op == ReduceOp::Min || op == ReduceOp::Max) {
    if (!isBool) {
      auto n = newNode(ExprKind::Call, {acc, arg}, loc);
      n->builtin = op == ReduceOp::Min ? Builtin::Min : Builtin::Max;
      return n;
    }
  }
  auto n = newNode(ExprKind::Binary, {acc, arg}, loc);
  n->binary = op == ReduceOp::Prod  ? BinaryOp::Mul
              : op == ReduceOp::Min ? BinaryOp::And
              : op == ReduceOp::Max ? BinaryOp::Or
                                    : BinaryOp::Add;
  return n;
}

ExprRef accParam(unsigned index, SourceLoc loc) {
  auto p = newNode(ExprKind::Param, {}, loc);
  p->param = index;
  return p;
}

/// pass.columnKernel (and mean's scaleKernel) for a reduction pass whose
/// kernel is `k` (a whole-array reduction over k's parameters).
Status addColumnKernels(StagedPass &pass, const Kernel &k,
                        const CompileOne &compileOne) {
  const Expr &r = *pass.reduce;
  if (isArg(r.reduce))
    return {};
  Kernel col;
  col.name = k.name + "_slices";
  col.params.push_back({"axis.acc", r.type, true, r.loc});
  std::map<unsigned, unsigned> shift;
  for (unsigned q = 0; q < k.params.size(); ++q)
    shift[q] = q + 1, col.params.push_back(k.params[q]);
  std::unordered_map<const Expr *, ExprRef> memo;
  const ExprRef &arg = k.body->children[0];
  col.body = combineNode(r.reduce, arg->type, accParam(0, r.loc),
                         renumber(arg, shift, memo));
  col.resultType = r.type;
  if (!typeCheck(col).empty())
    return {}; // rows only
  auto compiled = compileOne(col);
  if (!compiled)
    return compiled.takeDiagnostics();
  if (r.reduce == ReduceOp::Mean) {
    Kernel scale;
    scale.name = k.name + "_mean";
    scale.params = {{"axis.acc", r.type, true, r.loc},
                    {"axis.n", r.type, false, r.loc}};
    scale.body = newNode(ExprKind::Binary,
                         {accParam(0, r.loc), accParam(1, r.loc)}, r.loc);
    std::const_pointer_cast<Expr>(scale.body)->binary = BinaryOp::Div;
    scale.resultType = r.type;
    if (!typeCheck(scale).empty())
      return {};
    auto scaled = compileOne(scale);
    if (!scaled)
      return scaled.takeDiagnostics();
    pass.scaleKernel = std::move(*scaled);
  }
  pass.columnKernel = std::move(*compiled);
  return {};
}

} // namespace

Expected<std::shared_ptr<CompiledKernel>>
compileStaged(Engine::Impl &engine, const Kernel &kernel,
              const CompileOne &compileOne) {
  Lowering low;
  low.globals = kernel.params;
  ExprRef body = low.rewrite(kernel.body);
  auto staged = std::make_shared<StagedKernel>();
  for (size_t t = 0; t <= low.reduceBodies.size(); ++t) {
    bool last = t == low.reduceBodies.size();
    StagedPass pass;
    pass.reduce = last ? nullptr : low.reduceOf[t];
    Kernel k =
        passKernel(kernel.name + (last ? "" : "_axis" + std::to_string(t)),
                   last ? body : low.reduceBodies[t], low, kernel.params.size(),
                   pass.sources);
    if (last) {
      k.resultIsArray = kernel.resultIsArray;
      k.resultType = kernel.resultType;
    }
    auto compiled = compileOne(k);
    if (!compiled)
      return compiled.takeDiagnostics();
    pass.kernel = std::move(*compiled);
    if (!last && !isArg(pass.reduce->reduce))
      if (auto err = addRowKernel(pass, k, low, compileOne); !err)
        return err.takeDiagnostics();
    if (!last)
      if (auto err = addColumnKernels(pass, k, compileOne); !err)
        return err.takeDiagnostics();
    staged->passes.push_back(std::move(pass));
  }
  auto impl = std::make_unique<CompiledKernel::Impl>();
  impl->Signature = kernel;
  impl->Owner = &engine;
  impl->Staged = std::move(staged);
  impl->Plan.run = runStaged;
  return std::make_shared<CompiledKernel>(std::move(impl));
}

} // namespace kiln::tensor
