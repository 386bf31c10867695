"""The activations of chapter 4 (scratchnet/activations.py), four ways: values by hand, a float64
gradient check, PyTorch's values and gradients (extreme inputs included), and errors for bad input."""

import re
import warnings

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.activations import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh

ALL = [ReLU, LeakyReLU, Sigmoid, Tanh, Softmax]
IDS = [cls.__name__ for cls in ALL]


def away_from_zero(shape, seed=0):
    """Inputs with 0.1 <= |x| <= 2, so that no central difference straddles ReLU's kink."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# values by hand ----------------------------------------------------------------------------------

X_HAND = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
G_HAND = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])


def test_relu_by_hand():
    relu = ReLU()
    assert np.array_equal(relu.forward(X_HAND), [[0, 0, 0, 0.5, 2]])
    assert np.array_equal(relu.backward(G_HAND), [[0, 0, 0, 4, 5]])  # slope 0 at x = 0, like PyTorch


def test_leaky_relu_by_hand():
    leaky = LeakyReLU(alpha=0.1)
    assert np.allclose(leaky.forward(X_HAND), [[-0.2, -0.05, 0, 0.5, 2]])
    assert np.allclose(leaky.backward(G_HAND), [[0.1, 0.2, 0.3, 4, 5]])  # slope alpha at x = 0
    assert np.allclose(LeakyReLU().forward(np.array([[-100.0]])), [[-1.0]])  # default alpha = 0.01
    assert np.array_equal(LeakyReLU(alpha=0).forward(X_HAND), ReLU().forward(X_HAND))


def test_sigmoid_by_hand():
    sigmoid = Sigmoid()
    s = sigmoid.forward(np.array([[0.0, np.log(3.0), -np.log(3.0)]]))
    assert np.allclose(s, [[0.5, 0.75, 0.25]])
    assert np.allclose(sigmoid.backward(np.array([[1.0, 1.0, 2.0]])), [[0.25, 3 / 16, 2 * 3 / 16]])


def test_tanh_by_hand():
    tanh = Tanh()
    y = tanh.forward(np.array([[0.0, np.log(3.0), -np.log(3.0)]]))
    assert np.allclose(y, [[0.0, 0.8, -0.8]])
    assert np.allclose(tanh.backward(np.array([[2.0, 1.0, 1.0]])), [[2.0, 0.36, 0.36]])


def test_softmax_by_hand():
    softmax = Softmax()
    p = softmax.forward(np.log([[1.0, 2.0, 3.0], [1.0, 1.0, 2.0]]))
    assert np.allclose(p, [[1 / 6, 2 / 6, 3 / 6], [0.25, 0.25, 0.5]])
    # backward against the full Jacobian diag(p) - p p^T, row by row
    g = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    dx = softmax.backward(g)
    for row in range(2):
        jacobian = np.diag(p[row]) - np.outer(p[row], p[row])
        assert np.allclose(dx[row], g[row] @ jacobian)
    # a constant upstream gradient changes nothing: softmax's outputs always sum to 1
    assert np.allclose(softmax.backward(np.full((2, 3), 7.0)), 0.0)


def test_softmax_is_shift_invariant_and_sums_to_one():
    x = np.random.default_rng(0).normal(size=(6, 5))
    p = Softmax().forward(x)
    assert np.allclose(p.sum(axis=-1), 1.0) and (p > 0).all()
    assert np.allclose(Softmax().forward(x + 1000.0), p)


# the contract: dtype, cache, parameters, repr ----------------------------------------------------

@pytest.mark.parametrize("cls", ALL, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(cls, dtype):
    activation = cls()
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(dtype)
    y = activation.forward(x)
    assert y.dtype == dtype and y.shape == x.shape
    assert activation.backward(np.ones((3, 4), dtype=dtype)).dtype == dtype
    # an upstream gradient of another dtype is cast to the forward pass's dtype
    assert activation.backward(np.ones((3, 4), dtype=np.float64)).dtype == dtype


@pytest.mark.parametrize("cls", ALL, ids=IDS)
def test_ints_and_lists_become_float32(cls):
    for x in ([[1, -2, 3]], np.array([[1, -2, 3]]), np.array([[True, False, True]])):
        assert cls().forward(x).dtype == np.float32


@pytest.mark.parametrize("cls", ALL, ids=IDS)
def test_keeps_only_what_backward_needs(cls):
    activation = cls()
    x = np.random.default_rng(3).normal(size=(2, 3))
    y = activation.forward(x)
    arrays = [a for a in activation.saved if isinstance(a, np.ndarray)]
    assert len(arrays) == 1 and not arrays[0].flags.writeable
    if cls in (ReLU, LeakyReLU):  # the mask of where x > 0: its output would not do for alpha < 0
        assert arrays[0].dtype == bool and np.array_equal(arrays[0], x > 0)
    else:                         # the output
        assert np.array_equal(arrays[0], y)
    assert not any(isinstance(v, np.ndarray) for v in vars(activation).values())


@pytest.mark.parametrize("cls", ALL, ids=IDS)
def test_parameters_and_call(cls):
    activation = cls()
    assert activation.parameters() == []
    x = np.random.default_rng(2).normal(size=(2, 3))
    assert np.array_equal(activation(x), cls().forward(x))


def test_repr_shows_hyperparameters():
    assert [repr(cls()) for cls in ALL] == ["ReLU()", "LeakyReLU()", "Sigmoid()", "Tanh()", "Softmax()"]
    assert repr(LeakyReLU(alpha=0.2)) == "LeakyReLU(alpha=0.2)"  # a hyperparameter off its default
    assert repr(LeakyReLU(alpha=0.2)) == "LeakyReLU(alpha=0.2)"
    assert repr(LeakyReLU(alpha=np.float32(0.5))) == "LeakyReLU(alpha=0.5)"


def test_leaky_relu_alpha_does_not_change_the_dtype():
    leaky = LeakyReLU(alpha=np.float64(0.1))  # a NumPy float64 scalar would promote float32 arrays
    assert leaky.forward(np.ones((2, 2), dtype=np.float32) * -1).dtype == np.float32


def test_elementwise_activations_accept_any_shape():
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    for cls in (ReLU, LeakyReLU, Sigmoid, Tanh):
        activation = cls()
        assert activation.forward(x).shape == (2, 3, 4)
        assert activation.backward(np.ones_like(x)).shape == (2, 3, 4)


def test_package_exports():
    for name in ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax"):
        assert getattr(sn, name) is globals()[name]
    assert "_Activation" not in sn.activations.__all__


# gradient checks in float64 ---------------------------------------------------------------------

@pytest.mark.parametrize("cls", ALL, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_gradcheck(cls, seed):
    assert sn.gradcheck_layer(cls(), away_from_zero((4, 5), seed), seed=seed)


def test_gradcheck_leaky_relu_with_a_large_alpha():
    assert sn.gradcheck_layer(LeakyReLU(alpha=0.5), away_from_zero((3, 4), 7))


def test_gradcheck_catches_a_wrong_backward():
    class WrongSigmoid(Sigmoid):
        def backward(self, grad_out):
            (s,) = self.saved
            return sn.check_grad_out(self, grad_out, s.shape) * s  # s instead of s(1 - s)
    with pytest.raises(sn.GradcheckError, match="dL/dx"):
        sn.gradcheck_layer(WrongSigmoid(), away_from_zero((2, 3)))


# PyTorch: values and gradients, extreme inputs included ------------------------------------------

def _torch_pairs():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    return torch, [
        (ReLU(), torch.relu),
        (LeakyReLU(), lambda t: F.leaky_relu(t, negative_slope=0.01)),
        (LeakyReLU(alpha=0.3), lambda t: F.leaky_relu(t, negative_slope=0.3)),
        (Sigmoid(), torch.sigmoid),
        (Tanh(), torch.tanh),
        (Softmax(), lambda t: torch.softmax(t, dim=-1)),
    ]


INPUTS = {
    "random": np.random.default_rng(5).normal(scale=3.0, size=(8, 6)),
    "extreme": np.array([[1e4, -1e4, 0.0, 1.0, -1.0, 5e3],
                         [-1e4, -1e4, -1e4, -1e4, -1e4, -1e4],
                         [1e4, 1e4, 0.5, -0.5, 20.0, -20.0]]),
}


@pytest.mark.parametrize("inputs", list(INPUTS), ids=list(INPUTS))
def test_matches_pytorch(inputs):
    torch, pairs = _torch_pairs()
    x = INPUTS[inputs]
    g = np.random.default_rng(6).normal(size=x.shape)
    for ours, theirs in pairs:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no warnings at all, not even outside RuntimeWarning
            y = ours.forward(x.copy())
            dx = ours.backward(g)
        assert np.isfinite(y).all() and np.isfinite(dx).all(), ours
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = theirs(t)
        out.backward(torch.tensor(g, dtype=torch.float64))
        np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-5, atol=1e-12, err_msg=repr(ours))
        np.testing.assert_allclose(dx, t.grad.numpy(), rtol=1e-5, atol=1e-12, err_msg=repr(ours))


def test_extremes_in_float32_give_no_warning():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cls in ALL:
            activation = cls()
            y = activation.forward(x)
            dx = activation.backward(np.ones_like(x))
            assert np.isfinite(y).all() and np.isfinite(dx).all() and y.dtype == np.float32


# errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("alpha", [-0.01, -1, "0.1", None, True, float("nan"), float("inf"), [0.1]])
def test_leaky_relu_rejects_a_bad_alpha(alpha):
    with pytest.raises(ValueError, match=r"alpha must be a number >= 0, got " + repr(alpha).replace("[", r"\[")):
        LeakyReLU(alpha=alpha)


@pytest.mark.parametrize("cls", ALL, ids=IDS)
def test_backward_before_forward(cls):
    with pytest.raises(RuntimeError, match=r"backward\(\) was called before forward\(\)"):
        cls().backward(np.ones((2, 3)))


@pytest.mark.parametrize("cls", ALL, ids=IDS)
@pytest.mark.parametrize("bad_shape", [(3, 2), (2, 3, 1), (2,), (1, 3)])
def test_grad_out_of_the_wrong_shape(cls, bad_shape):
    activation = cls()
    activation.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=rf"grad_out of shape \(2, 3\).*got {re_shape(bad_shape)}"):
        activation.backward(np.ones(bad_shape))


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


@pytest.mark.parametrize("cls", ALL, ids=IDS)
@pytest.mark.parametrize("bad, says", [("abc", "the text 'abc'"), (np.array(["a", "b"]), "dtype <U1"),
                                       (np.array([1 + 2j]), "complex"), ({"x": 1}, "dict"),
                                       (None, "None"), ([1.0, None], "holding None"),
                                       (["1", "2"], "holding text"), ([[1.0], [2.0, 3.0]], "different lengths")])
def test_non_numbers_are_a_type_error(cls, bad, says):
    with pytest.raises(TypeError, match=rf"{re.escape(repr(cls()))}: x must .*{re.escape(says)}"):
        cls().forward(bad)


@pytest.mark.parametrize("shape, advice", [((3,), "reshape"), ((2, 3, 4), ""), ((2, 0), ""), ((), "")])
def test_softmax_needs_batch_by_classes(shape, advice):
    with pytest.raises(ValueError, match=rf"Softmax\(\) expected logits of shape \(batch, classes\).*{advice}"):
        Softmax().forward(np.ones(shape))


def test_a_failed_forward_keeps_the_previous_cache():
    softmax = Softmax()
    p = softmax.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        softmax.forward(np.zeros(3))
    assert np.array_equal(softmax.saved[0], p) and softmax.backward(np.ones((2, 3))).shape == (2, 3)
