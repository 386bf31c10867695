"""Chapter 7's widget, without a browser: build it, move its controls, and check that the paths
it drew are the optimizers' own steps."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import scratchnet as sn  # noqa: E402
from scratchnet.gradcheck import numerical_gradient  # noqa: E402
from scratchnet.widgets.ch07 import (NAMES, SURFACES, OptimizerPaths, _in_view, quadratic,  # noqa: E402
                                     quadratic_grad, rosenbrock, rosenbrock_grad, run_path)


CLASSES = dict(Parameter=sn.Parameter, SGD=sn.SGD, RMSProp=sn.RMSProp, Adam=sn.Adam)


@pytest.fixture
def widget():
    return OptimizerPaths(**CLASSES)


def test_initial_drawing_has_five_paths_from_the_start(widget):
    d = widget.data
    steps = widget.values["steps"]
    assert list(d["paths"]) == NAMES and d["diverged"] == []
    for name, path in d["paths"].items():
        assert path.shape == (steps + 1, 2), name
        np.testing.assert_array_equal(path[0], SURFACES[widget.values["surface"]].start)
        np.testing.assert_allclose(d["losses"][name], quadratic(path.T))


def test_gradient_descent_path_is_the_plain_step(widget):
    lr = widget.values["lr_sgd"]
    path = widget.data["paths"]["gradient descent"]
    for a, b in zip(path[:-1], path[1:]):
        np.testing.assert_allclose(b, a - lr * quadratic_grad(a))


def test_each_path_is_the_library_optimizer_in_a_hand_loop(widget):
    v = widget.values
    expected = {"momentum": sn.SGD(lr=v["lr_sgd"], momentum=v["momentum"]),
                "Nesterov": sn.SGD(lr=v["lr_sgd"], momentum=v["momentum"], nesterov=True),
                "RMSProp": sn.RMSProp(lr=v["lr_adaptive"], rho=0.9),
                "Adam": sn.Adam(lr=v["lr_adaptive"], betas=(v["beta1"], v["beta2"]))}
    for name, opt in expected.items():
        w = sn.Parameter(SURFACES[v["surface"]].start.copy())
        mine = [w.value.copy()]
        for _ in range(v["steps"]):
            w.zero_grad()
            w.grad += quadratic_grad(w.value)
            opt.step([w])
            mine.append(w.value.copy())
        np.testing.assert_array_equal(widget.data["paths"][name], np.array(mine), err_msg=name)


def test_the_optimizer_classes_passed_in_are_the_ones_used():
    calls = []

    class CountingAdam(sn.Adam):
        def update(self, p, state):
            calls.append(self.betas)
            super().update(p, state)

    widget = OptimizerPaths(**{**CLASSES, "Adam": CountingAdam}, steps=20, beta1=0.5)
    assert len(calls) == 20 and calls[0] == (0.5, 0.999)
    assert widget.classes["SGD"] is sn.SGD


def test_moving_controls_redraws(widget):
    draws = widget.draws
    widget.controls["steps"].value = 30
    assert widget.draws == draws + 1
    assert all(len(p) == 31 for p in widget.data["paths"].values())
    widget.controls["beta1"].value = 0.5
    assert widget.draws == draws + 2


def test_switching_the_surface_sets_its_learning_rates_and_draws_once(widget):
    draws = widget.draws
    widget.controls["surface"].value = "Rosenbrock"
    assert widget.draws == draws + 1
    assert widget.values["lr_sgd"] == pytest.approx(SURFACES["Rosenbrock"].lr_sgd, rel=0.06)
    assert widget.values["lr_adaptive"] == pytest.approx(SURFACES["Rosenbrock"].lr_adaptive, rel=0.06)
    d = widget.data
    np.testing.assert_allclose(d["losses"]["Adam"], rosenbrock(d["paths"]["Adam"].T))
    assert d["start"].tolist() == SURFACES["Rosenbrock"].start.tolist()


def test_momentum_beats_gradient_descent_on_both_surfaces(widget):
    widget.controls["steps"].value = 300
    for surface in SURFACES:
        widget.controls["surface"].value = surface
        final = {name: loss[-1] for name, loss in widget.data["losses"].items()}
        assert final["momentum"] < final["gradient descent"] / 10, (surface, final)


def test_zero_momentum_leaves_out_the_momentum_paths(widget):
    widget.controls["momentum"].value = 0.0
    assert list(widget.data["paths"]) == ["gradient descent", "RMSProp", "Adam"]


def test_a_diverging_path_stops_and_stays_finite(widget):
    widget.controls["lr_sgd"].value = 0.3     # far past 2 / 50 on the valley
    d = widget.data
    assert {"gradient descent", "momentum", "Nesterov"} <= set(d["diverged"])
    for name in d["diverged"]:
        assert len(d["paths"][name]) < widget.values["steps"] + 1
        assert np.all(np.isfinite(d["paths"][name]))


def test_the_largest_settings_draw_without_warnings(widget):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for surface in SURFACES:
            widget.controls["surface"].value = surface
            for name in ("lr_sgd", "lr_adaptive", "steps", "momentum", "beta1", "beta2"):
                widget.controls[name].value = widget.controls[name].max
    assert all(np.all(np.isfinite(p)) for p in widget.data["paths"].values())


@pytest.mark.parametrize("loss, grad, point", [
    (quadratic, quadratic_grad, [-1.3, 0.7]),
    (rosenbrock, rosenbrock_grad, [-1.2, 1.5]),
    (rosenbrock, rosenbrock_grad, [0.4, -0.3]),
])
def test_the_surfaces_gradients_are_right(loss, grad, point):
    numerical = numerical_gradient(lambda w: float(loss(w)), np.array(point))
    np.testing.assert_allclose(grad(np.array(point)), numerical, rtol=1e-6, atol=1e-6)


def test_minima_are_where_the_surfaces_say():
    for surface in SURFACES.values():
        assert surface.loss(surface.minimum) == 0.0
        np.testing.assert_array_equal(surface.grad(surface.minimum), [0.0, 0.0])


def test_run_path_stops_at_blow_up():
    path = run_path(sn.SGD(lr=1.0), quadratic_grad, [1.0, 1.0], 1000, sn.Parameter)
    assert len(path) < 1001 and np.all(np.isfinite(path))


def test_in_view_cuts_a_path_where_it_leaves():
    path = np.array([[0.0, 0.0], [1.0, 0.0], [50.0, 0.0], [0.0, 0.0]])
    assert _in_view(path, (-5, 5), (-1, 1)) == 3
    assert _in_view(path[:2], (-5, 5), (-1, 1)) == 2


def test_every_control_says_what_it_changes(widget):
    for name, control in widget.controls.items():
        assert control.description, name
    assert "μ" in widget.controls["momentum"].description


def test_the_classes_must_be_given():
    with pytest.raises(TypeError, match="Parameter"):
        OptimizerPaths(SGD=sn.SGD, RMSProp=sn.RMSProp, Adam=sn.Adam)


def test_bad_control_name():
    with pytest.raises(ValueError, match="no control"):
        OptimizerPaths(**CLASSES, learning_rate=0.1)


def test_standin_draws_every_setting(widget):
    settings = [dict(surface="ill-conditioned quadratic", lr_sgd=0.025, steps=50),
                dict(surface="Rosenbrock", lr_sgd=0.001, lr_adaptive=0.05, beta2=0.9, steps=100)]
    standin = widget.standin(settings, ["a", "b"])
    assert len(standin.figure.axes) == 4
    assert standin._repr_png_().startswith(b"\x89PNG")
