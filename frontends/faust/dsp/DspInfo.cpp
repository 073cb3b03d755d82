// DspInfo: from Faust's JSON description to a flat, typed UI list.
#include "DspInfo.h"

#include "Json.h"

#include <climits>
#include <cmath>
#include <cstdio>

namespace kiln::faust {

namespace {

using json::Value;

/// `number` as an int when it is a whole number in [-1, INT_MAX], else
/// `fallback`: a broken or hostile description must not reach an
/// out-of-range conversion.
int intOf(double number, int fallback) {
  bool whole =
      number >= -1 && number <= double(INT_MAX) && number == std::floor(number);
  return whole ? int(number) : fallback;
}

/// The bytes a zone of `item` occupies in the instance.
uint64_t zoneWidth(const UiItem &item, bool isDouble) {
  if (item.type == UiItem::Type::Soundfile)
    return sizeof(void *);
  return isDouble ? sizeof(double) : sizeof(float);
}

MetaList metaOf(const Value *list) {
  MetaList out;
  if (!list || list->kind != Value::Kind::Array)
    return out;
  for (const Value &entry : list->array)
    for (size_t i = 0; i < entry.keys.size(); ++i)
      out.emplace_back(entry.keys[i],
                       entry.members[i].kind == Value::Kind::String
                           ? entry.members[i].string
                           : "");
  return out;
}

std::vector<std::string> stringsOf(const Value *list) {
  std::vector<std::string> out;
  if (list && list->kind == Value::Kind::Array)
    for (const Value &v : list->array)
      if (v.kind == Value::Kind::String)
        out.push_back(v.string);
  return out;
}

bool itemType(const std::string &type, UiItem::Type &out) {
  static const std::pair<const char *, UiItem::Type> table[] = {
      {"vgroup", UiItem::Type::OpenVertical},
      {"hgroup", UiItem::Type::OpenHorizontal},
      {"tgroup", UiItem::Type::OpenTab},
      {"hslider", UiItem::Type::HSlider},
      {"vslider", UiItem::Type::VSlider},
      {"nentry", UiItem::Type::NumEntry},
      {"button", UiItem::Type::Button},
      {"checkbox", UiItem::Type::CheckButton},
      {"hbargraph", UiItem::Type::HBargraph},
      {"vbargraph", UiItem::Type::VBargraph},
      {"soundfile", UiItem::Type::Soundfile}};
  for (auto &[name, t] : table)
    if (type == name)
      return out = t, true;
  return false;
}

/// Appends `item` (and, for groups, its children then a Close) to `out`.
bool flatten(const Value &item, int depth, std::vector<UiItem> &out,
             std::string &error) {
  UiItem ui;
  std::string type = item.stringOr("type", "");
  if (!itemType(type, ui.type) || depth > 100) {
    error = "unknown UI item type '" + type + "'";
    return false;
  }
  ui.label = item.stringOr("label", "");
  ui.address = item.stringOr("address", "");
  ui.url = item.stringOr("url", "");
  ui.offset = intOf(item.numberOr("index", -1), -1);
  ui.init = item.numberOr("init", 0);
  ui.min = item.numberOr("min", 0);
  ui.max = item.numberOr("max", 0);
  ui.step = item.numberOr("step", 0);
  ui.meta = metaOf(item.get("meta"));
  if (!ui.isGroup() && ui.offset < 0) {
    error = "UI item '" + ui.address + "' has no zone index";
    return false;
  }
  out.push_back(std::move(ui));
  if (!out.back().isGroup())
    return true;
  if (const Value *items = item.get("items"))
    for (const Value &child : items->array)
      if (!flatten(child, depth + 1, out, error))
        return false;
  out.push_back(UiItem{});
  return true;
}

} // namespace

bool parseDspInfo(const std::string &text, DspInfo &out, std::string &error) {
  Value root;
  if (!json::parse(text, root, error)) {
    error = "malformed Faust JSON: " + error;
    return false;
  }
  out = DspInfo{};
  out.name = root.stringOr("name", "");
  out.filename = root.stringOr("filename", "");
  out.compileOptions = root.stringOr("compile_options", "");
  out.libraryList = stringsOf(root.get("library_list"));
  out.includePathnames = stringsOf(root.get("include_pathnames"));
  double size = root.numberOr("size", -1);
  bool sizeOk = size >= 0 && size <= 0x1p53 && size == std::floor(size);
  out.size = sizeOk ? uint64_t(size) : 0;
  out.inputs = intOf(root.numberOr("inputs", -1), -1);
  out.outputs = intOf(root.numberOr("outputs", -1), -1);
  out.srOffset = intOf(root.numberOr("sr_index", -1), -1);
  out.meta = metaOf(root.get("meta"));
  const std::string &opts = out.compileOptions;
  out.isDouble = opts.find("-double") != std::string::npos;
  if (opts.find("-quad") != std::string::npos ||
      opts.find("-fx") != std::string::npos) {
    error = "Kiln runs single- and double-precision Faust code only "
            "(compile options: " +
            opts + ")";
    return false;
  }
  if (!sizeOk || out.inputs < 0 || out.outputs < 0) {
    error = "Faust JSON lacks size, inputs or outputs";
    return false;
  }
  if (const Value *ui = root.get("ui"))
    for (const Value &item : ui->array)
      if (!flatten(item, 0, out.ui, error))
        return false;
  return true;
}

bool checkLayout(const DspInfo &info, const std::string &name,
                 std::string &error) {
  if (info.size > kMaxInstanceBytes) {
    char gib[32];
    std::snprintf(gib, sizeof gib, "%.1f", double(info.size) / (1 << 30));
    error = "'" + name + "' needs " + std::to_string(info.size) +
            " bytes of instance memory (" + gib +
            " GiB); Kiln allocates at "
            "most 2 GiB for one DSP instance";
    return false;
  }
  auto outside = [&](const std::string &what, int offset, uint64_t width) {
    if (uint64_t(offset) + width <= info.size)
      return false;
    error = "Faust's description of '" + name + "' puts " + what + " at byte " +
            std::to_string(offset) + ", outside its " +
            std::to_string(info.size) + "-byte instance";
    return true;
  };
  if (info.srOffset >= 0 && outside("the sample rate", info.srOffset, 4))
    return false;
  for (const UiItem &item : info.ui)
    if (!item.isGroup() && outside("zone '" + item.address + "'", item.offset,
                                   zoneWidth(item, info.isDouble)))
      return false;
  return true;
}

} // namespace kiln::faust
