// Describe: a DSP's parameters and metadata, as lines of text.
#include "Describe.h"

#include <faust/gui/PathBuilder.h>
#include <faust/gui/UI.h>
#include <faust/gui/meta.h>

#include <fmt/format.h>

namespace kiln::faust::host {

namespace {

std::string range(FAUSTFLOAT init, FAUSTFLOAT lo, FAUSTFLOAT hi,
                  FAUSTFLOAT step) {
  return fmt::format(" init {} min {} max {} step {}", init, lo, hi, step);
}

/// One line per parameter, with MapUI's paths.
class InfoUI : public UI, public PathBuilder {
public:
  std::vector<std::string> lines;
  void openTabBox(const char *l) override { pushLabel(l); }
  void openHorizontalBox(const char *l) override { pushLabel(l); }
  void openVerticalBox(const char *l) override { pushLabel(l); }
  void closeBox() override { popLabel(); }
  void addButton(const char *l, FAUSTFLOAT *) override { add("button", l); }
  void addCheckButton(const char *l, FAUSTFLOAT *) override {
    add("checkbox", l);
  }
  void addVerticalSlider(const char *l, FAUSTFLOAT *, FAUSTFLOAT i,
                         FAUSTFLOAT lo, FAUSTFLOAT hi, FAUSTFLOAT s) override {
    add("vslider", l, range(i, lo, hi, s));
  }
  void addHorizontalSlider(const char *l, FAUSTFLOAT *, FAUSTFLOAT i,
                           FAUSTFLOAT lo, FAUSTFLOAT hi,
                           FAUSTFLOAT s) override {
    add("hslider", l, range(i, lo, hi, s));
  }
  void addNumEntry(const char *l, FAUSTFLOAT *, FAUSTFLOAT i, FAUSTFLOAT lo,
                   FAUSTFLOAT hi, FAUSTFLOAT s) override {
    add("nentry", l, range(i, lo, hi, s));
  }
  void addHorizontalBargraph(const char *l, FAUSTFLOAT *, FAUSTFLOAT lo,
                             FAUSTFLOAT hi) override {
    add("hbargraph", l, fmt::format(" min {} max {}", lo, hi));
  }
  void addVerticalBargraph(const char *l, FAUSTFLOAT *, FAUSTFLOAT lo,
                           FAUSTFLOAT hi) override {
    add("vbargraph", l, fmt::format(" min {} max {}", lo, hi));
  }
  void addSoundfile(const char *l, const char *url, Soundfile **) override {
    add("soundfile", l, fmt::format(" url {}", url));
  }

private:
  void add(const char *type, const char *label, const std::string &rest = "") {
    lines.push_back(fmt::format("{} {}{}", buildPath(label), type, rest));
  }
};

class InfoMeta : public Meta {
public:
  std::vector<std::string> lines;
  void declare(const char *key, const char *value) override {
    lines.push_back(fmt::format("{}: {}", key, value));
  }
};

} // namespace

Description describe(::dsp &dsp) {
  InfoUI ui;
  dsp.buildUserInterface(&ui);
  InfoMeta meta;
  dsp.metadata(&meta);
  return {dsp.getNumInputs(), dsp.getNumOutputs(), std::move(ui.lines),
          std::move(meta.lines)};
}

} // namespace kiln::faust::host
