"""The strict nbval run really compares outputs: a deliberately changed stored output fails it."""

import shutil
import subprocess
import sys

import nbformat

from tools.notebooks import ROOT, chapter_paths

SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _nbval(path):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(SANITIZE), str(path)],
        cwd=path.parent, capture_output=True, text=True, timeout=600)


def test_changed_stored_output_fails_nbval(tmp_path):
    chapter = chapter_paths()[0]
    nb = nbformat.read(str(chapter), as_version=4)
    # Find the stored result of the plain-Python neuron (0.5, checked by hand in the text).
    cell = next(c for c in nb.cells if c.cell_type == "code" and "neuron_lists(x, w, b)" in c.source.splitlines()[-1])
    (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert result.data["text/plain"] == "0.5"

    intact = tmp_path / "intact" / chapter.name
    intact.parent.mkdir()
    shutil.copy(chapter, intact)
    ok = _nbval(intact)
    assert ok.returncode == 0, ok.stdout[-2000:]

    result.data["text/plain"] = "0.6"
    tampered = tmp_path / "tampered" / chapter.name
    tampered.parent.mkdir()
    nbformat.write(nb, str(tampered))
    failed = _nbval(tampered)
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert "0.6" in failed.stdout and "0.5" in failed.stdout


def test_unstable_cells_are_tagged_and_their_claims_asserted_elsewhere():
    """A cell whose output nbval ignores must be followed by a cell with an assert."""
    for chapter in chapter_paths():
        cells = [c for c in nbformat.read(str(chapter), as_version=4).cells if c.cell_type == "code"]
        for i, cell in enumerate(cells):
            if "nbval-ignore-output" in cell.metadata.get("tags", []) and "timeit" in cell.source:
                later = "\n".join(c.source for c in cells[i + 1:i + 3])
                assert "assert" in later, f"{chapter.name}: timing cell {i} has no asserted claim after it"
