"""What the chapters must hold for the book, checked in the notebooks (no build needed).

* Code fits the column: at 1280 px a code cell holds 80 characters (book/_static/custom.css), so
  no shown code line is longer than 79. Longer lines scroll sideways; tests/test_browser.py sees
  that in the built book too.
* Each chapter shows a kernel-free scrubber of its widget, within the page budget.
"""

import nbformat
import pytest

from tools.notebooks import chapter_paths, read_nb, tags

CHAPTERS = chapter_paths()
LINE_LIMIT = 79
BUDGET = 1_500_000  # bytes of scrubber HTML per chapter page (issue 10)


def long_code_lines(path, limit: int = LINE_LIMIT) -> list[str]:
    """'cell N line M (L characters)' for every line of a shown code cell longer than `limit`.

    Cells tagged remove-cell (the Colab install cell) are not shown in the book.
    """
    found = []
    for n, cell in enumerate(read_nb(path).cells):
        if cell.cell_type != "code" or "remove-cell" in tags(cell):
            continue
        for m, line in enumerate(cell.source.splitlines(), start=1):
            if len(line) > limit:
                found.append(f"cell {n} line {m} ({len(line)} characters): {line.strip()[:50]}")
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_code_lines_fit_the_column(chapter):
    """Longer lines scroll sideways in the book at 1280 px (tests/test_browser.py sees that too)."""
    found = long_code_lines(chapter)
    assert not found, f"{len(found)} lines over {LINE_LIMIT} characters:\n" + "\n".join(found)


def test_the_line_length_guard_sees_a_long_line(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1\n" + "y = '" + "a" * 80 + "'"),
        nbformat.v4.new_code_cell("z = '" + "b" * 90 + "'", metadata={"tags": ["remove-cell"]})])
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, str(path))
    assert long_code_lines(path) == [f"cell 0 line 2 (86 characters): y = '{'a' * 45}"]


def stored_scrubbers(nb) -> list[int]:
    """The size in bytes of each scrubber a notebook's stored outputs show."""
    return [len(o["data"]["text/html"].encode()) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if 'class="sn-scrubber"' in o.get("data", {}).get("text/html", "")]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_each_chapter_shows_a_scrubber_within_the_page_budget(chapter):
    sizes = stored_scrubbers(read_nb(chapter))
    assert sizes, f"{chapter.name} shows no scrubber"
    assert sum(sizes) < BUDGET, f"{chapter.name}: {sum(sizes)} bytes of scrubbers, over {BUDGET}"


def test_the_scrubber_budget_counts_what_a_notebook_stores():
    pytest.importorskip("ipywidgets")
    from scratchnet.widgets.ch01 import NeuronSurface

    html = NeuronSurface().scrub("b", [-1.0, 1.0])._repr_html_()
    cell = nbformat.v4.new_code_cell('surface.scrub("b", [-1.0, 1.0])')
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": html}, execution_count=1)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), cell])
    assert stored_scrubbers(nb) == [len(html.encode())]
