"""Chapter 4's widget, tested without a browser: change the activation, depth or weight scale,
and check that the gradient sizes it drew vanish, hold steady or explode as the maths says."""

import ast
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets import ch04  # noqa: E402
from scratchnet.widgets.ch04 import GradientSizeByDepth, gradient_norms, random_stack  # noqa: E402


def test_initial_drawing_is_a_sigmoid_stack_whose_gradient_vanishes():
    widget = GradientSizeByDepth()
    assert widget.values == {"depth": 20, "activation": "sigmoid", "scale": 1.0}
    norms = widget.data["norms"]
    assert norms.shape == (20,) and np.array_equal(widget.data["layers"], np.arange(1, 21))
    assert norms[0] < 1e-10 < norms[-1] and np.all(np.diff(norms) > 0)  # shrinks towards layer 1
    assert widget.data["factor"] <= 0.25 + 1e-9  # the sigmoid's slope is at most 1/4
    assert widget.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_relu_with_he_scale_keeps_the_gradient_steady():
    widget = GradientSizeByDepth()
    draws, png = widget.draws, widget.image.value
    widget.controls["activation"].value = "relu"
    widget.controls["scale"].value = np.sqrt(2)
    assert widget.draws == draws + 2 and widget.image.value != png
    assert 0.5 < widget.data["norms"].min() and widget.data["norms"].max() < 2
    assert 0.95 < widget.data["factor"] < 1.05


def test_a_large_scale_makes_the_gradient_explode():
    widget = GradientSizeByDepth(activation="relu", scale=3.0, depth=30)
    norms = widget.data["norms"]
    assert norms[0] > 1e8 and np.all(np.diff(norms) < 0)
    assert widget.data["factor"] == pytest.approx(3 / np.sqrt(2), rel=0.05)  # ReLU halves the units


def test_depth_changes_the_number_of_layers_but_not_the_first_ones():
    widget = GradientSizeByDepth(activation="tanh")
    widget.controls["depth"].value = 35
    assert widget.data["norms"].shape == (35,)
    x20, w20, g20 = random_stack(20, 1.0)
    x35, w35, g35 = random_stack(35, 1.0)
    assert np.array_equal(x20, x35) and np.array_equal(g20, g35) and np.array_equal(w20[0], w35[0])


def test_gradient_norms_by_hand_for_one_relu_layer():
    # Depth 1, ReLU: dL/dh_0 = (g * [z > 0]) @ W.T, computed here directly.
    x, (W,), g = random_stack(1, 1.0, width=5, batch=3, seed=4)
    expected = (g * (x @ W > 0)) @ W.T
    rms = np.sqrt(np.mean(np.sum(expected ** 2, axis=1)))
    assert gradient_norms(1, "relu", 1.0, width=5, batch=3, seed=4) == pytest.approx([rms])


def test_top_gradient_has_size_one():
    _, _, g = random_stack(3, 1.0)
    assert np.allclose(np.linalg.norm(g, axis=1), 1.0)


def test_extreme_settings_stay_finite_without_warnings():
    for activation in ("sigmoid", "tanh", "relu"):
        for scale in (0.1, 10.0):
            assert np.isfinite(gradient_norms(50, activation, scale)).all()
    GradientSizeByDepth(depth=50, activation="relu", scale=10.0)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="activation must be one of sigmoid, tanh, relu, got 'elu'"):
        gradient_norms(3, "elu", 1.0)


def test_standin_draws_each_setting_once():
    widget = GradientSizeByDepth()
    settings = [dict(activation="sigmoid", depth=30, scale=1.0),
                dict(activation="relu", depth=30, scale=np.sqrt(2)),
                dict(activation="relu", depth=30, scale=3.0)]
    standin = widget.standin(settings, ["vanishing", "steady", "exploding"])
    assert len([ax for ax in standin.figure.axes if ax.lines]) == 3
    assert standin._repr_png_()[:4] == b"\x89PNG"
    assert "3 settings" in repr(standin)
    assert widget.values["activation"] == "sigmoid"  # the stand-in does not move the controls


def test_widget_does_not_import_chapter_modules():
    """Gating: chapter 4 runs against a package exported from chapters 1..3 only."""
    tree = ast.parse(Path(ch04.__file__).read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {m for m in modules if m and m.startswith("scratchnet")} == {"scratchnet._reference", "scratchnet.widgets._base"}


def test_the_layer_axis_has_whole_number_ticks_at_every_depth():
    widget = GradientSizeByDepth()
    for depth in (2, 3, 5, 7, 20, 33, 50):
        widget.controls["depth"].value = depth
        ticks = widget.axes[0].get_xticks()
        assert all(float(t).is_integer() for t in ticks), (depth, ticks)


def test_without_the_integer_locator_the_ticks_would_fall_between_layers():
    """Companion: matplotlib's default ticks for layers 1..5 include halves, so the test above can fail."""
    from matplotlib.figure import Figure
    ax = Figure().subplots()
    ax.semilogy(np.arange(1, 6), np.ones(5))
    assert not all(float(t).is_integer() for t in ax.get_xticks())


def test_controls_say_what_they_change_and_the_activation_is_chosen_by_buttons():
    import ipywidgets
    widget = GradientSizeByDepth()
    controls = widget.controls
    assert controls["scale"].description == "weight scale" and controls["depth"].description == "depth (layers)"
    assert isinstance(controls["activation"], ipywidgets.ToggleButtons)
    assert list(controls["activation"].options) == ["sigmoid", "tanh", "relu"]
    assert "weight scale 1.00" in widget.axes[0].get_title()
