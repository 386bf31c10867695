"""Chapter 2's widget: gradient descent on the one-weight model y = w*x with the MSE loss.

Left, the loss curve L(w) = mean((w*x - y)**2), the steps that gradient descent takes on it, and
the tangent at the current weight (its slope is the gradient). Right, the loss after each step.
The learning rate decides between a slow crawl, a quick descent, a zigzag and divergence.
"""

from __future__ import annotations

import numpy as np

from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["GradientDescent1D", "one_weight_data", "descend"]


def one_weight_data(n: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The chapter's data: x ~ U(-1.5, 1.5), y = 2x + N(0, 0.3**2) noise, both of shape (n,)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=n)
    y = 2.0 * x + rng.normal(scale=0.3, size=n)
    return x, y


def descend(x: np.ndarray, y: np.ndarray, w0: float, lr: float, steps: int, blow_up: float = 1e100) -> np.ndarray:
    """The weights [w0, w1, ..., w_steps] of gradient descent on L(w) = mean((w*x - y)**2).

    Each step is w <- w - lr * dL/dw with dL/dw = mean(2 * (w*x - y) * x). If |w| passes
    `blow_up` the run has diverged; the remaining steps are left out rather than overflowing.
    """
    weights = [float(w0)]
    for _ in range(int(steps)):
        w = weights[-1]
        if abs(w) > blow_up:
            break
        weights.append(w - lr * float(np.mean(2.0 * (w * x - y) * x)))
    return np.array(weights)


class GradientDescent1D(FigureWidget):
    """Gradient descent on the loss of y = w*x: choose the starting w, the learning rate and the steps.

    On this loss (a parabola with curvature L'' = 2 * mean(x**2)) each step multiplies the
    distance to the minimum w* by (1 - lr * L''): between 0 and 1 it creeps in, between -1 and 0
    it zigzags in (overshoot), and beyond -1 it zigzags out (divergence, lr > 2 / L'').
    """

    ncols = 2
    figsize = (9.0, 3.6)

    def __init__(self, x: np.ndarray | None = None, y: np.ndarray | None = None, **initial):
        if x is None and y is None:
            x, y = one_weight_data()
        self.x = np.asarray(x, dtype=np.float64).reshape(-1)
        self.y = np.asarray(y, dtype=np.float64).reshape(-1)
        if self.x.shape != self.y.shape or self.x.size == 0 or not np.any(self.x):
            raise ValueError(f"GradientDescent1D needs x and y of one shape (n,), x not all zero; "
                             f"got x {np.shape(x)} and y {np.shape(y)}")
        self.curvature = 2.0 * float(np.mean(self.x ** 2))
        self.w_star = float(np.sum(self.x * self.y) / np.sum(self.x ** 2))
        self.w_range = (self.w_star - 4.0, self.w_star + 4.0)
        super().__init__(**initial)

    def loss(self, w):
        """L(w) = mean((w*x - y)**2) for a number or an array of weights."""
        w = np.asarray(w, dtype=np.float64)
        return np.mean((w[..., None] * self.x - self.y) ** 2, axis=-1)

    def gradient(self, w: float) -> float:
        """dL/dw = mean(2 * (w*x - y) * x)."""
        return float(np.mean(2.0 * (w * self.x - self.y) * self.x))

    def regime(self, lr: float) -> str:
        factor = 1.0 - lr * self.curvature
        if abs(factor) >= 1.0:
            return "diverges"
        return "overshoots, zigzags in" if factor < 0 else "creeps in" if factor > 0.5 else "converges"

    def controls_(self):
        w = _widgets()
        return {
            "w0": w.FloatSlider(value=-1.0, min=-2.0, max=6.0, step=0.1, description="starting weight w0",
                                continuous_update=False),
            "lr": w.FloatLogSlider(value=0.1, base=10, min=-2.0, max=0.5, step=0.05,
                                   description="learning rate lr", readout_format=".3f", continuous_update=False),
            "steps": w.IntSlider(value=10, min=0, max=30, step=1, description="gradient steps",
                                 continuous_update=False),
        }

    def draw(self, axes, w0, lr, steps):
        ax, ax_loss = axes
        weights = descend(self.x, self.y, w0, lr, steps)
        losses = self.loss(weights)
        lo, hi = self.w_range
        grid = np.linspace(lo, hi, 201)
        curve = self.loss(grid)
        ax.plot(grid, curve, color="0.3", lw=1.5, label="L(w)")
        ax.axvline(self.w_star, color="0.7", ls=":", lw=1)

        inside = (weights >= lo) & (weights <= hi)
        ax.plot(weights[inside], losses[inside], "-o", color="C1", ms=4, lw=1, label="steps")
        if inside[0]:
            ax.plot(weights[:1], losses[:1], "o", color="C3", ms=7, label="start")

        current = weights[-1]
        slope = self.gradient(current) if abs(current) < 1e100 else float("nan")
        if lo <= current <= hi:
            span = np.linspace(current - 1.0, current + 1.0, 2)
            ax.plot(span, self.loss(current) + slope * (span - current), "--", color="C0", lw=2,
                    label=f"tangent, slope {round(slope, 2) + 0.0:.2f}")
        else:
            ax.text(0.5, 0.5, f"w has left the plot:\nw = {current:.3g}", transform=ax.transAxes,
                    ha="center", color="C3")
        top = float(curve.max())
        ax.set(xlim=(lo, hi), ylim=(-0.05 * top, 1.05 * top), xlabel="w", ylabel="loss L(w)")
        ax.legend(loc="upper center", fontsize="small")

        ax_loss.semilogy(np.arange(len(losses)), losses, "-o", color="C1", ms=3)
        ax_loss.axhline(float(self.loss(self.w_star)), color="0.7", ls=":", lw=1, label="minimum")
        ax_loss.set(xlabel="step", ylabel="loss (log scale)", xlim=(-0.5, max(int(steps), 1) + 0.5),
                    title=f"lr = {lr:.3g}, lr·L'' = {lr * self.curvature:.2f}: {self.regime(lr)}")
        ax_loss.legend(loc="upper right", fontsize="small")
        return {"w": weights, "loss": losses, "tangent_w": current, "tangent_slope": slope,
                "w_star": self.w_star, "curvature": self.curvature, "regime": self.regime(lr)}
