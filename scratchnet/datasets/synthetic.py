"""Small synthetic datasets, seeded (support code, written by hand).

- `spiral`: n_classes arms of a spiral in the plane, a classification problem no straight line solves;
- `vertical`: n_classes vertical stripes of points, one a class, which a straight line does solve;
- `sine`: y = sin(2 pi x) plus noise on [0, 1), a regression problem.

Each draws its randomness from `rng`: a `numpy.random.Generator` (its stream goes on from where it
is) or an int seed (default 0, so that the same call gives the same data on every run). Nothing
here touches numpy's global random state. x is float32; labels are int64, regression targets float32.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["spiral", "vertical", "sine"]


def _generator(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:  # a seed of the right type, a wrong value
            raise ValueError(f"rng must be a numpy.random.Generator or an int seed >= 0, "
                             f"got int: {rng!r}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy.random.Generator or an int seed >= 0, "
                    f"got {type(rng).__name__}: {rng!r}")


def _count(name: str, value, least: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < least:
        raise ValueError(f"{name} must be >= {least}, got {value}")
    return int(value)


# The data sets are drawn on a scale of about 1; a spread of more than a million times that is
# a slip (noise=1e308 would overflow float32), so it is refused with the range in the message.
_MAX_SPREAD = 1e6


def _noise(value) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"noise must be a number in [0, {_MAX_SPREAD:g}], got {type(value).__name__}: {value!r}")
    if not 0 <= value <= _MAX_SPREAD:  # False for NaN too
        raise ValueError(f"noise must be a number in [0, {_MAX_SPREAD:g}], got {value!r}")
    return float(value)


def spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, rng=0, *,
           winding: float = 1.0):
    """Points on n_classes interleaved spiral arms: (x, y).

    Arm k: radius r = linspace(0, 1, n_per_class), angle t = winding (4k + 4r + noise * N(0, 1))
    radians, point (r sin t, r cos t). winding=1 is CS231n's spiral, whose arms each wind through
    4 radians; winding=2.5 is *Neural Networks from Scratch*'s `spiral_data`, wound 2.5 times as
    far and much harder to fit. Returns x float32 of shape (n_per_class * n_classes, 2), in
    [-1, 1]², and y int64 labels 0..n_classes-1 of shape (n_per_class * n_classes,), the classes
    one after another. Defaults: n_per_class=100, n_classes=3, noise=0.2, rng=0, winding=1.
    """
    n = _count("n_per_class", n_per_class, 1)
    k = _count("n_classes", n_classes, 2)
    noise = _noise(noise)
    if not isinstance(winding, numbers.Real) or isinstance(winding, bool):
        raise TypeError(f"winding must be a number in (0, {_MAX_SPREAD:g}], got {type(winding).__name__}: {winding!r}")
    if not 0 < winding <= _MAX_SPREAD:  # False for NaN too
        raise ValueError(f"winding must be a number in (0, {_MAX_SPREAD:g}], got {winding!r}")
    rng = _generator(rng)
    r = np.tile(np.linspace(0.0, 1.0, n), k)                                # (k n,)
    label = np.repeat(np.arange(k), n)                                       # (k n,)
    t = float(winding) * (4.0 * label + 4.0 * r + noise * rng.standard_normal(k * n))  # (k n,)
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)                     # (k n, 2)
    return x.astype(np.float32), label.astype(np.int64)


def vertical(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.1, rng=0):
    """Points in n_classes vertical stripes: (x, y).

    Class k: x₀ = k / n_classes + noise * N(0, 1), x₁ = 0.5 + noise * N(0, 1).
    Returns x float32 of shape (n_per_class * n_classes, 2) and y int64 labels 0..n_classes-1,
    shape (n_per_class * n_classes,), the classes one after another.
    Defaults: n_per_class=100, n_classes=3, noise=0.1, rng=0.
    """
    n = _count("n_per_class", n_per_class, 1)
    k = _count("n_classes", n_classes, 2)
    noise = _noise(noise)
    rng = _generator(rng)
    label = np.repeat(np.arange(k), n)                                    # (k n,)
    centre = np.stack([label / k, np.full(k * n, 0.5)], axis=1)            # (k n, 2)
    x = centre + noise * rng.standard_normal((k * n, 2))                  # (k n, 2)
    return x.astype(np.float32), label.astype(np.int64)


def sine(n: int = 1000, noise: float = 0.0, rng=0):
    """Samples of a sine for regression: (x, y) with x = i / n for i = 0..n-1 and
    y = sin(2 pi x) + noise * N(0, 1). Both float32 of shape (n, 1), ready for a Dense layer and MSE.
    Defaults: n=1000, noise=0.0 (the clean curve), rng=0.
    """
    n = _count("n", n, 1)
    noise = _noise(noise)
    rng = _generator(rng)
    x = (np.arange(n) / n).reshape(n, 1)                          # (n, 1)
    y = np.sin(2 * np.pi * x) + noise * rng.standard_normal((n, 1))  # (n, 1)
    return x.astype(np.float32), y.astype(np.float32)
