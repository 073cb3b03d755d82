// Dsp: a Faust `dsp` over one block of instance memory and the JIT kernel.
//
// The module has no init/instanceResetUserInterface/buildUserInterface;
// they are rebuilt here from the JSON description, as libfaust's LLVM
// backend does: init = classInit, instanceConstants, the UI `init` values
// written at each zone's offset, instanceClear. For `-double` code, whose
// zones and buffers are double while FAUSTFLOAT is float, the UI sees float
// shadow zones and compute converts the audio at the boundary.
#include "kiln/faust/Dsp.h"

#include "FactoryImpl.h"

#include <faust/gui/Soundfile.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace kiln::faust {

struct Dsp::Impl {
  std::shared_ptr<Factory> factory;
  const DspInfo *info = nullptr;
  Kernel kernel;
  char *memory = nullptr; ///< 64-byte aligned, inside `block`
  void *block = nullptr;  ///< what calloc returned
  /// With direct zones, UI zones point into `memory`; else at `shadow`.
  bool direct = true;
  std::vector<FAUSTFLOAT> shadow;     ///< one per UI item (unused for groups)
  std::unique_ptr<Soundfile> silence; ///< what unloaded soundfiles play
  std::vector<std::vector<double>> in, out; ///< -double conversion buffers
  std::vector<void *> inPtr, outPtr;

  ~Impl() {
    if (memory) {
      kernel.destroy(memory);
      std::free(block);
    }
  }

  // The struct is packed: a double zone may sit at a 4-byte boundary.
  double readZone(const UiItem &item) const {
    double d = 0;
    float f = 0;
    if (info->isDouble)
      return std::memcpy(&d, memory + item.offset, sizeof d), d;
    return std::memcpy(&f, memory + item.offset, sizeof f), f;
  }
  void writeZone(const UiItem &item, double value) {
    float f = float(value);
    if (info->isDouble)
      std::memcpy(memory + item.offset, &value, sizeof value);
    else
      std::memcpy(memory + item.offset, &f, sizeof f);
  }
  FAUSTFLOAT *zoneFor(size_t i) {
    return direct ? reinterpret_cast<FAUSTFLOAT *>(memory + info->ui[i].offset)
                  : &shadow[i];
  }
  /// Shadow zones → instance (inputs), before compute.
  void pushShadows() {
    for (size_t i = 0; i < info->ui.size(); ++i)
      if (info->ui[i].isInput())
        writeZone(info->ui[i], shadow[i]);
  }
  /// Instance → shadow zones (bargraphs), after compute.
  void pullShadows() {
    for (size_t i = 0; i < info->ui.size(); ++i)
      if (info->ui[i].isBargraph())
        shadow[i] = FAUSTFLOAT(readZone(info->ui[i]));
  }
  void computeDouble(int count, FAUSTFLOAT **inputs, FAUSTFLOAT **outputs);
  Soundfile *silentSoundfile();
};

void Dsp::Impl::computeDouble(int count, FAUSTFLOAT **inputs,
                              FAUSTFLOAT **outputs) {
  in.resize(info->inputs);
  out.resize(info->outputs);
  inPtr.resize(info->inputs);
  outPtr.resize(info->outputs);
  for (int c = 0; c < info->inputs; ++c) {
    in[c].resize(size_t(count));
    for (int n = 0; n < count; ++n)
      in[c][n] = inputs[c][n];
    inPtr[c] = in[c].data();
  }
  for (int c = 0; c < info->outputs; ++c) {
    out[c].resize(size_t(count));
    outPtr[c] = out[c].data();
  }
  kernel.compute(memory, count, inPtr.data(), outPtr.data());
  for (int c = 0; c < info->outputs; ++c)
    for (int n = 0; n < count; ++n)
      outputs[c][n] = FAUSTFLOAT(out[c][n]);
}

