"""Chapter 3's widget, tested without a browser: move a slider, check the gradients it drew."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets.ch03 import B_DEMO, W_DEMO, X_REST, DenseLayerGradients, dense_gradients  # noqa: E402


def test_initial_drawing_is_the_backward_formulas():
    widget = DenseLayerGradients()
    x, t, data = np.array([[1.0, *X_REST]]), np.array([[1.5, 1.0]]), widget.data
    z = x @ W_DEMO + B_DEMO
    assert np.allclose(data["z"], z) and np.allclose(data["z"], [[0.5, 2.0]])
    assert np.allclose(data["G"], z - t)
    assert np.allclose(data["dW"], x.T @ (z - t))
    assert np.allclose(data["db"], (z - t).sum(axis=0))
    assert np.allclose(data["dx"], (z - t) @ W_DEMO.T)
    assert np.isclose(data["loss"], 0.5 * np.sum((z - t) ** 2))
    assert widget.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_zero_input_gives_its_row_of_weights_no_gradient():
    widget = DenseLayerGradients()
    assert not np.allclose(widget.data["dW"][0], 0.0)
    draws, png = widget.draws, widget.image.value
    widget.controls["x1"].value = 0.0
    assert widget.draws == draws + 1 and widget.image.value != png
    assert np.allclose(widget.data["dW"][0], 0.0)
    assert not np.allclose(widget.data["dW"][1:], 0.0)


def test_a_target_on_its_output_gives_its_column_no_gradient():
    widget = DenseLayerGradients(x1=1.0)
    widget.controls["t1"].value = 0.5  # z1 = 0.5 at x1 = 1
    assert np.isclose(widget.data["G"][0, 0], 0.0)
    assert np.allclose(widget.data["dW"][:, 0], 0.0)
    assert not np.allclose(widget.data["dW"][:, 1], 0.0)


def test_moving_a_target_moves_the_input_gradient_along_a_row_of_W():
    widget = DenseLayerGradients()
    before = widget.data["dx"].copy()
    widget.controls["t2"].value = widget.controls["t2"].value + 1.0  # G2 drops by 1
    assert np.allclose(widget.data["dx"] - before, -W_DEMO[:, 1])


def test_dW_of_one_sample_is_an_outer_product():
    widget = DenseLayerGradients(x1=-1.5, t1=-2.0, t2=0.75)
    assert np.linalg.matrix_rank(widget.data["dW"]) == 1


def test_dense_gradients_agree_with_dense_backward():
    from scratchnet.layers import Dense
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer = Dense(3, 2, rng=1, dtype=np.float64)
    g = dense_gradients(x, layer.W.value, layer.b.value, t)
    assert np.allclose(layer.forward(x), g["z"])
    dx = layer.backward(g["G"])
    assert np.allclose(layer.W.grad, g["dW"]) and np.allclose(layer.b.grad, g["db"])
    assert np.allclose(dx, g["dx"])


def test_standin_draws_each_setting_in_its_own_row():
    widget = DenseLayerGradients()
    standin = widget.standin([dict(x1=1.0), dict(x1=0.0), dict(t1=0.5)], ["a", "b", "c"])
    assert len([ax for ax in standin.figure.axes if ax.images]) == 3
    assert standin._repr_png_()[:4] == b"\x89PNG"
    assert "3 settings" in repr(standin)


def test_controls_are_basic_and_do_not_update_continuously():
    widget = DenseLayerGradients()
    for name, control in widget.controls.items():
        assert type(control).__name__ == "FloatSlider" and control.description
        assert control.continuous_update is False
