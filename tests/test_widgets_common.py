"""What every chapter's widget promises, whatever it draws (no browser; runs on ipywidgets 7.7
and 8): a figure drawn at twice the size it is shown at and never stretched, controls in a row
that wraps with room for each slider, a description on every control that says what it changes,
and no dropdown or radio buttons (JupyterLab takes their arrow keys). Widgets of new chapters are found
by themselves: every FigureWidget subclass in a `scratchnet.widgets.chNN` module."""

import importlib
import pkgutil
import struct

import pytest

ipywidgets = pytest.importorskip("ipywidgets")

import scratchnet.widgets  # noqa: E402
from scratchnet.widgets import FigureWidget  # noqa: E402


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


def test_the_figure_fits_the_notebook_at_1280_px(widget):
    # With the file browser open at 1280 px, JupyterLab's output area is about 845 px wide.
    assert widget.css_size[0] <= 845


def test_controls_wrap_and_each_slider_keeps_its_width(widget):
    row, image = widget.widget.children
    assert image is widget.image and list(row.children) == list(widget.controls.values())
    assert row.layout.flex_flow == "row wrap"
    for control in widget.controls.values():
        assert control.style.description_width == "initial"  # the label is as wide as its text
        if type(control).__name__.endswith("Slider"):
            assert (control.layout.width, control.layout.max_width) == (widget.control_width, "100%")


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
