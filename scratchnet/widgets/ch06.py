"""Chapter 6's widget: a classifier's decision boundary on 2-D data, epoch by epoch.

The network is trained once, in the chapter; a callback keeps the predicted class probabilities
on a grid every few epochs. The widget only redraws those frames, so moving its one control,
the epoch, costs a drawing and no training. That one control over precomputed frames is also
what a kernel-free scrubber needs: step it through its values and keep each picture.

Also here, for the chapter's other figures: `plot_points` (the data, one colour *and* one
marker per class) and `grid_points` (the grid the boundary is drawn on).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from scratchnet.widgets._base import FigureWidget, Standin, _widgets, book_style

__all__ = ["DecisionBoundary", "plot_points", "grid_points", "CLASS_COLOURS", "CLASS_MARKERS"]

# tableau-colorblind10: a dark colour for each class's points and a light one for its region.
CLASS_COLOURS = ["#006BA4", "#C85200", "#595959", "#5F9ED1", "#FF800E"]
REGION_COLOURS = ["#A2C8EC", "#FFBC79", "#CFCFCF", "#D6E6F5", "#FFE0C2"]
CLASS_MARKERS = ["o", "s", "^", "D", "v"]


def _check_labels(y: np.ndarray, n_classes: int) -> None:
    if n_classes > len(CLASS_COLOURS):
        raise ValueError(f"the chapter 6 figures draw at most {len(CLASS_COLOURS)} classes, "
                         f"got {n_classes}")
    if y.size and (y.min() < 0 or y.dtype.kind not in "iu"):
        raise ValueError(f"labels must be integers >= 0, got dtype {y.dtype}, min {y.min()}")


def plot_points(ax, x, y, size: float = 18.0) -> None:
    """Scatter 2-D points x (n, 2) with labels y (n,): each class its colour and its marker."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or x.shape[1] != 2 or y.shape != (len(x),):
        raise ValueError(f"plot_points needs x of shape (n, 2) and y of shape (n,), "
                         f"got {x.shape} and {y.shape}")
    _check_labels(y, int(y.max()) + 1 if y.size else 0)
    for k in np.unique(y):
        pick = y == k
        ax.scatter(x[pick, 0], x[pick, 1], s=size, c=CLASS_COLOURS[k], marker=CLASS_MARKERS[k],
                   edgecolors="white", linewidths=0.4, label=f"class {k}")
    ax.set(aspect="equal", xlabel="$x_1$", ylabel="$x_2$")


def grid_points(extent=(-1.1, 1.1, -1.1, 1.1), resolution: int = 60) -> tuple[np.ndarray, tuple[int, int]]:
    """The points of a resolution x resolution grid over extent (x1 min, x1 max, x2 min, x2 max).

    Returns (points, shape): points float32 of shape (resolution**2, 2), row by row from the
    bottom (x2 min) up, ready for model.predict; shape (resolution, resolution) turns one value
    per point back into an image.
    """
    x_min, x_max, y_min, y_max = (float(v) for v in extent)
    if not (x_min < x_max and y_min < y_max) or int(resolution) < 2:
        raise ValueError(f"grid_points needs extent (x1 min, x1 max, x2 min, x2 max) with min < max "
                         f"and resolution >= 2, got {extent} and {resolution}")
    xs = np.linspace(x_min, x_max, int(resolution))
    ys = np.linspace(y_min, y_max, int(resolution))
    grid_x, grid_y = np.meshgrid(xs, ys)                               # (res, res) each
    points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)       # (res * res, 2)
    return points.astype(np.float32), grid_x.shape


