"""What every chapter's widget promises, whatever it draws (no browser; runs on ipywidgets 7.7
and 8): a figure drawn at twice the size it is shown at and never stretched, controls in a row
that wraps with room for each slider, a description on every control that says what it changes,
and no dropdown or radio buttons (JupyterLab takes their arrow keys). Widgets of new chapters are found
by themselves: every FigureWidget subclass in a `scratchnet.widgets.chNN` module."""

import importlib
import pkgutil
import struct

import matplotlib.text
import pytest

ipywidgets = pytest.importorskip("ipywidgets")

import scratchnet.widgets  # noqa: E402
from scratchnet.widgets import FigureWidget  # noqa: E402
from scratchnet.widgets._base import _one_line_width  # noqa: E402


def chapter_widgets():
    found = []
    for info in pkgutil.iter_modules(scratchnet.widgets.__path__):
        if info.name.startswith("ch"):
            module = importlib.import_module(f"scratchnet.widgets.{info.name}")
            found += [obj for obj in vars(module).values() if isinstance(obj, type)
                      and issubclass(obj, FigureWidget) and obj is not FigureWidget
                      and obj.__module__ == module.__name__]
    return found


WIDGETS = chapter_widgets()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _decision_boundary(cls):
    from tests.test_widgets_ch06 import widget
    return widget()


def _optimizer_paths(cls):
    import scratchnet as sn
    return cls(Parameter=sn.Parameter, SGD=sn.SGD, RMSProp=sn.RMSProp, Adam=sn.Adam)


def _digit_saliency(cls):
    from tests.test_widgets_ch09 import widget
    return widget()


# Widgets whose constructor needs arguments (precomputed frames, the library's classes), built
# as their chapters build them. A new one that is missing here fails with a TypeError below.
BUILD = {"DecisionBoundary": _decision_boundary, "OptimizerPaths": _optimizer_paths,
         "DigitSaliency": _digit_saliency}


@pytest.fixture(scope="module", params=WIDGETS, ids=[w.__name__ for w in WIDGETS])
def widget(request):
    cls = request.param
    return BUILD.get(cls.__name__, lambda c: c())(cls)


def test_every_chapter_widget_is_found():
    names = {w.__name__ for w in WIDGETS}
    assert {"NeuronSurface", "GradientDescent1D", "DenseLayerGradients", "GradientSizeByDepth",
            "SoftmaxCrossEntropyExplorer"} <= names


def test_the_figure_is_drawn_at_twice_the_size_it_is_shown(widget):
    css_width, css_height = widget.css_size
    assert (css_width, css_height) == (round(widget.figsize[0] * widget.dpi), round(widget.figsize[1] * widget.dpi))
    assert png_size(widget.image.value) == (2 * css_width, 2 * css_height)
    layout = widget.image.layout
    assert (layout.width, layout.max_width, layout.height) == (f"{css_width}px", "100%", "auto")


# The smallest text a widget may draw, in CSS px at its own size: matplotlib's "small" (8.33 pt)
# at 80 dpi. The live test (tests/labdriver.py, MIN_DRAWN_TEXT) relies on it: a figure shown at
# no less than 0.76 of its size then has no text under 7 CSS px.
MIN_DRAWN_TEXT = 9.25


def texts(figure, dpi=None):
    """Every text a figure shows, drawn at `dpi` (default its own): (size in CSS px at the
    figure's own dpi, text, artist). Tick labels count only for the ticks drawn (an axis keeps
    spare ticks outside its view, not drawn)."""
    css_dpi = figure.dpi
    figure.set_dpi(dpi or css_dpi)
    try:
        figure.canvas.draw()
    finally:
        figure.set_dpi(css_dpi)
    spare = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn = set(axis._update_ticks())
            spare |= {label for tick in axis.majorTicks + axis.minorTicks if tick not in drawn
                      for label in (tick.label1, tick.label2)}
    return [(t.get_fontsize() * css_dpi / 72, t.get_text(), t) for t in figure.findobj(matplotlib.text.Text)
            if t.get_visible() and t.get_text().strip() and t.get_figure() is not None and t not in spare]


def small_texts(figure) -> list[str]:
    return [f"{text!r} at {size:.1f} CSS px" for size, text, _ in texts(figure) if size < MIN_DRAWN_TEXT]


def texts_outside(widget) -> list[str]:
    """Texts that stick out of the widget's PNG (cut off, or flush with its edge), drawn as the
    PNG is drawn: at `pixel_ratio` times its dpi, where text is a little wider than at 1x."""
    figure, dpi = widget.figure, widget.dpi * widget.pixel_ratio
    found = []
    for _, text, artist in texts(figure, dpi):
        figure.set_dpi(dpi)
        try:
            box = artist.get_window_extent(figure.canvas.get_renderer())
            width, height = figure.bbox.width, figure.bbox.height
        finally:
            figure.set_dpi(widget.dpi)
        if box.width and (box.x0 < 1 or box.y0 < 1 or box.x1 > width - 1 or box.y1 > height - 1):
            found.append(f"{text!r} spans x {box.x0:.0f}..{box.x1:.0f}, y {box.y0:.0f}..{box.y1:.0f} "
                         f"of a {width:.0f}x{height:.0f} PNG")
    return found


