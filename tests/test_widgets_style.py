"""Every widget's figures are in the book's figure style and can be read without telling colours
apart (no browser; issue 12).

* The style: the widgets draw with matplotlib's colour-blind-safe `tableau-colorblind10`
  (scratchnet.widgets.STYLE) even when the notebook has set no style: every colour they use is
  one of its colours, a grey, black or white, and colour maps are colour-blind-friendly ones.
* No colour alone: in every panel, curves have distinct (line style, marker) pairs; bars of
  different colours also differ in hatching (or their colour only repeats their sign, which
  their direction shows); point clouds of different colours have different markers.

Widgets are found as tests/test_widgets_common.py finds them (every FigureWidget subclass in a
`scratchnet.widgets.chNN` module), and drawn at their defaults and at every option of each
choice control, as the figure, a stand-in and a scrubber frame draw them. Each rule has a
companion test on a widget made to break it.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from matplotlib.cm import ScalarMappable  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import StepPatch  # noqa: E402

from scratchnet.widgets import PALETTE, STYLE, FigureWidget, book_style  # noqa: E402
from tests.test_widgets_common import BUILD, WIDGETS  # noqa: E402

# Colour maps that stay readable with red-green colour blindness (diverging blue-red from
# ColorBrewer, the perceptually uniform viridis family, greys).
COLOUR_MAPS = {"RdBu", "RdBu_r", "PuOr", "PuOr_r", "viridis", "cividis", "magma", "inferno",
               "plasma", "Greys", "Greys_r", "gray", "gray_r", "binary"}
PALETTE_RGB = {tuple(round(v, 3) for v in to_rgba(c)[:3]) for c in PALETTE}


def build(cls):
    return BUILD.get(cls.__name__, lambda c: c())(cls)


def settings_of(widget) -> list[dict]:
    """The widget's defaults, and each option of each choice control (the rest at defaults)."""
    found = [{}]
    for name, control in widget.controls.items():
        for option in getattr(control, "options", None) or []:
            value = option[1] if isinstance(option, tuple) else option
            if value != control.value:
                found.append({name: value})
    return found


# -------------------------------------------------------------------------------- the rules

def colour_problems(figure) -> list[str]:
    """Colours outside the palette, greys, black and white; colour maps not in COLOUR_MAPS.
    Colours are resolved as the figure is saved: in the book's style ("C3" means its C3)."""
    problems = set()

    def judge(colour, what):
        r, g, b, a = to_rgba(colour)
        if a == 0 or max(r, g, b) - min(r, g, b) < 0.02:  # invisible, or a grey / black / white
            return
        if (round(r, 3), round(g, 3), round(b, 3)) not in PALETTE_RGB:
            problems.add(f"{what} uses {matplotlib.colors.to_hex(colour)}, not a {STYLE} colour")

    with book_style():
        for artist in figure.findobj():
            name = type(artist).__name__
            if isinstance(artist, AxesImage) and np.ndim(artist.get_array()) == 3:
                continue  # RGB(A) pixels made by the widget itself (chapter 6's regions)
            if (isinstance(artist, ScalarMappable) and not isinstance(artist, ContourSet)
                    and artist.get_array() is not None):  # colours from a colour map
                if artist.get_cmap().name not in COLOUR_MAPS:
                    problems.add(f"{name} uses the colour map {artist.get_cmap().name!r}")
                continue
            if isinstance(artist, Line2D):
                for colour in (artist.get_color(), artist.get_markerfacecolor(), artist.get_markeredgecolor()):
                    judge(colour, f"line {artist.get_label()!r}")
            elif hasattr(artist, "get_facecolor") and hasattr(artist, "get_edgecolor"):
                for colours in (artist.get_facecolor(), artist.get_edgecolor()):
                    for colour in np.atleast_2d(colours) if np.size(colours) else []:
                        judge(colour, name)
            elif hasattr(artist, "get_color"):  # text
                judge(artist.get_color(), name)
    return sorted(problems)


def _dashes(artist) -> tuple:
    offset, dashes = getattr(artist, "_unscaled_dash_pattern", (0, None))
    return tuple(dashes or ())


def look(artist) -> tuple:
    """What tells a curve apart without colour: its line style (with its dash pattern) and marker."""
    style = artist.get_linestyle()
    style = "None" if style in ("None", "none", " ", "") else style
    marker = artist.get_marker() if isinstance(artist, Line2D) else "None"
    return (style, _dashes(artist) if style != "None" else (), str(marker))


