"""Chapter 8's widget, tested without a browser: change the initialiser, activation or depth, and
check that the activations and gradients it drew vanish, hold steady or explode as the maths says."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets import ch08  # noqa: E402
from scratchnet.widgets.ch08 import INITS, InitHistograms, init_statistics, shown_layers  # noqa: E402


def test_initial_drawing_is_a_steady_he_relu_stack():
    widget = InitHistograms()
    assert widget.values == {"init": "he_normal", "activation": "relu", "depth": 10}
    act, grad = widget.data["activation_std"], widget.data["gradient_std"]
    assert act.shape == grad.shape == (10,)
    assert 0.5 < act.min() and act.max() < 2 and 0.5 < grad.min() and grad.max() < 2
    assert widget.data["layers"] == [1, 3, 6, 8, 10]
    assert widget.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_small_fixed_std_makes_both_vanish():
    widget = InitHistograms()
    draws, png = widget.draws, widget.image.value
    widget.controls["init"].value = "normal(0.01)"
    assert widget.draws == draws + 1 and widget.image.value != png
    act, grad = widget.data["activation_std"], widget.data["gradient_std"]
    # each ReLU layer multiplies the std by about sqrt(256 * 0.01**2 / 2) = 0.113
    assert act[-1] / act[0] == pytest.approx(0.113 ** 9, rel=0.5)
    assert np.all(np.diff(act) < 0) and np.all(np.diff(grad) > 0)  # gradients vanish towards layer 1
    assert grad[0] < 1e-8


def test_std_one_with_tanh_saturates():
    widget = InitHistograms(init="normal(1)", activation="tanh")
    edges, hist = widget.data["activation_edges"], widget.data["activation_hist"]
    centres = (edges[:-1] + edges[1:]) / 2
    for layer in widget.data["layers"]:
        # most of each layer's outputs are within 0.05 of -1 or +1
        assert hist[layer][np.abs(np.abs(centres) - 1) < 0.05].sum() > 0.5
    assert widget.data["activation_std"].min() > 0.9


def test_xavier_fades_with_relu_and_he_does_not():
    xavier = init_statistics("xavier_normal", "relu", 20, batch=64)["activation_std"]
    he = init_statistics("he_normal", "relu", 20, batch=64)["activation_std"]
    assert xavier[-1] < 0.01 < 0.5 < he[-1]
    # Xavier for a square layer: variance 1 / n; ReLU halves it: the std falls by sqrt(2) a layer
    assert (xavier[-1] / xavier[9]) ** (1 / 10) == pytest.approx(1 / math.sqrt(2), rel=0.05)


def test_depth_changes_the_number_of_layers_but_not_the_first_ones():
    widget = InitHistograms()
    first = widget.data["activation_std"].copy()
    widget.controls["depth"].value = 25
    assert widget.data["activation_std"].shape == (25,)
    assert np.allclose(widget.data["activation_std"][:10], first)
    assert widget.data["layers"] == [1, 7, 13, 19, 25]


def test_statistics_by_hand_for_one_relu_layer():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 256))
    W = rng.normal(0.0, math.sqrt(2 / 256), size=(256, 256))
    g = np.random.default_rng(1).normal(size=(256, 256))
    z = x @ W
    stats = init_statistics("he_normal", "relu", 1, keep=(1,))
    assert stats["activation_std"][0] == pytest.approx(np.maximum(z, 0).std())
    assert stats["gradient_std"][0] == pytest.approx(((g * (z > 0)) @ W.T).std())
    assert np.allclose(stats["activations"][1], np.maximum(z, 0))


def test_the_draws_match_scratchnet_init():
    """The widget's weights are the library's: the same calls on the same generator."""
    from scratchnet import init
    for name in ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal"]:
        ours = INITS[name]((30, 20), np.random.default_rng(4))
        assert np.array_equal(ours, getattr(init, name)((30, 20), rng=4)), name
    assert np.array_equal(INITS["normal(0.01)"]((3, 2), np.random.default_rng(0)),
                          init.normal(0.01)((3, 2), rng=0))


def test_histograms_are_fractions_and_leave_relu_zeros_out():
    widget = InitHistograms(depth=4)
    for layer, fractions in widget.data["activation_hist"].items():
        assert 0.3 < fractions.sum() <= 0.5 + 0.05  # about half the ReLU outputs are zero
    for layer, fractions in widget.data["gradient_hist"].items():
        assert 0.97 < fractions.sum() <= 1.0
    assert widget.data["activation_edges"][0] == 0


def test_extreme_settings_stay_finite_and_quiet():
    with np.errstate(all="raise"):
        for init in INITS:
            for activation in ("tanh", "relu"):
                stats = init_statistics(init, activation, 30, width=64, batch=16)
                assert np.all(np.isfinite(stats["activation_std"])), (init, activation)
    InitHistograms(init="normal(1)", activation="relu", depth=12)


def test_shown_layers():
    assert shown_layers(2) == [1, 2] and shown_layers(3) == [1, 2, 3] and shown_layers(30) == [1, 8, 16, 23, 30]


def test_bad_names_are_clear_errors():
    with pytest.raises(ValueError, match=r"init must be one of normal\(0.01\), .*he_normal, got 'lecun'"):
        init_statistics("lecun", "relu", 3)
    with pytest.raises(ValueError, match="activation must be one of tanh, relu, got 'elu'"):
        init_statistics("he_normal", "elu", 3)


def test_every_control_has_a_description():
    widget = InitHistograms()
    assert {c.description for c in widget.controls.values()} == {"weight initialiser", "activation function", "depth (layers)"}


def test_standin_draws_each_setting_in_its_own_row():
    widget = InitHistograms()
    settings = [dict(init="normal(0.01)"), dict(init="he_normal"), dict(init="xavier_normal")]
    standin = widget.standin(settings, ["a", "b", "c"])
    assert len(standin.figure.axes) == 9
    assert standin._repr_png_()[:4] == b"\x89PNG"
    assert widget.values["init"] == "he_normal"  # the stand-in does not move the controls


def test_widget_does_not_import_chapter_modules():
    """Gating: chapter 8 runs against a package exported from chapters 1..7 only."""
    tree = ast.parse(Path(ch08.__file__).read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {m for m in modules if m and m.startswith("scratchnet")} == {"scratchnet.widgets._base"}


def test_checks_do_not_import_chapter_modules():
    from scratchnet.checks import ch08 as checks
    tree = ast.parse(Path(checks.__file__).read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in modules if m and m.startswith("scratchnet")} == {"scratchnet.checks._core"}
