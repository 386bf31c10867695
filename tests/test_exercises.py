"""Every exercise of every chapter, read from the notebooks.

Two kinds, as in ../shared/COURSE.md:
- **build exercises**: an exported cell with `build` metadata. In the exercise notebook its named
  functions are stubs; the chapter's own code is the solution. The stub draws a polite
  "not yet implemented", the chapter's code passes, and the chapter shows the passing report.
- **exercises with a stub cell** (tagged `exercise`), a check and a folded solution: the stub draws
  "not yet implemented", the solution passes, and the stored outputs show both.

The typical wrong answers and the hints they draw are tested per chapter, in test_checks_chNN.py."""

from __future__ import annotations

import ast
import contextlib
import importlib
import sys
from dataclasses import dataclass

import pytest

from tests.helpers import define, tags
from tools import exercises as exercise_tool
from tools.notebooks import PACKAGE, chapter_number, chapter_paths, read_nb

# What a solution needs from earlier in its chapter, beyond numpy, scratchnet and the checks.
SETUP = {
    1: "from scratchnet import Dense\nlayer = Dense(3, 2, rng=0)\nX = np.ones((4, 3), dtype=np.float32)",
    2: "from scratchnet.gradcheck import gradcheck\n"
       "from scratchnet.widgets.ch02 import one_weight_data\nx, y = one_weight_data()",
    3: "from scratchnet.gradcheck import gradcheck, numerical_gradient",
    4: "def away_from_zero(shape, seed=0):\n    rng = np.random.default_rng(seed)\n"
       "    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)",
    6: "from scratchnet.callbacks import Callback",
    7: "from scratchnet.optim import Adam, Optimizer, _check_number",
}


def _text(cell) -> str:
    return "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


@dataclass
class Exercise:
    chapter: int
    number: str
    name: str            # the function or class the check is given
    check: str
    stub: str            # the source the learner starts from
    check_output: str    # what the chapter shows under its check cell
    solution: str        # the chapter's solution (or, for a build exercise, its exported cell)
    solution_output: str
    build: bool
    context: str = ""   # the chapter's exported cells before a build cell, which it builds on

    def __str__(self):
        return self.number


