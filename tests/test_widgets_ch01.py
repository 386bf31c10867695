"""Chapter 1's widget, tested without a browser: move a slider, check what it drew."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets.ch01 import GRID, NeuronSurface, neuron_surface  # noqa: E402


def test_initial_drawing_is_the_neuron_formula():
    widget = NeuronSurface()
    x1, x2 = np.meshgrid(GRID, GRID)
    assert np.allclose(widget.data["z"], 1.0 * x1 + 0.5 * x2 + 0.0)
    assert widget.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_moving_the_bias_shifts_every_output_by_the_same_amount():
    widget = NeuronSurface()
    before, draws, png = widget.data["z"].copy(), widget.draws, widget.image.value
    widget.controls["b"].value = 1.5
    assert widget.draws == draws + 1
    assert np.allclose(widget.data["z"] - before, 1.5)
    assert widget.image.value != png


def test_moving_a_weight_tilts_the_plane_along_that_input():
    widget = NeuronSurface(w1=0.0, w2=0.0, b=0.0)
    assert np.allclose(widget.data["z"], 0.0)
    widget.controls["w2"].value = 2.0
    z = widget.data["z"]
    assert np.allclose(z[:, 0], 2.0 * GRID)        # grows along x2 (rows)...
    assert np.allclose(z[0, :], z[0, 0])          # ...and is flat along x1


def test_standin_draws_each_setting_once():
    widget = NeuronSurface()
    standin = widget.standin([dict(b=0.0), dict(b=2.0)], ["a", "b"])
    assert len([ax for ax in standin.figure.axes if ax.images]) == 2
    assert standin._repr_png_()[:4] == b"\x89PNG"
    assert "2 settings" in repr(standin)


def test_unknown_control_is_a_clear_error():
    with pytest.raises(ValueError, match="no control 'w3'"):
        NeuronSurface(w3=1.0)


def test_surface_formula_by_hand():
    z = neuron_surface(1.0, -2.0, 0.5, grid=np.array([0.0, 1.0]))
    assert np.allclose(z, [[0.5, 1.5], [-1.5, -0.5]])
