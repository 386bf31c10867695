"""Checks for chapter 5's exercises: building `CategoricalCrossEntropy` and `SoftmaxCrossEntropy`,
and binary cross-entropy on logits, beyond the text.

The reference answers are computed here with their own NumPy code (scratchnet._reference); this
module does not import `scratchnet.losses`, so it works whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet._reference import log_softmax, sigmoid, softmax
from scratchnet.checks._core import Case, CheckResult, Mistake, Raises, close, fallback, more_help, run_check

__all__ = ["fallback", "more_help", "check_categorical_cross_entropy", "check_softmax_cross_entropy", "check_bce_with_logits",
           "loss_run"]


def loss_run(cls, y_pred, y_true):
    """(loss value, dL/dy_pred) of a fresh loss of the learner's class."""
    loss = cls()
    value = loss.forward(y_pred, y_true)
    return value, loss.backward()


def _is_float(r):
    return None if r == "float" else f"forward returned a {r}, not a Python float"


# ------------------------------------------------------------------ 5.1 CategoricalCrossEntropy

def check_categorical_cross_entropy(CategoricalCrossEntropy) -> CheckResult:
    """Exercise 5.1: `CategoricalCrossEntropy.forward` and `backward`, with the guards."""
    what = ("forward: p = _check_rows(self, y_pred); refuse 1-D y_true; p, y = _check_same_shape(self, p, y_true); "
            "_check_probabilities(self, 'y_pred', p, _LOGITS_ADVICE); _check_distributions(self, y); "
            "self.save_for_backward(p, y); return float(-np.mean(np.sum(y * _clamped_log(p), axis=1))). "
            "backward: p, y = self.saved; return -y / (len(p) * np.maximum(p, _DIV_MIN)).")
    rng = np.random.default_rng(51)
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.02, 0.49, 0.49]])
    labels = np.array([0, 1, 2, 0])
    Y = np.eye(3)[labels]
    p_rand = rng.uniform(0.05, 1.0, size=(5, 4))
    p_rand /= p_rand.sum(axis=1, keepdims=True)
    Y_rand = np.eye(4)[rng.integers(0, 4, size=5)]
    cases = []
    for description, (p, y) in {"a batch of 4 worked by hand (the chapter's)": (probs, Y),
                                "5 random rows of 4 probabilities": (p_rand, Y_rand)}.items():
        B = len(p)
        value = float(-np.mean(np.sum(y * np.log(p), axis=1)))
        grad = -y / (B * p)
        cases.append(Case(description, expected=(value, grad),
                          call=lambda C, p=p, y=y: loss_run(C, p.copy(), y.copy()),
                          mistakes=[
                              Mistake(lambda r, v=value, B=B: np.isclose(float(r[0]), v * B),
                                      f"the loss is {B} times too large: it sums over the batch.",
                                      "take the mean over the batch of each row's sum over the classes."),
                              Mistake(lambda r, v=value, B=B, C=p.shape[1]: np.isclose(float(r[0]), v / C),
                                      "the loss is too small by the number of classes: it averages over "
                                      "the classes as well.",
                                      "sum over the classes (axis=1), then take the mean over the batch."),
                              Mistake(lambda r, g=grad, B=B: close(r[1], g * B),
                                      f"the gradient is {B} times too large: the 1/B of the mean is missing.",
                                      "-y / (len(p) * p)."),
                              Mistake(lambda r, g=grad: close(r[1], -g),
                                      "the gradient has the wrong sign.", "the loss is -log p: -y / (B p)."),
                          ],
                          where="item 0 is the loss, item 1 its gradient dL/dy_pred.", what=what))
    cases.append(Case("forward returns a Python float", call=lambda C: type(C().forward(probs, Y)).__name__,
                      expected="float", compare=_is_float,
                      where="forward must return the loss as a Python float.", what="wrap it in float(...)."))

    def edge(C):
        value, grad = loss_run(C, np.array([[0.0, 1.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]))
        return np.array([value, *np.asarray(grad, dtype=float).ravel()])

    cases.append(Case("a true class with probability exactly 0: a finite loss and gradient", call=edge,
                      expected=np.array([50.0, -0.5e12, 0.0, 0.0, -0.5]),
                      mistakes=[Mistake(lambda r: not np.all(np.isfinite(r)),
                                        "the loss or the gradient is infinite (log 0, or a division by 0).",
                                        "use _clamped_log(p) in forward and np.maximum(p, _DIV_MIN) in backward.")],
                      where="item 0 is the loss, then the gradient's entries; p = 0 costs 100 per sample, "
                            "divided by B.", what=what))
    cases.append(Case("integer labels passed where one-hot rows belong",
                      call=lambda C: C().forward(probs, labels),
                      expected=Raises(ValueError, ["SparseCategoricalCrossEntropy"]),
                      where="1-D targets must be refused, with a pointer to the sparse loss.",
                      what="if np.ndim(y_true) == 1, raise the ValueError of the chapter's code."))
    cases.append(Case("logits passed where probabilities belong",
                      call=lambda C: C().forward(np.array([[2.0, -1.0, 0.5]]), np.eye(3)[[0]]),
                      expected=Raises(ValueError, ["SoftmaxCrossEntropy"]),
                      where="values outside [0, 1] must be refused, with a pointer to SoftmaxCrossEntropy.",
                      what="_check_probabilities(self, 'y_pred', p, _LOGITS_ADVICE)."))
    cases.append(Case("backward before any forward", call=lambda C: C().backward(),
                      expected=Raises(RuntimeError, ["before forward"]),
                      where="backward must say that forward has not run.",
                      what="read p and y back with p, y = self.saved."))
    return run_check("5.1", CategoricalCrossEntropy, cases)


# ------------------------------------------------------------------ 5.2 SoftmaxCrossEntropy

def check_softmax_cross_entropy(SoftmaxCrossEntropy) -> CheckResult:
    """Exercise 5.2: `SoftmaxCrossEntropy` on logits, with log-sum-exp and (P - Y) / B."""
    what = ("_log_softmax: shifted = z - z.max(axis=1, keepdims=True); return shifted - "
            "np.log(np.exp(shifted).sum(axis=1, keepdims=True)). forward: keep log_p and y (the labels, "
            "or the rows of probabilities) with save_for_backward; return -mean(sum(y * log_p, axis=1)) "
            "for rows, counting 0 where y is 0, or -mean(log_p[np.arange(B), labels]) for labels. "
            "backward: log_p, y = self.saved; return (np.exp(log_p) - Y) / len(log_p), Y the one-hot "
            "rows of labels (subtract 1 at each true class).")
    rng = np.random.default_rng(52)
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.0, 1.0, 1.0], [-1.0, 3.0, 3.0]])
    labels = np.array([0, 1, 2, 0])
    z_rand = rng.normal(scale=3.0, size=(5, 4))
    rows = rng.dirichlet(np.ones(4), size=5)
    cases = []
    for description, (z, y) in {
        "the chapter's batch of 4 logits with labels": (logits, labels),
        "5 random rows of logits against rows of class probabilities": (z_rand, rows),
    }.items():
        Y = np.eye(z.shape[1])[y] if y.ndim == 1 else y
        value = float(-np.mean(np.sum(Y * log_softmax(z), axis=1)))
        grad = (softmax(z) - Y) / len(z)
        cases.append(Case(description, expected=(value, grad),
                          call=lambda C, z=z, y=y: loss_run(C, z.copy(), y.copy()),
                          mistakes=[
                              Mistake(lambda r, g=grad, B=len(z): close(r[1], g * B),
                                      f"the gradient is {len(z)} times too large: the 1/B is missing.",
                                      "(p - y) / len(p)."),
                              Mistake(lambda r, z=z, Y=Y: close(r[1], (Y - softmax(z)) / len(z)),
                                      "the gradient has the wrong sign.", "(p - y) / B, predicted minus right."),
                              Mistake(lambda r, z=z, Y=Y: close(r[1], (z - Y) / len(z)),
                                      "the gradient subtracts the targets from the logits, not from the "
                                      "probabilities.", "p = np.exp(log_p), then (p - y) / B."),
                          ],
                          where="item 0 is the loss, item 1 its gradient dL/dz.", what=what))

    def extreme32(C):
        z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, 0.0]], dtype=np.float32)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            value, grad = loss_run(C, z, np.array([1, 2, 0]))
        return np.array([value, *np.asarray(grad, dtype=float).ravel()])

    z32 = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, 0.0]])
    Y32 = np.eye(3)[[1, 2, 0]]
    expected32 = np.array([float(-np.mean(np.sum(Y32 * log_softmax(z32), axis=1))),
                           *((softmax(z32) - Y32) / 3).ravel()])
    cases.append(Case("logits of +-1e4 in float32, with NumPy's warnings turned into errors", call=extreme32,
                      expected=expected32, where="the loss must stay finite, without overflow or log 0.",
                      what="log-sum-exp: subtract each row's max before np.exp, and never take log of p."))

    def near_the_limit(C):
        z = np.array([[1e308, -1e308], [-1e308, 1e308]])
        with np.errstate(over="ignore"):  # z - max overflows to -inf, which is harmless
            value, grad = loss_run(C, z, np.array([0, 1]))
        return np.array([value, *np.asarray(grad, dtype=float).ravel()])

    cases.append(Case("logits near the float64 limit, 1e308, each row right: loss 0, gradient 0",
                      call=near_the_limit, expected=np.zeros(5),
                      mistakes=[Mistake(lambda r: bool(np.isnan(r).any()),
                                        "the result has NaN: a target of 0 times a log p of -inf.",
                                        "count only the entries where y > 0: "
                                        "np.where(y > 0, log_p, 0.0) * y.")],
                      where="a wrong class with p = 0 has log p = -inf, and 0 * -inf is NaN.", what=what))
    cases.append(Case("forward returns a Python float",
                      call=lambda C: type(C().forward(logits, labels)).__name__, expected="float",
                      compare=_is_float, where="forward must return the loss as a Python float.",
                      what="wrap it in float(...)."))
    cases.append(Case("labels out of range for 3 classes", call=lambda C: C().forward(logits, np.array([0, 1, 3, 0])),
                      expected=Raises(ValueError, ["[0, 3)"]),
                      where="a label that is not a class must be refused.",
                      what="labels = _check_labels(self, z, y_true)."))
    cases.append(Case("backward before any forward", call=lambda C: C().backward(),
                      expected=Raises(RuntimeError, ["before forward"]),
                      where="backward must say that forward has not run.",
                      what="read log_p and y back with log_p, y = self.saved."))
    return run_check("5.2", SoftmaxCrossEntropy, cases)


