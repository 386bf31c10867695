"""Checks for chapter 4's exercises: the backward passes of ReLU, the sigmoid and tanh, and a
numerically stable softmax.

Each check has its own small reference implementation; it does not import
`scratchnet.activations`, so it works with whatever the learner has built so far.
"""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, run_check

__all__ = ["check_relu_backward", "check_sigmoid_backward", "check_tanh_backward", "check_softmax"]


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _same(received, expected):
    """True when `received` is an array of `expected`'s shape and values (for spotting mistakes)."""
    received = np.asarray(received, dtype=float)
    return received.shape == np.shape(expected) and np.allclose(received, expected, equal_nan=True)


def check_relu_backward(relu_backward) -> CheckResult:
    """Exercise 4.1: `relu_backward(x, grad_out)` returns dL/dx = grad_out * [x > 0]."""
    rng = np.random.default_rng(41)
    cases = []
    for description, (x, g) in {
        "by hand: x = [[-2, -0.5, 0.5, 2]], grad_out = [[1, -2, 3, -4]], so [[0, 0, 3, -4]]":
            (np.array([[-2.0, -0.5, 0.5, 2.0]]), np.array([[1.0, -2.0, 3.0, -4.0]])),
        "x = 0 gets slope 0, as in PyTorch": (np.array([[0.0, 1.0, -1.0], [2.0, 0.0, 3.0]]),
                                              np.array([[5.0, 5.0, 5.0], [-1.0, 2.0, 0.5]])),
        "a random batch of 8 samples with 5 features": (rng.normal(size=(8, 5)), rng.normal(size=(8, 5))),
    }.items():
        mask = (x > 0).astype(float)
        cases.append(Case(
            description, (x, g), g * mask,
            mistakes=[
                (lambda r, mask=mask: _same(r, mask),
                 "you returned the slope [x > 0] itself. The chain rule multiplies it by the gradient "
                 "that arrives from above: grad_out * (x > 0)."),
                (lambda r, g=g: _same(r, g),
                 "you passed grad_out through unchanged. ReLU's slope is 0 where x <= 0, so no gradient "
                 "gets through there: grad_out * (x > 0)."),
                (lambda r, x=x, g=g: _same(r, g * (x >= 0)),
                 "at x = 0 exactly, take the slope 0 (x > 0, not x >= 0), as PyTorch does."),
                (lambda r, x=x, g=g: _same(r, g * np.maximum(x, 0)),
                 "you multiplied by ReLU(x), the output. Backward multiplies by the slope, which is 1 "
                 "where x > 0 and 0 elsewhere."),
                (lambda r, g=g: _same(r, np.maximum(g, 0)),
                 "you applied ReLU to grad_out. Where the gradient gets through is decided by x: "
                 "grad_out * (x > 0)."),
            ],
            hint="dL/dx = dL/dy * ReLU'(x), elementwise, with ReLU'(x) = 1 where x > 0 and 0 elsewhere."))
    return run_check("4.1", relu_backward, cases)


def check_sigmoid_backward(sigmoid_backward) -> CheckResult:
    """Exercise 4.2: `sigmoid_backward(s, grad_out)`, with s = sigmoid(x) the forward output,
    returns dL/dx = grad_out * s * (1 - s)."""
    rng = np.random.default_rng(42)
    cases = []
    for description, (s, g) in {
        "by hand: s = [[0.5, 0.8, 0.1]], grad_out = [[1, 1, 2]], so [[0.25, 0.16, 0.18]]":
            (np.array([[0.5, 0.8, 0.1]]), np.array([[1.0, 1.0, 2.0]])),
        "a random batch of 6 samples with 4 features": (_sigmoid(rng.normal(size=(6, 4))), rng.normal(size=(6, 4))),
        "saturated units (s near 0 or 1) pass almost no gradient":
            (np.array([[1e-6, 0.999999], [0.5, 1.0]]), np.array([[3.0, 3.0], [3.0, 3.0]])),
    }.items():
        cases.append(Case(
            description, (s, g), g * s * (1 - s),
            mistakes=[
                (lambda r, s=s, g=g: _same(r, g * s),
                 "you multiplied by s. The derivative of the sigmoid is s * (1 - s), not s."),
                (lambda r, s=s: _same(r, s * (1 - s)),
                 "this is the sigmoid's slope without grad_out. The chain rule multiplies the two: "
                 "grad_out * s * (1 - s)."),
                (lambda r, s=s, g=g: _same(r, g * _sigmoid(s) * (1 - _sigmoid(s))),
                 "s is already sigmoid(x), the forward output; do not apply the sigmoid to it again."),
                (lambda r, s=s, g=g: _same(r, g * (1 - s)),
                 "the derivative of the sigmoid is s * (1 - s); you have only (1 - s)."),
            ],
            hint="d sigmoid(x)/dx = s * (1 - s) with s = sigmoid(x); multiply it by grad_out, elementwise."))
    return run_check("4.2", sigmoid_backward, cases)


