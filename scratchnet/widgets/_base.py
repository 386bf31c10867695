"""The base of every widget: controls, a figure drawn to PNG, and a static stand-in, all in the
book's figure style (STYLE: matplotlib's colour-blind-safe `tableau-colorblind10` palette)."""

from __future__ import annotations

import io
import numbers
from typing import Any

import matplotlib
import matplotlib.style

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FigureWidget", "Standin", "STYLE", "PALETTE", "book_style"]

# The book's figure style, set once here: every widget draws in it (figure, stand-in, scrubber
# frames), and each chapter that plots with pyplot starts with `plt.style.use(STYLE)`'s value.
# tableau-colorblind10 is matplotlib's palette for red-green colour blindness; "C0".."C9" name
# its colours. Curves that must be told apart also differ in line style or marker
# (tests/test_widgets_style.py checks every widget's figures for both).
STYLE = "tableau-colorblind10"
PALETTE: list[str] = matplotlib.style.library[STYLE]["axes.prop_cycle"].by_key()["color"]


def book_style():
    """The book's figure style as a context manager (matplotlib.style.context(STYLE)): figures
    and axes made, and colours "C0".."C9" named, inside it use the colour-blind-safe palette,
    whatever style the notebook has set."""
    return matplotlib.style.context(STYLE)


class Standin:
    """A static figure that a notebook shows as a PNG (and the book renders without a kernel)."""

    def __init__(self, figure: Figure, settings: list[dict]):
        self.figure, self.settings = figure, settings

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        with book_style():  # colours named "C0".."C9" are looked up when the figure is drawn
            self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def __repr__(self) -> str:
        return f"<static stand-in: the widget at {len(self.settings)} settings>"


# ipywidgets' slider, in CSS px: the gaps around its label (8) and track (14), the track's own
# flex-basis (148, below which the row wraps), the readout's least width (64) and margin (4).
_SLIDER_GAPS, _TRACK_BASIS, _READOUT = 8 + 14, 148, 64 + 4


def _px(width: str) -> int:
    if not (isinstance(width, str) and width.endswith("px")):
        raise ValueError(f"control_width must be a width in CSS pixels such as '360px', got {width!r}")
    return round(float(width[:-2]))


def _text_px(text: str, size: float = 13.0) -> float:
    """The width of `text` in CSS px in the widgets' 13 px font, estimated with DejaVu Sans
    (matplotlib's font; browsers' sans-serif fonts are about as wide or narrower)."""
    from matplotlib.textpath import TextPath

    return TextPath((0, 0), text, size=size).get_extents().width if text.strip() else 0.0


def _one_line_width(control) -> int:
    """The width a slider needs for its label, track and readout to stay on one line (it wraps,
    label above, when narrower): so at `control_width` a long label does not push the readout
    onto a line of its own. An estimate with 5% to spare: too wide costs only room."""
    readout = getattr(control, "readout_format", "")
    try:
        shown = format(control.value, readout) if readout else str(control.value)
    except (TypeError, ValueError):
        shown = str(control.value)
    label = _text_px(control.description) * 1.05
    return round(label + _SLIDER_GAPS + _TRACK_BASIS + max(_READOUT, _text_px(shown) * 1.05 + 12) + 10)


def _widgets():
    try:
        import ipywidgets
    except ImportError as error:  # the widgets are an extra
        raise ImportError("the interactive figures need ipywidgets: pip install 'scratchnet-course[widgets]'") from error
    return ipywidgets


