"""The kernel-free scrubber (scratchnet/widgets/_scrubber.py), without a browser: frames, stable
ids, size, accessible markup, bad input. tests/test_browser_checks.py moves a real one in Chromium."""

import base64
import json
import re

import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets import _scrubber  # noqa: E402
from scratchnet.widgets.ch01 import NeuronSurface  # noqa: E402
from scratchnet.widgets.ch02 import GradientDescent1D  # noqa: E402
from scratchnet.widgets.ch03 import DenseLayerGradients as Dense3  # noqa: E402
from scratchnet.widgets.ch04 import GradientSizeByDepth  # noqa: E402
from scratchnet.widgets.ch05 import SoftmaxCrossEntropyExplorer  # noqa: E402

BUDGET = 1_500_000  # bytes of scrubber HTML per chapter page (issue 10)


def data_of(html: str) -> dict:
    (text,) = re.findall(r'<script type="application/json" class="sn-scrubber-data">(.*?)</script>', html, re.S)
    return json.loads(text)


@pytest.fixture(autouse=True)
def fresh_ids():
    """Each test starts as a fresh kernel does (the id counter is per session)."""
    _scrubber._ids_seen.clear()
    yield
    _scrubber._ids_seen.clear()


def test_one_frame_per_value_and_each_frame_differs():
    scrubber = NeuronSurface().scrub("b", [-1.0, 0.0, 1.0])
    assert len(scrubber.frames) == 3 and len(set(scrubber.frames)) == 3
    assert all(f.startswith(b"\x89PNG") for f in scrubber.frames)
    assert scrubber.values == ["-1.00", "0.00", "1.00"]  # as the slider's readout shows them


@pytest.mark.parametrize("widget_class, control, values", [
    (NeuronSurface, "w2", [-1.0, 1.5]), (Dense3, "t1", [-2.0, 0.5]), (GradientDescent1D, "lr", [0.05, 0.9])])
def test_each_frame_is_exactly_what_a_new_widget_shows_at_that_value(widget_class, control, values):
    """Not the widget's own figure redrawn: chapter 1's colour bar grows a little with each redraw,
    and a frame must not depend on the frames drawn before it."""
    scrubber = widget_class().scrub(control, values)
    at_css_size = type("AtCssSize", (widget_class,), {"pixel_ratio": 1})  # frames are 1x, for page weight
    for value, frame in zip(values, scrubber.frames):
        assert bytes(at_css_size(**{control: value}).image.value) == frame


def test_scrubbing_leaves_the_widget_as_it_was():
    widget = GradientDescent1D(lr=0.2)
    before, image = widget.values, bytes(widget.image.value)
    widget.scrub("steps", [0, 5, 10])
    assert widget.values == before and bytes(widget.image.value) == image


def test_the_html_is_the_same_on_every_run_so_stored_outputs_stay_stable():
    first = NeuronSurface().scrub("b", [-1.0, 0.0, 1.0])._repr_html_()
    _scrubber._ids_seen.clear()  # a new kernel
    again = NeuronSurface().scrub("b", [-1.0, 0.0, 1.0])._repr_html_()
    assert first == again
    assert re.search(r'id="sn-scrubber-[0-9a-f]{10}"', first)


def test_ids_differ_between_scrubbers_and_between_two_copies_on_one_page():
    widget = NeuronSurface()
    a = widget.scrub("b", [-1.0, 0.0, 1.0])
    b = widget.scrub("w1", [-1.0, 0.0, 1.0])
    c = widget.scrub("b", [-1.0, 0.0, 1.0])  # the same one shown again later in the notebook
    assert len({a.id, b.id, c.id}) == 3 and c.id == a.id + "-2"


