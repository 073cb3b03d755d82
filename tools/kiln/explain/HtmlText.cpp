// HtmlText: character references for the five characters HTML reserves, and
// U+FFFD for bytes that are not UTF-8 (a source may hold any bytes; the page
// says it is UTF-8, so it must be).
#include "HtmlText.h"

#include <cstdint>

namespace kiln::tool::explain {

namespace {

/// The length of the well-formed UTF-8 sequence at text[i], or 0 when the
/// bytes there are not one: a stray continuation byte, a truncated
/// sequence, an overlong form, a surrogate or a code point past U+10FFFF.
size_t utf8Length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t n = lead < 0x80           ? 1
             : (lead >> 5) == 0x6  ? 2
             : (lead >> 4) == 0xE  ? 3
             : (lead >> 3) == 0x1E ? 4
                                   : 0;
  if (n == 0 || i + n > text.size())
    return 0;
  if (n == 1)
    return 1;
  uint32_t cp = lead & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t Least[] = {0, 0, 0x80, 0x800, 0x10000};
  bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  return cp < Least[n] || surrogate || cp > 0x10FFFF ? 0 : n;
}

} // namespace

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    switch (text[i]) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default:
      if (size_t n = utf8Length(text, i)) {
        out.append(text.substr(i, n));
        i += n;
        continue;
      }
      out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER, per byte
    }
    ++i;
  }
  return out;
}

std::string element(std::string_view tag, std::string_view cls,
                    std::string_view text) {
  std::string open = "<" + std::string(tag);
  if (!cls.empty())
    open += " class=\"" + escapeHtml(cls) + "\"";
  return open + ">" + escapeHtml(text) + "</" + std::string(tag) + ">";
}

} // namespace kiln::tool::explain
