// DspInfo: what a Faust module says about itself in its getJSON string.
//
// The struct size, channel counts, sample-rate field offset, metadata and the
// UI tree, flattened into the order buildUserInterface() replays it. Each
// zone is a byte offset into the instance memory. LLVM-free.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::faust {

using MetaList = std::vector<std::pair<std::string, std::string>>;

struct UiItem {
  enum class Type {
    OpenVertical,
    OpenHorizontal,
    OpenTab,
    Close,
    HSlider,
    VSlider,
    NumEntry,
    Button,
    CheckButton,
    HBargraph,
    VBargraph,
    Soundfile
  };
  Type type = Type::Close;
  std::string label, address, url;
  int offset = -1; ///< byte offset of the zone in the instance (the "index")
  double init = 0, min = 0, max = 0, step = 0;
  MetaList meta; ///< declare() calls made before the item

  bool isGroup() const { return type <= Type::Close; }
  bool isInput() const {
    return type >= Type::HSlider && type <= Type::CheckButton;
  }
  bool isBargraph() const {
    return type == Type::HBargraph || type == Type::VBargraph;
  }
};

struct DspInfo {
  std::string name, filename, compileOptions;
  std::vector<std::string> libraryList, includePathnames;
  /// Bytes of instance memory. Faust's JSON writes it as a 32-bit number
  /// (wrapped for a 4 GiB delay line), so a factory built from IR takes it
  /// from the module's struct type instead (PrepareModule.cpp).
  uint64_t size = 0;
  int inputs = 0, outputs = 0;
  int srOffset = -1;     ///< byte offset of fSampleRate, -1 when absent
  bool isDouble = false; ///< zones and buffers are double (-double)
  MetaList meta;
  std::vector<UiItem> ui;
};

/// Parses Faust's JSON; false with `error` when it is malformed or uses a
/// sample format Kiln does not support (-quad, -fx).
bool parseDspInfo(const std::string &json, DspInfo &out, std::string &error);

/// The most instance memory Kiln allocates for one DSP: the JSON's zone
/// offsets are 32-bit, so a larger struct could not be addressed reliably.
constexpr uint64_t kMaxInstanceBytes = (uint64_t(1) << 31) - 1;

/// Checks that `info.size` can be allocated (at most kMaxInstanceBytes) and
/// that every zone and the sample-rate field lie inside it; false with
/// `error` (naming the DSP `name`) otherwise.
bool checkLayout(const DspInfo &info, const std::string &name,
                 std::string &error);

} // namespace kiln::faust
