"""Chapter 1's exercise checks: typical wrong answers draw the hint meant for them.
(The stubs and the notebook's solutions are tested for every chapter in tests/test_exercises.py.)"""

import numpy as np
import pytest

from scratchnet.checks import ch01


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
