"""Chapter 8's widget: the activations and gradients of a deep stack at initialisation, as
histograms at a few layers and as a standard deviation per layer, for each initialiser,
activation and depth.

It computes with its own few lines of NumPy, not with `scratchnet.init` or `scratchnet.layers`,
so it works with whatever version of the library the reader has built. It draws the weights
with the same calls as scratchnet's initialisers, in the same order, so chapter 8 can check that
its numbers agree with a stack of the library's own `Dense` layers.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib.style
import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["InitHistograms", "INITS", "ACTIVATIONS", "init_statistics", "shown_layers"]

WIDTH, BATCH, MAX_DEPTH, BINS = 256, 256, 30, 60
COLORS = matplotlib.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]
STYLES = ["-", "--", "-.", ":", (0, (6, 1, 1, 1, 1, 1))]


def _normal(std):
    return lambda shape, rng: rng.normal(0.0, std, size=shape)


def _xavier_uniform(shape, rng):
    a = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-a, a, size=shape)


def _xavier_normal(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def _he_uniform(shape, rng):
    a = np.sqrt(6.0 / shape[0])
    return rng.uniform(-a, a, size=shape)


def _he_normal(shape, rng):
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


# name -> init(shape, rng): W of shape (fan_in, fan_out), drawn as scratchnet.init draws it
INITS = {
    "normal(0.01)": _normal(0.01),
    "normal(1)": _normal(1.0),
    "xavier_uniform": _xavier_uniform,
    "xavier_normal": _xavier_normal,
    "he_uniform": _he_uniform,
    "he_normal": _he_normal,
}

# name -> (f, f'), both elementwise
ACTIVATIONS = {
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype)),
}


def init_statistics(init: str, activation: str, depth: int, *, width: int = WIDTH, batch: int = BATCH,
                    seed: int = 0, keep=()) -> dict:
    """A stack of `depth` layers h_l = f(h_{l-1} @ W_l) (no biases), at initialisation.

    x = h_0 (batch, width) is drawn from N(0, 1) by default_rng(seed), then W_1, ..., W_depth from
    the same generator with the initialiser `init`; the gradient at the top, dL/dh_depth, from
    default_rng(seed + 1). Backward: dL/dh_{l-1} = (dL/dh_l * f'(z_l)) @ W_l.T.

    Returns a dict of arrays of shape (depth,), entry 0 for layer 1 (the input side):
    "activation_std", the std of h_l, and "gradient_std", the std of dL/dh_{l-1}, the gradient at
    layer l's input. For each layer l (counted from 1) in `keep`, "activations"[l] and
    "gradients"[l] hold those arrays themselves.
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    draw, (f, slope) = INITS[init], ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(batch, width))
    weights, zs, activation_std, activations = [], [], np.empty(depth), {}
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(depth):
            W = draw((width, width), rng)
            z = h @ W  # (batch, width) @ (width, width) -> (batch, width)
            h = f(z)
            weights.append(W)
            zs.append(z)
            activation_std[l] = h.std()
            if l + 1 in keep:
                activations[l + 1] = h
        g = np.random.default_rng(seed + 1).normal(size=(batch, width))
        gradient_std, gradients = np.empty(depth), {}
        for l in reversed(range(depth)):
            g = (g * slope(zs[l])) @ weights[l].T  # (batch, width) @ (width, width) -> (batch, width)
            gradient_std[l] = g.std()
            if l + 1 in keep:
                gradients[l + 1] = g
    return {"activation_std": activation_std, "gradient_std": gradient_std,
            "activations": activations, "gradients": gradients}


def shown_layers(depth: int) -> list[int]:
    """The layers whose histograms are drawn: at most five, from layer 1 to the last."""
    return sorted({int(round(v)) for v in np.linspace(1, depth, min(depth, 5))})


def _histograms(samples: dict, symmetric: bool) -> tuple[np.ndarray, dict]:
    """Shared bin edges, and for each layer (in order) the fraction of its entries in each bin.
    The bins cover 1.1 times the 99.5th percentile of |value| over the layers (the rarest, largest
    values fall outside). Without `symmetric` (ReLU outputs), exact zeros are left out and the
    bins start at 0."""
    values = {l: (samples[l].ravel() if symmetric else samples[l][samples[l] != 0])
              for l in sorted(samples)}
    top = max((np.percentile(np.abs(v), 99.5) for v in values.values() if v.size), default=1.0)
    top = 1.1 * top if np.isfinite(top) and top > 0 else 1.0
    edges = np.linspace(-top if symmetric else 0.0, top, BINS + 1)
    fractions = {}
    for l, v in values.items():
        counts, _ = np.histogram(v, bins=edges)
        fractions[l] = counts / max(samples[l].size, 1)
    return edges, fractions


