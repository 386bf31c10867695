"""Chapter 2's exercise checks: typical wrong answers draw the first-tier hint meant for them.
(Stubs and solutions: tests/test_exercises.py.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.checks import _core, ch02
from scratchnet.gradcheck import _check_point, _evaluate_scalar
from scratchnet.losses import _check_same_shape


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def forward_difference(f, x, eps=1e-6):
    x = _check_point(x, eps)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        f0 = _evaluate_scalar(f, x)
        x[i] = original + eps
        grad[i] = (_evaluate_scalar(f, x) - f0) / eps
        x[i] = original
    return grad


def no_half(f, x, eps=1e-6):
    return 2 * sn.numerical_gradient(f, x, eps)


def not_restored(f, x, eps=1e-6):
    x = _check_point(x, eps)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        up = _evaluate_scalar(f, x)
        x[i] = original - eps
        grad[i] = (up - _evaluate_scalar(f, x)) / (2 * eps)
    return grad


def no_finally(f, x, eps=1e-6):
    x = _check_point(x, eps)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        up = _evaluate_scalar(f, x)
        x[i] = original - eps
        down = _evaluate_scalar(f, x)
        x[i] = original
        grad[i] = (up - down) / (2 * eps)
    return grad


def on_a_copy(f, x, eps=1e-6):
    x = _check_point(x, eps)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        grad[i] = (_evaluate_scalar(f, x + e) - _evaluate_scalar(f, x - e)) / (2 * eps)
    return grad


def flattened(f, x, eps=1e-6):
    return sn.numerical_gradient(f, x, eps).ravel()


def unchecked(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        try:
            x[i] = original + eps
            up = f(x)
            x[i] = original - eps
            down = f(x)
        finally:
            x[i] = original
        grad[i] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("wrong, where", [
    (forward_difference, "forward difference"),
    (no_half, "twice the right one"),
    (not_restored, "not restored"),
    (no_finally, "stayed nudged"),
    (on_a_copy, "nudged a copy"),
    (flattened, "does not have x's shape"),
    (unchecked, "a bad eps must be refused"),
])
def test_numerical_gradient_typical_mistakes(wrong, where):
    result = ch02.check_numerical_gradient(wrong)
    assert not result.passed and where in result.where + result.message, repr(result)


def mse_with(forward=None, backward=None):
    class WrongMSE(sn.MSE):
        pass
    if forward:
        WrongMSE.forward = forward
    if backward:
        WrongMSE.backward = backward
    return WrongMSE


def _half_grad(self):
    (diff,) = self.saved
    return diff / diff.size


def _per_batch(self):
    (diff,) = self.saved
    return 2 * diff / len(diff)


def _summed(self, y_pred, y_true):
    y_pred, y_true = _check_same_shape(self, y_pred, y_true)
    diff = y_pred - y_true
    self.save_for_backward(diff)
    return float(np.sum(diff ** 2))


def _no_shape_check(self, y_pred, y_true):
    diff = np.asarray(y_pred) - np.asarray(y_true)
    self.save_for_backward(diff)
    return float(np.mean(diff ** 2))


def _array_loss(self, y_pred, y_true):
    y_pred, y_true = _check_same_shape(self, y_pred, y_true)
    self.save_for_backward(y_pred - y_true)
    return np.mean((y_pred - y_true) ** 2, keepdims=True)


def _keeps_inputs(self, y_pred, y_true):
    y_pred, y_true = _check_same_shape(self, y_pred, y_true)
    self._saved = (y_pred, y_true)
    return float(np.mean((y_pred - y_true) ** 2))


def _reads_inputs(self):
    y_pred, y_true = self.saved
    return 2 * (y_pred - y_true) / y_pred.size


def _unguarded(self):
    return 2 * self._saved[0] / self._saved[0].size


def _float64_grad(self):
    (diff,) = self.saved
    return 2 * diff.astype(np.float64) / diff.size


@pytest.mark.parametrize("cls, where", [
    (mse_with(backward=_half_grad), "half"),
    (mse_with(backward=_per_batch), "batch size"),
    (mse_with(forward=_summed), "a sum, not a mean"),
    (mse_with(forward=_no_shape_check), "mismatched shapes must be refused"),
    (mse_with(forward=_array_loss), "the loss, is an array"),
    (mse_with(forward=_keeps_inputs, backward=_reads_inputs), "changed after forward"),
    (mse_with(backward=_unguarded), "forward has not run"),
    (mse_with(backward=_float64_grad), "into float64"),
])
def test_mse_typical_mistakes(cls, where):
    result = ch02.check_mse(cls)
    assert not result.passed and where in result.where + result.message, repr(result)


def _pair(dw, db):
    return lambda w, b, x, y: (dw(w, b, x, y), db(w, b, x, y))


def e(w, b, x, y):
    return w * x + b - y


@pytest.mark.parametrize("wrong, where", [
    (_pair(lambda *a: -np.mean(2 * e(*a) * a[2]), lambda *a: -np.mean(2 * e(*a))), "wrong sign"),
    (_pair(lambda *a: np.mean(2 * e(*a)), lambda *a: np.mean(2 * e(*a) * a[2])), "wrong order"),
    (_pair(lambda *a: np.mean(e(*a) * a[2]), lambda *a: np.mean(e(*a))), "half the right size"),
    (_pair(lambda *a: np.sum(2 * e(*a) * a[2]), lambda *a: np.sum(2 * e(*a))), "times too large"),
    (_pair(lambda *a: np.mean(2 * e(*a) * a[2]), lambda *a: np.mean(2 * e(*a) * a[2])), "dL/db is not"),
    (_pair(lambda *a: np.mean(2 * e(*a)), lambda *a: np.mean(2 * e(*a))), "dL/dw is not"),
])
def test_line_gradient_typical_mistakes(wrong, where):
    result = ch02.check_line_gradient(wrong)
    assert not result.passed and where in result.where, repr(result)


def test_line_gradient_accepts_an_array_pair():
    """The walk-through: a correct np.array([dw, db]) was rejected with 'both signs are flipped'."""
    def as_array(w, b, x, y):
        err = w * x + b - y
        return np.array([np.mean(2 * err * x), np.mean(2 * err)])
    assert ch02.check_line_gradient(as_array).passed


def descent(grad, w0, lr, steps, sign=1, skip_first=False, freeze=False, extra=0):
    weights = [w0]
    g0 = grad(w0)
    for _ in range(steps + extra):
        weights.append(weights[-1] - sign * lr * (g0 if freeze else grad(weights[-1])))
    return weights[1:] if skip_first else weights


@pytest.mark.parametrize("kwargs, where", [
    (dict(sign=-1), "climb"),
    (dict(skip_first=True), "w0 is missing"),
    (dict(freeze=True), "same amount"),
    (dict(extra=1), "one weight too many"),
])
def test_gradient_descent_typical_mistakes(kwargs, where):
    result = ch02.check_gradient_descent(lambda g, w0, lr, s: descent(g, w0, lr, s, **kwargs))
    assert not result.passed and where in result.where, repr(result)


@pytest.mark.parametrize("wrong, where", [
    (lambda x: 2 / (2 * np.mean(x ** 2)), "twice the answer"),
    (lambda x: 2 * np.mean(x ** 2), "curvature"),
    (lambda x: 1 / (2 * np.sum(x ** 2)), "too small by the number of points"),
])
def test_one_step_lr_typical_mistakes(wrong, where):
    result = ch02.check_one_step_lr(wrong)
    assert not result.passed and where in result.where, repr(result)
