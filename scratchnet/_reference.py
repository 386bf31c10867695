"""Reference maths for the exercise checks and the widgets (support code, written by hand).

Each function is computed in float64, stably, and without NumPy warnings, in its own few
lines of NumPy: it never imports the chapter-exported modules, so a check or a widget works
whichever chapters have been exported (the gating test runs chapter N on chapters 1..N-1).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "softmax", "log_softmax", "logsumexp"]


def sigmoid(x):
    """1 / (1 + exp(-x)), from exp(-|x|), which never overflows."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def logsumexp(z, axis=-1):
    """log sum exp(z) along `axis`, with the maximum taken out first."""
    z = np.asarray(z, dtype=float)
    m = z.max(axis=axis, keepdims=True)
    with np.errstate(over="ignore"):
        shifted = z - m
    return np.squeeze(m + np.log(np.exp(shifted).sum(axis=axis, keepdims=True)), axis=axis)


def log_softmax(z, axis=-1):
    """log softmax(z) along `axis`: z - logsumexp(z)."""
    z = np.asarray(z, dtype=float)
    m = z.max(axis=axis, keepdims=True)
    with np.errstate(over="ignore"):
        shifted = z - m
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(z, axis=-1):
    """exp(z) / sum exp(z) along `axis`, with the maximum taken out first."""
    return np.exp(log_softmax(z, axis=axis))
