"""Each chapter runs against a scratchnet exported only from the chapters before it.

The chapters themselves are run that way by the test command's output comparison
(`--nbcompare-gate`, tools/nbcompare.py); here: what the gated package holds, and a chapter that
uses a later chapter's code failing that very run."""

import os
import shutil
import subprocess
import sys

import nbformat

from tools import gate, nbcompare
from tools.notebooks import ROOT, chapter_paths

CHAPTERS = chapter_paths()


def test_gated_package_holds_only_earlier_exports(tmp_path):
    package = gate.build_package(1, tmp_path)
    init = (package / "__init__.py").read_text()
    # nothing is exported before chapter 1; only the support module's report() is re-exported
    assert not [line for line in init.splitlines() if line.startswith("from scratchnet.")
                and not line.startswith("from scratchnet._report import")]
    assert (package / "checks" / "_core.py").exists() and (package / "utils.py").exists()
    assert not (package / "layers.py").exists()
    later = gate.build_package(3, tmp_path / "ch03")
    assert "def backward" not in (later / "layers.py").read_text()  # chapter 3's, not yet exported
    assert "Dense" in (later / "__init__.py").read_text()


def test_gated_package_keeps_the_support_data_files(tmp_path):
    (tmp_path / "book" / "scratchnet" / "datasets").mkdir(parents=True)
    shutil.copytree(ROOT / "scratchnet", tmp_path / "book" / "scratchnet", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "book" / "scratchnet" / "datasets" / "tiny.npz").write_bytes(b"data")
    (tmp_path / "book" / "chapters").mkdir()
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "book")
    package = gate.build_package(1, tmp_path / "gated", root=tmp_path / "book")
    assert (package / "datasets" / "tiny.npz").read_bytes() == b"data"


def test_a_chapter_using_a_later_chapters_code_fails(tmp_path):
    # A fake book: the real chapter 1, and a chapter 2 that uses Dense.backward (chapter 3's).
    (tmp_path / "chapters").mkdir()
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "scratchnet", tmp_path / "scratchnet", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CHAPTERS[0], tmp_path / "chapters" / CHAPTERS[0].name)
    cheat = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nimport scratchnet as sn\n"
        "layer = sn.Dense(2, 1, rng=0)\nlayer.forward(np.ones((1, 2)))\n"
        "layer.backward(np.ones((1, 1)))")])
    nbformat.write(cheat, str(tmp_path / "chapters" / "02_cheat.ipynb"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *nbcompare.ARGS, "chapters"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})  # for tools.nbcompare
    assert run.returncode == 1, run.stdout[-3000:]
    assert "1 failed" in run.stdout and "Dense has no backward" in run.stdout, run.stdout[-3000:]
    assert "FAILED chapters/02_cheat.ipynb::Cell 0" in run.stdout
    assert "01_neuron_to_layer" not in run.stdout.split("short test summary")[-1]  # chapter 1 passed