class FigureWidget:
    """Controls above a figure; moving a control redraws the figure.

    Subclasses set `ncols` (axes side by side) and `figsize`, define `controls_()` returning
    {name: ipywidgets control}, and `draw(axes, **values)`, which draws on a list of axes and
    returns the numbers it drew (a dict), kept as `.data` for tests and curious readers.

    How it looks in JupyterLab, Jupyter and Colab (ipywidgets 7.7 and 8):
    - The figure is shown at its own size, `figsize` inches at `dpi` CSS pixels per inch, never
      stretched to the width of the notebook; on a narrower output it shrinks to fit, but never
      below `min_scale` of its size: there its text would be too small to read (the widgets draw
      no text under matplotlib's "small", 9.3 CSS px at 80 dpi, so at 0.8 it stays above 7 px),
      and on a still narrower output (a narrow window with the file browser open) the figure
      scrolls sideways in its own box, the controls staying in view. Its PNG has `pixel_ratio`
      device pixels per CSS pixel, so it stays sharp on a high-density screen.
    - The controls sit in a row that wraps: each slider keeps `control_width`, so its track keeps
      room to move, and when the row is full the next control starts a new row. On an output
      narrower than `control_width` a slider wraps inside itself: its label goes on a line of its
      own above the track, which keeps the width of the output (less the readout), never less
      than ipywidgets' own minimum of about 150 px.
    - Each control's description is shown in full (its label is as wide as its text). A choice
      among a few options is a row of `ToggleButtons`, which the keyboard can drive inside
      JupyterLab (Tab to a button, Space to choose it); a `Dropdown` or `RadioButtons` cannot,
      because JupyterLab takes their arrow keys for moving between cells.
    """

    ncols: int = 1
    figsize: tuple[float, float] = (5.0, 4.0)
    dpi: int = 80
    pixel_ratio: int = 2
    control_width: str = "360px"
    min_scale: float = 0.8

    def __init__(self, **initial: Any):
        widgets = _widgets()
        self.controls = self.controls_()
        for name, value in initial.items():
            if name not in self.controls:
                raise ValueError(f"{type(self).__name__} has no control {name!r}; "
                                 f"its controls are {', '.join(self.controls)}")
            control = self.controls[name]
            low, high = getattr(control, "min", None), getattr(control, "max", None)
            if low is not None and high is not None and hasattr(control, "base"):  # a log slider:
                low, high = control.base ** low, control.base ** high  # its min and max are exponents
            if (low is not None and high is not None and isinstance(value, numbers.Real)
                    and not low <= value <= high):  # a slider would clamp it, silently
                raise ValueError(f"{type(self).__name__}: {name} must be in [{low:g}, {high:g}], got {value!r}")
            control.value = value
        with book_style():
            self.figure = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
            FigureCanvasAgg(self.figure)
            self.axes = list(self.figure.subplots(1, self.ncols, squeeze=False)[0])
        width, height = self.css_size
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width}px", max_width="100%", min_width=f"{round(width * self.min_scale)}px",
            height="auto"))
        # The figure's own box scrolls sideways when the output is narrower than min_width.
        self.frame = widgets.Box([self.image], layout=widgets.Layout(width="100%", overflow="auto"))
        self.data: dict = {}
        self.draws = 0
        for control in self.controls.values():
            self._fit(control)
            control.observe(self._on_change, names="value")
        row = widgets.HBox(list(self.controls.values()),
                           layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.widget = widgets.VBox([row, self.frame])
        self.redraw()

    @property
    def css_size(self) -> tuple[int, int]:
        """The figure's size on screen in CSS pixels, (width, height): figsize times dpi."""
        return round(self.figsize[0] * self.dpi), round(self.figsize[1] * self.dpi)

    def _fit(self, control) -> None:
        """Give a control room: its label as wide as its text; a slider `control_width` wide
        (less on a narrow output, where its label wraps above its track); toggle buttons as wide
        as their own labels."""
        style, layout = getattr(control, "style", None), control.layout
        if style is not None and hasattr(style, "description_width") and not style.description_width:
            style.description_width = "initial"
        if type(control).__name__.endswith("Slider"):
            if not layout.width:
                layout.width = f"{max(_px(self.control_width), _one_line_width(control))}px"
                layout.max_width = "100%"
            # ipywidgets' slider is a flex row (label, track, readout) of fixed height in 7.7 and 8:
            # let it wrap, and grow to two lines, when label and track do not fit side by side.
            layout.flex_flow = layout.flex_flow or "row wrap"
            layout.height = layout.height or "auto"
        if hasattr(style, "button_width"):  # ToggleButtons: the label beside the buttons, not above
            style.button_width = style.button_width or "auto"
            layout.display, layout.flex_flow = layout.display or "flex", layout.flex_flow or "row wrap"
            layout.align_items = layout.align_items or "center"
            layout.grid_gap = layout.grid_gap or "0px 6px"  # CSS gap: room between label and buttons
        if not layout.margin:
            layout.margin = "2px 16px 2px 0px"

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
        with book_style():  # ax.clear() takes the colour cycle from the style in force
            for ax in self.axes:
                ax.clear()
            self.data = self.draw(self.axes, **self.values)
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=self.dpi * self.pixel_ratio)
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
        with book_style():
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
