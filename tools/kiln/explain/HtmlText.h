// HtmlText: escaping text for an HTML page, the page's one defence.
//
// Everything a page shows — source, file names, IR, assembly, pass names —
// goes through escapeHtml, so a source holding `<script>` is shown, never
// run. Attribute values are escaped the same way (quotes included).
#pragma once

#include <string>
#include <string_view>

namespace kiln::tool::explain {

/// `text` with & < > " ' as character references and each byte that is
/// not part of well-formed UTF-8 as U+FFFD, so the page is valid UTF-8.
std::string escapeHtml(std::string_view text);

/// `<tag class="cls">escaped text</tag>`.
std::string element(std::string_view tag, std::string_view cls,
                    std::string_view text);

} // namespace kiln::tool::explain
