// AotStagedGen: an axis-reduction kernel in an AOT library — its passes'
// kernels emitted into the object like any other, and a generated C wrapper
// holding the plan and the shape program as static tables
// (engine/StagedAbi.h, aot/AotStaged.h) that calls kt_aot_staged_call.
//
// The plan is the JIT's (engine/StagedLower.h), run by the same C runner,
// so an AOT call reduces the same rows and slices in the same order.
#include "AotStagedGen.h"
#include "AotEntry.h"
#include "tensor/engine/StagedLower.h"
#include "tensor/irgen/IRGen.h"

#include "kiln/tensor/Array.h"

#include <unordered_map>

namespace kiln::tensor::aot {
namespace {

std::string num(long long v) { return std::to_string(v); }

/// `var`: a static kt_kernel_fns of typed kernel `k`, after the extern
/// declarations of its loops.
std::string fnsTable(const Kernel &k, const std::string &var) {
  auto sym = irgen::symbolsFor(k);
  bool red = !k.resultIsArray;
  const char *sig = "(const int64_t *, int64_t, int64_t, void *);\n";
  std::string s = "extern void " + sym.flat + sig + "extern void " +
                  sym.strided + sig;
  if (red)
    s += "extern void " + sym.combine + "(void *, const void *);\n" +
         "extern void " + sym.finish +
         "(const int64_t *, const void *, void *);\n";
  s += "static const unsigned char " + var + "_es[] = {";
  for (const Param &p : k.params)
    s += num(p.isArray ? dtypeSize(p.type) : 0) + ", ";
  s += num(red ? 0 : dtypeSize(k.resultType)) + "};\n";
  s += "static const kt_kernel_fns " + var + " = {" + sym.flat + ", " +
       sym.strided + ", " + (red ? sym.combine : "0") + ", " +
       (red ? sym.finish : "0") + ", " + num(k.params.size() + 1) + ", " +
       num(irgen::reductionsOf(k).size()) + ", " + var + "_es, 0, 0};\n";
  return s;
}

/// The shape program (AotStaged.h): one row per node, children first.
struct ShapeProgram {
  const Kernel &K;
  std::unordered_map<const Expr *, int> index;
  std::string rows;
  int count = 0;

