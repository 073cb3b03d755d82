// faust_machine_fuzz: the reader of Kiln's Faust machine-code container
// (Registry::readDSPFactoryFromMachine and its base64 form).
//
// The container is a text header (magic, fields) and one or more sized
// objects. Everything up to handing the objects to the JIT is fuzzed: inputs
// naming this host's target are skipped, because machine code for the host
// is trusted like a shared library (loading it runs its code), so the
// fuzzer would only be testing LLVM's object linker on garbage.
#include "FuzzSupport.h"

#include "kiln/faust/Factory.h"
#include "kiln/faust/Registry.h"

#include <cstdint>
#include <string>

using namespace kiln::faust;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string host = "target " + getDSPMachineTarget();
  std::string input(reinterpret_cast<const char *>(data), size);
  if (input.find(host) != std::string::npos)
    return 0;
  Registry registry;
  if (registry.readDSPFactoryFromMachine(input))
    kiln::fuzz::finding("machine code for another target was loaded");
  // The same bytes as base64 text: only valid base64 reaches the reader.
  if (registry.readDSPFactoryFromMachineBase64(input))
    kiln::fuzz::finding("base64 machine code for another target was loaded");
  return 0;
}
