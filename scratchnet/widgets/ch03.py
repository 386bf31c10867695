"""Chapter 3's widget: the gradients of one dense layer, as its input and its targets move.

The widget does its own arithmetic in a few lines of NumPy (`dense_gradients`), so it does not
depend on the learner's `Dense.backward`; the chapter checks that the two agree.
"""

from __future__ import annotations

import numpy as np

from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["DenseLayerGradients", "dense_gradients", "W_DEMO", "B_DEMO", "X_REST"]

# A small layer with round numbers: 3 inputs -> 2 outputs.
W_DEMO = np.array([[0.5, -1.0],
                   [1.0, 0.5],
                   [-0.5, 1.0]])
B_DEMO = np.array([0.0, 0.5])
X_REST = np.array([1.0, 2.0])  # inputs x2 and x3; x1 is a slider
DW_RANGE = 6.0  # the colour scale of the dW map, fixed so that pictures can be compared


def dense_gradients(x: np.ndarray, W: np.ndarray, b: np.ndarray, t: np.ndarray) -> dict:
    """Forward and backward through z = x @ W + b with the loss L = 0.5 * ||z - t||^2.

    x: (batch, in), W: (in, out), b: (out,), t: (batch, out). Returns a dict with z, the loss,
    G = dL/dz = z - t (batch, out), dW = x.T @ G (in, out), db = G.sum(0) (out,) and
    dx = G @ W.T (batch, in).
    """
    z = x @ W + b                   # (batch, in) @ (in, out) + (out,) -> (batch, out)
    G = z - t                       # (batch, out)
    return {"z": z, "loss": 0.5 * float(np.sum(G ** 2)), "G": G,
            "dW": x.T @ G,          # (in, batch) @ (batch, out) -> (in, out)
            "db": G.sum(axis=0),    # (batch, out) -> (out,)
            "dx": G @ W.T}          # (batch, out) @ (out, in) -> (batch, in)


class DenseLayerGradients(FigureWidget):
    """One sample through a Dense(3 -> 2) layer with fixed weights, and the gradients coming back.

    Left: the outputs z and their targets t; the upstream gradient G = z - t is their gap.
    Middle: dL/dW = x^T G, one cell per weight. Right: dL/dx = G W^T, one bar per input.
    """

    ncols = 3
    figsize = (10.4, 3.4)

    def controls_(self):
        w = _widgets()
        slider = dict(step=0.25, continuous_update=False)
        return {"x1": w.FloatSlider(value=1.0, min=-2.0, max=2.0, description="input x1", **slider),
                "t1": w.FloatSlider(value=1.5, min=-3.0, max=3.0, description="target t1", **slider),
                "t2": w.FloatSlider(value=1.0, min=-3.0, max=3.0, description="target t2", **slider)}

    def draw(self, axes, x1, t1, t2):
        ax_out, ax_w, ax_x = axes
        x = np.array([[x1, *X_REST]])
        t = np.array([[t1, t2]])
        g = dense_gradients(x, W_DEMO, B_DEMO, t)
        z, G, dW, dx = g["z"][0], g["G"][0], g["dW"], g["dx"][0]

        outputs = np.arange(2)
        # told apart by place, legend and hatching as well as colour
        ax_out.bar(outputs - 0.2, z, width=0.4, label="output z", color="C0")
        ax_out.bar(outputs + 0.2, t[0], width=0.4, label="target t", color="C2", hatch="//",
                   edgecolor="C3", linewidth=0.5)
        for j in outputs:
            ax_out.annotate(f"G = {G[j]:+.2f}", (j, max(z[j], t[0, j], 0.0)), ha="center",
                            xytext=(0, 4), textcoords="offset points")
        ax_out.axhline(0.0, color="k", lw=0.8)
        ax_out.set(xticks=outputs, xticklabels=["z1", "z2"], ylim=(-4.5, 5.5),
                   title=f"forward: L = ½‖z − t‖² = {g['loss']:.2f}")
        ax_out.legend(loc="lower left", fontsize="small")

        image = ax_w.imshow(dW, cmap="RdBu_r", vmin=-DW_RANGE, vmax=DW_RANGE, aspect="auto")
        for (i, j), value in np.ndenumerate(dW):
            ax_w.text(j, i, f"{value:+.2f}", ha="center", va="center")
        ax_w.set(xticks=outputs, xticklabels=["z1", "z2"], yticks=range(3),
                 yticklabels=[f"x{i + 1} = {v:g}" for i, v in enumerate(x[0])],
                 title="dL/dW = xᵀG  (in × out)")
        if not getattr(ax_w, "_has_colorbar", False):
            ax_w.figure.colorbar(image, ax=ax_w, shrink=0.8)
            ax_w._has_colorbar = True  # ax.clear() keeps the colorbar; add it once

        inputs = np.arange(3)
        # the colour repeats the sign that the bar's direction shows: orange > 0, blue < 0
        ax_x.barh(inputs, dx, color=np.where(dx >= 0, "C5", "C0"))
        ax_x.axvline(0.0, color="k", lw=0.8)
        ax_x.set(yticks=inputs, yticklabels=["x1", "x2", "x3"], xlim=(-6.0, 6.0),
                 title="dL/dx = G Wᵀ  (passed back)")
        ax_x.invert_yaxis()
        return {"x": x, "t": t, **g}
