"""python.docs: every ```python block of docs/python.md runs as written
(each in a fresh namespace, in a temporary working folder), and every
examples/ file the page links to exists."""
import os
import re
import unittest

from kilntest import ROOT, TempDirTest, main, np

PAGE = os.path.join(ROOT, "docs", "python.md")


def blocks():
    with open(PAGE, encoding="utf-8") as f:
        text = f.read()
    return text, re.findall(r"```python\n(.*?)```", text, flags=re.S)


class Docs(TempDirTest):
    def test_every_block_runs(self):
        if np is None:
            self.skipTest("the page's examples use NumPy (python3-numpy)")
        _, code = blocks()
        self.assertGreaterEqual(len(code), 6)
        cwd = os.getcwd()
        os.chdir(self.tmp)
        self.addCleanup(os.chdir, cwd)
        for i, block in enumerate(code):
            with self.subTest(block=i, first_line=block.splitlines()[0]):
                exec(compile(block, f"docs/python.md block {i + 1}", "exec"), {})

    def test_linked_examples_exist(self):
        text, _ = blocks()
        links = re.findall(r"\]\(\.\./(examples/[^)]+)\)", text)
        self.assertGreaterEqual(len(links), 2)
        for link in links:
            self.assertTrue(os.path.exists(os.path.join(ROOT, link)), link)


if __name__ == "__main__":
    unittest.main(verbosity=2)
