#!/usr/bin/python3
"""check_excerpts: the tutorial's text must show the code and output as they are.

Every fenced block of C++ or Ember in docs/tutorial/*.md must be preceded by
    <!-- excerpt: chNN/File.cpp marker-name -->
and equal the lines between `// [tutorial:marker-name]` (or `# [tutorial:…]`)
and the next `// [/tutorial]` in examples/tutorial/chNN/File.cpp. A block
preceded by
    <!-- output: chNN/prog.expected -->
must appear, line for line, as a contiguous run of that pinned output file
(which the tutorial.* tests compare with the program's real output). Links
to other pages of the tutorial (`[text](chNN-topic.md)`) must resolve.

Usage: check_excerpts.py DOCS_DIR EXAMPLES_DIR    (exit 1 on any mismatch)
       check_excerpts.py --show EXAMPLES_DIR FILE MARKER   (print an excerpt)
       check_excerpts.py --update DOCS_DIR EXAMPLES_DIR
           (rewrite every excerpt block from its source, after editing code;
            output blocks are left alone: the checker still reports those)
"""
import pathlib
import re
import sys

TAG = re.compile(r"<!--\s*(excerpt|output):\s*(\S+)(?:\s+(\S+))?\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")
LOCAL_LINK = re.compile(r"\]\(([\w.-]+\.md)\)")
CHECKED_LANGUAGES = {"cpp", "c", "ember"}


def excerpt(path, marker):
    """The lines between the marker's opening and closing comments."""
    lines = path.read_text().splitlines()
    opening = re.compile(r"^\s*(//|#)\s*\[tutorial:" + re.escape(marker) + r"\]\s*$")
    closing = re.compile(r"^\s*(//|#)\s*\[/tutorial\]\s*$")
    starts = [i for i, line in enumerate(lines) if opening.match(line)]
    if len(starts) != 1:
        raise LookupError(f"marker '{marker}' occurs {len(starts)} times in {path}")
    for end in range(starts[0] + 1, len(lines)):
        if closing.match(line := lines[end]):
            return lines[starts[0] + 1:end]
    raise LookupError(f"marker '{marker}' in {path} is never closed")


def blocks(markdown):
    """Yields (line number, tag match or None, language, block lines)."""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        tag = None
        for back in range(i - 1, -1, -1):
            if lines[back].strip():
                tag = TAG.search(lines[back])
                break
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        yield i + 1, tag, fence.group(1), lines[i + 1:end]
        i = end + 1


def contains_run(haystack, needle):
    return any(haystack[k:k + len(needle)] == needle
               for k in range(len(haystack) - len(needle) + 1))


def check_block(examples, tag, language, body):
    """An error message, or None when the block matches its source."""
    if tag is None:
        if language in CHECKED_LANGUAGES:
            return f"a ```{language} block without an excerpt tag"
        return None
    kind, path, marker = tag.group(1), examples / tag.group(2), tag.group(3)
    if not path.is_file():
        return f"{tag.group(2)} does not exist"
    if kind == "output":
        if not body or not contains_run(path.read_text().splitlines(), body):
            return f"output block is not a run of lines of {tag.group(2)}"
        return None
    try:
        code = excerpt(path, marker)
    except LookupError as e:
        return str(e)
    if [l.rstrip() for l in code] != [l.rstrip() for l in body]:
        return f"excerpt '{marker}' differs from {tag.group(2)}"
    return None


def update(docs, examples):
    """Replaces the body of every excerpt block with the current source."""
    for md in sorted(docs.glob("*.md")):
        lines = md.read_text().splitlines()
        out, i = [], 0
        while i < len(lines):
            out.append(lines[i])
            tag = TAG.search(lines[i])
            if tag and tag.group(1) == "excerpt" and i + 1 < len(lines) \
                    and FENCE.match(lines[i + 1]):
                end = i + 2
                while end < len(lines) and not lines[end].startswith("```"):
                    end += 1
                code = excerpt(examples / tag.group(2), tag.group(3))
                out += [lines[i + 1]] + code + ["```"]
                i = end
            i += 1
        md.write_text("\n".join(out) + "\n")


def main(argv):
    if len(argv) == 5 and argv[1] == "--show":
        print("\n".join(excerpt(pathlib.Path(argv[2]) / argv[3], argv[4])))
        return 0
    if len(argv) == 4 and argv[1] == "--update":
        update(pathlib.Path(argv[2]), pathlib.Path(argv[3]))
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    docs, examples = pathlib.Path(argv[1]), pathlib.Path(argv[2])
    failures = checked = 0
    for md in sorted(docs.glob("*.md")):
        for target in LOCAL_LINK.findall(md.read_text()):
            if not (docs / target).is_file():
                failures += 1
                print(f"{md}: link to missing page {target}", file=sys.stderr)
        for line, tag, language, body in blocks(md.read_text()):
            error = check_block(examples, tag, language, body)
            checked += tag is not None
            if error:
                failures += 1
                print(f"{md}:{line}: {error}", file=sys.stderr)
    print(f"check_excerpts: {checked} tagged blocks, {failures} failures")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