@lru_cache(maxsize=64)
def _drawn(init: str, activation: str, depth: int) -> dict:
    """What the widget draws for one setting; cached, so going back to a setting only redraws."""
    layers = shown_layers(depth)
    stats = init_statistics(init, activation, depth, keep=layers)
    act_edges, act = _histograms(stats["activations"], symmetric=activation != "relu")
    grad_edges, grad = _histograms(stats["gradients"], symmetric=True)
    return {"layers": layers, "activation_std": stats["activation_std"],
            "gradient_std": stats["gradient_std"], "activation_edges": act_edges,
            "activation_hist": act, "gradient_edges": grad_edges, "gradient_hist": grad}


class InitHistograms(FigureWidget):
    """Histograms of the activations (each layer's output) and of the gradients (at each layer's
    input) at a few layers of a deep stack at initialisation, and their standard deviation at
    every layer on a log scale.

    Controls: the initialiser, the activation and the depth. Width 256, a batch of 256 inputs
    from N(0, 1), no biases. For ReLU the exact zeros (the units it switches off) are left out of
    the activation histograms.
    """

    ncols = 3
    figsize = (10.4, 3.4)

    def controls_(self):
        w = _widgets()
        wide = {"description_width": "initial"}
        buttons = {"description_width": "initial", "button_width": "auto"}
        return {
            "init": w.ToggleButtons(options=list(INITS), value="he_normal", description="weight initialiser",
                               style=buttons),
            "activation": w.ToggleButtons(options=list(ACTIVATIONS), value="relu",
                                     description="activation function", style=buttons),
            "depth": w.IntSlider(value=10, min=2, max=MAX_DEPTH, step=1, description="depth (layers)",
                                 continuous_update=False, style=wide),
        }

    def draw(self, axes, init, activation, depth):
        ax_act, ax_grad, ax_std = axes
        data = _drawn(init, activation, depth)
        for ax, kind, title in [(ax_act, "activation", "activations h_l"),
                                (ax_grad, "gradient", "gradients dL/dh at layer l's input")]:
            edges = data[f"{kind}_edges"]
            for i, (l, fractions) in enumerate(data[f"{kind}_hist"].items()):
                ax.stairs(np.maximum(fractions, 1e-6), edges, color=COLORS[i % len(COLORS)],
                          linestyle=STYLES[i % len(STYLES)], lw=1.5, label=f"layer {l}")
            ax.set_yscale("log")
            ax.set_ylim(1e-4, 1.5)
            ax.yaxis.set_minor_locator(NullLocator())  # fewer ticks: a faster redraw
            note = " (zeros left out)" if kind == "activation" and activation == "relu" else ""
            ax.set(xlabel="value", ylabel="fraction of entries", title=title + note)
            ax.legend(fontsize="small", loc="upper right")
        layers = np.arange(1, depth + 1)
        ax_std.semilogy(layers, np.maximum(data["activation_std"], 1e-300), "o-", ms=3, color=COLORS[0],
                        label="activations")
        ax_std.semilogy(layers, np.maximum(data["gradient_std"], 1e-300), "s--", ms=3, color=COLORS[1],
                        label="gradients")
        ax_std.axhline(1.0, color="k", lw=0.8, ls=":")
        stds = np.concatenate([data["activation_std"], data["gradient_std"]])
        stds = stds[np.isfinite(stds) & (stds > 0)]
        low, high = (stds.min(), stds.max()) if stds.size else (1.0, 1.0)
        ax_std.set_ylim(min(low / 3, 1e-2), max(high * 3, 1e2))  # at least 1e-2 to 1e2
        ax_std.yaxis.set_major_locator(LogLocator(numticks=8))
        ax_std.yaxis.set_minor_locator(NullLocator())
        ax_std.set(xlabel="layer (1 = next to the input)", ylabel="standard deviation (log scale)",
                   title=f"{init}, {activation}, depth {depth}")
        ax_std.legend(fontsize="small")
        return {"layers": data["layers"], "activation_std": data["activation_std"],
                "gradient_std": data["gradient_std"], "activation_hist": data["activation_hist"],
                "gradient_hist": data["gradient_hist"], "activation_edges": data["activation_edges"],
                "gradient_edges": data["gradient_edges"]}