Soundfile *Dsp::Impl::silentSoundfile() {
  // As Faust's SoundUI `defaultsound`: every part an empty BUFFER_SIZE block.
  if (!silence) {
    silence = std::make_unique<Soundfile>(1, BUFFER_SIZE * MAX_SOUNDFILE_PARTS,
                                          MAX_CHAN, MAX_SOUNDFILE_PARTS,
                                          info->isDouble);
    int offset = 0;
    for (int part = 0; part < MAX_SOUNDFILE_PARTS; ++part)
      silence->emptyFile(part, offset);
    silence->shareBuffers(1, MAX_CHAN);
  }
  return silence.get();
}

Dsp::Dsp(std::unique_ptr<Impl> impl) : P(std::move(impl)) {}
Dsp::~Dsp() = default;

int Dsp::getNumInputs() { return P->info->inputs; }
int Dsp::getNumOutputs() { return P->info->outputs; }

int Dsp::getSampleRate() {
  if (P->info->srOffset < 0)
    return 0;
  int sr = 0;
  std::memcpy(&sr, P->memory + P->info->srOffset, sizeof sr);
  return sr;
}

void Dsp::init(int sampleRate) {
  P->kernel.classInit(sampleRate);
  instanceInit(sampleRate);
}

void Dsp::instanceInit(int sampleRate) {
  instanceConstants(sampleRate);
  instanceResetUserInterface();
  instanceClear();
}

void Dsp::instanceConstants(int sampleRate) {
  P->kernel.instanceConstants(P->memory, sampleRate);
}

void Dsp::instanceResetUserInterface() {
  // Buttons and check buttons carry no init in the JSON: they reset to 0.
  const auto &ui = P->info->ui;
  for (size_t i = 0; i < ui.size(); ++i)
    if (ui[i].isInput()) {
      P->writeZone(ui[i], ui[i].init);
      if (!P->direct)
        P->shadow[i] = FAUSTFLOAT(ui[i].init);
    }
}

void Dsp::instanceClear() {
  P->kernel.instanceClear(P->memory);
  for (const UiItem &item : P->info->ui)
    if (item.type == UiItem::Type::Soundfile) {
      Soundfile *current = nullptr;
      std::memcpy(&current, P->memory + item.offset, sizeof current);
      if (!current) {
        current = P->silentSoundfile();
        std::memcpy(P->memory + item.offset, &current, sizeof current);
      }
    }
}

Dsp *Dsp::clone() {
  auto copy = P->factory->createInstance();
  return copy ? copy->release() : nullptr;
}

void Dsp::metadata(Meta *m) {
  for (auto &[key, value] : P->info->meta)
    m->declare(key.c_str(), value.c_str());
}

void Dsp::compute(int count, FAUSTFLOAT **inputs, FAUSTFLOAT **outputs) {
  if (!P->direct)
    P->pushShadows();
  if (P->info->isDouble != (sizeof(FAUSTFLOAT) == sizeof(double)))
    P->computeDouble(count, inputs, outputs);
  else
    P->kernel.compute(P->memory, count, reinterpret_cast<void **>(inputs),
                      reinterpret_cast<void **>(outputs));
  if (!P->direct)
    P->pullShadows();
}

void Dsp::buildUserInterface(UI *ui) {
  const auto &items = P->info->ui;
  for (size_t i = 0; i < items.size(); ++i) {
    const UiItem &it = items[i];
    FAUSTFLOAT *zone = it.isGroup() || it.type == UiItem::Type::Soundfile
                           ? nullptr
                           : P->zoneFor(i);
    for (auto &[key, value] : it.meta)
      ui->declare(zone, key.c_str(), value.c_str());
    const char *label = it.label.c_str();
    auto f = [](double v) { return FAUSTFLOAT(v); };
    switch (it.type) {
    case UiItem::Type::OpenVertical: ui->openVerticalBox(label); break;
    case UiItem::Type::OpenHorizontal: ui->openHorizontalBox(label); break;
    case UiItem::Type::OpenTab: ui->openTabBox(label); break;
    case UiItem::Type::Close: ui->closeBox(); break;
    case UiItem::Type::HSlider:
      ui->addHorizontalSlider(label, zone, f(it.init), f(it.min), f(it.max),
                              f(it.step));
      break;
    case UiItem::Type::VSlider:
      ui->addVerticalSlider(label, zone, f(it.init), f(it.min), f(it.max),
                            f(it.step));
      break;
    case UiItem::Type::NumEntry:
      ui->addNumEntry(label, zone, f(it.init), f(it.min), f(it.max),
                      f(it.step));
      break;
    case UiItem::Type::Button: ui->addButton(label, zone); break;
    case UiItem::Type::CheckButton: ui->addCheckButton(label, zone); break;
    case UiItem::Type::HBargraph:
      ui->addHorizontalBargraph(label, zone, f(it.min), f(it.max));
      break;
    case UiItem::Type::VBargraph:
      ui->addVerticalBargraph(label, zone, f(it.min), f(it.max));
      break;
    case UiItem::Type::Soundfile:
      ui->addSoundfile(label, it.url.c_str(),
                       reinterpret_cast<Soundfile **>(P->memory + it.offset));
      break;
    }
  }
}

