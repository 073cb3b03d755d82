// AotEntry: the shared pieces of generated AOT wrappers (see AotEntry.h).
#include "AotEntry.h"

namespace kiln::tensor::aot {

std::string paramsTable(const Kernel &k, const std::string &var) {
  std::string s = "static const kt_param_desc " + var + "[] = {";
  for (const Param &p : k.params)
    s += "{\"" + p.name + "\", " + std::to_string(int(p.type)) + ", " +
         std::to_string(p.isArray) + "}, ";
  return s + "{0, 0, 0}};\n";
}

std::string exportedEntry(const Kernel &k, const std::string &prototype,
                          const std::vector<std::string> &names,
                          const std::string &call, const std::string &object) {
  size_t n = k.params.size();
  std::string N = std::to_string(n ? n : 1), arrays, body;
  for (size_t i = 0; i < n; ++i) {
    arrays += k.params[i].isArray ? names[i] + ", " : "0, ";
    if (!k.params[i].isArray)
      body += "  memcpy(&scalars[" + std::to_string(i) + "], &" + names[i] +
              ", sizeof " + names[i] + ");\n";
  }
  return "KILN_TENSOR_EXPORT " + prototype + " {\n" +
         "  const kiln_tensor_array *arrays[" + N + "] = {" + arrays + "};\n" +
         "  int64_t scalars[" + N + "] = {0};\n" + body + "  return " + call +
         "(&" + object + ", arrays, scalars, " +
         (k.resultIsArray ? "out, 0" : "0, result") + ");\n}\n\n";
}

} // namespace kiln::tensor::aot
