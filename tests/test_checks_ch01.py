"""Chapter 1's exercise checks: typical wrong answers draw the first-tier hint meant for them,
and a repeat draws the second tier. (Stubs and solutions: tests/test_exercises.py.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.checks import _core, ch01
from scratchnet.layers import _check_features


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def dense_with(forward):
    class WrongDense(sn.Dense):
        pass
    WrongDense.forward = forward
    return WrongDense


def _no_bias(self, x):
    x = _check_features(self, x, self.in_features)
    self.save_for_backward(x)
    return x @ self.W.value


def _transposed(self, x):
    x = _check_features(self, x, self.in_features)
    self.save_for_backward(x)
    return x @ self.W.value.T + self.b.value


def _unchecked(self, x):
    x = np.asarray(x, dtype=np.float32)
    self.save_for_backward(x)
    return x @ self.W.value + self.b.value


def _by_reference(self, x):
    x = _check_features(self, x, self.in_features)
    self._saved = (x,)  # keeps the caller's array itself
    return x @ self.W.value + self.b.value


def _saves_nothing(self, x):
    x = _check_features(self, x, self.in_features)
    return x @ self.W.value + self.b.value


def _float64(self, x):
    x = _check_features(self, x, self.in_features)
    self.save_for_backward(x)
    return x.astype(np.float64) @ self.W.value + self.b.value


def _loops(self, x):
    x = _check_features(self, x, self.in_features)
    self.save_for_backward(x)
    return np.array([row @ self.W.value for row in x]) + self.b.value  # right, if slow: passes


@pytest.mark.parametrize("forward, where", [
    (_no_bias, "b is missing"),
    (_transposed, "wrong way round"),
    (_unchecked, "wrong shape"),
    (_by_reference, "changed when the caller edited"),
    (_saves_nothing, "kept nothing"),
    (_float64, "float32 numbers into float64"),
])
def test_dense_forward_typical_mistakes(forward, where):
    result = ch01.check_dense_forward(dense_with(forward))
    assert not result.passed and where in result.where + result.message, repr(result)
    assert "what:" not in repr(result)
    again = ch01.check_dense_forward(dense_with(forward))
    assert "what:" in repr(again)


def test_the_chapters_dense_passes_and_a_loop_is_not_a_wrong_answer():
    assert ch01.check_dense_forward(sn.Dense).passed
    assert ch01.check_dense_forward(dense_with(_loops)).passed


@pytest.mark.parametrize("wrong, where", [
    (lambda X, W, b: (np.hstack([np.ones((len(X), 1)), X]), np.vstack([b, W])), "on the left"),
    (lambda X, W, b: (np.vstack([X, np.ones(X.shape[1])]), np.vstack([W, b])), "extra row"),
    (lambda X, W, b: (np.hstack([X, np.ones((len(X), 1))]), np.hstack([W, b[:, None]]) if W.shape[1] == len(b) and
      W.shape[0] == len(b) else np.hstack([W, np.ones((W.shape[0], 1))])), "extra column"),
])
def test_fold_bias_typical_mistakes(wrong, where):
    result = ch01.check_fold_bias(wrong)
    assert not result.passed and where in result.where, repr(result)


@pytest.mark.parametrize("wrong, where", [
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), "number of weights"),
    (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes), "too many biases"),
    (lambda sizes: sizes[0] * sizes[1] + sizes[1], None),  # right only for one layer: first case passes
    (lambda sizes: str(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))), "the text"),
])
def test_count_parameters_typical_mistakes(wrong, where):
    result = ch01.check_count_parameters(wrong)
    assert not result.passed
    if where == "the text":
        assert "expected numbers, got the text" in result.message
    elif where:
        assert where in result.where, repr(result)
    else:
        assert "first layer only" in result.where


def test_a_crashing_answer_is_reported_with_its_line():
    def crashes(X, W, b):
        return X @ W[:1], W
    result = ch01.check_fold_bias(crashes)
    assert not result.passed and "raised ValueError" in result.message
    assert "of your code (in crashes): return X @ W[:1], W" in result.message


def test_passing_something_that_is_not_a_function():
    result = ch01.check_count_parameters(3.0)
    assert not result.passed and "without calling it" in result.where
