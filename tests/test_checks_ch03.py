"""Chapter 3's exercise checks: typical wrong answers draw the hint meant for them.
(The stubs and the notebook's solutions are tested for every chapter in tests/test_exercises.py.)"""

import numpy as np
import pytest

from scratchnet.checks import ch03


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
