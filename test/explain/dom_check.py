"""dom_check.py: checks a `kiln explain` page's DOM as headless Chromium
dumped it (--dump-dom) after the page's script ran with #select=LINE.

usage: dom_check.py DOM.html LINE LANGUAGE
Prints one line per failed check and exits 1 if any failed.
"""
import re
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    """Collects sections, the body's data attributes and every element with
    data-src or data-line, with the section it sits in."""

    def __init__(self):
        super().__init__()
        self.sections, self.body, self.rows = [], {}, []
        self.section = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "section":
            self.section = a.get("id")
            self.sections.append(self.section)
        if "data-src" in a or "data-line" in a:
            self.rows.append((self.section, a))


def main():
    dom_file, line, language = sys.argv[1], sys.argv[2], sys.argv[3]
    page = Page()
    page.feed(open(dom_file, encoding="utf-8").read())
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    for sid in ["source", "tokens", "ast", "ir", "passes", "final-ir", "asm",
                "timings"]:
        expect(sid in page.sections, f"section #{sid} missing")
    expect(page.body.get("data-map-ready") == "true",
           "the page's script did not run (no data-map-ready)")
    expect(page.body.get("data-selected") == line,
           f"#select={line} selected {page.body.get('data-selected')}")
    selected = [(s, a) for s, a in page.rows
                if "selected" in a.get("class", "").split()]
    where = {s for s, _ in selected}
    for sid in ["source", "ir", "final-ir", "asm"]:
        expect(sid in where, f"line {line}: nothing selected in #{sid}")
    expect(all(a.get("data-src", a.get("data-line")) == line
               for _, a in selected),
           "a line of another source line is selected")
    expect(str(len(selected)) == page.body.get("data-selected-count"),
           "data-selected-count disagrees with the selected rows")
    mapped = [a for s, a in page.rows if s == "source" and "data-mapped" in a]
    expect(len(mapped) > 0, "no source line marked as mapped")
    for f in failures:
        print(f"FAIL {language}: {f}")
    print(f"{language}: line {line}: {len(selected)} rows selected, "
          f"{len(mapped)} source lines mapped")
    sys.exit(1 if failures else 0)


main()