def exercises() -> list[Exercise]:
    found = []
    for path in chapter_paths():
        n = chapter_number(path)
        nb = read_nb(path)
        ex_nb = exercise_tool.exercise_notebook(path)
        for build in exercise_tool.builds(nb, path.name):
            cell, check_cell = nb.cells[build.cell], nb.cells[build.check]
            call = exercise_tool.CHECK_RE.match(check_cell.source.strip())
            stub = next(c.source for c in ex_nb.cells if c.get("metadata", {}).get("build") == build.targets)
            earlier = "\n\n".join(c.source for c in nb.cells[:build.cell]
                                    if c.cell_type == "code" and c.source.startswith("#| export"))
            found.append(Exercise(n, build.exercise, call[2], call[1], stub, _text(check_cell),
                                  cell.source, _text(check_cell), True, earlier))
        code = [c for c in nb.cells if c.cell_type == "code"]
        for i, cell in enumerate(code):
            if "exercise" not in tags(cell):
                continue
            name = next(node.name for node in ast.parse(cell.source).body
                        if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
            check_cell = code[i + 1]
            call = exercise_tool.CHECK_RE.match(check_cell.source.strip())
            assert call, check_cell.source
            solution = next(c for c in code[i + 1:] if "solution" in tags(c))
            number = next(line.split('"Exercise ')[1].split(":")[0] for line in cell.source.splitlines()
                          if '"Exercise ' in line)
            found.append(Exercise(n, number, name, call[1], cell.source, _text(check_cell),
                                  solution.source, _text(solution), False))
    return sorted(found, key=lambda e: [int(p) for p in e.number.split(".")])


EXERCISES = exercises()


@contextlib.contextmanager
def library_restored():
    """Put back every method of scratchnet's classes afterwards (a build stub patches them)."""
    import scratchnet  # noqa: F401  (loads every module)
    saved = []
    for name, module in list(sys.modules.items()):
        if name.startswith("scratchnet.") and not name.startswith(("scratchnet.checks", "scratchnet.widgets")):
            for obj in vars(module).values():
                if isinstance(obj, type) and obj.__module__ == name:
                    saved.append((obj, dict(vars(obj))))
    try:
        yield
    finally:
        for cls, attributes in saved:
            for key in set(vars(cls)) - set(attributes):
                delattr(cls, key)
            for key, value in attributes.items():
                if key not in ("__dict__", "__weakref__") and vars(cls).get(key) is not value:
                    setattr(cls, key, value)


def run(exercise: Exercise, source: str):
    module = importlib.import_module(f"scratchnet.checks.ch{exercise.chapter:02d}")
    preamble = (f"import numpy as np\nimport scratchnet as sn\n"
                f"from scratchnet.checks import ch{exercise.chapter:02d} as checks\n"
                + SETUP.get(exercise.chapter, "") + "\n" + exercise.context)
    with library_restored():
        if exercise.build and "@add_to_class(" in source:
            # It patches the class: the library's, or one that the chapter's earlier export
            # cells (the context) defined anew, as chapter 6's cells do for Sequential.
            namespace: dict = {}
            exec(compile(preamble + "\n" + source, f"<cell patching {exercise.name}>", "exec"), namespace)
            import scratchnet
            learner = namespace.get(exercise.name) or getattr(scratchnet, exercise.name)
        else:
            learner = define(source, exercise.name, preamble)
        return getattr(module, exercise.check)(learner)


def test_every_chapter_has_builds_and_exercises_beyond_the_text():
    exported = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py"))
    for path in chapter_paths():
        n = chapter_number(path)
        mine = [e for e in EXERCISES if e.chapter == n]
        assert len(mine) >= 3, f"{path.name}: {len(mine)} exercises"
        assert any(e.build for e in mine), f"{path.name} has no build exercise"
        beyond = [e for e in mine if not e.build and f"def {e.name}(" not in exported
                  and f"class {e.name}(" not in exported]
        assert beyond, f"{path.name} has no exercise beyond the text"


def test_exercise_numbers_run_in_order_within_each_chapter():
    for path in chapter_paths():
        n = chapter_number(path)
        numbers = [e.number for e in EXERCISES if e.chapter == n]
        assert numbers == [f"{n}.{k}" for k in range(1, len(numbers) + 1)], numbers


@pytest.mark.parametrize("exercise", EXERCISES, ids=str)
def test_stub_is_politely_not_implemented(exercise):
    assert f'"Exercise {exercise}:' in exercise.stub
    result = run(exercise, exercise.stub)
    assert result.status == "not implemented" and not result.passed, repr(result)
    assert f"Exercise {exercise}: not yet implemented" in repr(result)
    assert "Traceback" not in repr(result)
    if not exercise.build:
        assert repr(result) == exercise.check_output  # the notebook shows exactly this


@pytest.mark.parametrize("exercise", EXERCISES, ids=str)
def test_solution_passes_and_the_chapter_shows_it(exercise):
    result = run(exercise, exercise.solution)
    assert result.passed, repr(result)
    assert f"✓ Exercise {exercise}: all" in exercise.solution_output


@pytest.mark.parametrize("exercise", [e for e in EXERCISES if e.build], ids=str)
def test_a_build_stub_keeps_the_signature_and_docstring(exercise):
    def functions(source):
        first, _, code = source.partition("\n")
        tree = ast.parse(code if first.startswith("#|") else source)
        return {n.name: (ast.unparse(n.args), ast.get_docstring(n)) for n in ast.walk(tree)
                if isinstance(n, ast.FunctionDef)}
    full, stub = functions(exercise.solution), functions(exercise.stub)
    assert full == stub  # the same functions, signatures and docstrings
    assert exercise.stub.count("raise NotImplementedError(") >= 1
    assert all(len(line) <= 79 for line in exercise.stub.splitlines() if "NotImplementedError" in line
               or line.strip().startswith('"Exercise'))
