"""The chapters' side of accessibility (issue 12), checked on the notebooks (fast; no book, no
browser). The built book is checked in the browser (tests/browser/accessibility.py).

* Alt text: every code cell that stores a figure (a PNG output: a plot, a widget's stand-in)
  gives it an alt text in its metadata, `mystnb: {image: {alt: "..."}}`, which myst-nb puts on
  the <img> in the book; and every frame of every scrubber (`.scrub(`) has a real alt text of
  its own (read from the stored output: `alt=` is a template with `{value}`, or a function of
  the value). An alt text is one sentence saying what the figure shows and what to notice: at
  least 8 words, not a file name or path.
* Style: a chapter that draws with pyplot sets the book's figure style in its import cell,
  `plt.style.use("tableau-colorblind10")`, the style the widgets draw in
  (scratchnet.widgets.STYLE), before its first figure.

Each rule has a companion test on a notebook made to break it.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from tools.notebooks import chapter_paths, read_nb

CHAPTERS = chapter_paths()
MIN_WORDS = 8
FILE_NAME = re.compile(r"\.(png|jpe?g|gif|svg)\b|^\S*[/\\]\S*$|\b[0-9a-f]{16,}\b", re.I)


def alt_problem(alt) -> str:
    """Why `alt` is not a real alt text ('' if it is one)."""
    if not isinstance(alt, str) or not alt.strip():
        return "no alt text"
    if FILE_NAME.search(alt):
        return f"the alt {alt!r} is a file name or path"
    words = len([w for w in alt.split() if re.search(r"\w", w)])
    if words < MIN_WORDS:
        return f"the alt {alt!r} has {words} words; say in a sentence what the figure shows and what to notice"
    return ""


def figure_alt_problems(nb) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index} ({cell.source.splitlines()[0][:50] if cell.source else ''!r})"
        if any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
            problem = alt_problem(alt)
            if problem:
                problems.append(f"{where}: {problem}: give the cell metadata "
                                f"mystnb: {{image: {{alt: \"...\"}}}}")
        if re.search(r"\.scrub\(", cell.source):
            problems += [f"{where}: {problem}" for problem in scrubber_alt_problems(cell)]
    return problems


def scrubber_alts(cell) -> list[list[str]]:
    """The alt texts of each scrubber a cell's stored outputs hold, frame by frame: what the
    reader's screen reader says as the slider moves."""
    found = []
    for output in cell.get("outputs", []):
        page = output.get("data", {}).get("text/html", "")
        for data in re.findall(r'<script type="application/json" class="sn-scrubber-data">(.*?)</script>',
                               "".join(page) if isinstance(page, list) else page, re.S):
            found.append(json.loads(data.replace("<\\/", "</"))["alts"])
    return found


def scrubber_alt_problems(cell) -> list[str]:
    scrubbers = scrubber_alts(cell)
    if not scrubbers:
        return ["a scrubber with no stored frames to check (execute the chapter)"]
    problems = []
    for alts in scrubbers:
        for k, alt in enumerate(alts):
            problem = alt_problem(alt)
            if problem:
                problems.append(f"frame {k + 1}: {problem}: give scrub() an alt= template with "
                                "{value}, or a function of the value")
        if not problems and len(set(alts)) < len(alts):
            problems.append("two frames have the same alt text: say each frame's value")
    return problems