def test_no_figure_text_is_too_small_to_read_when_the_figure_shrinks(widget):
    assert small_texts(widget.figure) == []


def test_every_figure_text_lies_inside_the_figure(widget):
    for setting in [{}] + [{name: o[1] if isinstance(o, tuple) else o} for name, c in widget.controls.items()
                           for o in (getattr(c, "options", None) or [])]:
        for name, value in setting.items():
            widget.controls[name].value = value
        assert texts_outside(widget) == [], setting


class Tiny(FigureWidget):
    """A widget broken on purpose: an x-small legend, a title wider than its figure."""
    figsize = (3.0, 2.0)

    def controls_(self):
        return {"a": ipywidgets.FloatSlider(value=1.0, description="slope a")}

    def draw(self, axes, a):
        axes[0].plot([0, 1], [0, a], label="a line")
        axes[0].legend(fontsize="x-small")
        axes[0].set_title("a title far too long to fit in so narrow a figure as this one")
        return {}


def test_the_text_checks_catch_a_tiny_legend_and_a_title_cut_off():
    tiny = Tiny()
    assert small_texts(tiny.figure) == ["'a line' at 7.7 CSS px"]
    assert [t for t in texts_outside(tiny) if t.startswith("'a title far")]


def test_the_figure_shrinks_no_further_than_min_scale_and_then_scrolls_in_its_own_box(widget):
    css_width = widget.css_size[0]
    assert widget.min_scale * MIN_DRAWN_TEXT >= 7.0
    assert widget.image.layout.min_width == f"{round(css_width * widget.min_scale)}px"
    assert widget.frame.children == (widget.image,)
    assert (widget.frame.layout.width, widget.frame.layout.overflow) == ("100%", "auto")


def test_the_figure_fits_the_notebook_at_1280_px(widget):
    # With the file browser open at 1280 px, JupyterLab's output area is about 845 px wide.
    assert widget.css_size[0] <= 845


def test_controls_wrap_and_each_slider_keeps_its_width(widget):
    row, frame = widget.widget.children
    assert frame is widget.frame and list(row.children) == list(widget.controls.values())
    assert row.layout.flex_flow == "row wrap"
    for control in widget.controls.values():
        assert control.style.description_width == "initial"  # the label is as wide as its text
        if type(control).__name__.endswith("Slider"):
            # control_width, or wider if its label needs it to keep label, track and readout on one line
            assert control.layout.max_width == "100%"
            assert int(control.layout.width[:-2]) >= max(int(widget.control_width[:-2]), _one_line_width(control))
            # on a narrow output the label goes above the track: the slider wraps, two lines high
            assert (control.layout.flex_flow, control.layout.height) == ("row wrap", "auto")


def test_every_control_says_what_it_changes(widget):
    for name, control in widget.controls.items():
        words = control.description.split()
        assert len(words) >= 2, f"{type(widget).__name__}.{name}: description {control.description!r} " \
                                f"should say what it changes, e.g. 'learning rate lr', not a bare symbol"


def test_no_dropdowns_or_radio_buttons_inside_jupyterlab_they_lose_their_arrow_keys(widget):
    for name, control in widget.controls.items():
        assert not isinstance(control, (ipywidgets.Dropdown, ipywidgets.RadioButtons)), \
            f"{type(widget).__name__}.{name} is a {type(control).__name__}; use ToggleButtons"


def test_toggle_buttons_sit_beside_their_label_and_fit_their_text():
    buttons = [c for w in WIDGETS for c in BUILD.get(w.__name__, lambda k: k())(w).controls.values()
               if isinstance(c, ipywidgets.ToggleButtons)]
    assert len(buttons) >= 2   # chapter 4's activation and chapter 5's true class
    for control in buttons:
        assert control.style.button_width == "auto"
        assert (control.layout.display, control.layout.flex_flow) == ("flex", "row wrap")


def test_a_subclass_may_choose_its_own_sizes():
    class Small(FigureWidget):
        figsize, dpi, pixel_ratio, control_width = (2.0, 1.5), 50, 3, "250px"

        def controls_(self):
            return {"a": ipywidgets.IntSlider(description="some value", layout=ipywidgets.Layout(width="400px"))}

        def draw(self, axes, a):
            axes[0].plot([0, a])
            return {"a": a}

    small = Small()
    assert small.css_size == (100, 75) and png_size(small.image.value) == (300, 225)
    assert small.controls["a"].layout.width == "400px"  # a width the subclass set is kept
    small.controls["a"].value = 3
    assert small.data == {"a": 3} and small.draws == 2
