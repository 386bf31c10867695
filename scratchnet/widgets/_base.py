"""The base of every widget: controls, a figure drawn to PNG, and a static stand-in."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FigureWidget", "Standin"]


class Standin:
    """A static figure that a notebook shows as a PNG (and the book renders without a kernel)."""

    def __init__(self, figure: Figure, settings: list[dict]):
        self.figure, self.settings = figure, settings

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def __repr__(self) -> str:
        return f"<static stand-in: the widget at {len(self.settings)} settings>"


def _widgets():
    try:
        import ipywidgets
    except ImportError as error:  # the widgets are an extra
        raise ImportError("the interactive figures need ipywidgets: pip install 'scratchnet[widgets]'") from error
    return ipywidgets


class FigureWidget:
    """Controls above a figure; moving a control redraws the figure.

    Subclasses set `ncols` (axes side by side) and `figsize`, define `controls()` returning
    {name: ipywidgets control}, and `draw(axes, **values)`, which draws on a list of axes and
    returns the numbers it drew (a dict), kept as `.data` for tests and curious readers.
    """

    ncols: int = 1
    figsize: tuple[float, float] = (5.0, 4.0)
    dpi: int = 80

    def __init__(self, **initial: Any):
        widgets = _widgets()
        self.controls = self.controls_()
        for name, value in initial.items():
            if name not in self.controls:
                raise ValueError(f"{type(self).__name__} has no control {name!r}; "
                                 f"its controls are {', '.join(self.controls)}")
            self.controls[name].value = value
        self.figure = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.axes = list(self.figure.subplots(1, self.ncols, squeeze=False)[0])
        self.image = widgets.Image(format="png")
        self.data: dict = {}
        self.draws = 0
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.image])
        self.redraw()

    # what subclasses write
    def controls_(self) -> dict:
        raise NotImplementedError

    def draw(self, axes, **values) -> dict:
        raise NotImplementedError

    # the machinery
    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change) -> None:
        self.redraw()

    def redraw(self) -> None:
        for ax in self.axes:
            ax.clear()
        self.data = self.draw(self.axes, **self.values)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        self.image.value = buffer.getvalue()
        self.draws += 1

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)

    def scrub(self, control: str, values, **options):
        """A stand-in the reader can move without a kernel: this figure at each of `values` of one
        control, behind a slider (see scratchnet.widgets._scrubber.scrub)."""
        from scratchnet.widgets._scrubber import scrub

        return scrub(self, control, values, **options)

    def standin(self, settings: list[dict], titles: list[str] | None = None) -> Standin:
        """The static stand-in: the widget drawn at each setting, exactly as it draws itself.

        A one-panel widget puts the settings side by side; a wider one gives each its own row.
        `titles` (one per setting) go above each setting's first panel.
        """
        width, height = self.figsize
        side_by_side = self.ncols == 1
        rows, cols = (1, len(settings)) if side_by_side else (len(settings), self.ncols)
        size = (width * 0.85 * cols, height) if side_by_side else (width, height * 0.85 * rows)
        fig = Figure(figsize=size, dpi=self.dpi, layout="constrained")
        FigureCanvasAgg(fig)
        grid = fig.subplots(rows, cols, squeeze=False)
        for i, setting in enumerate(settings):
            axes = [grid[0][i]] if side_by_side else list(grid[i])
            values = {**self.values, **setting}
            self.draw(axes, **values)
            if titles:
                axes[0].set_title(f"{titles[i]}\n{axes[0].get_title()}", fontsize="medium")
        return Standin(fig, settings)


matplotlib.rcParams.setdefault("figure.max_open_warning", 50)
