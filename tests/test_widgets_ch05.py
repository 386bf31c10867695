"""Chapter 5's widget without a browser: build it, move its controls, and check that the numbers
it drew follow the maths (p = softmax(z), loss = -log p[true class], gradient = p - y)."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets.ch05 import SoftmaxCrossEntropyExplorer, softmax_cross_entropy  # noqa: E402


def test_function_matches_the_formulas():
    z = np.array([2.0, 1.0, -1.0])
    p, loss, grad = softmax_cross_entropy(z, 1)
    expected_p = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(p, expected_p)
    assert loss == pytest.approx(-np.log(expected_p[1]))
    np.testing.assert_allclose(grad, expected_p - [0, 1, 0])


def test_function_is_finite_for_extreme_logits():
    p, loss, grad = softmax_cross_entropy([1e4, 0.0, -1e4], 2)
    assert loss == pytest.approx(2e4)
    np.testing.assert_allclose(grad, [1.0, 0.0, -1.0])


def test_builds_with_controls_and_draws():
    widget = SoftmaxCrossEntropyExplorer()
    assert set(widget.controls) == {"z0", "z1", "z2", "label"}
    assert all(c.description for c in widget.controls.values())
    assert all(not c.continuous_update for name, c in widget.controls.items() if name != "label")
    assert widget.draws == 1 and widget.image.value[:4] == b"\x89PNG"
    data = widget.data
    assert data["p"].sum() == pytest.approx(1.0)
    assert data["grad"].sum() == pytest.approx(0.0, abs=1e-12)


def test_raising_the_true_logit_lowers_the_loss():
    widget = SoftmaxCrossEntropyExplorer(z0=0.0, z1=0.0, z2=0.0, label=1)
    assert widget.data["loss"] == pytest.approx(np.log(3))
    np.testing.assert_allclose(widget.data["grad"], [1 / 3, -2 / 3, 1 / 3])
    before = widget.data["loss"]
    widget.controls["z1"].value = 3.0
    assert widget.draws == 2
    assert widget.data["loss"] < before
    assert widget.data["p"][1] > 1 / 3
    np.testing.assert_allclose(widget.data["grad"], widget.data["p"] - [0, 1, 0])


def test_the_true_class_is_chosen_by_buttons_the_keyboard_can_drive():
    import ipywidgets
    label = SoftmaxCrossEntropyExplorer().controls["label"]
    assert isinstance(label, ipywidgets.ToggleButtons) and label.description == "true class"
    assert list(label.options) == [("class 0", 0), ("class 1", 1), ("class 2", 2)]


def test_changing_the_true_class_moves_the_negative_bar():
    widget = SoftmaxCrossEntropyExplorer(z0=4.0, z1=0.5, z2=-1.0, label=0)
    right = widget.data["loss"]
    assert np.argmin(widget.data["grad"]) == 0
    widget.controls["label"].value = 2
    np.testing.assert_array_equal(widget.data["y"], [0.0, 0.0, 1.0])
    assert np.argmin(widget.data["grad"]) == 2
    assert widget.data["grad"][2] < -0.9  # confident and wrong: a push of almost -1
    assert widget.data["loss"] > right + 4


def test_standin_draws_every_setting():
    widget = SoftmaxCrossEntropyExplorer()
    settings = [dict(z0=4.0, z1=0.5, z2=-1.0, label=0), dict(z0=4.0, z1=0.5, z2=-1.0, label=2),
                dict(z0=0.2, z1=0.0, z2=-0.2, label=1)]
    standin = widget.standin(settings, ["right", "wrong", "uncertain"])
    assert len(standin.figure.axes) == 2 * len(settings)
    assert standin._repr_png_()[:4] == b"\x89PNG"