def test_the_html_carries_every_frame_and_shows_the_start_frame_without_script():
    scrubber = NeuronSurface(b=0.5).scrub("b", [-1.0, 0.0, 0.5, 1.0])
    html = scrubber._repr_html_()
    data = data_of(html)
    assert [base64.b64decode(f) for f in data["frames"]] == scrubber.frames
    assert scrubber.start == 2  # the frame nearest the control's value now
    first_img = re.search(r'<img src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(first_img) == scrubber.frames[2]


def test_the_slider_is_labelled_keyboard_operable_and_never_plays_by_itself():
    scrubber = GradientDescent1D().scrub("lr", [0.01, 0.1, 0.5])
    html = scrubber._repr_html_()
    input_id = f"{scrubber.id}-input"
    label = GradientDescent1D().controls["lr"].description  # what the control says it changes
    assert "lr" in label
    assert f'<label for="{input_id}"' in html and f">{label}</label>" in html
    assert re.search(rf'<input id="{input_id}" type="range" min="0" max="2" step="1" value="1"', html)
    assert f'aria-valuetext="{label} = 0.100"' in html
    assert data_of(html)["alts"][0] == f"GradientDescent1D: the figure with {label} = 0.010"
    for timer in ("setInterval", "setTimeout", "requestAnimationFrame", "autoplay", "play("):
        assert timer not in html


def test_an_alt_template_gives_each_frame_its_own_alt_text_and_the_picture_shown_first_too():
    scrubber = NeuronSurface().scrub("b", [-1.0, 0.0, 1.0], start=2,
                                     alt="Heat map of the output with {label} = {value}: the line moves")
    assert scrubber.alts == [f"Heat map of the output with bias b = {v}: the line moves"
                             for v in ("-1.00", "0.00", "1.00")]
    html = scrubber._repr_html_()
    assert 'alt="Heat map of the output with bias b = 1.00: the line moves"' in html  # before any script
    assert "img.alt = data.alts[i];" in html                                          # and as it moves


def test_a_dropdown_control_can_be_scrubbed_and_shows_its_option_labels():
    scrubber = SoftmaxCrossEntropyExplorer().scrub("label", [0, 1, 2])
    assert scrubber.values == ["class 0", "class 1", "class 2"] and scrubber.label == "true class"


def test_a_log_slider_takes_values_between_base_to_the_min_and_max():
    GradientSizeByDepth().scrub("scale", [0.1, 1.0, 10.0])
    with pytest.raises(ValueError, match=r"'scale' values must be numbers in \[0\.1, 10\]"):
        GradientSizeByDepth().scrub("scale", [1.0, 20.0])


def test_a_scrubber_of_nine_frames_weighs_well_under_the_page_budget():
    scrubber = NeuronSurface().scrub("b", [v / 2 for v in range(-4, 5)])
    assert len(scrubber.frames) == 9
    assert scrubber.nbytes < BUDGET / 4


@pytest.mark.parametrize("args, error, match", [
    (("bias", [0.0, 1.0]), ValueError, r"NeuronSurface has no control 'bias'; its controls are w1, w2, b"),
    (("b", [0.0]), ValueError, r"needs at least 2 values for 'b'"),
    (("b", [0.0, 5.0]), ValueError, r"'b' values must be numbers in \[-2, 2\], got 5\.0"),
    (("b", [0.0, "one"]), ValueError, r"'b' values must be numbers .* got 'one'"),
])
def test_bad_arguments_say_what_was_expected(args, error, match):
    with pytest.raises(error, match=match):
        NeuronSurface().scrub(*args)


def test_other_controls_can_be_fixed_for_every_frame_without_touching_the_widget():
    widget = GradientSizeByDepth()
    scrubber = widget.scrub("scale", [1.0, 2.0], activation="relu", depth=30)
    assert widget.values["activation"] == "sigmoid"
    at_css_size = type("AtCssSize", (GradientSizeByDepth,), {"pixel_ratio": 1})
    assert scrubber.frames[1] == bytes(at_css_size(scale=2.0, activation="relu", depth=30).image.value)
    assert scrubber.id != GradientSizeByDepth().scrub("scale", [1.0, 2.0]).id


@pytest.mark.parametrize("fixed, match", [
    ({"colour": "red"}, r"colour='red' must name one of its other controls: depth, activation"),
    ({"scale": 2.0}, r"scale=2\.0 must name one of its other controls"),
    ({"depth": 500}, r"'depth' values must be whole numbers in \[2, 50\], got 500"),
])
def test_bad_fixed_controls_are_refused(fixed, match):
    with pytest.raises(ValueError, match=match):
        GradientSizeByDepth().scrub("scale", [1.0, 2.0], **fixed)


def test_a_dropdown_value_not_among_its_options_is_refused():
    with pytest.raises(ValueError, match=r"'label' must be one of \[0, 1, 2\], got 3"):
        SoftmaxCrossEntropyExplorer().scrub("label", [0, 3])


def test_only_a_figure_widget_can_be_scrubbed():
    with pytest.raises(TypeError, match="scrub needs a FigureWidget, got dict"):
        _scrubber.scrub({}, "b", [0, 1])


def test_a_scrubber_needs_matching_frames_values_and_alt_texts():
    with pytest.raises(ValueError, match="as many frames, values and alt texts, at least 2; got 2 frames, 1 values"):
        _scrubber.Scrubber([b"a", b"b"], ["1"], "x", ["a", "b"], "sn-scrubber-x")



def test_an_alt_function_gives_each_frame_an_alt_text_of_its_own():
    said = {-1.0: "the line sits up and to the right", 0.0: "the line passes through the origin",
            1.0: "the line sits down and to the left"}
    scrubber = NeuronSurface().scrub("b", [-1.0, 0.0, 1.0], alt=lambda b: f"Heat map with b = {b}: {said[b]}")
    assert scrubber.alts == [f"Heat map with b = {b}: {said[b]}" for b in (-1.0, 0.0, 1.0)]


@pytest.mark.parametrize("alt, message", [
    (lambda b: None, r"alt must return the frame's alt text, a non-empty str; for b=-1.0 it returned None"),
    (lambda b: "  ", r"for b=-1.0 it returned '  '"),
    (42, r"alt must be a str template or a function of the value, got int"),
])
def test_an_alt_that_gives_no_text_is_refused(alt, message):
    with pytest.raises(TypeError, match=message):
        NeuronSurface().scrub("b", [-1.0, 0.0, 1.0], alt=alt)
