"""Cross-chapter references resolve: every "chapter N" in the book's text names a chapter that
is in _toc.yml, and every link to a chapter notebook points to one that exists (a pointer to a
chapter that was planned but not written would send the reader nowhere)."""

import re

import pytest

from tools.notebooks import ROOT, chapter_number, chapter_paths, read_nb

CHAPTERS = chapter_paths()
TOC = (ROOT / "_toc.yml").read_text(encoding="utf-8")
IN_TOC = {chapter_number(p) for p in CHAPTERS if f"chapters/{p.stem}" in TOC}
MENTION = re.compile(r"\b[Cc]hapters? (\d+)(?:\s*(?:-|–|to|and)\s*(\d+))?")
LINK = re.compile(r"\]\(((?:\.\./chapters/|\./)?(\d\d_[a-z0-9_]+)\.ipynb)(?:#[^)]*)?\)")


def _texts():
    for path in CHAPTERS:
        for i, cell in enumerate(read_nb(path).cells):
            yield f"{path.name} cell {i}", cell.source
    for page in sorted((ROOT / "book").glob("*.md")):
        yield page.name, page.read_text(encoding="utf-8")


def mentions(text):
    for match in MENTION.finditer(text):
        low = int(match[1])
        high = int(match[2]) if match[2] else low
        yield from range(low, high + 1)


def test_every_chapter_mentioned_is_in_the_table_of_contents():
    bad = [(where, n) for where, text in _texts() for n in mentions(text) if n not in IN_TOC]
    assert not bad, f"references to chapters that are not in _toc.yml: {bad}"


def test_every_link_to_a_chapter_resolves():
    names = {p.stem for p in CHAPTERS}
    bad = [(where, m[2]) for where, text in _texts() for m in LINK.finditer(text) if m[2] not in names]
    assert not bad, f"links to chapter notebooks that do not exist: {bad}"


@pytest.mark.parametrize("text, expected", [
    ("see chapter 3 and chapters 6-8", [3, 6, 7, 8]),
    ("Chapter 12's optimizer", [12]),
    ("in chapters 4 and 5", [4, 5]),
])
def test_mentions_are_found(text, expected):
    assert list(mentions(text)) == expected


def test_a_pointer_to_a_missing_chapter_is_caught():
    assert 99 not in IN_TOC
    assert 99 in set(mentions("as chapter 99 will show"))