def curves(ax) -> list:
    """Lines of two or more points in data coordinates (not axhline/axvline guides), and stairs."""
    found = []
    for line in ax.get_lines():
        if line.get_visible() and line.get_transform() == ax.transData and len(line.get_xdata()) >= 2:
            found.append(line)
    found += [p for p in ax.patches if isinstance(p, StepPatch) and p.get_visible()]
    return found


def told_apart_problems(figure) -> list[str]:
    """Panels where curves, bars or point clouds differ in colour alone."""
    problems = []
    for k, ax in enumerate(figure.axes):
        where = f"panel {k + 1} ({ax.get_title(loc='center')[:40]!r})"
        seen: dict[tuple, str] = {}
        for curve in curves(ax):
            key, label = look(curve), curve.get_label()
            if key in seen:
                problems.append(f"{where}: {seen[key]!r} and {label!r} have the same line style and "
                                f"marker {key[0]}{key[2] if key[2] != 'None' else ''}")
            seen.setdefault(key, label)
        groups: dict[tuple, dict] = {}
        for container in ax.containers:
            if not isinstance(container, BarContainer):
                continue
            values = np.ravel(container.datavalues)
            for patch, value in zip(container.patches, values):
                group = groups.setdefault(tuple(np.round(patch.get_facecolor(), 3)),
                                          {"hatches": set(), "signs": set()})
                group["hatches"].add(patch.get_hatch() or "")
                group["signs"].add(bool(value >= 0))
        if len(groups) > 1:
            hatches = [frozenset(g["hatches"]) for g in groups.values()]
            by_hatch = len(set(hatches)) == len(hatches) and all(len(h) == 1 for h in hatches)
            signs = [frozenset(g["signs"]) for g in groups.values()]
            by_sign = all(len(s) == 1 for s in signs) and len(set(signs)) == len(signs)
            if not (by_hatch or by_sign):
                problems.append(f"{where}: bars of {len(groups)} colours are not told apart by hatching")
        clouds = [c for c in ax.collections if isinstance(c, PathCollection) and not isinstance(c, ContourSet)
                  and len(c.get_offsets()) > 1]
        markers: dict[tuple, tuple] = {}
        for cloud in clouds:
            colour = tuple(np.round(np.atleast_2d(cloud.get_facecolor())[0], 3))
            path = tuple(np.round(cloud.get_paths()[0].vertices, 3).ravel())
            if markers.get(colour, path) != path:
                continue  # one colour, several markers: fine
            if path in markers.values() and markers.get(colour) != path:
                problems.append(f"{where}: point clouds of different colours share a marker")
            markers[colour] = path
    return problems


def figures_drawn_by(widget, setting: dict):
    """The widget's own figure and a one-setting stand-in, drawn in a notebook with no style
    set (matplotlib's default colours)."""
    with matplotlib.rc_context({"axes.prop_cycle": matplotlib.rcParamsDefault["axes.prop_cycle"]}):
        for name, value in setting.items():
            widget.controls[name].value = value
        yield "the figure", widget.figure
        yield "a stand-in", widget.standin([dict(widget.values)]).figure


# -------------------------------------------------------------------------------- the tests

@pytest.fixture(scope="module", params=WIDGETS, ids=[w.__name__ for w in WIDGETS])
def widget(request):
    return build(request.param)


def test_the_book_style_is_matplotlibs_colour_blind_palette():
    assert STYLE == "tableau-colorblind10" and STYLE in matplotlib.style.library
    assert PALETTE[:3] == ["#006BA4", "#FF800E", "#ABABAB"]
    with matplotlib.rc_context({"axes.prop_cycle": matplotlib.rcParamsDefault["axes.prop_cycle"]}):
        with book_style():
            assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == PALETTE
        assert matplotlib.colors.to_hex(matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0]) == "#1f77b4"


def test_every_widget_draws_in_the_book_style(widget):
    for setting in settings_of(widget):
        for what, figure in figures_drawn_by(widget, setting):
            assert not colour_problems(figure), f"{type(widget).__name__} {what} at {setting or 'defaults'}"


def test_every_widget_tells_its_curves_apart_without_colour(widget):
    for setting in settings_of(widget):
        for what, figure in figures_drawn_by(widget, setting):
            problems = told_apart_problems(figure)
            assert not problems, f"{type(widget).__name__} {what} at {setting or 'defaults'}: {problems}"


