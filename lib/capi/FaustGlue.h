// FaustGlue.h: Faust's C++ UI and Meta interfaces forwarded to C callbacks.
//
// Both C APIs over Faust (kiln_faust_* and the libfaust drop-in) hand a DSP's
// metadata and UI to C code: a Kiln Dsp describes itself through Faust's
// `Meta` and `UI` classes, so these adapters turn each virtual call into a
// call through a C function pointer (a NULL pointer is skipped). Also the
// buffer check both make before a compute. Internal.
#pragma once

#include <faust/gui/CInterface.h>
#include <faust/gui/UI.h>
#include <faust/gui/meta.h>

namespace kiln::capi {

/// True when `buffers` and each of its `channels` channels are non-NULL:
/// the check both C APIs make before a compute.
inline bool buffersPresent(FAUSTFLOAT **buffers, int channels) {
  if (channels == 0)
    return true;
  if (!buffers)
    return false;
  for (int c = 0; c < channels; ++c)
    if (!buffers[c])
      return false;
  return true;
}

/// Forwards Meta::declare to `declare(data, key, value)`.
class CallbackMeta : public Meta {
public:
  CallbackMeta(metaDeclareFun declare, void *data)
      : Declare(declare), Data(data) {}
  void declare(const char *key, const char *value) override {
    if (Declare)
      Declare(Data, key, value);
  }

private:
  metaDeclareFun Declare;
  void *Data;
};

/// Forwards every UI call to the matching UIGlue member (libfaust's C UI).
class GlueUI : public UI {
public:
  explicit GlueUI(UIGlue &glue) : G(glue) {}

  void openTabBox(const char *label) override {
    if (G.openTabBox)
      G.openTabBox(G.uiInterface, label);
  }
  void openHorizontalBox(const char *label) override {
    if (G.openHorizontalBox)
      G.openHorizontalBox(G.uiInterface, label);
  }
  void openVerticalBox(const char *label) override {
    if (G.openVerticalBox)
      G.openVerticalBox(G.uiInterface, label);
  }
  void closeBox() override {
    if (G.closeBox)
      G.closeBox(G.uiInterface);
  }
  void addButton(const char *label, FAUSTFLOAT *zone) override {
    if (G.addButton)
      G.addButton(G.uiInterface, label, zone);
  }
  void addCheckButton(const char *label, FAUSTFLOAT *zone) override {
    if (G.addCheckButton)
      G.addCheckButton(G.uiInterface, label, zone);
  }
  void addVerticalSlider(const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init,
                         FAUSTFLOAT min, FAUSTFLOAT max,
                         FAUSTFLOAT step) override {
    if (G.addVerticalSlider)
      G.addVerticalSlider(G.uiInterface, label, zone, init, min, max, step);
  }
  void addHorizontalSlider(const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init,
                           FAUSTFLOAT min, FAUSTFLOAT max,
                           FAUSTFLOAT step) override {
    if (G.addHorizontalSlider)
      G.addHorizontalSlider(G.uiInterface, label, zone, init, min, max, step);
  }
  void addNumEntry(const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init,
                   FAUSTFLOAT min, FAUSTFLOAT max, FAUSTFLOAT step) override {
    if (G.addNumEntry)
      G.addNumEntry(G.uiInterface, label, zone, init, min, max, step);
  }
  void addHorizontalBargraph(const char *label, FAUSTFLOAT *zone,
                             FAUSTFLOAT min, FAUSTFLOAT max) override {
    if (G.addHorizontalBargraph)
      G.addHorizontalBargraph(G.uiInterface, label, zone, min, max);
  }
  void addVerticalBargraph(const char *label, FAUSTFLOAT *zone, FAUSTFLOAT min,
                           FAUSTFLOAT max) override {
    if (G.addVerticalBargraph)
      G.addVerticalBargraph(G.uiInterface, label, zone, min, max);
  }
  void addSoundfile(const char *label, const char *url,
                    Soundfile **zone) override {
    if (G.addSoundfile)
      G.addSoundfile(G.uiInterface, label, url, zone);
  }
  void declare(FAUSTFLOAT *zone, const char *key, const char *value) override {
    if (G.declare)
      G.declare(G.uiInterface, zone, key, value);
  }

private:
  UIGlue &G;
};

} // namespace kiln::capi
