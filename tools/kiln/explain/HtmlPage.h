// HtmlPage: a core::Explanation as one self-contained HTML page.
//
// The page needs nothing but itself: CSS and JS are inlined (page.css,
// page.js), no fonts, images or scripts are fetched, and a Content Security
// Policy forbids it. Sections: source, tokens, AST, the IR as generated,
// each pass that changed it (a diff), the optimised IR, the assembly with
// source lines interleaved, the phase times.
#pragma once

#include "kiln/core/Explanation.h"

#include <string>

namespace kiln::tool::explain {

/// The page for `e`; every text from `e` is escaped.
std::string renderPage(const core::Explanation &e);

} // namespace kiln::tool::explain
