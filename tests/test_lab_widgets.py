"""The live widget test: every chapter in JupyterLab, driven in headless Chromium as a learner
drives it (`make test-lab`; runs in .ci/run, not in the fast loop).

JupyterLab is the version `make lab` installs (requirements-lab.txt), on 127.0.0.1 with a token
and throwaway settings, serving copies of the chapters. The browser is Debian's Chromium at
1280x900 CSS pixels with the file browser open, on a high-density screen (device pixel ratio 2).
For every chapter in `chapters/` (new chapters are picked up without editing this file):

- opened untouched and closed again, it is not marked as changed, JupyterLab does not ask to
  save it, and the file stays byte for byte the same (its exercise notebook too);
- run top to bottom, no cell has an error output or anything on stderr;
- every widget (found generically: each output area holding an ipywidgets view) shows exactly
  one figure, never larger than it was drawn (CSS size x device pixel ratio <= PNG size) and
  never so much smaller that its text falls below 7 CSS px (labdriver.MIN_FIGURE_SCALE);
  every control has a description, and every label, readout and button text is fully visible;
  every slider track is at least 120 px wide; all this in a narrow window too (700 px wide,
  file browser open: the chapter is run there, checked, then the window widened to 1280 px);
- the browser console shows no error (such as a widget view whose model is gone);
- every control is moved by mouse (drag, click), by keyboard (arrow keys, Space) and, where it
  takes text, by typing a value; after each move the figure changes, exactly one figure remains,
  and the keyboard stays with the widget (JupyterLab does not take the key to move between cells).

LAB_SCREENSHOTS=DIR also saves each widget and the page at 700 and at 1280 px, to look at, and
DIR/measured.txt: every figure's scale and every slider track's width at both widths.
`tests/test_lab_guards.py` shows that each check fails on a deliberately broken notebook.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests import labdriver
from tools.notebooks import EXERCISES, chapter_paths

pytestmark = pytest.mark.lab
CHAPTERS = chapter_paths()
IDS = [p.stem for p in CHAPTERS]
NOTEBOOKS = [p.name for p in CHAPTERS] + [f"exercises/{p.name}" for p in CHAPTERS if (EXERCISES / p.name).exists()]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("chapters")
    (root / "exercises").mkdir()
    for path in CHAPTERS:
        shutil.copy2(path, root / path.name)
        if (EXERCISES / path.name).exists():
            shutil.copy2(EXERCISES / path.name, root / "exercises" / path.name)
    with labdriver.session(root) as lab:
        yield lab


def test_every_chapter_is_tested():
    assert len(CHAPTERS) >= 5, [p.name for p in CHAPTERS]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_untouched_notebook_opens_and_closes_unchanged(lab, notebook):
    problems = lab.check_opens_clean(notebook)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_chapter_runs_and_every_widget_works_by_mouse_and_keyboard(lab, chapter):
    shots = os.environ.get("LAB_SCREENSHOTS")
    lab.measured.clear()
    problems = lab.check_runs_and_widgets(chapter.name, screenshots=Path(shots) if shots else None)
    if shots:
        with open(Path(shots) / "measured.txt", "a") as out:
            out.writelines("\t".join(map(str, row)) + "\n" for row in lab.measured)
    assert not problems, "\n".join(problems)
