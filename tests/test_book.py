"""The built book (`make book`, run by `make test` before pytest) shows what the course promises:
stored outputs, folded solutions, static stand-ins for widgets, maths, search, offline MathJax."""

import re

import pytest

from tools.notebooks import ROOT, chapter_paths, read_nb, tags

HTML = ROOT / "_build" / "html"
pytestmark = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="the book is not built (`make book`)")
CHAPTERS = chapter_paths()


def page(chapter):
    return (HTML / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")


def test_every_toc_chapter_is_built_and_every_chapter_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    for chapter in CHAPTERS:
        assert f"chapters/{chapter.stem}" in toc, f"{chapter.name} is not in _toc.yml"
        assert (HTML / "chapters" / f"{chapter.stem}.html").exists()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_page_shows_stored_outputs_and_folded_solutions(chapter):
    html = page(chapter)
    nb = read_nb(chapter)
    n_solutions = sum(1 for c in nb.cells if c.cell_type == "code" and "solution" in tags(c))
    assert html.count('class="solution dropdown') == n_solutions >= 2
    assert html.count("not yet implemented") >= 3          # the stubs' stored check reports
    assert "passed." in html                                # the solutions' stored check reports
    assert re.search(r'<img alt="[^"]*" src="\.\./_images/[0-9a-f]+\.png"', html)  # figures, stand-ins
    assert "\\(" in html or "\\[" in html                     # maths, for MathJax


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_widget_output_is_hidden_and_a_standin_is_shown(chapter):
    nb = read_nb(chapter)
    widget_cells = [c for c in nb.cells if c.cell_type == "code" and any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.outputs)]
    assert widget_cells, f"{chapter.name} has no widget"
    assert all("remove-output" in tags(c) for c in widget_cells)
    standins = [c for c in nb.cells if c.cell_type == "code" and ".standin(" in c.source]
    assert standins and all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in standins)


def test_search_and_offline_mathjax():
    assert (HTML / "search.html").exists() and (HTML / "searchindex.js").exists()
    assert "Dense" in (HTML / "searchindex.js").read_text(encoding="utf-8")
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert "_static/mathjax/tex-chtml.js" in page(CHAPTERS[0])


def test_long_output_lines_wrap():
    assert "_static/custom.css" in page(CHAPTERS[0])
    assert "pre-wrap" in (HTML / "_static" / "custom.css").read_text()
