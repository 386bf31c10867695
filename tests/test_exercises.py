"""Every exercise of every chapter, read from the notebook: the stub draws a polite "not yet
implemented", the solution passes its check, and the stored outputs show both. (The typical
wrong answers and their hints are tested per chapter, in tests/test_checks_chNN.py.)"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass

import pytest

from tests.helpers import define, tags
from tools.notebooks import chapter_number, chapter_paths, read_nb

# What a solution needs from earlier in its chapter, beyond numpy and the checks.
SETUP = {
    2: "import scratchnet as sn\nfrom scratchnet.gradcheck import gradcheck\n"
       "from scratchnet.widgets.ch02 import one_weight_data\nx, y = one_weight_data()",
}


@dataclass
class Exercise:
    chapter: int
    number: int
    function: str
    check: str
    stub: object
    check_output: str
    solution: object
    solution_output: str

    def __str__(self):
        return f"{self.chapter}.{self.number}"


def _text(cell) -> str:
    return "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def exercises() -> list[Exercise]:
    found = []
    for path in chapter_paths():
        n = chapter_number(path)
        code = [c for c in read_nb(path).cells if c.cell_type == "code"]
        for i, cell in enumerate(code):
            if "exercise" not in tags(cell):
                continue
            function = next(node.name for node in ast.parse(cell.source).body
                            if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
            check_cell = code[i + 1]
            call = ast.parse(check_cell.source).body[-1].value
            assert isinstance(call, ast.Call) and call.func.value.id == "checks", check_cell.source
            solution = next(c for c in code[i + 1:] if "solution" in tags(c))
            found.append(Exercise(n, len([e for e in found if e.chapter == n]) + 1, function,
                                  call.func.attr, cell.source, _text(check_cell),
                                  solution.source, _text(solution)))
    return found


EXERCISES = exercises()


def run(exercise: Exercise, source: str):
    module = importlib.import_module(f"scratchnet.checks.ch{exercise.chapter:02d}")
    preamble = f"import numpy as np\nfrom scratchnet.checks import ch{exercise.chapter:02d} as checks\n"
    learner = define(source, exercise.function, preamble + SETUP.get(exercise.chapter, ""))
    return getattr(module, exercise.check)(learner)


def test_every_chapter_has_at_least_three_exercises():
    for path in chapter_paths():
        assert sum(e.chapter == chapter_number(path) for e in EXERCISES) >= 3, path.name


@pytest.mark.parametrize("exercise", EXERCISES, ids=str)
def test_stub_is_politely_not_implemented(exercise):
    assert f'NotImplementedError("Exercise {exercise}:' in exercise.stub
    result = run(exercise, exercise.stub)
    assert result.status == "not implemented" and not result.passed
    assert f"Exercise {exercise}: not yet implemented" in repr(result)
    assert "Traceback" not in repr(result)
    assert repr(result) == exercise.check_output  # the notebook shows exactly this


@pytest.mark.parametrize("exercise", EXERCISES, ids=str)
def test_solution_passes(exercise):
    result = run(exercise, exercise.solution)
    assert result.passed, repr(result)
    assert f"✓ Exercise {exercise}: all" in exercise.solution_output
