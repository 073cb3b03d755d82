// faust_json_fuzz: the reader of the JSON a Faust module describes itself
// with (getJSONmydsp()).
//
// json::parse over any text, then for a document that parses, parseDspInfo
// (struct size, channels, metadata, the UI tree with zone offsets) and
// checkLayout, which must refuse every size or zone a Dsp cannot safely
// allocate and address. A real module's JSON comes from faust, but a
// factory read from IR or bitcode carries whatever JSON that file holds.
#include "FuzzSupport.h"

#include "faust/dsp/DspInfo.h"
#include "faust/dsp/Json.h"

#include <cstdint>
#include <string>

using namespace kiln::faust;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  json::Value value;
  std::string error;
  if (!json::parse(text, value, error))
    return 0;
  value.numberOr("size", 0);
  value.stringOr("name", "");
  DspInfo info;
  if (!parseDspInfo(text, info, error))
    return 0;
  if (!checkLayout(info, "fuzz", error))
    return 0;
  // What checkLayout promises: every zone lies inside the instance.
  for (const UiItem &item : info.ui)
    if (!item.isGroup() && item.type != UiItem::Type::Close &&
        (item.offset < 0 || uint64_t(item.offset) >= info.size))
      kiln::fuzz::finding("checkLayout accepted a zone outside the instance");
  if (info.size > kMaxInstanceBytes)
    kiln::fuzz::finding("checkLayout accepted an instance over the limit");
  return 0;
}
