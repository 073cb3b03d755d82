// Dsp: one instance of a Factory, implementing Faust's own `dsp` interface.
//
// Because it is a real `::dsp` (faust/dsp/dsp.h), every Faust architecture
// file works with it unchanged: MapUI, JSONUI, SoundUI, poly-dsp, drivers.
// The instance memory is the struct the Faust module describes; UI zones
// point into it (or at float shadows of it for `-double` code).
#pragma once

#include <faust/dsp/dsp.h>
#include <faust/gui/UI.h>
#include <faust/gui/meta.h>

#include <memory>
#include <string>
#include <vector>

namespace kiln::faust {

class Factory;

class Dsp : public ::dsp {
public:
  struct Impl;
  explicit Dsp(std::unique_ptr<Impl> impl);
  ~Dsp() override;

  int getNumInputs() override;
  int getNumOutputs() override;
  void buildUserInterface(UI *ui) override;
  int getSampleRate() override;
  void init(int sampleRate) override;
  void instanceInit(int sampleRate) override;
  void instanceConstants(int sampleRate) override;
  void instanceResetUserInterface() override;
  void instanceClear() override;
  Dsp *clone() override; ///< a fresh instance of the same factory
  void metadata(Meta *m) override;
  void compute(int count, FAUSTFLOAT **inputs, FAUSTFLOAT **outputs) override;

  /// Parameters by address ("/osc/freq"); false when there is no such one.
  bool setParamValue(const std::string &path, FAUSTFLOAT value);
  /// The value, or 0 when there is no such parameter.
  FAUSTFLOAT getParamValue(const std::string &path) const;
  /// Every parameter's address, in UI order.
  std::vector<std::string> paramPaths() const;

  std::shared_ptr<Factory> factory() const;

private:
  std::unique_ptr<Impl> P;
};

} // namespace kiln::faust