def style_problems(nb, style: str) -> list[str]:
    """The chapter draws with pyplot but does not set the book's style before its first figure."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    drawing = [i for i, c in enumerate(code) if re.search(r"\bplt\.(subplots|figure|plot|show)\(|\.plot\(\)", c.source)]
    if not drawing:
        return []
    use = f"plt.style.use({style!r})".replace("'", '"')
    setting = [i for i, c in enumerate(code) if use in c.source]
    if not setting:
        return [f"the chapter draws with pyplot but never calls {use}"]
    if setting[0] > drawing[0]:
        return [f"{use} comes after the first figure"]
    if "import matplotlib.pyplot as plt" not in code[setting[0]].source:
        return [f"{use} is not in the cell that imports pyplot"]
    return []


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_figure_and_scrubber_has_a_real_alt_text(path):
    assert figure_alt_problems(read_nb(path)) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_that_plots_uses_the_book_style(path):
    from scratchnet.widgets import STYLE

    assert style_problems(read_nb(path), STYLE) == []


def test_the_chapters_have_figures_and_scrubbers_to_check():
    """So that passing means something: every chapter stores a figure and has a scrubber."""
    for path in CHAPTERS:
        nb = read_nb(path)
        pngs = sum(any("image/png" in o.get("data", {}) for o in c.get("outputs", []))
                   for c in nb.cells if c.cell_type == "code")
        assert pngs >= 1 and any(".scrub(" in c.source for c in nb.cells), path.name


# ----------------------------------------------------------- companions: notebooks made to break it

def _notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _figure_cell(source="fig, ax = plt.subplots()\nplt.show()", alt=None):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]
    if alt is not None:
        cell.metadata["mystnb"] = {"image": {"alt": alt}}
    return cell


@pytest.mark.parametrize("alt, found", [
    (None, "no alt text"),
    ("", "no alt text"),
    ("../_images/e4eeaac8d2f1b0a9c3e5f7a1b226ad.png", "file name or path"),
    ("The loss curve.", "has 3 words"),
])
def test_companion_a_figure_without_a_real_alt_is_caught(alt, found):
    problems = figure_alt_problems(_notebook(_figure_cell(alt=alt)))
    assert len(problems) == 1 and found in problems[0] and "mystnb" in problems[0]


def test_companion_a_real_alt_passes():
    alt = "Loss against weight: a parabola with its minimum at w = 2; the tangent at w = 0 slopes down."
    assert figure_alt_problems(_notebook(_figure_cell(alt=alt))) == []


def _scrubber_cell(alts, source='w.scrub("b", [0.0, 1.0])'):
    from scratchnet.widgets._scrubber import Scrubber

    cell = nbformat.v4.new_code_cell(source)
    if alts is not None:
        page = Scrubber([b"frame"] * len(alts), [str(k) for k in range(len(alts))], "bias b", alts,
                        "sn-scrubber-test")._repr_html_()
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": page})]
    return cell


@pytest.mark.parametrize("alts, found", [
    (None, "no stored frames"),
    (["GradientDescent1D: the figure with b = 0", "GradientDescent1D: the figure with b = 1"], "has 6 words"),
    (["b = 0.0", "b = 1.0"], "frame 1: the alt 'b = 0.0' has 2 words"),
    (["A heat map of the output of a neuron with its bias fixed"] * 2, "two frames have the same alt text"),
])
def test_companion_a_scrubber_without_real_alt_texts_is_caught(alts, found):
    problems = figure_alt_problems(_notebook(_scrubber_cell(alts)))
    assert problems and found in problems[0], problems


def test_companion_a_scrubber_whose_frames_each_have_a_real_alt_passes():
    alts = [f"A heat map of the output of a neuron with the bias b = {b}: the zero line moves" for b in (0, 1)]
    assert figure_alt_problems(_notebook(_scrubber_cell(alts))) == []


def test_companion_a_chapter_that_plots_without_the_style_is_caught():
    imports = nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nimport numpy as np")
    assert style_problems(_notebook(imports, _figure_cell()), "tableau-colorblind10") == [
        'the chapter draws with pyplot but never calls plt.style.use("tableau-colorblind10")']
    late = nbformat.v4.new_code_cell('plt.style.use("tableau-colorblind10")')
    assert "after the first figure" in style_problems(_notebook(imports, _figure_cell(), late),
                                                       "tableau-colorblind10")[0]
    styled = nbformat.v4.new_code_cell('import matplotlib.pyplot as plt\nplt.style.use("tableau-colorblind10")')
    assert style_problems(_notebook(styled, _figure_cell()), "tableau-colorblind10") == []
    assert style_problems(_notebook(imports), "tableau-colorblind10") == []   # no figure: no rule
