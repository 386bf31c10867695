"""Chapter 1's widget: a neuron's output over two inputs, as its weights and bias move."""

from __future__ import annotations

import numpy as np

from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["NeuronSurface", "neuron_surface"]

GRID = np.linspace(-3.0, 3.0, 61)


def neuron_surface(w1: float, w2: float, b: float, grid: np.ndarray = GRID) -> np.ndarray:
    """z = w1*x1 + w2*x2 + b on a grid; rows follow x2, columns follow x1."""
    x1, x2 = np.meshgrid(grid, grid)
    return w1 * x1 + w2 * x2 + b


class NeuronSurface(FigureWidget):
    """The output z = w1*x1 + w2*x2 + b of one neuron with two inputs, as a heat map.

    The weights set the direction in which z grows (the arrow); the bias slides the line z = 0.
    """

    figsize = (4.6, 4.0)

    def controls_(self):
        w = _widgets()
        slider = dict(min=-2.0, max=2.0, step=0.1, continuous_update=False)
        return {"w1": w.FloatSlider(value=1.0, description="weight w1", **slider),
                "w2": w.FloatSlider(value=0.5, description="weight w2", **slider),
                "b": w.FloatSlider(value=0.0, description="bias b", **slider)}

    def draw(self, axes, w1, w2, b):
        (ax,) = axes
        z = neuron_surface(w1, w2, b)
        image = ax.imshow(z, origin="lower", extent=(GRID[0], GRID[-1], GRID[0], GRID[-1]),
                          cmap="RdBu_r", vmin=-8, vmax=8)
        if z.min() < 0 < z.max():
            ax.contour(GRID, GRID, z, levels=[0.0], colors="k", linewidths=1.5)
        if w1 or w2:
            ax.annotate("", xy=(w1, w2), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="->", color="k", lw=2))
        ax.set(xlabel="$x_1$", ylabel="$x_2$", title=f"z = {w1:.1f}·x1 + {w2:.1f}·x2 + {b:.1f}")
        if not getattr(ax, "_has_colorbar", False):
            ax.figure.colorbar(image, ax=ax, shrink=0.8, label="z")
            ax._has_colorbar = True  # ax.clear() keeps the colorbar; add it once
        return {"z": z}
