"""The Optimizer base and plain SGD (chapter 6): values by hand, gradients, PyTorch, bad inputs.

SGD's momentum, Nesterov, weight decay and decay are chapter 7's, tested in test_optim.py.
An optimizer has no backward pass; its "gradient check" here is that a step moves each weight by
-lr times the float64 central-difference gradient of the loss.
"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.gradcheck import numerical_gradient
from scratchnet.optim import SGD, Optimizer


def param(values, grad=None):
    p = sn.Parameter(np.array(values, dtype=np.float64))
    if grad is not None:
        p.grad[...] = grad
    return p


# values by hand

def test_one_step_by_hand():
    w = param([1.0, 2.0], grad=[0.5, -1.0])
    opt = SGD(lr=0.1)
    opt.step([w])
    assert np.allclose(w.value, [0.95, 2.1])
    assert opt.iterations == 1


def test_step_updates_in_place_and_leaves_the_grad():
    w = param([[1.0, -1.0], [0.0, 2.0]], grad=[[1.0, 1.0], [-2.0, 0.0]])
    value, grad = w.value, w.grad
    SGD(lr=0.5).step([w])
    assert w.value is value and w.grad is grad            # the same arrays, changed in place
    assert np.array_equal(w.value, [[0.5, -1.5], [1.0, 2.0]])
    assert np.array_equal(w.grad, [[1.0, 1.0], [-2.0, 0.0]])


def test_float32_parameters_stay_float32():
    w = sn.Parameter(np.ones(3, dtype=np.float32))
    w.grad[...] = 0.25
    SGD(lr=0.1).step(w)                                      # a single Parameter works too
    assert w.value.dtype == np.float32
    assert np.allclose(w.value, 0.975)


def test_zero_grad_clears_every_gradient_in_place():
    a, b = param([1.0], grad=[3.0]), param([[1.0, 2.0]], grad=[[4.0, 5.0]])
    grads = (a.grad, b.grad)
    SGD().zero_grad([a, b])
    assert a.grad is grads[0] and b.grad is grads[1]
    assert not a.grad.any() and not b.grad.any()


def test_state_is_per_parameter_and_survives_a_new_order():
    """State lives in the optimizer, keyed per parameter: another order, or a rebuilt list of
    the same Parameters, finds the same state (chapter 7's velocities depend on it)."""
    class Counting(Optimizer):
        def update(self, p, state):
            state["count"] = state.get("count", 0) + 1
    a, b = param([1.0]), param([2.0])
    opt = Counting(lr=1.0)
    opt.step([a, b])
    opt.step([b, a])
    opt.step(list([a]))
    assert opt.state[id(a)]["count"] == 3 and opt.state[id(b)]["count"] == 2
    assert opt.state[id(a)]["param"] is a
    assert opt.iterations == 3


def test_a_recycled_id_gets_fresh_state():
    class Counting(Optimizer):
        def update(self, p, state):
            state["count"] = state.get("count", 0) + 1
    opt = Counting(lr=1.0)
    a = param([1.0])
    opt.step([a])
    stale = {"param": param([0.0]), "count": 99}            # what a dead parameter left behind
    opt.state[id(a)] = stale
    opt.step([a])
    assert opt.state[id(a)]["param"] is a and opt.state[id(a)]["count"] == 1


def test_repr_shows_hyperparameters():
    assert repr(SGD()) == "SGD()"
    assert repr(SGD(lr=0.1)) == "SGD(lr=0.1)"


def test_lr_is_a_plain_attribute_that_a_schedule_may_change():
    w = param([1.0], grad=[1.0])
    opt = SGD(lr=0.1)
    opt.lr = 0.5
    opt.step([w])
    assert np.isclose(w.value[0], 0.5)


# gradients: a step goes downhill along the numerical gradient

def test_a_step_is_minus_lr_times_the_numerical_gradient():
    rng = np.random.default_rng(0)
    layer = sn.Dense(3, 2, rng=1, dtype=np.float64)
    x, t = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    mse = sn.MSE()

    def loss_of(_):
        return mse(layer.forward(x), t)

    expected = {id(p): p.value - 0.05 * numerical_gradient(loss_of, p.value) for p in layer.parameters()}
    before = loss_of(None)
    layer.backward(mse.backward())
    SGD(lr=0.05).step(layer.parameters())
    for p in layer.parameters():
        assert np.allclose(p.value, expected[id(p)], atol=1e-8)
    assert loss_of(None) < before                            # a small step goes downhill


def test_many_steps_reach_the_minimum_of_a_quadratic():
    """L(w) = 0.5 * sum(a * (w - c)**2): SGD with lr < 2 / max(a) converges to c."""
    a, c = np.array([1.0, 4.0]), np.array([3.0, -2.0])
    w = param([0.0, 0.0])
    opt = SGD(lr=0.2)
    for _ in range(200):
        opt.zero_grad([w])
        w.grad += a * (w.value - c)
        opt.step([w])
    assert np.allclose(w.value, c)


# PyTorch

def test_plain_sgd_matches_torch_for_50_steps():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(4, 3))
    grads = rng.normal(size=(50, 4, 3))
    w = param(w0)
    opt = SGD(lr=0.03)
    tw = torch.tensor(w0, requires_grad=True)
    topt = torch.optim.SGD([tw], lr=0.03)
    for g in grads:
        opt.zero_grad([w])
        w.grad += g
        opt.step([w])
        topt.zero_grad()
        tw.grad = torch.tensor(g)
        topt.step()
    assert np.allclose(w.value, tw.detach().numpy(), rtol=1e-12, atol=1e-12)


