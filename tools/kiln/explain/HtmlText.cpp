// HtmlText: character references for the five characters HTML reserves.
#include "HtmlText.h"

namespace kiln::tool::explain {

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
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
