// Factory: accessors and serialization (bitcode, IR, machine/object code).
//
// Machine code is Kiln's own container: a text header (magic, class name,
// target, key, level, name, object size) and the optimised object. Reading it
// for the host loads the object into a JIT as is: no optimisation, no codegen.
#include "kiln/faust/Factory.h"

#include "FactoryImpl.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Emit.h"
#include "kiln/faust/Dsp.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Base64.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::faust {

Factory::Factory(std::unique_ptr<Impl> impl) : P(std::move(impl)) {
  P->target = targetString(P->spec);
  P->timings = nullptr; // the caller's, valid only while building
}
Factory::~Factory() = default;

const std::string &Factory::name() const { return P->name; }
const std::string &Factory::shaKey() const { return P->shaKey; }
const std::string &Factory::dspCode() const { return P->dspCode; }
const std::string &Factory::compileOptions() const { return P->compileOptions; }
const std::vector<std::string> &Factory::libraryList() const {
  return P->libraryList;
}
const std::vector<std::string> &Factory::includePathnames() const {
  return P->includePathnames;
}
const std::vector<std::string> &Factory::warningMessages() const {
  return P->warnings;
}
const std::string &Factory::target() const { return P->target; }
bool Factory::isHost() const { return P->jit != nullptr; }

std::string getDSPMachineTarget() { return targetString(core::hostTarget()); }

namespace {

bool writeOut(const std::string &path, const std::string &data,
              std::string &error) {
  if (auto err = core::writeOutputFile(path, data)) {
    error = core::renderError(std::move(err));
    return false;
  }
  return true;
}

constexpr const char *kMagic = "KILN-FAUST-MACHINE 1\n";
constexpr const char *kMagic2 = "KILN-FAUST-MACHINE 2\n";

} // namespace

std::string Factory::writeBitcode() const { return P->bitcode; }

bool Factory::writeBitcodeFile(const std::string &path,
                               std::string &error) const {
  if (P->bitcode.empty()) {
    error = "error: factory '" + P->name + "' has no bitcode (read from machine code)";
    return false;
  }
  return writeOut(path, P->bitcode, error);
}

std::string Factory::writeIR() const {
  llvm::LLVMContext context;
  auto m = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(P->bitcode, P->name), context);
  if (!m) {
    llvm::consumeError(m.takeError());
    return {};
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  (*m)->print(os, nullptr);
  return os.str();
}

bool Factory::writeIRFile(const std::string &path, std::string &error) const {
  std::string ir = writeIR();
  if (ir.empty()) {
    error = "error: factory '" + P->name + "' has no IR (read from machine code)";
    return false;
  }
  return writeOut(path, ir, error);
}

std::string Factory::writeMachine(const std::string &target,
                                  std::string &error) {
  auto spec = targetFromString(target.empty() ? P->target : target);
  if (!spec) {
    error = core::renderError(spec.takeError());
    return {};
  }
  auto objects = machineObjects(*P, *spec);
  if (!objects) {
    error = core::renderError(objects.takeError());
    return {};
  }
  // Version 1 carries one object; version 2 one or more, one after another.
  std::string out = objects->size() == 1 ? kMagic : kMagic2;
  out += "class " + P->className + "\n";
  out += "target " + targetString(*spec) + "\n";
  out += "key " + P->shaKey + "\n";
  out += "level " + std::string(core::optLevelName(P->level)) + "\n";
  out += "name " + P->name + "\n";
  out += "size " + std::to_string(P->info.size) + "\n"; // the JSON's wraps
  for (const std::string &object : *objects)
    out += "object " + std::to_string(object.size()) + "\n" + object;
  return out;
}

std::string Factory::writeMachineBase64(const std::string &target,
                                        std::string &error) {
  std::string machine = writeMachine(target, error);
  return machine.empty() ? std::string() : llvm::encodeBase64(machine);
}

bool Factory::writeMachineFile(const std::string &path,
                               const std::string &target, std::string &error) {
  std::string machine = writeMachine(target, error);
  return !machine.empty() && writeOut(path, machine, error);
}

bool Factory::writeObjectcodeFile(const std::string &path,
                                  const std::string &target,
                                  std::string &error) {
  auto spec = targetFromString(target.empty() ? P->target : target);
  if (!spec) {
    error = core::renderError(spec.takeError());
    return false;
  }
  auto object = compileObject(*P, *spec);
  if (!object) {
    error = core::renderError(object.takeError());
    return false;
  }
  return writeOut(path, *object, error);
}

} // namespace kiln::faust
