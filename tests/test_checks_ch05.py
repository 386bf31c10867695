"""Chapter 5's exercise checks: typical wrong answers draw the first-tier hint meant for them.
(Stubs and solutions: tests/test_exercises.py.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.checks import _core, ch05
from scratchnet.losses import _check_same_shape


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def with_methods(base, **methods):
    return type(f"Wrong{base.__name__}", (base,), methods)


def cce_backward(rule):
    def backward(self):
        p, y = self.saved
        return rule(p, y)
    return backward


def cce_forward(reduce):
    base = sn.CategoricalCrossEntropy.forward

    def forward(self, y_pred, y_true):
        base(self, y_pred, y_true)
        p, y = self.saved
        return float(reduce(y * np.log(np.maximum(p, 1e-300))))
    return forward


@pytest.mark.parametrize("methods, where", [
    (dict(forward=cce_forward(lambda t: -np.sum(t))), "sums over the batch"),
    (dict(forward=cce_forward(lambda t: -np.mean(t))), "averages over the classes"),
    (dict(backward=cce_backward(lambda p, y: -y / p)), "the 1/B of the mean is missing"),
    (dict(backward=cce_backward(lambda p, y: y / (len(p) * p))), "wrong sign"),
    (dict(backward=cce_backward(lambda p, y: -y / (len(p) * p))), "infinite"),
])
def test_categorical_cross_entropy_typical_mistakes(methods, where):
    result = ch05.check_categorical_cross_entropy(with_methods(sn.CategoricalCrossEntropy, **methods))
    assert not result.passed and where in result.where, repr(result)


def test_categorical_cross_entropy_that_accepts_labels_or_logits_is_caught():
    def lax(self, y_pred, y_true):
        p = np.asarray(y_pred, dtype=float)
        y = np.eye(p.shape[1])[y_true] if np.ndim(y_true) == 1 else np.asarray(y_true, dtype=float)
        self.save_for_backward(p, y)
        return float(-np.mean(np.sum(y * np.maximum(np.log(np.maximum(p, 1e-300)), -100), axis=1)))
    result = ch05.check_categorical_cross_entropy(with_methods(sn.CategoricalCrossEntropy, forward=lax))
    assert not result.passed and ("sparse loss" in result.where or "SoftmaxCrossEntropy" in result.where)


def sce_backward(rule):
    def backward(self):
        log_p, y = self.saved
        p = np.exp(log_p)
        return rule(p, np.eye(p.shape[1])[y] if y.ndim == 1 else y)  # the reference keeps labels as such
    return backward


def naive_log_softmax_forward(self, y_pred, y_true):
    z = np.asarray(y_pred, dtype=float)
    y = np.eye(z.shape[1])[y_true] if np.ndim(y_true) == 1 else np.asarray(y_true, dtype=float)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    log_p = np.log(p)
    self.save_for_backward(log_p, y)
    return float(-np.mean(np.sum(y * log_p, axis=1)))


def nan_at_the_limit_forward(self, y_pred, y_true):
    z = np.asarray(y_pred, dtype=float)
    y = np.eye(z.shape[1])[y_true] if np.ndim(y_true) == 1 else np.asarray(y_true, dtype=float)
    with np.errstate(over="ignore"):
        shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    self.save_for_backward(log_p, y)
    return float(-np.mean(np.sum(y * log_p, axis=1)))  # 0 * -inf is NaN


@pytest.mark.parametrize("methods, where", [
    (dict(backward=sce_backward(lambda p, y: p - y)), "times too large"),
    (dict(backward=sce_backward(lambda p, y: (y - p) / len(p))), "wrong sign"),
    (dict(forward=naive_log_softmax_forward), "finite, without overflow"),
    (dict(forward=nan_at_the_limit_forward), "a target of 0 times a log p of -inf"),
])
def test_softmax_cross_entropy_typical_mistakes(methods, where):
    result = ch05.check_softmax_cross_entropy(with_methods(sn.SoftmaxCrossEntropy, **methods))
    assert not result.passed and where in result.where, repr(result)


class BCEWithLogits(sn.Loss):
    def forward(self, y_pred, y_true):
        z, y = _check_same_shape(self, y_pred, y_true)
        self.save_for_backward(z, y)
        return float(np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))))

    def backward(self):
        z, y = self.saved
        e = np.exp(-np.abs(z))
        return (np.where(z >= 0, 1 / (1 + e), e / (1 + e)) - y) / z.size


def test_bce_with_logits_right_passes_and_typical_mistakes_draw_their_hints():
    assert ch05.check_bce_with_logits(BCEWithLogits).passed

    class Naive(BCEWithLogits):
        def forward(self, y_pred, y_true):
            z, y = _check_same_shape(self, y_pred, y_true)
            self.save_for_backward(z, y)
            p = 1 / (1 + np.exp(-z))
            return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    class NoMean(BCEWithLogits):
        def backward(self):
            return super().backward() * self.saved[0].size

    class LogitsNotSigmoid(BCEWithLogits):
        def backward(self):
            z, y = self.saved
            return (z - y) / z.size

    for cls, where in ((NoMean, "1/N of the mean"), (LogitsNotSigmoid, "uses z itself"),
                       (Naive, "exp(1e4) overflows")):
        result = ch05.check_bce_with_logits(cls)
        assert not result.passed and where in result.where, repr(result)