# bad inputs

@pytest.mark.parametrize("lr, shown, kind", [
    (-0.1, "-0.1", ValueError), (0, "0.0", ValueError), (float("nan"), "nan", ValueError),
    (float("inf"), "inf", ValueError), ("0.1", "str: '0.1'", TypeError), (True, "bool: True", TypeError),
    (None, "NoneType: None", TypeError)])
def test_bad_learning_rates_are_refused(lr, shown, kind):
    with pytest.raises(kind, match=rf"SGD: lr must be .*got {shown}$"):
        SGD(lr=lr)


def test_a_good_learning_rate_is_accepted_as_the_companion_of_the_guard():
    assert SGD(lr=1e-6).lr == 1e-6 and SGD(lr=np.float32(0.5)).lr == 0.5


@pytest.mark.parametrize("kwargs, match", [
    (dict(momentum=1.0), r"momentum must be in \[0, 1\), got 1.0"),
    (dict(momentum=-0.1), r"momentum must be in \[0, 1\), got -0.1"),
    (dict(weight_decay=-1), r"weight_decay must be in \[0, inf\), got -1.0"),
    (dict(decay=-0.5), r"decay must be in \[0, inf\), got -0.5"),
    (dict(nesterov=True), r"nesterov=True needs momentum > 0"),
])
def test_bad_sgd_hyperparameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD(lr=0.1, **kwargs)


def test_a_nesterov_flag_that_is_not_a_bool_is_a_type_error():
    with pytest.raises(TypeError, match=r"^SGD: nesterov must be True or False, got 1$"):
        SGD(lr=0.1, momentum=0.9, nesterov=1)


def test_step_refuses_a_parameter_listed_twice():
    p = sn.Parameter(np.array([1.0, 2.0]))
    p.grad[...] = 1.0
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"^SGD\(lr=0.1\).step: the parameter Parameter\(.*\) is listed twice; "
                                         r"each must appear once"):
        opt.step([p, p])
    assert np.array_equal(p.value, [1.0, 2.0]) and opt.iterations == 0  # nothing moved, nothing counted
    opt.step([p])  # the companion: listed once, it moves once
    assert np.allclose(p.value, [0.9, 1.9]) and opt.iterations == 1


def test_step_refuses_what_is_not_a_parameter():
    opt = SGD(lr=0.1)
    with pytest.raises(TypeError, match=r"SGD\(lr=0.1\).step expected a list of Parameters .*got an "
                                        r"item of type Dense"):
        opt.step([sn.Dense(2, 2)])
    with pytest.raises(TypeError, match=r"zero_grad expected a list of Parameters .*ndarray"):
        opt.zero_grad([np.zeros(2)])
    assert opt.iterations == 0                               # a refused step is not counted


def test_an_optimizer_without_an_update_rule_says_so():
    with pytest.raises(NotImplementedError, match="Optimizer has no update"):
        Optimizer(lr=0.1).step([param([1.0])])


def test_step_refuses_what_is_not_a_list():
    with pytest.raises(TypeError, match=r"SGD\(\).step expected a list of Parameters .*got NoneType"):
        SGD().step(None)
    SGD().step((param([1.0]),))                               # any iterable of Parameters will do
