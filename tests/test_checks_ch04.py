"""Chapter 4's exercise checks: typical wrong answers draw the first-tier hint meant for them.
(Stubs and solutions: tests/test_exercises.py.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.checks import _core, ch04
from scratchnet.core import as_array, check_grad_out


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def with_methods(base, **methods):
    return type(f"Wrong{base.__name__}", (base,), methods)


def relu_backward(rule):
    def backward(self, grad_out):
        positive, dtype = self.saved
        G = check_grad_out(self, grad_out, positive.shape, dtype)
        return rule(G, positive)
    return backward


def relu_forward_ge(self, x):
    x = as_array(x, self)
    self.save_for_backward(x >= 0, x.dtype)
    return np.maximum(x, 0)


def relu_forward_unchecked(self, x):
    x = np.asarray(x, dtype=np.float32)  # None becomes NaN, without a word
    self.save_for_backward(x > 0, x.dtype)
    return np.maximum(x, 0)


@pytest.mark.parametrize("methods, where", [
    (dict(backward=relu_backward(lambda G, m: m.astype(G.dtype))), "ignores grad_out"),
    (dict(backward=relu_backward(lambda G, m: G)), "grad_out unchanged"),
    (dict(forward=relu_forward_ge), "exactly 0"),
    (dict(forward=relu_forward_unchecked), "forward must refuse"),
])
def test_relu_typical_mistakes(methods, where):
    result = ch04.check_relu(with_methods(sn.ReLU, **methods))
    assert not result.passed and where in result.where + result.message, repr(result)


def test_relu_that_loses_float32_is_caught():
    def backward(self, grad_out):
        positive, _ = self.saved
        return check_grad_out(self, grad_out, positive.shape) * positive
    result = ch04.check_relu(with_methods(sn.ReLU, backward=backward))
    assert not result.passed and "keep the dtype of x" in result.where


def saved_backward(rule):
    def backward(self, grad_out):
        (y,) = self.saved
        G = check_grad_out(self, grad_out, y.shape, y.dtype)
        return rule(G, y)
    return backward


@pytest.mark.parametrize("rule, where", [
    (lambda G, s: G * s, "times s;"),
    (lambda G, s: G * (1 - s), "times (1 - s)"),
    (lambda G, s: s * (1 - s), "ignores grad_out"),
])
def test_sigmoid_backward_typical_mistakes(rule, where):
    result = ch04.check_sigmoid_backward(with_methods(sn.Sigmoid, backward=saved_backward(rule)))
    assert not result.passed and where in result.where, repr(result)


@pytest.mark.parametrize("rule, where", [
    (lambda G, y: G * (1 - y), "times (1 - y)"),
    (lambda G, y: G * y * (1 - y), "sigmoid's slope"),
    (lambda G, y: G * (1 + y ** 2), "wrong sign"),
])
def test_tanh_backward_typical_mistakes(rule, where):
    result = ch04.check_tanh_backward(with_methods(sn.Tanh, backward=saved_backward(rule)))
    assert not result.passed and where in result.where, repr(result)


def softmax_forward(shift):
    def forward(self, x):
        x = as_array(x, self)
        e = np.exp(x - shift(x))
        p = e / e.sum(axis=1, keepdims=True)
        self.save_for_backward(p)
        return p
    return forward


@pytest.mark.parametrize("shift, where", [
    (lambda x: 0.0, "overflows (inf, nan)"),
    (lambda x: x.max(), "whole batch"),
    (lambda x: x.min(axis=1, keepdims=True), "smallest logit"),
])
def test_softmax_forward_typical_mistakes(shift, where):
    """The walk-through: a row-min mistake was diagnosed as 'not the largest logit of the batch'."""
    result = ch04.check_softmax(with_methods(sn.Softmax, forward=softmax_forward(shift)))
    assert not result.passed and where in result.where, repr(result)


def test_softmax_columns_and_missing_normalisation():
    def columns(self, x):
        x = as_array(x, self)
        e = np.exp(x - x.max(axis=0, keepdims=True))
        p = e / e.sum(axis=0, keepdims=True)
        self.save_for_backward(p)
        return p

    def unnormalised(self, x):
        x = as_array(x, self)
        p = np.exp(x - x.max(axis=1, keepdims=True))
        self.save_for_backward(p)
        return p
    for forward, where in ((columns, "columns sum to 1"), (unnormalised, "do not sum to 1")):
        result = ch04.check_softmax(with_methods(sn.Softmax, forward=forward))
        assert not result.passed and where in result.where, repr(result)


@pytest.mark.parametrize("rule, where", [
    (lambda G, p: p * G, "couples the classes"),
    (lambda G, p: p * (1 - p) * G, "only the diagonal"),
    (lambda G, p: p * (G - np.sum(G * p)), "whole batch"),
])
def test_softmax_backward_typical_mistakes(rule, where):
    result = ch04.check_softmax(with_methods(sn.Softmax, backward=saved_backward(rule)))
    assert not result.passed and where in result.where, repr(result)


class ELU(sn.Layer):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        x = sn.as_array(x, self)
        self.save_for_backward(x)
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def backward(self, grad_out):
        (x,) = self.saved
        G = sn.check_grad_out(self, grad_out, x.shape)
        return G * np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))


def test_elu_right_passes_and_typical_mistakes_draw_their_hints():
    assert ch04.check_elu(ELU).passed

    class NoAlpha(ELU):
        def forward(self, x):
            x = sn.as_array(x, self)
            self.save_for_backward(x)
            return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))

    class Overflows(ELU):
        def forward(self, x):
            x = sn.as_array(x, self)
            self.save_for_backward(x)
            return np.where(x > 0, x, self.alpha * (np.exp(x) - 1))

    class SlopeIsOutput(ELU):
        def backward(self, grad_out):
            (x,) = self.saved
            return grad_out * np.where(x > 0, 1.0, self.alpha * np.expm1(x))

    for cls, where in ((NoAlpha, "ignores alpha"), (Overflows, "overflows for x = 1e4"),
                       (SlopeIsOutput, "the slope is the output")):
        result = ch04.check_elu(cls)
        assert not result.passed and where in result.where, repr(result)
    overflow = ch04.check_elu(Overflows)
    assert "FloatingPointError" in overflow.message and "np.exp(x)" in overflow.message  # the learner's line
