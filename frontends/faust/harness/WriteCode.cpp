// WriteCode: an emit kind's name to the Factory member that writes it.
#include "WriteCode.h"

#include <utility>

namespace kiln::faust::host {

const char *emitExtension(const std::string &kind) {
  static const std::pair<const char *, const char *> kinds[] = {
      {"obj", ".o"}, {"ll", ".ll"}, {"bc", ".bc"}, {"machine", ".kfm"}};
  for (auto &[k, e] : kinds)
    if (kind == k)
      return e;
  return nullptr;
}

std::string codeFileFor(const std::string &dspPath, const char *ext) {
  std::string base = dspPath.substr(dspPath.rfind('/') + 1);
  return base.substr(0, base.rfind('.')) + ext;
}

kiln::Status writeCode(Factory &factory, const std::string &kind,
                       const std::string &path) {
  if (kind == "obj")
    return factory.writeObjectcodeFile(path, "");
  if (kind == "ll")
    return factory.writeIRFile(path);
  if (kind == "bc")
    return factory.writeBitcodeFile(path);
  return factory.writeMachineFile(path, "");
}

} // namespace kiln::faust::host
