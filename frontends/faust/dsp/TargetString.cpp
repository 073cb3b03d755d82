// TargetString: parsing and printing "triple:cpu", and SHA keys.
#include "TargetString.h"

#include "llvm/Support/SHA1.h"

namespace kiln::faust {

llvm::Expected<core::TargetSpec> targetFromString(const std::string &target) {
  core::TargetSpec host = core::hostTarget();
  if (target.empty())
    return host;
  size_t colon = target.find(':');
  std::string triple = target.substr(0, colon);
  std::string cpu = colon == std::string::npos ? "" : target.substr(colon + 1);
  if (triple == host.triple && (cpu.empty() || cpu == host.cpu))
    return host;
  return core::targetFromTriple(triple, cpu.empty() ? "generic" : cpu);
}

std::string targetString(const core::TargetSpec &spec) {
  return spec.triple + ":" + spec.cpu;
}

std::string shaOf(const std::vector<std::string> &parts) {
  llvm::SHA1 sha;
  for (const std::string &part : parts) {
    sha.update(part);
    sha.update(llvm::StringRef("\0", 1));
  }
  auto digest = sha.final();
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 15];
  }
  return out;
}

} // namespace kiln::faust
