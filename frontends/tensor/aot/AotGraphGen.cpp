// AotGraphGen: the C text of a graph library — per graph its plan as
// tables (AotGraph.h), one private entry per step kernel, and the exported
// create / free / shapes / run functions with their header declarations.
//
// The plan is the JIT's partition without shapes (graph/StaticPlan.h): the
// same nodes, fusion and kernels, emitted as data, so that the library's C
// runtime (AotGraph*.c) decides nothing the JIT's planner decides.
#include "AotGraphGen.h"

#include "tensor/graph/StaticPlan.h"

#include "kiln/tensor/GraphAot.h"

#include <set>

namespace kiln::tensor {

namespace aot {

namespace {

using graph::NodeOp;

const char *cType(DType t) {
  static const char *names[] = {"bool", "int32_t", "int64_t", "float",
                                "double"};
  return names[static_cast<int>(t)];
}

/// C names for a graph's parameters and results: `out_` before results,
/// `_` after keywords and repeats, so every name in one prototype differs.
class CNames {
public:
  std::string take(std::string name) {
    static const std::set<std::string> reserved = {
        "auto",     "bool",     "break",    "case",     "char",   "const",
        "continue", "default",  "do",       "double",   "else",   "enum",
        "extern",   "float",    "for",      "goto",     "if",     "inline",
        "int",      "long",     "register", "restrict", "return", "short",
        "signed",   "sizeof",   "static",   "struct",   "switch", "typedef",
        "union",    "unsigned", "void",     "volatile", "while"};
    while (reserved.count(name) || Used.count(name) ||
           name.rfind("kt_", 0) == 0)
      name += "_";
    Used.insert(name);
    return name;
  }

private:
  std::set<std::string> Used;
};

std::string num(long long v) { return std::to_string(v); }

/// One kt_graph_node initialiser for node `id` (its arguments resolved).
std::string nodeRow(const graph::NodeGraph &g, const graph::Plan &p,
                    unsigned id) {
  const graph::Node &n = g.nodes[id];
  const Expr &e = n.proto;
  std::string op = "KT_GN_EACH", what = "0";
  std::vector<int> axes;
  switch (n.op) {
  case NodeOp::Input: op = "KT_GN_INPUT"; break;
  case NodeOp::SumTo: op = "KT_GN_SUMTO"; break;
  case NodeOp::Count: op = "KT_GN_COUNT"; break;
  case NodeOp::Transpose: op = "KT_GN_TRANSPOSE"; break;
  case NodeOp::Lift: op = "KT_GN_LIFT"; break;
  case NodeOp::Drop: op = "KT_GN_DROP"; break;
  case NodeOp::Unsqueeze: op = "KT_GN_UNSQUEEZE", axes = {n.axis}; break;
  case NodeOp::Expr:
    if (e.kind == ExprKind::Number)
      op = "KT_GN_NUMBER";
    else if (e.kind == ExprKind::MatMul)
      op = "KT_GN_MATMUL";
    else if (e.kind == ExprKind::Reduce && !e.hasAxis)
      op = "KT_GN_WHOLE";
    else if (e.kind == ExprKind::Reduce)
      op = "KT_GN_AXIS", axes = {e.axis},
      what = "\"" + std::string(reduceName(e.reduce)) + "\"";
    break;
  }
  if (!axes.empty())
    axes.insert(axes.end(), e.moreAxes.begin(), e.moreAxes.end());
  std::string args, ax;
  for (size_t i = 0; i < 3; ++i)
    args += num(i < n.args.size() ? p.resolved[n.args[i]] : 0) + ", ";
  for (size_t i = 0; i < 4; ++i)
    ax += num(i < axes.size() ? axes[i] : 0) + ", ";
  char number[40];
  std::snprintf(number, sizeof number, "%.17g", e.number);
  return "  {" + op + ", " + num(int(n.type)) + ", " + num(n.args.size()) +
         ", {" + args + "}, " + num(n.axis) + ", " + num(axes.size()) + ", {" +
         ax + "}, " + num(e.keepdims) + ", " + num(e.loc.line) + ", " +
         num(e.loc.col) + ", " + number + ", " + what + "},\n";
}

/// `static int <thunk>(arrays, scalars, out, result)`: kernel `k` called
/// with its parameters unpacked (AotGraph.h's kt_graph_kernel).
std::string thunk(const Kernel &k, const std::string &name) {
  std::string s = "static int " + name +
                  "(const kiln_tensor_array *const *a, const int64_t *s,\n"
                  "    kiln_tensor_array *out, void *res) {\n";
  std::string call = "  return " + k.name + "(";
  for (size_t i = 0; i < k.params.size(); ++i) {
    std::string v = "p" + num(i), I = num(i);
    if (k.params[i].isArray) {
      call += "a[" + I + "], ";
      continue;
    }
    s += "  " + std::string(cType(k.params[i].type)) + " " + v +
         ";\n  memcpy(&" + v + ", &s[" + I + "], sizeof " + v + ");\n";
    call += v + ", ";
  }
  call += k.resultIsArray ? "out"
                          : "(" + std::string(cType(k.resultType)) + " *)res";
  return s + "  (void)a; (void)s; (void)out; (void)res;\n" + call + ");\n}\n";
}

/// A kt_param_desc table of graph values `ids`, named `names`.
std::string descTable(const Graph &g, const std::vector<unsigned> &ids,
                      const std::vector<std::string> &names,
                      const std::string &var) {
  std::string s = "static const kt_param_desc " + var + "[] = {";
  for (size_t i = 0; i < ids.size(); ++i) {
    const GraphValue &v = g.values[ids[i]];
    s += "{\"" + names[i] + "\", " + num(int(v.type)) + ", " + num(v.isArray) +
         "}, ";
  }
  return s + "{0, 0, 0}};\n";
}

/// One graph's C: tables, thunks, entries; and its header declarations.
struct GraphC {
  std::vector<Kernel> kernels;
  std::string tables, entries, header;
  std::vector<std::string> exported; ///< the names the entries take
};

/// The plan's tables: nodes, the steps with their kernels' thunks.
std::string planTables(const graph::NodeGraph &g, const graph::StaticPlan &sp,
                       const std::string &G) {
  const graph::Plan &p = *sp.plan;
  std::string s = "static const kt_graph_node " + G + "nodes[] = {\n";
  for (unsigned id = 0; id < g.nodes.size(); ++id)
    s += nodeRow(g, p, id);
  s += "};\n";
  std::string steps, params;
  size_t kernel = 0;
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const graph::Step &st = p.steps[i];
    std::string I = num(i), kind = "KT_GS_VIEW", call = "0", ps = "0";
    std::string table = "0";
    if (st.kind == graph::StepKind::SumTo)
      kind = "KT_GS_SUMTO";
    if (st.kind == graph::StepKind::Kernel) {
      const Kernel &k = sp.kernels[sp.stepKernels[kernel++]];
      kind = "KT_GS_KERNEL", ps = G + "p" + I;
      if (tableKernel(k)) {
        table = "&" + k.name + "_desc";
      } else {
        call = G + "k" + I;
        s += thunk(k, call);
      }
      s += "static const int32_t " + ps + "[] = {";
      for (unsigned id : st.params)
        s += num(id) + ", ";
      s += "0};\n";
    }
    steps += "  {" + kind + ", " + num(st.node) + ", " + num(st.params.size()) +
             ", " + ps + ", " + num(st.scalarResult) + ", " + call + ", " +
             table + "},\n";
  }
  if (steps.empty())
    steps = "  {0, 0, 0, 0, 0, 0, 0},\n";
  return s + "static const kt_graph_step " + G + "steps[] = {\n" + steps +
         "};\n";
}

/// `const kiln_tensor_array *x, float lr, ...` for the graph's parameters.
std::string inputList(const Graph &g, const std::vector<std::string> &in) {
  std::string s;
  for (unsigned k = 0; k < g.paramCount; ++k)
    s += ", " +
         std::string(g.values[k].isArray
                         ? "const kiln_tensor_array *"
                         : std::string(cType(g.values[k].type)) + " ") +
         in[k];
  return s;
}

/// The packing of the inputs into kt_arrays / kt_scalars.
std::string packInputs(const Graph &g, const std::vector<std::string> &in) {
  std::string n = num(g.paramCount + 1), arrays, body;
  for (unsigned k = 0; k < g.paramCount; ++k) {
    arrays += g.values[k].isArray ? in[k] + ", " : "0, ";
    if (!g.values[k].isArray)
      body += "  memcpy(&kt_scalars[" + num(k) + "], &" + in[k] + ", sizeof " +
              in[k] + ");\n";
  }
  return "  const kiln_tensor_array *kt_arrays[" + n + "] = {" + arrays +
         "0};\n  int64_t kt_scalars[" + n + "] = {0};\n" + body;
}

/// The exported functions of graph `g` and their declarations.
void entries(const Graph &g, GraphC &c, const std::string &G) {
  CNames names;
  std::vector<std::string> in, out;
  for (unsigned k = 0; k < g.paramCount; ++k)
    in.push_back(names.take(g.values[k].name));
  for (unsigned v : g.results)
    out.push_back(names.take("out_" + g.values[v].name));
  std::string T = g.name + "_graph", R = num(g.results.size() + 1);
  std::string ins = inputList(g, in), arrOuts, allOuts, outArr, outSc;
  for (size_t i = 0; i < g.results.size(); ++i) {
    const GraphValue &v = g.values[g.results[i]];
    std::string decl = v.isArray ? "kiln_tensor_array *" + out[i]
                                 : std::string(cType(v.type)) + " *" + out[i];
    allOuts += ", " + decl;
    if (v.isArray)
      arrOuts += ", " + decl;
    outArr += v.isArray ? out[i] + ", " : "0, ";
    outSc += v.isArray ? "0, " : out[i] + ", ";
  }
  std::string create = T + " *" + g.name + "_create(void)";
  std::string free = "void " + g.name + "_free(" + T + " *kt_g)";
  std::string shapes =
      "int " + g.name + "_shapes(" + T + " *kt_g" + ins + arrOuts + ")";
  std::string run =
      "int " + g.name + "_run(" + T + " *kt_g" + ins + allOuts + ")";
  std::string pack = packInputs(g, in) + "  kiln_tensor_array *kt_outs[" + R +
                     "] = {" + outArr + "0};\n";
  std::string ctx = "(kt_graph_ctx *)kt_g, kt_arrays, kt_scalars, kt_outs";
  c.entries += "typedef struct " + T + " " + T + ";\nKILN_TENSOR_EXPORT " +
               create + " {\n  return (" + T + " *)kt_graph_create(&" + G +
               "graph);\n}\nKILN_TENSOR_EXPORT " + free +
               " { kt_graph_free((kt_graph_ctx *)kt_g); }\n" +
               "KILN_TENSOR_EXPORT " + shapes + " {\n" + pack +
               "  return kt_graph_shapes(" + ctx + ");\n}\n" +
               "KILN_TENSOR_EXPORT " + run + " {\n" + pack +
               "  void *kt_souts[" + R + "] = {" + outSc + "0};\n" +
               "  return kt_graph_run(" + ctx + ", kt_souts);\n}\n\n";
  c.header += "typedef struct " + T + " " + T + ";\n" + create + ";\n" + free +
              ";\n" + shapes + ";\n" + run + ";\n\n";
  c.exported = {g.name + "_create", g.name + "_free", g.name + "_shapes",
                g.name + "_run"};
  c.tables +=
      descTable(g, std::vector<unsigned>(g.results.begin(), g.results.end()),
                out, G + "results");
  std::vector<unsigned> ps;
  for (unsigned k = 0; k < g.paramCount; ++k)
    ps.push_back(k);
  c.tables += descTable(g, ps, in, G + "inputs");
}

/// The header comment of graph `g`: its signature and the contract.
std::string headerComment(const Graph &g) {
  std::string sig = "graph " + g.name + "(";
  for (unsigned k = 0; k < g.paramCount; ++k)
    sig += (k ? ", " : "") + g.values[k].name + ": " +
           dtypeName(g.values[k].type) + (g.values[k].isArray ? "[]" : "");
  sig += ") -> ";
  for (size_t i = 0; i < g.results.size(); ++i) {
    const GraphValue &v = g.values[g.results[i]];
    sig += (i ? ", " : "") + v.name + ": " + dtypeName(v.type) +
           (v.isArray ? "[]" : "");
  }
  return "/* " + sig +
         "\n * _create: a context (NULL when out of memory) that plans the"
         " temporaries\n * for a set of input shapes and keeps them; the "
         "caller frees it with _free.\n * _shapes: fills each non-NULL array "
         "result's dtype, rank, shape and\n * contiguous strides for these "
         "inputs (data untouched). _run: computes\n * and copies each result "
         "into caller memory (arrays of that shape, any\n * strides; NULL "
         "skips a result); outputs may be inputs' memory, not each\n * "
         "other's. Both return KILN_TENSOR_OK or an error code (message in "
         "the\n * library's _last_error()); a context serves one thread at a "
         "time. */\n";
}

Expected<GraphC> graphC(const Graph &g) {
  auto nodes = graph::buildNodes(g);
  if (!nodes)
    return nodes.takeDiagnostics();
  std::vector<unsigned> outputs;
  for (unsigned v : g.results)
    outputs.push_back(nodes->valueNode[v]);
  auto sp = graph::planWithoutShapes(*nodes, outputs, "kt_g_" + g.name);
  if (!sp)
    return sp.takeDiagnostics();
  for (const graph::Node &n : nodes->nodes)
    if (n.args.size() > 3)
      return callError("graph '" + g.name +
                       "': an operation with more than "
                       "3 operands cannot be built ahead of time");
  GraphC c;
  c.kernels = sp->kernels;
  std::string G = "kt_g_" + g.name + "__";
  c.tables = planTables(*nodes, *sp, G);
  entries(g, c, G);
  std::string results;
  for (unsigned o : outputs)
    results += num(sp->plan->resolved[o]) + ", ";
  c.tables += "static const int32_t " + G + "rnodes[] = {" + results +
              "0};\nstatic const kt_graph " + G + "graph = {\n  {\"" + g.name +
              "\", " + num(g.paramCount) + ", " + G + "inputs, 0, 0, {0}},\n" +
              "  {\"" + g.name + "\", " + num(g.results.size()) + ", " + G +
              "results, 0, 0, {0}},\n  " + G + "rnodes, " +
              num(nodes->nodes.size()) + ", " + num(sp->plan->steps.size()) +
              ", " + G + "nodes, " + G + "steps};\n";
  c.header = headerComment(g) + c.header;
  return c;
}

/// The private step kernels: their exported wrappers made static.
std::string hideSteps(std::string text) {
  const std::string from = "KILN_TENSOR_EXPORT int kt_g_",
                    to = "static int kt_g_";
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// A name two things of the library would take, or "".
std::string clash(const Program &kernels, const std::vector<GraphC> &graphs) {
  std::set<std::string> seen;
  for (const Kernel &k : kernels.kernels) {
    if (k.name.rfind("kt_g_", 0) == 0) // the steps' kernels (hideSteps)
      return k.name;
    seen.insert(k.name);
  }
  for (const GraphC &c : graphs)
    for (const std::string &name : c.exported)
      if (!seen.insert(name).second)
        return name;
  return "";
}

} // namespace

} // namespace aot

Status buildGraphLibrary(const GraphProgram &program, const std::string &path,
                         const std::string &headerPath,
                         const AotOptions &options) {
  std::vector<aot::GraphC> graphs;
  for (const Graph &g : program.graphs) {
    auto c = aot::graphC(g);
    if (!c)
      return c.takeDiagnostics();
    graphs.push_back(std::move(*c));
  }
  if (std::string name = aot::clash(program.program, graphs); !name.empty())
    return callError("the library would define '" + name +
                     "' twice (a kernel's name and a graph's function; "
                     "names starting with kt_g_ are the graphs' own)");
  Program all = program.program;
  std::string tables, entries, decls;
  aot::GraphParts parts;
  for (aot::GraphC &c : graphs) {
    parts.steps += c.kernels.size();
    all.kernels.insert(all.kernels.end(), c.kernels.begin(), c.kernels.end());
    tables += c.tables;
    entries += c.entries;
    decls += c.header;
  }
  parts.wrapper = [&](const std::string &kernels) {
    return aot::hideSteps(kernels) + "\n" + tables + "\n" + entries;
  };
  parts.header = [&](const std::string &guard) {
    std::string h = cHeader(program.program, guard);
    size_t at = h.find("/* This thread's last error");
    return h.substr(0, at) + decls + h.substr(at);
  };
  return aot::buildLibrary(all, path, headerPath, options, &parts);
}

} // namespace kiln::tensor
