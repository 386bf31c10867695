"""Checks for chapter 5's exercises: a stable log-sum-exp, sparse cross-entropy from
probabilities, and the gradient of softmax cross-entropy on logits.

The reference answers are computed here with their own NumPy code; this module does not import
`scratchnet.losses` (a check must work before the learner's chapter is exported).
"""

from __future__ import annotations

import copy

import numpy as np

from scratchnet.checks._core import Case, CheckResult, run_check

__all__ = ["check_logsumexp", "check_sparse_cross_entropy", "check_softmax_cross_entropy_grad"]

MAX_TRICK = ("your result has inf or nan: np.exp overflows for large logits (e^1000 = inf) and "
             "underflows to 0 for very negative ones (log 0 = -inf). Subtract each row's max m first, "
             "log sum exp(z) = m + log sum exp(z - m), so that every exponent is <= 0 and the largest term is 1.")
SOFTMAX_OVERFLOW = ("your result has nan: np.exp(1e4) overflows to inf, and inf / inf = nan. Softmax does not "
                    "change when you subtract one number from a whole row, so compute "
                    "exp(z - z.max(axis=1, keepdims=True)): every exponent is then <= 0.")


def _quietly(fn, *args):
    """Call the learner's fn on copies of args with NumPy's overflow warnings silenced.

    A naive answer overflows; the check then reports the inf it returned, with a hint,
    instead of a screen of RuntimeWarnings (or, under pytest, an exception).
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        return fn(*copy.deepcopy(args))


def _not_finite(received) -> bool:
    return not np.all(np.isfinite(np.asarray(received, dtype=float)))


def _close(received, value) -> bool:
    received = np.asarray(received, dtype=float)
    value = np.asarray(value, dtype=float)
    return received.shape == value.shape and np.allclose(received, value, rtol=1e-5, atol=1e-7)


def _logsumexp(z):
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def check_logsumexp(logsumexp) -> CheckResult:
    """Exercise 5.1: `logsumexp(z)` for logits z (batch, C) returns log sum_c exp(z[i, c]), shape (batch,)."""
    cases = []
    for description, z in {
        "two rows by hand: log(e^1 + e^2 + e^3) and log 3": np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),
        "large logits, where exp overflows: log(2 e^1000) = 1000 + log 2": np.array([[1000.0, 1000.0]]),
        "rows on different scales": np.array([[1e4, 0.0, -1e4], [0.5, -0.5, 1.5]]),
        "very negative logits, where exp underflows to 0": np.array([[-1000.0, -1000.0, -1000.0]]),
        "a random batch of 8 samples and 5 classes": np.random.default_rng(5).normal(scale=10, size=(8, 5)),
    }.items():
        z_max = z.max(axis=1)
        cases.append(Case(
            description, expected=_logsumexp(z),
            call=lambda f, z=z: _quietly(f, z),
            mistakes=[
                (_not_finite, MAX_TRICK),
                (lambda r, z=z: np.shape(r) == (len(z), 1),
                 "you returned shape (batch, 1); return one number per row, shape (batch,): "
                 "sum with axis=1 without keepdims, or take [:, 0] at the end."),
                (lambda r, z=z: np.ndim(r) == 0 or np.shape(r) == (z.shape[1],),
                 "sum over the classes of each row (axis=1), not over the whole batch (axis=0 or no axis)."),
                (lambda r, z=z, z_max=z_max: _close(np.asarray(r) + z_max, _logsumexp(z)),
                 "you subtracted the max but forgot to add it back: log sum exp(z) = m + log sum exp(z - m)."),
            ],
            hint="take m = z.max(axis=1, keepdims=True); then m + log(sum(exp(z - m), axis=1)), one value per row."))
    return run_check("5.1", logsumexp, cases)


def check_sparse_cross_entropy(sparse_cross_entropy) -> CheckResult:
    """Exercise 5.2: `sparse_cross_entropy(probs, labels)` = -mean_i log probs[i, labels[i]], a number."""
    rng = np.random.default_rng(6)
    random_p = _softmax(rng.normal(size=(6, 4)))
    cases = []
    for description, (p, labels) in {
        "two samples by hand: -(log 0.7 + log 0.8) / 2": (np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]),
                                                           np.array([0, 1])),
        "three samples, each wrong in a different way": (np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1],
                                                                   [0.25, 0.25, 0.5]]), np.array([2, 1, 0])),
        "a certain, right prediction costs nothing": (np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])),
        "a random batch of 6 samples and 4 classes": (random_p, rng.integers(0, 4, size=6)),
    }.items():
        rows = np.arange(len(p))
        with np.errstate(divide="ignore"):
            log_p = np.log(p)
        per_sample = -log_p[rows, labels]
        expected = float(per_sample.mean())
        cases.append(Case(
            description, expected=expected,
            call=lambda f, p=p, labels=labels: _quietly(f, p, labels),
            mistakes=[
                (_not_finite,
                 "your result is nan or inf. log 0 = -inf, and 0 * log 0 = 0 * -inf = nan: multiplying "
                 "the log of every probability by a one-hot row breaks where a probability is 0. Take only "
                 "the true class's probability, p[np.arange(n), labels], before the log."),
                (lambda r, e=expected: not np.isclose(e, 0.0) and np.isclose(float(r), -e),
                 "the sign is wrong: the loss is MINUS the log of the probability, so it is >= 0."),
                (lambda r, e=expected, n=len(p): n > 1 and np.isclose(float(r), n * e),
                 "you summed over the batch; the loss is the MEAN over the samples, so divide by the batch size."),
                (lambda r, n=len(p): np.shape(r) == (n,),
                 "you returned one loss per sample; return their mean, a single number."),
                (lambda r, lp=log_p, labels=labels: np.isfinite(lp).all()
                 and np.isclose(float(r), -np.mean(lp[:, labels])),
                 "p[:, labels] takes whole columns (an (n, n) array); pair each row with its own label: "
                 "p[np.arange(n), labels]."),
                (lambda r, lp=log_p: np.isfinite(lp).all() and (np.isclose(float(r), -np.mean(lp))
                                                                or np.isclose(float(r), -np.mean(lp.sum(axis=1)))),
                 "you used the log of every probability. Cross-entropy keeps only the true class's one "
                 "(the one-hot row y has a 1 there and 0 elsewhere): p[np.arange(n), labels]."),
            ],
            hint="pick each sample's probability of its true class, p[np.arange(n), labels], "
                 "then return -mean(log(...))."))
    return run_check("5.2", sparse_cross_entropy, cases)


def check_softmax_cross_entropy_grad(softmax_cross_entropy_grad) -> CheckResult:
    """Exercise 5.3: `softmax_cross_entropy_grad(z, labels)` = (softmax(z) - one_hot(labels)) / batch."""
    rng = np.random.default_rng(7)
    cases = []
    for description, (z, labels) in {
        "two samples by hand": (np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]), np.array([2, 0])),
        "a random batch of 8 samples and 5 classes": (rng.normal(scale=2, size=(8, 5)), rng.integers(0, 5, size=8)),
        "extreme logits: a confident, wrong sample and a confident, right one":
            (np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]]), np.array([2, 1])),
        "one sample, two classes, equal logits": (np.array([[0.0, 0.0]]), np.array([0])),
    }.items():
        n, n_classes = z.shape
        p = _softmax(z)
        y = np.eye(n_classes)[labels]
        expected = (p - y) / n
        cases.append(Case(
            description, expected=expected,
            call=lambda f, z=z, labels=labels: _quietly(f, z, labels),
            mistakes=[
                (_not_finite, SOFTMAX_OVERFLOW),
                (lambda r, e=expected, n=n: n > 1 and _close(r, n * e),
                 "the loss is a mean over the batch, so its gradient is (p - y) / batch: divide by the batch size."),
                (lambda r, e=expected: _close(r, -e) or _close(r, -e * len(e)),
                 "the sign is wrong: the gradient is p - y (probabilities minus targets), not y - p."),
                (lambda r, p=p, y=y, n=n: _close(r, (p + y) / n) or _close(r, p + y),
                 "you added the targets: the gradient is p - y, the probabilities MINUS the one-hot targets."),
                (lambda r, p=p, labels=labels, n=n: _close(r, (p - labels[:, None]) / n) or _close(r, p - labels[:, None]),
                 "you subtracted the label number itself; first turn the labels into one-hot rows, "
                 "y = np.eye(n_classes)[labels], then (p - y) / batch."),
                (lambda r, z=z, y=y, n=n: _close(r, (z - y) / n),
                 "you used the logits z instead of the probabilities: apply softmax to each row first."),
            ],
            hint="p = softmax(z) row by row (subtract each row's max first), y = np.eye(n_classes)[labels], "
                 "then return (p - y) / batch."))
    return run_check("5.3", softmax_cross_entropy_grad, cases)