def test_the_widgets_draw_several_curves_bars_and_point_clouds_so_the_rules_are_tested():
    """So that passing means something: the widgets between them draw panels with several
    curves, with bars of two colours, and with point clouds of several colours."""
    several_curves = two_colour_bars = clouds = 0
    for cls in WIDGETS:
        w = build(cls)
        for ax in w.figure.axes:
            several_curves += len(curves(ax)) > 1
            colours = {tuple(p.get_facecolor()) for c in ax.containers if isinstance(c, BarContainer)
                       for p in c.patches}
            two_colour_bars += len(colours) > 1
            clouds += sum(isinstance(c, PathCollection) and not isinstance(c, ContourSet) for c in ax.collections) > 1
    assert several_curves >= 4 and two_colour_bars >= 2 and clouds >= 1


def test_a_scrubber_frame_is_drawn_in_the_book_style():
    from scratchnet.widgets import _scrubber
    from scratchnet.widgets.ch02 import GradientDescent1D

    drawn = []
    widget = GradientDescent1D()
    original = widget.draw

    def spy(axes, **values):
        result = original(axes, **values)
        drawn.append(axes[0].figure)
        return result

    widget.draw = spy
    with matplotlib.rc_context({"axes.prop_cycle": matplotlib.rcParamsDefault["axes.prop_cycle"]}):
        _scrubber._draw(widget, widget.values)
    assert drawn and not colour_problems(drawn[0]) and not told_apart_problems(drawn[0])


# ------------------------------------------------------ companions: widgets made to break a rule

class _Broken(FigureWidget):
    figsize = (3.0, 2.0)

    def controls_(self):
        return {"a": ipywidgets.FloatSlider(value=1.0, description="some value a")}


class SameStyleCurves(_Broken):
    def draw(self, axes, a):
        x = np.linspace(0, 1, 5)
        axes[0].plot(x, a * x, label="training")
        axes[0].plot(x, a * x ** 2, label="validation")   # another colour, the same solid line
        return {}


class OwnColours(_Broken):
    def draw(self, axes, a):
        axes[0].plot([0, 1], [0, a], "-", color="tab:red")
        axes[0].plot([0, 1], [a, 0], "--")
        return {}


class ColourOnlyBars(_Broken):
    def draw(self, axes, a):
        axes[0].bar([0, 1, 2], [a, 2, 3], color=["C1", "C0", "C0"])   # which one is the true class?
        return {}


class ColourOnlyClouds(_Broken):
    def draw(self, axes, a):
        axes[0].scatter([0, 1], [0, 1], color="C0", marker="o")
        axes[0].scatter([0, 1], [1, 0], color="C1", marker="o")
        return {}


class DashedPairs(_Broken):
    """Two custom dash patterns are two different line styles (get_linestyle says '--' for both)."""
    def draw(self, axes, a):
        x = np.linspace(0, 1, 5)
        axes[0].plot(x, x, linestyle=(0, (5, 1)))
        axes[0].plot(x, a * x ** 2, linestyle=(0, (1, 1)))
        axes[0].bar([0, 1], [a, -a], color=["C5", "C0"])   # colour = sign, shown by direction
        return {}


def test_companion_curves_with_the_same_style_are_caught():
    problems = told_apart_problems(SameStyleCurves().figure)
    assert problems and "'training' and 'validation' have the same line style" in problems[0]


def test_companion_a_colour_of_its_own_is_caught_even_with_the_book_style():
    widget = OwnColours()
    assert any("#d62728" in p for p in colour_problems(widget.figure))
    assert not told_apart_problems(widget.figure)


def test_companion_default_colours_outside_the_book_style_are_caught():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"axes.prop_cycle": matplotlib.rcParamsDefault["axes.prop_cycle"]}):
        figure = Figure()
        FigureCanvasAgg(figure)
        figure.subplots().plot([0, 1], [0, 1])   # drawn without book_style: matplotlib's blue
    assert any("#1f77b4" in p for p in colour_problems(figure))


def test_companion_bars_told_apart_by_colour_alone_are_caught():
    assert any("not told apart by hatching" in p for p in told_apart_problems(ColourOnlyBars().figure))


def test_companion_point_clouds_told_apart_by_colour_alone_are_caught():
    assert any("share a marker" in p for p in told_apart_problems(ColourOnlyClouds().figure))


def test_companion_different_dash_patterns_and_sign_coloured_bars_pass():
    assert told_apart_problems(DashedPairs().figure) == []


def test_companion_a_colour_map_that_needs_red_green_vision_is_caught():
    class Jet(_Broken):
        def draw(self, axes, a):
            axes[0].imshow(np.arange(6.0).reshape(2, 3) * a, cmap="jet")
            return {}

    assert any("'jet'" in p for p in colour_problems(Jet().figure))
