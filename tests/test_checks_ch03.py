"""Chapter 3's exercise checks: typical wrong answers draw the first-tier hint meant for them.
(Stubs and solutions: tests/test_exercises.py.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.checks import _core, ch03
from scratchnet.core import check_grad_out


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def dense_with(backward):
    class WrongDense(sn.Dense):
        pass
    WrongDense.backward = backward
    return WrongDense


def make(dW, db, dX, add=True):
    def backward(self, grad_out):
        (x,) = self.saved
        G = check_grad_out(self, grad_out, (len(x), self.out_features))
        if add:
            self.W.grad += dW(x, G, self.W.value)
            self.b.grad += db(G)
        else:
            self.W.grad[...] = dW(x, G, self.W.value)
            self.b.grad[...] = db(G)
        if not self.needs_input_grad:
            return None
        return dX(G, self.W.value)
    return dense_with(backward)


RIGHT = dict(dW=lambda x, G, W: x.T @ G, db=lambda G: G.sum(axis=0), dX=lambda G, W: G @ W.T)


def variant(**changes):
    parts = {**RIGHT, **changes}
    add = parts.pop("add", True)
    return make(add=add, **parts)


@pytest.mark.parametrize("cls, where", [
    (variant(dW=lambda x, G, W: (x.T @ G).T if W.shape[0] == W.shape[1] else x.T @ G), "transposed"),
    (variant(dW=lambda x, G, W: x.T @ G / len(x)), "averages over the batch"),
    (variant(db=lambda G: G.mean(axis=0)), "dL/db is"),
    (variant(dX=lambda G, W: G @ W if W.shape[0] == W.shape[1] else G @ W.T), "W is square"),
    (variant(add=False), "lost what it held"),
])
def test_dense_backward_typical_mistakes(cls, where):
    result = ch03.check_dense_backward(cls)
    assert not result.passed and where in result.where, repr(result)
    assert "what:" in repr(ch03.check_dense_backward(cls))  # a repeat shows the second tier


def test_a_backward_that_ignores_needs_input_grad_or_checks_nothing_is_caught():
    def always_dx(self, grad_out):
        (x,) = self.saved
        G = np.asarray(grad_out)
        self.W.grad += x.T @ G
        self.b.grad += G.sum(axis=0)
        return G @ self.W.value.T
    result = ch03.check_dense_backward(dense_with(always_dx))
    assert not result.passed and "returns None" in result.where, repr(result)

    def unguarded(self, grad_out):
        x = self._saved[0]
        return x
    result = ch03.check_dense_backward(dense_with(unguarded))
    assert not result.passed


def test_the_chapters_dense_passes():
    assert ch03.check_dense_backward(sn.Dense).passed


def two_layer(dW2_input_has_bias=True, dW1_from_G=False, dX_stops_at_hidden=False, wrong_order=False):
    def grads(X, W1, b1, W2, G):
        H = X @ W1 + (b1 if dW2_input_has_bias else 0)
        dH = G @ W2.T
        dW1 = X.T @ (G if dW1_from_G and G.shape[1] == W1.shape[1] else dH)
        dX = dH if dX_stops_at_hidden else (G @ W1.T @ W2.T if wrong_order and W1.shape == W2.shape else dH @ W1.T)
        return dW1, dH.sum(0), H.T @ G, G.sum(0), dX
    return grads


@pytest.mark.parametrize("kwargs, where", [
    (dict(dW2_input_has_bias=False), "misses the first layer's bias"),
    (dict(dW1_from_G=True), "uses G directly"),
    (dict(dX_stops_at_hidden=True), "gradient at the hidden layer"),
    (dict(wrong_order=True), "wrong order"),
])
def test_two_layer_grads_typical_mistakes(kwargs, where):
    result = ch03.check_two_layer_grads(two_layer(**kwargs))
    assert not result.passed and where in result.where, repr(result)


@pytest.mark.parametrize("wrong, where", [
    (lambda W, lam: (0.5 * lam * np.sum(W ** 2), 2 * lam * W), "twice too large"),
    (lambda W, lam: (0.5 * lam * np.sum(W ** 2), lam * np.sum(W)), "one number"),
    (lambda W, lam: (lam * np.sum(W ** 2), lam * W), "penalty value is twice"),
])
def test_l2_penalty_typical_mistakes(wrong, where):
    result = ch03.check_l2_penalty(wrong)
    assert not result.passed and where in result.where, repr(result)


def test_complex_answers_are_refused():
    """The walk-through: exercise 3.1 accepted a complex result with only a ComplexWarning."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ch03.check_l2_penalty(lambda W, lam: (0.5 * lam * np.sum(W ** 2) + 0j, lam * W + 0j))
    assert not result.passed and "complex" in result.message
