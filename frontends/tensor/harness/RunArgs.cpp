// RunArgs: the kernel choice and shape overrides of `kiln tensor run` (see
// RunArgs.h).
#include "RunArgs.h"

#include <algorithm>

namespace kiln::tensor::harness {

namespace {

Diagnostic error(std::string message, ErrorKind kind) {
  Diagnostic d;
  d.message = std::move(message);
  d.kind = kind;
  return d;
}

std::string kernelNames(const Program &p) {
  std::string s;
  for (const Kernel &k : p.kernels)
    s += (s.empty() ? "" : ", ") + k.name;
  return s;
}

} // namespace

Expected<ShapeOverrides::value_type>
parseShapeOverride(const std::string &text, const DimParser &parseDim) {
  Diagnostic usage = error(
      "--shape needs NAME=D0xD1.. (1 to 4 dimensions), got '" + text + "'",
      ErrorKind::InvalidArgument);
  size_t eq = text.find('=');
  if (eq == 0 || eq == std::string::npos)
    return usage;
  ShapeOverrides::value_type out{text.substr(0, eq), {}};
  std::string dims = text.substr(eq + 1) + "x";
  int64_t count = 1;
  bool overflow = false;
  for (size_t at = 0, x; (x = dims.find('x', at)) != std::string::npos;
       at = x + 1) {
    int64_t d = 0;
    if (!parseDim(dims.substr(at, x - at), d) || d < 0 ||
        out.second.size() == 4)
      return usage;
    out.second.push_back(d);
    overflow = overflow || __builtin_mul_overflow(count, d, &count);
  }
  if (overflow || count > (int64_t(1) << 60))
    return error("--shape " + text + " has too many elements",
                 ErrorKind::InvalidArgument);
  return out;
}

Expected<const Kernel *> chooseKernel(const Program &program,
                                      const std::string &name,
                                      const std::string &file,
                                      const ShapeOverrides &shapes) {
  if (name.empty() && program.kernels.size() != 1)
    return error("`kiln tensor run` needs --kernel NAME (kernels in '" + file +
                     "': " + kernelNames(program) + ")",
                 ErrorKind::InvalidArgument);
  const Kernel *k = name.empty() ? &program.kernels[0] : program.find(name);
  if (!k)
    return error("no kernel '" + name + "' in '" + file +
                     "' (kernels: " + kernelNames(program) + ")",
                 ErrorKind::Other);
  if (Status checked = checkShapes(*k, shapes); !checked)
    return checked.takeDiagnostics();
  return k;
}

Status checkShapes(const Kernel &k, const ShapeOverrides &shapes) {
  for (auto shape = shapes.begin(); shape != shapes.end(); ++shape) {
    auto p = std::find_if(k.params.begin(), k.params.end(),
                          [&](auto &q) { return q.name == shape->first; });
    if (p == k.params.end() || !p->isArray)
      return error("--shape: kernel '" + k.name + "' has no array parameter '" +
                       shape->first + "'",
                   ErrorKind::InvalidArgument);
    // A second override of one parameter used to be ignored silently.
    if (std::any_of(shapes.begin(), shape,
                    [&](auto &s) { return s.first == shape->first; }))
      return error("--shape: '" + shape->first + "' is given twice",
                   ErrorKind::InvalidArgument);
  }
  return {};
}

} // namespace kiln::tensor::harness
