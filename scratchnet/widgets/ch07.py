"""Chapter 7's widget: the paths of five optimizers on a 2-D loss surface.

Left, the contours of the loss and the path of each optimizer from the same start: gradient
descent, momentum, Nesterov, RMSProp and Adam. Right, the loss after each step (log scale).
The paths are drawn by the library's own optimizers, stepping a Parameter of shape (2,) in the
loop the chapter writes by hand (zero_grad, add the gradient, step), a few hundred steps of
2-D updates per draw, so nothing is precomputed.

The classes are passed in: `Parameter` and the three optimizers (the chapter passes the ones
it has just written). So the widget imports nothing that the chapters export, and runs
whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["OptimizerPaths", "SURFACES", "Surface", "quadratic", "rosenbrock", "run_path"]

# matplotlib's tableau-colorblind10; each path also has its own line style and marker.
COLORS = ["#006BA4", "#FF800E", "#595959", "#C85200", "#5F9ED1"]
STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ((0, (5, 1, 1, 1)), "v")]
NAMES = ["gradient descent", "momentum", "Nesterov", "RMSProp", "Adam"]
BLOW_UP = 1e6   # a path that leaves |w| < BLOW_UP has diverged; it stops there


class Surface:
    """A loss of two weights: its value, its gradient, a start, the view and its minimum."""

    def __init__(self, name, loss, grad, start, xlim, ylim, minimum, lr_sgd, lr_adaptive):
        self.name, self.loss, self.grad = name, loss, grad
        self.start = np.array(start, dtype=np.float64)
        self.xlim, self.ylim = xlim, ylim
        self.minimum = np.array(minimum, dtype=np.float64)
        self.lr_sgd, self.lr_adaptive = lr_sgd, lr_adaptive   # where the sliders start
        xs = np.linspace(*xlim, 161)
        ys = np.linspace(*ylim, 121)
        self.grid = np.meshgrid(xs, ys)
        self.values = loss(np.stack(self.grid))                # (121, 161)

    def __repr__(self):
        return f"Surface({self.name!r})"


# L(w) = (w1**2 + 50 w2**2) / 2: curvatures 1 and 50, the chapter's ill-conditioned valley.
CURVATURES = np.array([1.0, 50.0])


def quadratic(w):
    """(w1**2 + 50 w2**2) / 2, for w of shape (2, ...)."""
    w = np.asarray(w, dtype=np.float64)
    return 0.5 * (CURVATURES[0] * w[0] ** 2 + CURVATURES[1] * w[1] ** 2)


def quadratic_grad(w):
    """(w1, 50 w2)."""
    return CURVATURES * np.asarray(w, dtype=np.float64)


def rosenbrock(w):
    """(1 - x)**2 + 100 (y - x**2)**2, for w = (x, y) of shape (2, ...); minimum 0 at (1, 1)."""
    x, y = np.asarray(w, dtype=np.float64)
    return (1.0 - x) ** 2 + 100.0 * (y - x ** 2) ** 2


def rosenbrock_grad(w):
    """(-2 (1 - x) - 400 x (y - x**2), 200 (y - x**2))."""
    x, y = np.asarray(w, dtype=np.float64)
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x ** 2), 200.0 * (y - x ** 2)])


SURFACES = {
    "ill-conditioned quadratic": Surface(
        "ill-conditioned quadratic", quadratic, quadratic_grad, start=(-4.5, 0.8),
        xlim=(-5.0, 5.0), ylim=(-1.5, 1.5), minimum=(0.0, 0.0), lr_sgd=0.025, lr_adaptive=0.1),
    "Rosenbrock": Surface(
        "Rosenbrock", rosenbrock, rosenbrock_grad, start=(-1.5, 1.5),
        xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minimum=(1.0, 1.0), lr_sgd=0.001, lr_adaptive=0.05),
}


def _in_view(path, xlim, ylim, margin=0.5):
    """How many leading points of path to draw: up to and including the first that is far
    (more than `margin` of the view's size) outside the view, so a diverging path does not
    criss-cross the whole plot."""
    (x0, x1), (y0, y1) = xlim, ylim
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    outside = ((path[:, 0] < x0 - dx) | (path[:, 0] > x1 + dx)
               | (path[:, 1] < y0 - dy) | (path[:, 1] > y1 + dy))
    return int(np.argmax(outside)) + 1 if outside.any() else len(path)


def run_path(optimizer, grad, start, steps, Parameter):
    """The points an optimizer visits, as an array (steps + 1, 2), stopping early if it diverges.

    The loop a chapter writes by hand: zero the gradient, add dL/dw to it (the gradient rule of
    chapter 3), and let the optimizer step the Parameter (of shape (2,)) in place.
    """
    w = Parameter(np.array(start, dtype=np.float64))
    path = [w.value.copy()]
    with np.errstate(all="ignore"):  # a diverging path overflows; it is stopped below
        for _ in range(int(steps)):
            w.zero_grad()
            w.grad += grad(w.value)
            optimizer.step([w])
            if not np.all(np.isfinite(w.value)) or np.abs(w.value).max() > BLOW_UP:
                break
            path.append(w.value.copy())
    return np.array(path)


class OptimizerPaths(FigureWidget):
    """Five optimizers on a 2-D loss: gradient descent, momentum and Nesterov share `lr (SGD)`
    and the momentum; RMSProp (rho 0.9) and Adam share `lr (adaptive)`; Adam also has its betas.

    Args:
        Parameter: the class of the weights, chapter 1's `Parameter`.
        SGD, RMSProp, Adam: the optimizer classes to run.
        **initial: starting values of the controls (surface, steps, lr_sgd, lr_adaptive,
            momentum, beta1, beta2).
    """

    ncols = 2
    figsize = (10.0, 4.2)
    control_width = "480px"  # long labels (which optimizer a rate is for) keep a 120+ px track

    def __init__(self, *, Parameter, SGD, RMSProp, Adam, **initial):
        self.Parameter = Parameter
        self.classes = {"SGD": SGD, "RMSProp": RMSProp, "Adam": Adam}
        self._switching = False
        super().__init__(**initial)

    def controls_(self):
        w = _widgets()
        wide = {"description_width": "initial"}
        buttons = {"description_width": "initial", "button_width": "auto"}
        return {
            "surface": w.ToggleButtons(options=list(SURFACES), value="ill-conditioned quadratic",
                                  description="loss surface", style=buttons),
            "steps": w.IntSlider(value=100, min=10, max=500, step=10, continuous_update=False,
                                 description="steps (updates)", style=wide),
            "lr_sgd": w.FloatLogSlider(value=0.025, base=10, min=-4.0, max=-0.5, step=0.05,
                                       readout_format=".4f", continuous_update=False,
                                       description="lr (SGD, momentum, Nesterov)", style=wide),
            "lr_adaptive": w.FloatLogSlider(value=0.1, base=10, min=-3.0, max=0.0, step=0.05,
                                            readout_format=".3f", continuous_update=False,
                                            description="lr (RMSProp, Adam)", style=wide),
            "momentum": w.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                      continuous_update=False, description="momentum μ",
                                      style=wide),
            "beta1": w.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                   continuous_update=False, description="Adam β1 (first moment)",
                                   style=wide),
            "beta2": w.FloatSlider(value=0.999, min=0.5, max=0.999, step=0.001,
                                   readout_format=".3f", continuous_update=False,
                                   description="Adam β2 (second moment)", style=wide),
        }

    def _on_change(self, change) -> None:
        if self._switching:
            return
        if change["owner"] is self.controls["surface"]:
            # a new surface starts from the learning rates that suit it, drawn once
            surface = SURFACES[change["new"]]
            self._switching = True
            try:
                self.controls["lr_sgd"].value = surface.lr_sgd
                self.controls["lr_adaptive"].value = surface.lr_adaptive
            finally:
                self._switching = False
        self.redraw()

    def optimizers(self, lr_sgd, lr_adaptive, momentum, beta1, beta2):
        """name -> a fresh optimizer, for the five paths (no momentum paths when μ = 0)."""
        SGD, RMSProp, Adam = self.classes["SGD"], self.classes["RMSProp"], self.classes["Adam"]
        made = {"gradient descent": SGD(lr=lr_sgd)}
        if momentum > 0:
            made["momentum"] = SGD(lr=lr_sgd, momentum=momentum)
            made["Nesterov"] = SGD(lr=lr_sgd, momentum=momentum, nesterov=True)
        made["RMSProp"] = RMSProp(lr=lr_adaptive, rho=0.9)
        made["Adam"] = Adam(lr=lr_adaptive, betas=(beta1, beta2))
        return made

    def draw(self, axes, surface, steps, lr_sgd, lr_adaptive, momentum, beta1, beta2):
        ax, ax_loss = axes
        s = SURFACES[surface]
        levels = np.geomspace(max(float(s.values.min()), 1e-3), float(s.values.max()), 14)
        ax.contour(*s.grid, s.values, levels=levels, colors="0.75", linewidths=0.8)
        ax.plot(*s.minimum, "*", color="k", ms=12, zorder=5)
        paths, losses, diverged = {}, {}, []
        made = self.optimizers(lr_sgd, lr_adaptive, momentum, beta1, beta2)
        for i, name in enumerate(NAMES):
            if name not in made:
                continue
            path = run_path(made[name], s.grad, s.start, steps, self.Parameter)
            loss = s.loss(path.T)
            paths[name], losses[name] = path, loss
            gone = len(path) < steps + 1
            if gone:
                diverged.append(name)
            line, marker = STYLES[i]
            shown = path[:_in_view(path, s.xlim, s.ylim)]  # a diverging path: up to where it left
            every = max(1, len(shown) // 12)
            ax.plot(shown[:, 0], shown[:, 1], linestyle=line, marker=marker, markevery=every,
                    color=COLORS[i], lw=1.6, ms=5)
            label = f"{name} (diverged at step {len(path)})" if gone else name
            with np.errstate(all="ignore"):
                gap = np.maximum(loss - s.loss(s.minimum), 1e-16)
            ax_loss.semilogy(np.arange(len(path)), gap, linestyle=line, marker=marker,
                             markevery=max(1, len(path) // 8), color=COLORS[i], lw=1.6, ms=5,
                             label=label)
        ax.plot(*s.start, "o", color="k", mfc="white", ms=8, zorder=5)
        ax.set(xlim=s.xlim, ylim=s.ylim, xlabel="$w_1$", ylabel="$w_2$",
               title=f"{s.name}:\n{steps} steps from the white dot to the star")
        ax_loss.legend(loc="lower left", fontsize="small", framealpha=0.9)
        ax_loss.set(xlabel="step", ylabel="loss − minimum (log scale)", xlim=(0, steps),
                    ylim=(1e-12, None),
                    title=f"lr (SGD) = {lr_sgd:.3g}, μ = {momentum:.2f}; "
                          f"lr (adaptive) = {lr_adaptive:.3g}, β = ({beta1:.2f}, {beta2:.3f})")
        ax_loss.title.set_fontsize("small")
        ax_loss.yaxis.set_major_locator(LogLocator(numticks=7))   # few labels: quick to draw
        ax_loss.yaxis.set_minor_locator(NullLocator())
        return {"surface": surface, "paths": paths, "losses": losses, "diverged": diverged,
                "start": s.start.copy()}