def check_tanh_backward(tanh_backward) -> CheckResult:
    """Exercise 4.3: `tanh_backward(y, grad_out)`, with y = tanh(x) the forward output,
    returns dL/dx = grad_out * (1 - y**2)."""
    rng = np.random.default_rng(43)
    cases = []
    for description, (y, g) in {
        "by hand: y = [[0, 0.5, -0.5]], grad_out = [[2, 2, 4]], so [[2, 1.5, 3]]":
            (np.array([[0.0, 0.5, -0.5]]), np.array([[2.0, 2.0, 4.0]])),
        "a random batch of 6 samples with 4 features": (np.tanh(rng.normal(size=(6, 4))), rng.normal(size=(6, 4))),
        "saturated units (y near -1 or 1) pass almost no gradient":
            (np.array([[-0.9999, 0.9999, 1.0]]), np.array([[1.0, -2.0, 3.0]])),
    }.items():
        cases.append(Case(
            description, (y, g), g * (1 - y ** 2),
            mistakes=[
                (lambda r, y=y, g=g: _same(r, g * (1 - y)),
                 "the derivative of tanh is 1 - y**2: square the output before subtracting it from 1."),
                (lambda r, y=y: _same(r, 1 - y ** 2),
                 "this is tanh's slope without grad_out. The chain rule multiplies the two: "
                 "grad_out * (1 - y**2)."),
                (lambda r, y=y, g=g: _same(r, g * (1 - np.tanh(y) ** 2)),
                 "y is already tanh(x), the forward output; do not apply tanh to it again."),
                (lambda r, y=y, g=g: _same(r, g * y ** 2) or _same(r, g * (y ** 2 - 1)),
                 "the slope is 1 - y**2: 1 at y = 0, falling to 0 as |y| approaches 1."),
            ],
            hint="d tanh(x)/dx = 1 - tanh(x)**2 = 1 - y**2; multiply it by grad_out, elementwise."))
    return run_check("4.3", tanh_backward, cases)


def _quietly(fn, x):
    """Run fn(x) with NumPy's overflow warnings off, so that an unstable softmax shows up as
    inf or nan in its result (which the check explains) rather than as a warning."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return fn(x.copy())


def check_softmax(softmax) -> CheckResult:
    """Exercise 4.4: `softmax(x)` for logits x (batch, classes) returns probabilities over the
    last axis, and stays finite for logits in the thousands (the max trick)."""
    rng = np.random.default_rng(44)
    cases = []
    for description, x in {
        "by hand: x = [[log 1, log 2, log 3]] gives [[1/6, 2/6, 3/6]]": np.log([[1.0, 2.0, 3.0]]),
        "a batch of 2 samples with 3 classes": np.array([[0.0, 1.0, 2.0], [5.0, 5.0, -1.0]]),
        "a random batch of 4 samples with 6 classes": rng.normal(size=(4, 6)),
        "large logits: [[1000, 1001, 1002], [-1000, 0, 1000]]":
            np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]]),
        "rows far apart: [[1000, 1001], [-1000, -999]]": np.array([[1000.0, 1001.0], [-1000.0, -999.0]]),
    }.items():
        expected = _softmax(x)
        cases.append(Case(
            description, (x,), expected, call=lambda fn, x=x: _quietly(fn, x),
            mistakes=[
                (lambda r, x=x: _same(r, _softmax(x, axis=0)),
                 "you normalised each column. The classes are along the last axis: reduce with "
                 "axis=-1 (and keepdims=True), so that each row sums to 1."),
                (lambda r, x=x: _same(r, np.exp(x - x.max()) / np.exp(x - x.max()).sum()),
                 "you divided by the sum over the whole batch. Each row (one sample) is a probability "
                 "distribution of its own: sum over axis=-1 with keepdims=True."),
                (lambda r, e=expected: np.isnan(np.asarray(r, dtype=float)).any()
                 and np.allclose(np.asarray(r, dtype=float)[0], e[0]),
                 "the first row is right but the second is nan: subtract each row's own maximum "
                 "(x.max(axis=-1, keepdims=True)), not the largest logit of the whole batch."),
                (lambda r: not np.isfinite(np.asarray(r, dtype=float)).all(),
                 "np.exp(1000) overflows to inf, and inf / inf is nan. Use the max trick: subtract each "
                 "row's largest logit first, x - x.max(axis=-1, keepdims=True); the softmax does not "
                 "change, and the largest exponent becomes exp(0) = 1."),
            ],
            hint="p = exp(x - max) / sum(exp(x - max)), with the max and the sum taken over the last "
                 "axis with keepdims=True, so that they have shape (batch, 1) and broadcast over the row."))
    return run_check("4.4", softmax, cases)
