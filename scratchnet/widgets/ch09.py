"""Chapter 9's widget: a test digit, the probabilities the network gives it, and a saliency map,
the gradient of the loss with respect to the input pixels.

The chapter computes everything once, with the trained model: the probabilities of each example,
and for each example and each label c the gradient dL/dx of the loss the example would have if
its label were c. The widget only draws those arrays, so moving a control costs a drawing and no
arithmetic on the network; and it needs nothing from the library, so it works with whatever
version of it the reader has built.

Also here, for the chapter's other figures: `show_images`, a grid of small images with titles.
"""

from __future__ import annotations

import matplotlib.style
import numpy as np

from scratchnet.widgets._base import FigureWidget, _widgets

__all__ = ["DigitSaliency", "show_images", "COLORS"]

COLORS = matplotlib.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]
SALIENCY_CMAP = "PuOr_r"  # diverging, purple to orange, readable with each common colour deficiency


def show_images(axes, images, titles=None, cmap="gray_r", vmin=0.0, vmax=1.0, fontsize="small"):
    """Draw images[i] on axes[i] (a flat sequence of axes) without ticks, with titles[i] above it.

    Axes beyond the images are switched off. Returns the AxesImage of each image.
    """
    axes = list(np.ravel(axes))
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"show_images needs images of shape (n, height, width), got {images.shape}")
    if len(images) > len(axes):
        raise ValueError(f"show_images got {len(images)} images for {len(axes)} axes")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"show_images got {len(titles)} titles for {len(images)} images")
    shown = []
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(images):
            ax.set_axis_off()
            continue
        shown.append(ax.imshow(images[i], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest"))
        if titles is not None:
            ax.set_title(titles[i], fontsize=fontsize)
    return shown


class DigitSaliency(FigureWidget):
    """Pick an example; see the image, the network's probability for each class, and where ink
    would lower or raise the loss for a chosen label.

    Left: the image, titled with its true and predicted classes. Middle: the probabilities, the
    predicted class's bar blue and dotted, the true class's bar orange and striped (when they
    are the same class, one bar, blue and striped). Right: the saliency map
    -dL/dx, the direction in which changing each pixel lowers the loss for the chosen label (by
    default the true one): orange pixels would make that label more likely with more ink, purple
    ones with less. The digit's outline is drawn over it.

    Args:
        images: (n, height, width), the examples as the network saw them, in [0, 1].
        labels: (n,) their true classes.
        probabilities: (n, classes), the network's softmax output for each example.
        gradients: (n, classes, height, width): gradients[i, c] is dL/dx for example i with
            label c, L the cross-entropy of that one example.
        names: optional titles for the examples (e.g. "test digit 115").
    """

    control_width = "480px"  # the long label "example (number in the list)" keeps a 120+ px track

    ncols = 3
    figsize = (10.0, 3.4)

    def __init__(self, images, labels, probabilities, gradients, names=None, **initial):
        self.images = np.asarray(images, dtype=np.float32)
        self.labels = np.asarray(labels)
        self.probabilities = np.asarray(probabilities, dtype=np.float64)
        self.gradients = np.asarray(gradients, dtype=np.float64)
        n = len(self.images)
        if self.images.ndim != 3 or n < 2:
            raise ValueError(f"DigitSaliency needs at least 2 images of shape (n, height, width), "
                             f"got {self.images.shape}")
        if self.labels.shape != (n,) or self.labels.dtype.kind not in "iu":
            raise ValueError(f"DigitSaliency needs one integer label per image, shape ({n},), got "
                             f"shape {self.labels.shape}, dtype {self.labels.dtype}")
        if self.probabilities.ndim != 2 or len(self.probabilities) != n:
            raise ValueError(f"DigitSaliency needs probabilities of shape ({n}, classes), got "
                             f"{self.probabilities.shape}")
        self.n_classes = self.probabilities.shape[1]
        if not (np.isfinite(self.probabilities).all() and (self.probabilities >= 0).all()
                and (self.probabilities <= 1).all()):
            raise ValueError("DigitSaliency needs probabilities in [0, 1] (the softmax of the outputs), "
                             "got NaN, inf or numbers outside [0, 1]")
        if self.gradients.shape != (n, self.n_classes, *self.images.shape[1:]):
            raise ValueError(f"DigitSaliency needs gradients of shape (n, classes, height, width) = "
                             f"{(n, self.n_classes, *self.images.shape[1:])}, got {self.gradients.shape}")
        if not np.isfinite(self.gradients).all():
            raise ValueError("DigitSaliency needs finite gradients, got NaN or inf")
        if self.labels.min() < 0 or self.labels.max() >= self.n_classes:
            raise ValueError(f"DigitSaliency: labels must be classes 0..{self.n_classes - 1}, got "
                             f"{self.labels.min()}..{self.labels.max()}")
        self.names = list(names) if names is not None else [f"example {i}" for i in range(n)]
        if len(self.names) != n:
            raise ValueError(f"DigitSaliency got {len(self.names)} names for {n} images")
        super().__init__(**initial)

    def controls_(self):
        w = _widgets()
        labels = [("true", -1)] + [(str(c), c) for c in range(self.n_classes)]
        return {
            "digit": w.IntSlider(value=0, min=0, max=len(self.images) - 1, step=1,
                                 description="example (number in the list)", continuous_update=True,
                                 style={"description_width": "initial"}),
            "label": w.ToggleButtons(options=labels, value=-1, description="saliency for the label",
                                     style={"description_width": "initial", "button_width": "auto"}),
        }

    def saliency(self, digit: int, label: int) -> tuple[int, np.ndarray]:
        """(the label used, -dL/dx for it): -1 stands for the example's true label."""
        used = int(self.labels[digit]) if label < 0 else int(label)
        return used, -self.gradients[digit, used]

    def draw(self, axes, digit, label):
        ax_image, ax_bars, ax_map = axes
        image, true = self.images[digit], int(self.labels[digit])
        probs = self.probabilities[digit]
        predicted = int(probs.argmax())
        verdict = "right" if predicted == true else "wrong"
        show_images([ax_image], image[None])
        ax_image.set_title(f"{self.names[digit]}: true {true},\npredicted {predicted} "
                           f"({probs[predicted]:.0%}, {verdict})", fontsize="medium")

        # Told apart by hatching as well as colour: the predicted class blue and dotted, the
        # true class orange and striped; right, the one bar is blue and striped.
        classes = np.arange(self.n_classes)
        bars = ax_bars.bar(classes, probs, color="white", edgecolor=COLORS[2], linewidth=1.0)
        bars[predicted].set_facecolor(COLORS[0])
        bars[predicted].set_hatch("..")
        bars[true].set_hatch("///")
        if true != predicted:
            bars[true].set_facecolor(COLORS[1])
        for k in {true, predicted}:
            bars[k].set_edgecolor("black")
        ax_bars.set(xticks=classes, ylim=(0, 1.05), xlabel="class", ylabel="probability",
                    title="blue, dotted: predicted\norange, striped: true")
        ax_bars.title.set_fontsize("medium")

        used, s = self.saliency(digit, label)
        top = float(np.abs(s).max()) or 1.0
        shown = ax_map.imshow(s / top, cmap=SALIENCY_CMAP, vmin=-1, vmax=1, interpolation="nearest")
        ax_map.contour(image, levels=[0.5], colors="black", linewidths=0.8)
        ax_map.set_xticks([])
        ax_map.set_yticks([])
        which = "the true label" if label < 0 else "the label"
        ax_map.set_title(f"-dL/dx for {which} {used}\n(scaled to its largest entry)", fontsize="medium")
        if not getattr(ax_map, "_has_colorbar", False):  # ax.clear() keeps it: add it once
            bar = ax_map.figure.colorbar(shown, ax=ax_map, shrink=0.9, ticks=[-1, 0, 1])
            bar.ax.set_yticklabels(["less ink\nhelps", "0", "more ink\nhelps"], fontsize="small")
            ax_map._has_colorbar = True
        strongest = np.unravel_index(np.argmax(np.abs(s)), s.shape)
        return {"digit": int(digit), "true": true, "predicted": predicted, "label": used,
                "probabilities": probs.copy(), "saliency": s.copy(),
                "strongest": tuple(int(i) for i in strongest)}
