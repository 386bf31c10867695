"""Chapter 2's widget, without a browser: build it, move its controls, and check the numbers it drew."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets.ch02 import GradientDescent1D, descend, one_weight_data  # noqa: E402


@pytest.fixture
def widget():
    return GradientDescent1D()


def test_default_data_is_the_chapters():
    x, y = one_weight_data()
    rng = np.random.default_rng(0)
    x_ch = rng.uniform(-1.5, 1.5, size=20)
    np.testing.assert_array_equal(x, x_ch)
    np.testing.assert_array_equal(y, 2.0 * x_ch + rng.normal(scale=0.3, size=20))


def test_initial_drawing(widget):
    d = widget.data
    assert len(d["w"]) == widget.values["steps"] + 1 and d["w"][0] == widget.values["w0"]
    assert d["curvature"] == pytest.approx(2 * np.mean(widget.x ** 2))
    assert d["w_star"] == pytest.approx(np.sum(widget.x * widget.y) / np.sum(widget.x ** 2))
    np.testing.assert_allclose(d["loss"], [np.mean((w * widget.x - widget.y) ** 2) for w in d["w"]])


def test_each_step_is_a_gradient_step(widget):
    widget.controls["lr"].value = 0.3
    w, lr = widget.data["w"], 0.3
    for a, b in zip(w[:-1], w[1:]):
        assert b == pytest.approx(a - lr * np.mean(2 * (a * widget.x - widget.y) * widget.x))


def test_the_tangent_has_the_slope_of_the_loss_at_the_current_weight(widget):
    widget.controls["steps"].value = 3
    d = widget.data
    assert d["tangent_w"] == d["w"][-1]
    h = 1e-6
    slope = (widget.loss(d["tangent_w"] + h) - widget.loss(d["tangent_w"] - h)) / (2 * h)
    assert d["tangent_slope"] == pytest.approx(slope, rel=1e-6)


def test_moving_controls_redraws(widget):
    draws = widget.draws
    widget.controls["w0"].value = 4.0
    assert widget.draws == draws + 1 and widget.data["w"][0] == 4.0
    widget.controls["steps"].value = 0
    assert list(widget.data["w"]) == [4.0]


@pytest.mark.parametrize("lr_times_curvature, regime", [
    (0.1, "creeps in"), (0.8, "converges"), (1.5, "overshoots, zigzags in"), (2.3, "diverges")])
def test_the_learning_rate_regimes(widget, lr_times_curvature, regime):
    widget.controls["steps"].value = 12
    widget.controls["lr"].value = lr_times_curvature / widget.curvature
    d = widget.data
    assert d["regime"] == regime
    distance = d["w"] - d["w_star"]
    if regime in ("creeps in", "converges"):           # same side of w*, getting closer
        assert np.all(np.sign(distance) == np.sign(distance[0]))
        assert np.all(np.abs(distance[1:]) < np.abs(distance[:-1]))
    elif regime == "overshoots, zigzags in":          # alternating sides, getting closer
        assert np.all(np.sign(distance[1:]) == -np.sign(distance[:-1]))
        assert np.all(np.abs(distance[1:]) < np.abs(distance[:-1]))
    else:                                             # alternating sides, getting farther
        assert np.all(np.abs(distance[1:]) > np.abs(distance[:-1]))
        assert d["loss"][-1] > 100 * d["loss"][0]


def test_largest_settings_stay_finite_without_warnings(widget):
    widget.controls["lr"].value = widget.controls["lr"].max
    widget.controls["steps"].value = widget.controls["steps"].max
    assert np.all(np.isfinite(widget.data["w"])) and np.all(np.isfinite(widget.data["loss"]))


def test_descend_stops_when_it_blows_up():
    x, y = np.array([1.0, 2.0]), np.array([1.0, 2.0])
    weights = descend(x, y, w0=1.0 + 1e-3, lr=100.0, steps=1000)
    assert len(weights) < 1001 and np.all(np.isfinite(weights))


def test_custom_data_and_bad_data():
    widget = GradientDescent1D(np.array([1.0, 2.0]), np.array([2.0, 4.0]), lr=0.1)
    assert widget.data["w_star"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="one shape"):
        GradientDescent1D(np.array([1.0, 2.0]), np.array([2.0]))
    with pytest.raises(ValueError, match="no control"):
        GradientDescent1D(learning_rate=0.1)


def test_standin_draws_every_setting(widget):
    settings = [dict(w0=-1.0, lr=lr, steps=10) for lr in (0.05, 0.4, 0.9, 1.2)]
    standin = widget.standin(settings, ["a", "b", "c", "d"])
    assert len(standin.figure.axes) == 8
    assert standin._repr_png_().startswith(b"\x89PNG")