# ------------------------------------------------------------------ 5.3 BCE on logits, beyond the text

def check_bce_with_logits(BinaryCrossEntropyWithLogits) -> CheckResult:
    """Exercise 5.3: binary cross-entropy on logits, stable for any z, with gradient (sigmoid(z) - y) / N."""
    what = ("forward: z, y = _check_same_shape(self, y_pred, y_true); self.save_for_backward(z, y); return "
            "float(np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))). backward: z, y = "
            "self.saved; return (sigmoid(z) - y) / z.size, with sigmoid computed from exp(-|z|).")
    rng = np.random.default_rng(53)
    cases = []
    for description, (z, y) in {
        "by hand: z = [[2], [-1], [0.5]], y = [[1], [0], [1]]": (np.array([[2.0], [-1.0], [0.5]]),
                                                                np.array([[1.0], [0.0], [1.0]])),
        "a batch of 4 samples with 3 yes/no questions, soft targets": (rng.normal(scale=2, size=(4, 3)),
                                                                       rng.uniform(size=(4, 3))),
    }.items():
        p = sigmoid(z)
        value = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        grad = (p - y) / z.size
        cases.append(Case(description, expected=(value, grad),
                          call=lambda C, z=z, y=y: loss_run(C, z.copy(), y.copy()),
                          mistakes=[
                              Mistake(lambda r, g=grad, N=z.size: close(r[1], g * N),
                                      f"the gradient is {z.size} times too large: the 1/N of the mean is missing.",
                                      "(sigmoid(z) - y) / z.size."),
                              Mistake(lambda r, z=z, y=y: close(r[1], (z - y) / z.size),
                                      "the gradient uses z itself where it needs sigmoid(z).",
                                      "(sigmoid(z) - y) / N."),
                              Mistake(lambda r, v=value: np.isclose(float(r[0]), -v),
                                      "the loss has the wrong sign.", "max(z, 0) - y z + log(1 + e^-|z|)."),
                          ],
                          where="item 0 is the loss (the mean over all entries), item 1 dL/dz.", what=what))

    def extreme(C):
        z = np.array([[1e4], [-1e4], [1e4]])
        y = np.array([[1.0], [0.0], [0.0]])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            value, grad = loss_run(C, z, y)
        return np.array([value, *np.asarray(grad, dtype=float).ravel()])

    cases.append(Case("logits of +-1e4, with NumPy's warnings turned into errors", call=extreme,
                      expected=np.array([1e4 / 3, 0.0, 0.0, 1 / 3]),
                      where="exp(1e4) overflows: the loss and the sigmoid must never exponentiate a "
                            "positive number.",
                      what="use log(1 + exp(-|z|)) with np.log1p, and sigmoid from exp(-|z|)."))
    cases.append(Case("logits (3, 1) against targets (3,): no broadcasting",
                      call=lambda C: C().forward(np.zeros((3, 1)), np.zeros(3)),
                      expected=Raises(ValueError, ["(3, 1)", "(3,)"]),
                      where="mismatched shapes must be refused, naming both.",
                      what="z, y = _check_same_shape(self, y_pred, y_true) (from scratchnet.losses)."))
    cases.append(Case("forward returns a Python float",
                      call=lambda C: type(C().forward(np.zeros((2, 1)), np.ones((2, 1)))).__name__,
                      expected="float", compare=_is_float,
                      where="forward must return the loss as a Python float.", what="wrap it in float(...)."))
    cases.append(Case("backward before any forward", call=lambda C: C().backward(),
                      expected=Raises(RuntimeError, ["before forward"]),
                      where="backward must say that forward has not run.",
                      what="keep z and y with self.save_for_backward(z, y), read them with self.saved."))
    return run_check("5.3", BinaryCrossEntropyWithLogits, cases)