  int visit(const Expr &e) {
    if (auto it = index.find(&e); it != index.end())
      return it->second;
    std::vector<int> kids;
    for (const ExprRef &c : e.children)
      kids.push_back(visit(*c));
    std::string kind = "KT_SHAPE_SCALAR", extra = "0, 0, {0}, 0, 0, 0, 0";
    if (e.kind == ExprKind::Param && K.params[e.param].isArray) {
      kind = "KT_SHAPE_PARAM";
      extra = num(e.param) + ", 0, {0}, 0, 0, 0, 0";
    } else if (e.kind == ExprKind::Reduce && e.hasAxis) {
      bool noIdentity = e.reduce != ReduceOp::Sum &&
                        e.reduce != ReduceOp::Prod &&
                        e.reduce != ReduceOp::Mean;
      kind = "KT_SHAPE_AXIS";
      std::string axes = num(e.axis);
      for (int a : e.moreAxes)
        axes += ", " + num(a);
      extra = "0, " + num(1 + e.moreAxes.size()) + ", {" + axes + "}, " +
              num(e.keepdims) + ", " + num(noIdentity) + ", \"" +
              reduceName(e.reduce) + "\", \"" + axisText(e) + "\"";
    } else if (e.kind != ExprKind::Reduce && !kids.empty()) {
      kind = "KT_SHAPE_EACH";
    }
    kids.resize(3, 0);
    rows += "  {" + kind + ", " + num(e.children.size()) + ", {" +
            num(kids[0]) + ", " + num(kids[1]) + ", " + num(kids[2]) + "}, " +
            extra + "},\n";
    return index[&e] = count++;
  }
};

/// A pass's `naxes, {axes}`.
std::string axesEntry(const std::vector<int> &axes) {
  std::string s = num(axes.size()) + ", {";
  for (size_t a = 0; a < axes.size(); ++a)
    s += (a ? ", " : "") + num(axes[a]);
  return s + "}";
}

/// The C table entry of pass t (its kernels' tables come first in `s`).
std::string passEntry(const LoweredPass &p, const std::string &v,
                      std::string &s) {
  s += fnsTable(p.kernel, v);
  std::string row = "0", asScalar = "0", col = "0", scale = "0";
  if (p.row) {
    s += fnsTable(*p.row, v + "_row");
    s += "static const unsigned char " + v + "_sc[] = {";
    for (bool b : p.asScalar)
      s += num(b) + ", ";
    s += "0};\n";
    row = "&" + v + "_row", asScalar = v + "_sc";
  }
  if (p.column)
    s += fnsTable(*p.column, v + "_col"), col = "&" + v + "_col";
  if (p.scale)
    s += fnsTable(*p.scale, v + "_scale"), scale = "&" + v + "_scale";
  s += "static const int32_t " + v + "_src[] = {";
  for (int source : p.sources)
    s += num(source) + ", ";
  s += "0};\n";
  return "  {&" + v + ", " + row + ", " + asScalar + ", " + col + ", " +
         scale + ", " + v + "_src, " + num(p.sources.size()) + ", " +
         num(p.op) + ", " + axesEntry(p.axes) + ", " + num(p.keepdims) + ", " +
         num(int(p.dtype)) + ", " + num(int(p.argDtype)) + "},\n";
}

} // namespace

std::vector<Kernel> expandStaged(const std::vector<Kernel> &kernels) {
  std::vector<Kernel> out;
  for (const Kernel &k : kernels) {
    // A kernel that cannot be lowered stays: buildKernelModule says why.
    auto passes = reducesAlongAxis(k) ? lowerStaged(k)
                                      : Expected<std::vector<LoweredPass>>(
                                            std::vector<LoweredPass>{});
    if (!passes || passes->empty()) {
      out.push_back(k);
      continue;
    }
    for (LoweredPass &p : *passes)
      for (std::optional<Kernel> *v : {&p.row, &p.column, &p.scale})
        if (*v)
          out.push_back(std::move(**v));
    for (LoweredPass &p : *passes)
      out.push_back(std::move(p.kernel));
  }
  return out;
}

Expected<std::string> stagedWrapper(const Kernel &k,
                                    const std::string &prototype,
                                    const std::vector<std::string> &names) {
  auto tables = stagedTables(k);
  if (!tables)
    return tables;
  return *tables + exportedEntry(k, prototype, names, "kt_aot_staged_call",
                                 "kt_" + k.name + "_staged");
}

Expected<std::string> stagedTables(const Kernel &k) {
  auto passes = lowerStaged(k);
  if (!passes)
    return passes.takeDiagnostics();
  std::string s, entries, K = "kt_" + k.name;
  for (size_t t = 0; t < passes->size(); ++t)
    entries += passEntry((*passes)[t], K + "_p" + num(t), s);
  ShapeProgram shapes{k, {}, "", 0};
  shapes.visit(*k.body);
  s += "static const kt_staged_pass " + K + "_passes[] = {\n" + entries +
       "};\n";
  s += "static const kt_staged_plan " + K + "_plan = {" +
       num(passes->size()) + ", " + K + "_passes, " +
       num(k.resultIsArray) + "};\n";
  s += "static const kt_shape_node " + K + "_shapes[] = {\n" + shapes.rows +
       "};\n";
  s += paramsTable(k, K + "_params");
  s += "static const kt_aot_staged " + K + "_staged = {{\"" + k.name +
       "\", " + num(k.params.size()) + ", " + K + "_params, " +
       num(int(k.resultType)) + ", " + num(k.resultIsArray) + ", {0}}, &" +
       K + "_plan, " + num(shapes.count) + ", " + K + "_shapes};\n";
  return s;
}

} // namespace kiln::tensor::aot
