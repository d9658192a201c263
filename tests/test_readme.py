"""The README's examples print what they say, and what torch prints."""

import contextlib
import io
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _run(source: str) -> list:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "README.md", "exec"), {})
    return out.getvalue().splitlines()


def test_readme_examples_print_their_comments_and_torchs_output():
    blocks = [b for b in _python_blocks() if "import ember as torch" in b]
    assert blocks
    for block in blocks:
        lines = _run(block)
        promised = [m.group(1).strip() for m in re.finditer(r"print\(.*\)\s+# (.*)", block)]
        assert lines == promised
        assert lines == _run(block.replace("import ember as torch", "import torch"))