bool Dsp::setParamValue(const std::string &path, FAUSTFLOAT value) {
  const auto &ui = P->info->ui;
  for (size_t i = 0; i < ui.size(); ++i)
    if ((ui[i].isInput() || ui[i].isBargraph()) && ui[i].address == path) {
      *P->zoneFor(i) = value;
      return true;
    }
  return false;
}

FAUSTFLOAT Dsp::getParamValue(const std::string &path) const {
  const auto &ui = P->info->ui;
  for (size_t i = 0; i < ui.size(); ++i)
    if ((ui[i].isInput() || ui[i].isBargraph()) && ui[i].address == path)
      return *P->zoneFor(i);
  return 0;
}

std::vector<std::string> Dsp::paramPaths() const {
  std::vector<std::string> out;
  for (const UiItem &item : P->info->ui)
    if (item.isInput() || item.isBargraph())
      out.push_back(item.address);
  return out;
}

std::shared_ptr<Factory> Dsp::factory() const { return P->factory; }

namespace {

Diagnostic cannotInstantiate(std::string message) {
  Diagnostic diag = errorDiagnostic(std::move(message));
  diag.kind = ErrorKind::InvalidArgument;
  return diag;
}

} // namespace

kiln::Expected<std::unique_ptr<Dsp>> Factory::createInstance() {
  if (!P->jit)
    return cannotInstantiate("factory '" + P->name + "' was built for " +
                             P->target + ", not this machine (" +
                             getDSPMachineTarget() + ")");
  if (std::string layoutError; !checkLayout(P->info, P->name, layoutError))
    return cannotInstantiate(layoutError);
  auto impl = std::make_unique<Dsp::Impl>();
  impl->factory = shared_from_this();
  impl->info = &P->info;
  impl->kernel = P->kernel;
  // calloc, not aligned_alloc + memset: a large struct (seconds of delay
  // lines) then comes as untouched zero pages, so creating an instance stays
  // cheap; instanceClear writes what the DSP really uses.
  impl->block =
      std::calloc(size_t(std::max<uint64_t>(P->info.size, 1)) + 64, 1);
  if (!impl->block)
    return errorDiagnostic("out of memory for a " +
                           std::to_string(P->info.size) +
                           "-byte instance of '" + P->name + "'");
  auto address = reinterpret_cast<uintptr_t>(impl->block);
  impl->memory = reinterpret_cast<char *>((address + 63) & ~uintptr_t(63));
  impl->direct = P->info.isDouble == (sizeof(FAUSTFLOAT) == sizeof(double));
  impl->shadow.assign(P->info.ui.size(), 0);
  P->kernel.allocate(impl->memory);
  return std::make_unique<Dsp>(std::move(impl));
}

std::unique_ptr<Dsp> Factory::createInstance(std::string *error) {
  kiln::Expected<std::unique_ptr<Dsp>> dsp = createInstance();
  if (!dsp) {
    if (error)
      *error = kiln::render(dsp.diagnostics());
    return nullptr;
  }
  return std::move(*dsp);
}

} // namespace kiln::faust
