// JsonTest: the JSON reader and the DSP description built from it.
#include "dsp/Json.h"
#include "dsp/DspInfo.h"

#include <gtest/gtest.h>

namespace kiln::faust {
namespace {

TEST(JsonTest, ParsesTheWholeGrammar) {
  json::Value v;
  std::string error;
  ASSERT_TRUE(json::parse(
      R"( {"a": [1, -2.5e2, true, false, null], "s": "q\"\\\n\u00e9", "o": {}} )",
      v, error))
      << error;
  ASSERT_EQ(v.kind, json::Value::Kind::Object);
  const json::Value *a = v.get("a");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->array.size(), 5u);
  EXPECT_EQ(a->array[1].number, -250);
  EXPECT_TRUE(a->array[2].boolean);
  EXPECT_EQ(a->array[4].kind, json::Value::Kind::Null);
  EXPECT_EQ(v.stringOr("s", ""), "q\"\\\n\xc3\xa9");
  EXPECT_EQ(v.numberOr("missing", 7), 7);
}

TEST(JsonTest, MalformedTextIsAnErrorWithOffset) {
  json::Value v;
  std::string error;
  EXPECT_FALSE(json::parse(R"({"a": 1,)", v, error));
  EXPECT_EQ(error, "expected a member name at offset 8");
  EXPECT_FALSE(json::parse(R"(["x)", v, error));
  EXPECT_EQ(error, "unterminated string at offset 3");
  EXPECT_FALSE(json::parse("{} x", v, error));
  EXPECT_EQ(error, "unexpected text at offset 3");
}

const char *kOsc = R"({"name": "osc","filename": "osc.dsp",
"compile_options": "-lang llvm 14.0.6 -es 1 -mcd 16 -single -ftz 0",
"library_list": ["/usr/share/faust/stdfaust.lib"],"include_pathnames": ["/usr/share/faust"],
"size": 20,"inputs": 0,"outputs": 1,"sr_index": 4,
"meta": [ { "name": "osc" },{ "author": "me" }],
"ui": [ {"type": "vgroup","label": "osc","meta": [{"tooltip": "t"}],"items": [
  {"type": "hslider","label": "freq","address": "/osc/freq","index": 0,
   "meta": [{"style": "knob"}],"init": 440,"min": 20,"max": 2000,"step": 1},
  {"type": "button","label": "gate","address": "/osc/gate","index": 16},
  {"type": "soundfile","label": "s","url": "{'a.wav'}","address": "/osc/s","index": 8}]}]})";

TEST(JsonTest, DspInfoFlattensTheUI) {
  DspInfo info;
  std::string error;
  ASSERT_TRUE(parseDspInfo(kOsc, info, error)) << error;
  EXPECT_EQ(info.name, "osc");
  EXPECT_EQ(info.size, 20u);
  EXPECT_EQ(info.outputs, 1);
  EXPECT_EQ(info.srOffset, 4);
  EXPECT_FALSE(info.isDouble);
  ASSERT_EQ(info.meta.size(), 2u);
  EXPECT_EQ(info.meta[1].second, "me");
  ASSERT_EQ(info.ui.size(), 5u);
  EXPECT_EQ(info.ui[0].type, UiItem::Type::OpenVertical);
  EXPECT_EQ(info.ui[0].meta[0].first, "tooltip");
  EXPECT_EQ(info.ui[1].type, UiItem::Type::HSlider);
  EXPECT_EQ(info.ui[1].init, 440);
  EXPECT_EQ(info.ui[1].meta[0].second, "knob");
  EXPECT_EQ(info.ui[2].type, UiItem::Type::Button);
  EXPECT_EQ(info.ui[2].offset, 16);
  EXPECT_EQ(info.ui[3].url, "{'a.wav'}");
  EXPECT_EQ(info.ui[4].type, UiItem::Type::Close);
}

TEST(JsonTest, UnsupportedFormatsAndBrokenDescriptionsAreErrors) {
  DspInfo info;
  std::string error;
  EXPECT_FALSE(parseDspInfo(
      R"({"compile_options": "-quad","size": 8,"inputs": 0,"outputs": 1})",
      info, error));
  EXPECT_EQ(error, "Kiln runs single- and double-precision Faust code only "
                   "(compile options: -quad)");
  EXPECT_FALSE(parseDspInfo(R"({"size": 8})", info, error));
  EXPECT_EQ(error, "Faust JSON lacks size, inputs or outputs");
  EXPECT_FALSE(parseDspInfo(
      R"({"size": 8,"inputs": 0,"outputs": 1,"ui": [{"type": "knob"}]})", info,
      error));
  EXPECT_EQ(error, "unknown UI item type 'knob'");
  // Numbers no int holds are missing values, not out-of-range conversions.
  EXPECT_FALSE(
      parseDspInfo(R"({"size": 1e300,"inputs": 0,"outputs": 1})", info, error));
  EXPECT_EQ(error, "Faust JSON lacks size, inputs or outputs");
  EXPECT_FALSE(
      parseDspInfo(R"({"size": 8,"inputs": 1e20,"outputs": 1})", info, error));
  EXPECT_EQ(error, "Faust JSON lacks size, inputs or outputs");
  EXPECT_FALSE(parseDspInfo(R"({"size": 8,"inputs": 0,"outputs": 1,"ui": [
    {"type": "button","address": "/b","index": -1e30}]})",
                            info, error));
  EXPECT_EQ(error, "UI item '/b' has no zone index");
}

// A struct Kiln would not allocate, or zones outside it (a description that
// wrapped at 32 bits, or a broken one), are refused before any instance.
TEST(JsonTest, LayoutsOutsideTheInstanceAreRefused) {
  DspInfo info;
  std::string error;
  ASSERT_TRUE(parseDspInfo(kOsc, info, error)) << error;
  EXPECT_TRUE(checkLayout(info, "osc", error)) << error;
  info.size = 4294967304; // process = _ @ 1000000000;
  EXPECT_FALSE(checkLayout(info, "big", error));
  EXPECT_EQ(error, "'big' needs 4294967304 bytes of instance memory (4.0 GiB); "
                   "Kiln allocates at most 2 GiB for one DSP instance");
  info.size = 16; // the button at 16 ends at 20
  EXPECT_FALSE(checkLayout(info, "osc", error));
  EXPECT_EQ(error, "Faust's description of 'osc' puts zone '/osc/gate' at "
                   "byte 16, outside its 16-byte instance");
  info.size = 4; // the sample rate at 4 ends at 8
  EXPECT_FALSE(checkLayout(info, "osc", error));
  EXPECT_EQ(error, "Faust's description of 'osc' puts the sample rate at "
                   "byte 4, outside its 4-byte instance");
}

} // namespace
} // namespace kiln::faust