class DecisionBoundary(FigureWidget):
    """The decision boundary of a classifier, scrubbed epoch by epoch over precomputed frames.

    Left: the data, and each grid point coloured by its predicted class, paler where the model is
    less sure (the largest probability, from 1/classes to 1). Right: the training loss (and, when
    given, the validation loss) against the epoch, with the chosen epoch marked.

    Args:
        x, y: the training data, (n, 2) points and (n,) integer labels.
        epochs: the epochs the frames were taken at, evenly spaced and increasing
            (0 = before training).
        frames: the class probabilities on the grid at each of those epochs,
            (len(epochs), resolution**2, classes), in the order of `grid_points`.
        extent: the grid's (x1 min, x1 max, x2 min, x2 max), as given to `grid_points`.
        history: History.history, for the curves (optional): "loss" (and "val_loss") with one
            entry per epoch, epoch 1 first.
        epoch: the epoch shown first (default: the last).
    """

    ncols = 2
    figsize = (9.0, 4.0)

    def __init__(self, x, y, epochs, frames, extent=(-1.1, 1.1, -1.1, 1.1), history=None, **initial):
        self.x, self.y = np.asarray(x), np.asarray(y)
        self.epochs = np.asarray(epochs, dtype=int).reshape(-1)
        self.frames = np.asarray(frames, dtype=np.float32)
        self.extent = tuple(float(v) for v in extent)
        self.history = {k: list(v) for k, v in (history or {}).items()}
        if self.x.ndim != 2 or self.x.shape[1] != 2 or self.y.shape != (len(self.x),):
            raise ValueError(f"DecisionBoundary needs x (n, 2) and y (n,), got {self.x.shape} "
                             f"and {self.y.shape}")
        if self.frames.ndim != 3 or len(self.frames) != len(self.epochs) or len(self.epochs) < 2:
            raise ValueError(f"DecisionBoundary needs at least 2 frames of shape (points, classes), "
                             f"one per epoch in `epochs`; got frames {self.frames.shape} for "
                             f"{len(self.epochs)} epochs")
        steps = np.diff(self.epochs)
        if steps.min() <= 0 or np.any(steps != steps[0]):
            raise ValueError(f"DecisionBoundary needs evenly spaced, increasing epochs, "
                             f"got {self.epochs.tolist()}")
        side = int(round(np.sqrt(self.frames.shape[1])))
        if side * side != self.frames.shape[1]:
            raise ValueError(f"DecisionBoundary needs frames on a square grid (grid_points), got "
                             f"{self.frames.shape[1]} points")
        self.shape = (side, side)
        self.n_classes = self.frames.shape[2]
        _check_labels(self.y, max(self.n_classes, int(self.y.max()) + 1))
        initial.setdefault("epoch", int(self.epochs[-1]))
        super().__init__(**initial)

    def controls_(self):
        w = _widgets()
        step = int(self.epochs[1] - self.epochs[0])
        return {"epoch": w.IntSlider(value=int(self.epochs[-1]), min=int(self.epochs[0]),
                                     max=int(self.epochs[-1]), step=step,
                                     description="epoch (passes)", continuous_update=True,
                                     style={"description_width": "initial"})}

    def frame_index(self, epoch: int) -> int:
        """The frame shown at `epoch`: the last one taken at or before it."""
        return int(np.clip(np.searchsorted(self.epochs, epoch, side="right") - 1, 0,
                           len(self.epochs) - 1))

    def regions(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """(predicted class, confidence) on the grid at `epoch`, each of the grid's shape."""
        probs = self.frames[self.frame_index(epoch)]                   # (points, classes)
        return (probs.argmax(axis=1).reshape(self.shape),
                probs.max(axis=1).reshape(self.shape))

    def share_in_region(self, epoch: int) -> float:
        """The fraction of the points that lie in their own class's region at `epoch` (each
        point counted by the grid point nearest to it), as the frame's title says."""
        classes, _ = self.regions(epoch)
        xs = np.clip(((self.x[:, 0] - self.extent[0]) / (self.extent[1] - self.extent[0])
                      * (self.shape[1] - 1)).round().astype(int), 0, self.shape[1] - 1)
        ys = np.clip(((self.x[:, 1] - self.extent[2]) / (self.extent[3] - self.extent[2])
                      * (self.shape[0] - 1)).round().astype(int), 0, self.shape[0] - 1)
        return float(np.mean(classes[ys, xs] == self.y))

    def draw_boundary(self, ax, epoch: int) -> dict:
        index = self.frame_index(epoch)
        shown = int(self.epochs[index])
        classes, confidence = self.regions(shown)
        colours = ListedColormap(REGION_COLOURS[:self.n_classes])
        rgba = colours(classes)                                          # (res, res, 4)
        floor = 1.0 / self.n_classes                                     # a uniform guess
        strength = np.clip((confidence - floor) / (1.0 - floor), 0.0, 1.0)
        rgba[..., :3] = 1.0 - (1.0 - rgba[..., :3]) * (0.25 + 0.75 * strength[..., None])
        ax.imshow(rgba, origin="lower", extent=self.extent, interpolation="nearest")
        plot_points(ax, self.x, self.y, size=20.0)
        ax.set(xlim=self.extent[:2], ylim=self.extent[2:])
        agree = self.share_in_region(shown)
        title = "before training" if shown == 0 else f"after {shown} epochs"
        ax.set_title(f"{title}: {agree:.0%} of the points\nin their class's region",
                     fontsize="medium")
        return {"epoch": shown, "frame": index, "classes": classes, "confidence": confidence,
                "agree": agree}

    def draw_curves(self, ax, epoch: int) -> dict:
        loss = self.history.get("loss")
        if not loss:
            ax.set_axis_off()
            return {}
        epochs = np.arange(1, len(loss) + 1)
        ax.plot(epochs, loss, "-", color=CLASS_COLOURS[0], label="training loss")
        if self.history.get("val_loss"):
            ax.plot(epochs, self.history["val_loss"], "--", color=CLASS_COLOURS[1],
                    label="validation loss")
        ax.axvline(epoch, color="black", lw=1.0, ls=":")
        marked = None
        if 1 <= epoch <= len(loss):
            marked = float(loss[epoch - 1])
            ax.plot([epoch], [marked], "o", color="black", ms=5)
        ax.set(xlabel="epoch", ylabel="loss", xlim=(0, len(loss) + 1))
        ax.legend(loc="upper right", fontsize="small")
        return {"marked_epoch": epoch, "marked_loss": marked}

    def draw(self, axes, epoch):
        left, right = axes
        data = self.draw_boundary(left, epoch)
        data.update(self.draw_curves(right, data["epoch"]))
        return data

    def standin(self, settings: list[dict], titles: list[str] | None = None) -> Standin:
        """Small multiples: the boundary at each setting ({"epoch": e}) side by side, then the
        loss curves with those epochs marked."""
        with book_style():
            return self._standin(settings, titles)

    def _standin(self, settings, titles):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        columns = len(settings) + (1 if self.history.get("loss") else 0)
        fig = Figure(figsize=(3.0 * columns, 3.4), dpi=self.dpi, layout="constrained")
        FigureCanvasAgg(fig)
        axes = list(fig.subplots(1, columns, squeeze=False)[0])
        shown = []
        for i, setting in enumerate(settings):
            data = self.draw_boundary(axes[i], **{**self.values, **setting})
            shown.append(data["epoch"])
            if titles:
                axes[i].set_title(f"{titles[i]}\n{axes[i].get_title()}", fontsize="small")
            if i:
                axes[i].set_ylabel("")
        if columns > len(settings):
            ax = axes[-1]
            self.draw_curves(ax, shown[-1])
            loss = self.history["loss"]
            for e in shown:
                if 1 <= e <= len(loss):
                    ax.axvline(e, color="black", lw=0.8, ls=":")
            ax.set_box_aspect(1.0)
        return Standin(fig, settings)
