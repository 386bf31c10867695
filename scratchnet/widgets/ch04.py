"""Chapter 4's widget: how the size of the gradient changes on its way down a deep stack of layers.

It computes with its own few lines of NumPy (and the support module `scratchnet._reference`),
not with `scratchnet.activations` or `scratchnet.layers`, so it works with whatever version of the library the reader has built;
chapter 4 checks that its numbers agree with a stack made of the library's own classes.
"""

from __future__ import annotations

import numpy as np

from matplotlib.ticker import MaxNLocator

from scratchnet._reference import sigmoid
from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["GradientSizeByDepth", "ACTIVATIONS", "random_stack", "gradient_norms"]

WIDTH, BATCH = 64, 32


def _sigmoid_slope(z: np.ndarray) -> np.ndarray:
    s = sigmoid(z)
    return s * (1 - s)


# name -> (f, f'), both elementwise
ACTIVATIONS = {
    "sigmoid": (sigmoid, _sigmoid_slope),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype)),
}


def random_stack(depth: int, scale: float, *, width: int = WIDTH, batch: int = BATCH, seed: int = 0):
    """A deep stack to push a gradient through, drawn from `default_rng(seed)`.

    Returns (x, weights, g): an input x (batch, width) from N(0, 1); an upstream gradient
    g = dL/dh_depth (batch, width) whose rows have norm 1; and `depth` weight matrices
    (width, width) with entries from N(0, scale**2 / width), so that multiplying by one of them
    changes a vector's norm by a factor of about `scale`. The first layers are the same for any
    depth.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, width))
    g = rng.normal(size=(batch, width))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    weights = [rng.normal(scale=scale / np.sqrt(width), size=(width, width)) for _ in range(depth)]
    return x, weights, g


def gradient_norms(depth: int, activation: str, scale: float, *, width: int = WIDTH,
                   batch: int = BATCH, seed: int = 0) -> np.ndarray:
    """The size of dL/dh_{l-1}, the gradient at the input of layer l, for l = 1..depth.

    The stack (no biases): h_0 = x, z_l = h_{l-1} @ W_l, h_l = f(z_l). Backward from
    dL/dh_depth = g: dL/dz_l = dL/dh_l * f'(z_l), then dL/dh_{l-1} = dL/dz_l @ W_l.T.
    "Size" is the root mean square over the batch of each sample's gradient norm; the top
    gradient g has size 1. Returns an array of shape (depth,); entry 0 is layer 1 (the input side).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    f, slope = ACTIVATIONS[activation]
    x, weights, grad = random_stack(depth, scale, width=width, batch=batch, seed=seed)
    h, zs = x, []
    for W in weights:
        z = h @ W  # (batch, width) @ (width, width) -> (batch, width)
        zs.append(z)
        h = f(z)
    norms = np.empty(depth)
    for l in reversed(range(depth)):
        grad = (grad * slope(zs[l])) @ weights[l].T  # (batch, width) @ (width, width) -> (batch, width)
        norms[l] = np.sqrt(np.mean(np.sum(grad ** 2, axis=1)))
    return norms


class GradientSizeByDepth(FigureWidget):
    """The size of the gradient at each layer of a deep stack, on a log scale.

    Controls: the depth, the activation (sigmoid, tanh, relu) and the weight scale (weights
    drawn from N(0, scale**2 / width)). A flat line means the gradient keeps its size; a line
    falling towards layer 1 means it vanishes, a rising one that it explodes.
    """

    figsize = (5.6, 3.8)

    def controls_(self):
        w = _widgets()
        return {
            "depth": w.IntSlider(value=20, min=2, max=50, step=1, description="depth (layers)",
                                 continuous_update=False),
            "activation": w.ToggleButtons(options=list(ACTIVATIONS), value="sigmoid",
                                          description="activation function"),
            "scale": w.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05, description="weight scale",
                                      readout_format=".2f", continuous_update=False),
        }

    def draw(self, axes, depth, activation, scale):
        (ax,) = axes
        norms = gradient_norms(depth, activation, scale)
        layers = np.arange(1, depth + 1)
        factor = norms[0] ** (1 / depth)  # the average change per layer, top (size 1) to layer 1
        ax.semilogy(layers, np.maximum(norms, 1e-300), "o-", ms=3, color="C0")
        ax.axhline(1.0, color="k", ls="--", lw=1, label="size at the top")
        low, high = min(1e-3, norms.min() / 10), max(1e3, norms.max() * 10)
        ax.set_ylim(max(low, 1e-300), high)
        ax.set(xlabel="layer (1 = next to the input)", ylabel="size of the gradient (log scale)",
               title=f"{activation}, depth {depth}, weight scale {scale:.2f}: ×{factor:.2f} per layer")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are whole numbers
        ax.legend(loc="upper left" if norms[0] < 1 else "lower left", fontsize="small")
        return {"layers": layers, "norms": norms, "factor": factor}
