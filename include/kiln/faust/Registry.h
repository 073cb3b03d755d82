// Registry: creates Faust factories and caches them by SHA key.
//
// libfaust keeps one process-wide factory table; Kiln keeps it in a context
// object (no globals), with the same operations. Every member is safe to call
// from many threads at once: a factory whose key exists is returned, never
// compiled twice at once: a second caller for the same key waits for the first.
#pragma once

#include "kiln/faust/Factory.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kiln::faust {

class Registry {
public:
  /// From a .dsp file / Faust source text (named `name`, which also names
  /// the DSP unless it declares one). Null with `error` (a rendered
  /// diagnostic: `file:line:col: error: ...`) on failure.
  std::shared_ptr<Factory> createDSPFactoryFromFile(
      const std::string &path, const FactoryOptions &options, std::string &error);
  std::shared_ptr<Factory> createDSPFactoryFromString(
      const std::string &name, const std::string &code,
      const FactoryOptions &options, std::string &error);

  /// From Factory::writeBitcode / writeIR output (optimised and compiled for
  /// `target` at `optLevel`, as FactoryOptions says).
  std::shared_ptr<Factory> readDSPFactoryFromBitcode(
      const std::string &bitcode, const std::string &target, int optLevel,
      std::string &error);
  std::shared_ptr<Factory> readDSPFactoryFromBitcodeFile(
      const std::string &path, const std::string &target, int optLevel,
      std::string &error);
  std::shared_ptr<Factory> readDSPFactoryFromIR(
      const std::string &ir, const std::string &target, int optLevel,
      std::string &error);
  std::shared_ptr<Factory> readDSPFactoryFromIRFile(
      const std::string &path, const std::string &target, int optLevel,
      std::string &error);
  /// From Factory::writeMachine output: the object is loaded as is, with no
  /// optimisation or code generation. It must be for this host.
  std::shared_ptr<Factory> readDSPFactoryFromMachine(const std::string &machine,
                                                     std::string &error);
  std::shared_ptr<Factory> readDSPFactoryFromMachineBase64(
      const std::string &base64, std::string &error);
  std::shared_ptr<Factory> readDSPFactoryFromMachineFile(const std::string &path,
                                                         std::string &error);

  /// The cached factory with this key, or null.
  std::shared_ptr<Factory> getDSPFactoryFromSHAKey(const std::string &key);
  /// The keys of every cached factory.
  std::vector<std::string> getAllDSPFactories();
  /// Drops the registry's reference; true when it was registered.
  bool deleteDSPFactory(const std::shared_ptr<Factory> &factory);
  void deleteAllDSPFactories();

private:
  struct Entry;
  /// The factory under `key`, built by `build` (once, unless it fails).
  std::shared_ptr<Factory>
  getOrBuild(const std::string &key,
             const std::function<std::shared_ptr<Factory>()> &build);

  std::mutex Mutex;
  std::map<std::string, std::shared_ptr<Entry>> Factories;
};

} // namespace kiln::faust
