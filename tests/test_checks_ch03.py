"""Chapter 3's exercise checks, three ways: the stub is told "not yet implemented", the
notebook's solution passes, and a typical wrong answer draws the hint meant for it."""

import numpy as np
import pytest

from scratchnet.checks import ch03
from tests.helpers import define, exercise_sources

PREAMBLE = "import numpy as np\nfrom scratchnet.checks import ch03 as checks"
EXERCISES = [("bias_grad", ch03.check_bias_grad), ("weight_grad", ch03.check_weight_grad),
             ("input_grad", ch03.check_input_grad),
             ("two_layer_input_grad", ch03.check_two_layer_input_grad)]


def test_every_exercise_has_a_stub_and_a_solution():
    assert len(exercise_sources(3)) == len(EXERCISES) >= 3


@pytest.mark.parametrize("index", range(len(EXERCISES)))
def test_stub_is_politely_not_implemented(index):
    name, check = EXERCISES[index]
    stub = define(exercise_sources(3)[index][0], name, PREAMBLE)
    result = check(stub)
    assert not result.passed and result.status == "not implemented"
    assert "not yet implemented" in repr(result) and "Traceback" not in repr(result)
    assert f"Exercise 3.{index + 1}" in repr(result)


@pytest.mark.parametrize("index", range(len(EXERCISES)))
def test_solution_passes(index):
    name, check = EXERCISES[index]
    solution = define(exercise_sources(3)[index][1], name, PREAMBLE)
    assert check(solution).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda G: G.mean(axis=0), "mean over the batch"),
    (lambda G: G.sum(axis=1), "summed over the outputs"),
    (lambda G: G, "returned G itself"),
    (lambda G: G.sum(axis=0, keepdims=True), "wrong shape"),
    (lambda G: G.sum(), "into one number"),
])
def test_bias_grad_typical_mistakes(wrong, hint):
    result = ch03.check_bias_grad(wrong)
    assert not result.passed and hint in result.hint
    assert "expected:" in result.message and "received:" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, G: G.T @ X, "transposed"),
    (lambda X, G: X @ G if X.shape[0] == X.shape[1] else X.T @ G, "X @ G"),
    (lambda X, G: X.T @ G / len(X), "divided by the batch size"),
])
def test_weight_grad_typical_mistakes(wrong, hint):
    result = ch03.check_weight_grad(wrong)
    assert not result.passed and hint in result.hint


@pytest.mark.parametrize("wrong, hint", [
    (lambda G, W: W @ G.T, "transposed"),
    (lambda G, W: G @ W if W.shape[0] == W.shape[1] else G @ W.T, "G @ W"),
    (lambda G, W: (G @ W.T).sum(axis=0), "summed over the batch"),
])
def test_input_grad_typical_mistakes(wrong, hint):
    result = ch03.check_input_grad(wrong)
    assert not result.passed and hint in result.hint


@pytest.mark.parametrize("wrong, hint", [
    (lambda G, W1, W2: G @ W2.T, "gradient at the hidden layer"),
    (lambda G, W1, W2: G @ W1.T @ W2.T if W1.shape == W2.shape else G @ W2.T @ W1.T, "wrong order"),
    (lambda G, W1, W2: G @ W2 @ W1 if W1.shape == W2.shape else G @ W2.T @ W1.T, "without transposing"),
])
def test_two_layer_input_grad_typical_mistakes(wrong, hint):
    result = ch03.check_two_layer_input_grad(wrong)
    assert not result.passed and hint in result.hint


def test_the_first_cases_are_the_example_worked_by_hand():
    G = np.array([[1.0, 0.0], [0.5, -1.0]])
    seen = []
    ch03.check_bias_grad(lambda g: seen.append(g.copy()) or g.sum(axis=0))
    assert np.array_equal(seen[0], G)


def test_a_crashing_answer_is_reported_not_raised():
    def crashes(X, G):
        return X @ G[:, :1].T
    result = ch03.check_weight_grad(crashes)
    assert not result.passed and "raised ValueError" in result.message


def test_passing_something_that_is_not_a_function():
    result = ch03.check_input_grad(np.zeros(3))
    assert not result.passed and "without calling it" in result.hint
