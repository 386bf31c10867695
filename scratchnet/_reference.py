"""Reference maths for the support code: the widgets draw with it, the exercise checks compare
against it (written by hand, tested by pytest; not one of the chapter-exported modules).

Everything here computes in float64, is stable for any finite input (even near the float64
limit, +-1e308), and prints no NumPy RuntimeWarning. It imports nothing from scratchnet, so the
gating test can run chapter N with a package holding only chapters 1..N-1.

    sigmoid(x)            = 1 / (1 + exp(-x))
    logsumexp(x, axis)    = log sum_j exp(x_j)
    log_softmax(x, axis)  = x - logsumexp(x)
    softmax(x, axis)      = exp(log_softmax(x))
    shifted(images, dy, dx)[b, i, j] = images[b, i - dy[b], j - dx[b]], or 0 off the image

Infinite and NaN inputs give what PyTorch gives (for example softmax([inf, 0]) is [nan, 0]),
also without a warning.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "logsumexp", "log_softmax", "softmax", "shifted"]


def _float64(x, name: str = "x") -> np.ndarray:
    """`x` as a float64 array; anything but real numbers (strings, None, complex) is refused."""
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got {type(x).__name__} of dtype {array.dtype}: {x!r}")
    return array.astype(np.float64, copy=False)


def sigmoid(x) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), elementwise, in float64.

    Written with exp(-|x|), which lies in (0, 1], so no exponent overflows:
    sigma(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, with e = exp(-|x|).
    """
    x = _float64(x)
    e = np.exp(-np.abs(x))                      # in [0, 1]: underflows to 0 quietly, never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _shift(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The max trick: (m, x - m, log sum_j exp(x_j - m)), with m = max_j x_j kept as a slice.

    Every exponent x_j - m is <= 0, so nothing overflows, and the largest term is exp(0) = 1, so
    the log never sees 0. An infinite or NaN max is not subtracted (it would give inf - inf).
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        shifted = x - m                  # -inf for an entry far below the max: its exp is 0
        log_total = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))  # -inf if all are -inf
    return m, shifted, log_total


def logsumexp(x, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """log sum_j exp(x_j) along `axis`, in float64: m + log sum_j exp(x_j - m), m = max_j x_j."""
    m, _, log_total = _shift(_float64(x), axis)
    result = m + log_total
    return result if keepdims else np.squeeze(result, axis=axis)


def log_softmax(x, axis: int = -1) -> np.ndarray:
    """log softmax(x)_i = (x_i - m) - log sum_j exp(x_j - m) along `axis`, in float64.

    Subtracting the max first keeps the digits that x - logsumexp(x) would lose when |x| is huge.
    """
    _, shifted, log_total = _shift(_float64(x), axis)
    with np.errstate(invalid="ignore"):  # -inf - (-inf) when every entry is -inf: nan, as in PyTorch
        return shifted - log_total


def softmax(x, axis: int = -1) -> np.ndarray:
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along `axis`, in float64; each slice sums to 1."""
    with np.errstate(under="ignore"):
        return np.exp(log_softmax(x, axis=axis))


def shifted(images, dy, dx) -> np.ndarray:
    """Each image (n, h, w) moved dy rows down and dx columns right (per image, or one for all),
    written the slow and obvious way, pixel by pixel: pixels moved off the image are lost, zeros
    come in. (Chapter 9's shift_images does it with slices.)"""
    images = np.asarray(images)
    n, h, w = images.shape
    dy, dx = np.broadcast_to(dy, (n,)), np.broadcast_to(dx, (n,))
    out = np.zeros_like(images)
    for b in range(n):
        for i in range(h):
            for j in range(w):
                si, sj = i - dy[b], j - dx[b]
                if 0 <= si < h and 0 <= sj < w:
                    out[b, i, j] = images[b, si, sj]
    return out

