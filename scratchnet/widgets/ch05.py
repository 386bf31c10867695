"""Chapter 5's widget: softmax probabilities, the cross-entropy and its gradient p - y, as three
logits move.

It computes with its own few lines of NumPy and the support module `scratchnet._reference` (not
`scratchnet.losses`), so it works before the chapter's code is exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet._reference import log_softmax
from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["SoftmaxCrossEntropyExplorer", "softmax_cross_entropy"]

CLASSES = (0, 1, 2)


def softmax_cross_entropy(z, label: int):
    """For one sample's logits z (C,) and its true class: (p, loss, grad), with
    p = softmax(z), loss = -log p[label] = logsumexp(z) - z[label], grad = dL/dz = p - one_hot(label)."""
    z = np.asarray(z, dtype=np.float64)
    log_p = log_softmax(z)  # (z - max) - log sum exp(z - max): every exponent <= 0, no overflow
    p = np.exp(log_p)
    y = np.zeros_like(z)
    y[label] = 1.0
    return p, float(-log_p[label]), p - y


class SoftmaxCrossEntropyExplorer(FigureWidget):
    """Three logits and a true class: the softmax probabilities with the loss -log p[true class]
    (left), and the gradient dL/dz = p - y (right), for a batch of one sample.

    The true class's bar is drawn in orange and hatched, and its tick says "(true)". Its gradient is p - 1 <= 0 (gradient descent raises
    that logit); every other gradient is p >= 0 (descent lowers those logits). The bars on the
    right always sum to 0.
    """

    ncols = 2
    figsize = (8.4, 3.4)

    def controls_(self):
        w = _widgets()
        slider = dict(min=-6.0, max=6.0, step=0.1, continuous_update=False)
        return {"z0": w.FloatSlider(value=2.0, description="logit z0", **slider),
                "z1": w.FloatSlider(value=1.0, description="logit z1", **slider),
                "z2": w.FloatSlider(value=-1.0, description="logit z2", **slider),
                "label": w.ToggleButtons(options=[(f"class {c}", c) for c in CLASSES], value=0,
                                         description="true class")}

    def draw(self, axes, z0, z1, z2, label):
        ax_p, ax_g = axes
        z = np.array([z0, z1, z2])
        p, loss, grad = softmax_cross_entropy(z, label)
        # the true class: its own colour, hatching and tick label, so colour is not needed
        colors = ["C1" if c == label else "C0" for c in CLASSES]
        hatches = ["//" if c == label else "" for c in CLASSES]
        ticks = [f"{c} (true)" if c == label else str(c) for c in CLASSES]
        ax_p.bar(CLASSES, p, color=colors, hatch=hatches, edgecolor="white", linewidth=0)
        for c in CLASSES:
            ax_p.text(c, p[c] + 0.02, f"{p[c]:.2f}", ha="center", va="bottom")
        ax_p.set(ylim=(0, 1.12), xticks=CLASSES, xticklabels=ticks, xlabel="class",
                 ylabel="softmax probability p",
                 title=f"loss = -log p[{label}] = {loss:.3f}")
        ax_g.bar(CLASSES, grad, color=colors, hatch=hatches, edgecolor="white", linewidth=0)
        ax_g.axhline(0.0, color="k", lw=0.8)
        for c in CLASSES:
            ax_g.text(c, grad[c] + (0.04 if grad[c] >= 0 else -0.04), f"{grad[c]:+.2f}", ha="center",
                      va="bottom" if grad[c] >= 0 else "top")
        ax_g.set(ylim=(-1.35, 1.35), xticks=CLASSES, xticklabels=ticks, xlabel="class", ylabel="dL/dz",
                 title="gradient dL/dz = p - y")
        return {"z": z, "p": p, "y": np.eye(len(CLASSES))[label], "loss": loss, "grad": grad}
