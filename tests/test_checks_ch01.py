"""Chapter 1's exercise checks, three ways: the stub is told "not yet implemented", the
notebook's solution passes, and a typical wrong answer draws the hint meant for it."""

import numpy as np
import pytest

from scratchnet.checks import ch01
from tests.helpers import define, exercise_sources

PREAMBLE = "import numpy as np\nfrom scratchnet.checks import ch01 as checks"
EXERCISES = [("neuron", ch01.check_neuron), ("layer_forward", ch01.check_layer_forward),
             ("count_parameters", ch01.check_count_parameters)]


def test_every_exercise_has_a_stub_and_a_solution():
    assert len(exercise_sources(1)) == len(EXERCISES) >= 3


@pytest.mark.parametrize("index", range(len(EXERCISES)))
def test_stub_is_politely_not_implemented(index):
    name, check = EXERCISES[index]
    stub = define(exercise_sources(1)[index][0], name, PREAMBLE)
    result = check(stub)
    assert not result.passed and result.status == "not implemented"
    assert "not yet implemented" in repr(result) and "Traceback" not in repr(result)


@pytest.mark.parametrize("index", range(len(EXERCISES)))
def test_solution_passes(index):
    name, check = EXERCISES[index]
    solution = define(exercise_sources(1)[index][1], name, PREAMBLE)
    assert check(solution).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, w, b: np.dot(w, x), "without the bias"),
    (lambda x, w, b: w * x + b, "one number per input"),
])
def test_neuron_typical_mistakes(wrong, hint):
    result = ch01.check_neuron(wrong)
    assert not result.passed and hint in result.hint
    assert "expected:" in result.message and "received:" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, W, b: X @ W, "without the bias"),
    (lambda X, W, b: X @ W.T + b, "transposed"),
])
def test_layer_forward_typical_mistakes(wrong, hint):
    result = ch01.check_layer_forward(wrong)
    assert not result.passed and hint in result.hint


@pytest.mark.parametrize("wrong, hint", [
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), "weights only"),
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes), "input a bias"),
])
def test_count_parameters_typical_mistakes(wrong, hint):
    result = ch01.check_count_parameters(wrong)
    assert not result.passed and hint in result.hint


def test_a_crashing_answer_is_reported_not_raised():
    def crashes(x, w, b):
        return x @ w[:1]
    result = ch01.check_neuron(crashes)
    assert not result.passed and "raised ValueError" in result.message


def test_passing_something_that_is_not_a_function():
    result = ch01.check_neuron(3.0)
    assert not result.passed and "without calling it" in result.hint
