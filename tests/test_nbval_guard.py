"""The output comparison really compares: the test command's notebook run (nbval with
tools/nbcompare.py, gated) fails each deliberately changed stored output, names the notebook,
the cell and the number, and passes every untouched cell of the same notebook."""

import os
import shutil
import subprocess
import sys

import nbformat

from tools import nbcompare
from tools.notebooks import ROOT, chapter_paths


def _run(*paths, cwd):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no",
                           *nbcompare.ARGS, *map(str, paths)],
                          cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})  # for tools.nbcompare


def _tamper(cell, old, new):
    (output,) = cell.outputs
    key = "text" if output.output_type == "stream" else None
    text = output[key] if key else output.data["text/plain"]
    assert old in text, (old, text)
    text = text.replace(old, new, 1)
    if key:
        output[key] = text
    else:
        output.data["text/plain"] = text


def _training_notebook():
    """Two training-like cells that declare their tolerances, and one whose metadata is wrong."""
    declared = {"tolerance": {"rtol": 0.01, "labels": {"accuracy": {"atol": 0.5}}}}
    cells = [
        # the fresh run's accuracy is 2 points off the stored one: beyond 0.5 points
        ('print("epoch 10: loss 0.3312, accuracy 89.1%")', "epoch 10: loss 0.3312, accuracy 87.1%\n", declared),
        # the loss 0.85% and the accuracy 0.4 points off: within what the cell declares
        ('print("epoch 10: loss 0.3340, accuracy 87.5%")', "epoch 10: loss 0.3312, accuracy 87.1%\n", declared),
        ('print("loss 0.5")', "loss 0.5\n", {"tolerance": {"rtol": "1%"}}),
    ]
    nb = nbformat.v4.new_notebook()
    for count, (source, stored, metadata) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source, metadata=metadata, execution_count=count)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
        nb.cells.append(cell)
    return nb


def test_changed_stored_outputs_fail_and_are_named(tmp_path):
    # A copy of the book with chapter 1 only (gated on nothing before it), tampered with.
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", book)
    shutil.copytree(ROOT / "scratchnet", book / "scratchnet", ignore=shutil.ignore_patterns("__pycache__"))
    chapter = chapter_paths()[0]
    nb = nbformat.read(str(chapter), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[2].source.splitlines()[-1] == "neuron_lists(x, w, b)"  # 0.5, checked by hand in the text
    _tamper(code[2], "0.5", "0.6")                                   # a changed number
    _tamper(code[3], "np.float64(0.5)", "np.float32(0.5)")           # a changed dtype
    assert code[10].source.splitlines()[-1] == "print(Z)"
    _tamper(code[10], "0.2649998 ", "0.29149978")                    # a number in an array, +10%
    _tamper(code[11], "the bias", "the bias 3")                      # an extra number
    _tamper(code[13], "expected input", "wanted input")              # a changed word in an error
    _tamper(code[14], "(32, 28, 28)", "(32, 28, 27)")                # a changed shape
    nbformat.write(nb, str(book / "chapters" / chapter.name))
    nbformat.write(_training_notebook(), str(book / "training.ipynb"))

    run = _run("chapters", "training.ipynb", cwd=book)
    out = run.stdout
    assert run.returncode == 1, out[-3000:]
    failed = {line.split(" - ")[0][len("FAILED "):] for line in out.splitlines() if line.startswith("FAILED")}
    assert failed == {f"chapters/{chapter.name}::Cell {i}" for i in (2, 3, 10, 11, 13, 14)} | {
        "training.ipynb::Cell 0", "training.ipynb::Cell 2"}, out[-3000:]
    assert f"8 failed, {len(code) + 3 - 8} passed" in out  # every other cell passed

    name = chapter.name
    assert f"{name}, cell 2 (In [3]: 'def neuron_lists(x, w, b):'): text/plain: number 1 of 1" in out
    assert "stored 0.6, fresh 0.5, off by 0.1 (16.67%); allowed 6e-06 (rtol 1e-05, atol 1e-08)" in out
    assert f"{name}, cell 3 (In [4]: 'def neuron_numpy(x, w, b):'): text/plain: the text before the first " \
           "number differs: stored 'np.float32(', fresh 'np.float64('" in out
    assert (f"{name}, cell 10 (In [11]: 'layer = Dense(3, 2, rng=0)'): stdout: number 11 of 15, on the line "
            "'[ 0.12313239  0.29149978]': stored 0.29149978, fresh 0.2649998, off by 0.0265 (9.09%); "
            "allowed 2.9e-06 (rtol 1e-05, atol 1e-08, plus 1e-8 for the last printed digit)") in out
    assert f"{name}, cell 11" in out and "the stored output has 1 numbers, the fresh one 0" in out
    assert (f"{name}, cell 13 (In [14]: 'try:'): stdout: the text after number 2 (2) differs: "
            "stored ') wanted input of shape (batch,', fresh ') expected input of shape (batch,'") in out
    assert (f"{name}, cell 14 (In [15]: 'try:'): stdout: number 6 of 9, on the line ...'ed input of "
            "shape (batch, 784), got (32, 28, 27); flatten each'...: stored 27, fresh 28, off by 1 (3.70%); "
            "integers compare exactly") in out

    assert ("training.ipynb, cell 0 (In [1]: 'print(\"epoch 10: loss 0.3312, accuracy 89.1%\")'): stdout: "
            "number 3 of 3") in out
    assert "stored 87.1, fresh 89.1, off by 2 (2.30%); the rule for 'accuracy': allowed 0.5" in out
    assert "training.ipynb::Cell 1" not in out  # within its declared tolerance
    assert "cell metadata 'tolerance': 'rtol' must be a finite number >= 0, got '1%' (str)" in out


def test_unstable_cells_are_tagged_and_their_claims_asserted_elsewhere():
    """A cell whose output is not compared must be followed by a cell with an assert."""
    for chapter in chapter_paths():
        cells = [c for c in nbformat.read(str(chapter), as_version=4).cells if c.cell_type == "code"]
        for i, cell in enumerate(cells):
            if "nbval-ignore-output" in cell.metadata.get("tags", []) and "timeit" in cell.source:
                later = "\n".join(c.source for c in cells[i + 1:i + 3])
                assert "assert" in later, f"{chapter.name}: timing cell {i} has no asserted claim after it"
