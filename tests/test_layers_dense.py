"""Dense (chapters 1 and 3): values by hand, float64 gradient checks, PyTorch, and bad inputs."""

import re
import warnings

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.gradcheck import gradcheck
from scratchnet.layers import Dense, Parameter

# The example worked by hand in chapter 3.
X_HAND = np.array([[1.0, 2.0], [3.0, -1.0]])
W_HAND = np.array([[0.5, -1.0], [2.0, 0.0]])
B_HAND = np.array([0.1, 0.2])
G_HAND = np.array([[1.0, 0.0], [0.5, -1.0]])


def hand_layer(dtype=np.float64):
    layer = Dense(2, 2, rng=0, dtype=dtype)
    layer.W.value = W_HAND.astype(dtype)
    layer.b.value = B_HAND.astype(dtype)
    return layer


# values by hand

def test_forward_by_hand():
    z = hand_layer().forward(X_HAND)
    assert np.allclose(z, [[4.6, -0.8], [-0.4, -2.8]])


def test_backward_by_hand():
    layer = hand_layer()
    layer.forward(X_HAND)
    dx = layer.backward(G_HAND)
    assert np.allclose(layer.W.grad, [[2.5, -3.0], [1.5, 1.0]])
    assert np.allclose(layer.b.grad, [1.5, -1.0])
    assert np.allclose(dx, [[0.5, 2.0], [1.25, 1.0]])


def test_backward_of_one_sample_is_an_outer_product():
    layer = Dense(3, 2, rng=0, dtype=np.float64)
    x, g = np.array([[1.0, -2.0, 0.5]]), np.array([[2.0, -1.0]])
    layer.forward(x)
    dx = layer.backward(g)
    assert np.allclose(layer.W.grad, np.outer(x[0], g[0]))
    assert np.allclose(layer.b.grad, g[0])
    assert np.allclose(dx, g @ layer.W.value.T)


def test_backward_adds_to_the_grads_and_zero_grad_clears_them():
    """The gradient rule (chapter 3): backward adds; zero_grad() sets back to zero, in place."""
    layer = hand_layer()
    layer.forward(X_HAND)
    layer.backward(G_HAND)
    layer.backward(G_HAND)
    assert np.allclose(layer.W.grad, 2 * np.array([[2.5, -3.0], [1.5, 1.0]]))
    assert np.allclose(layer.b.grad, 2 * np.array([1.5, -1.0]))
    grad_array = layer.W.grad
    for p in layer.parameters():
        p.zero_grad()
    assert layer.W.grad is grad_array and not layer.W.grad.any() and not layer.b.grad.any()
    layer.backward(G_HAND)
    assert np.allclose(layer.W.grad, [[2.5, -3.0], [1.5, 1.0]])


def test_a_parameter_used_twice_gets_the_sum_of_both_gradients():
    """Two layers sharing one W (tied weights): dL/dW is the sum over both uses, which is what the
    numerical gradient of the whole computation says. Overwriting would keep only the last use."""
    first = Dense(2, 2, rng=0, dtype=np.float64)
    second = Dense(2, 2, rng=1, dtype=np.float64)
    second.W = first.W
    def loss(_):
        return float(np.sum(second.forward(first.forward(X_HAND)) * G_HAND))
    loss(None)
    first.backward(second.backward(G_HAND))
    numerical = sn.numerical_gradient(loss, first.W.value)
    assert np.allclose(first.W.grad, numerical, atol=1e-8)
    only_last = X_HAND.T @ (G_HAND @ second.W.value.T)  # what an overwriting rule would leave
    assert not np.allclose(first.W.grad, only_last)


def test_needs_input_grad_false_skips_dx_but_not_the_parameter_grads():
    layer = hand_layer()
    layer.needs_input_grad = False
    layer.forward(X_HAND)
    assert layer.backward(G_HAND) is None
    assert np.allclose(layer.W.grad, [[2.5, -3.0], [1.5, 1.0]])


def test_backward_uses_the_input_of_the_last_forward():
    layer = hand_layer()
    layer.forward(X_HAND)
    layer.forward(2 * X_HAND)
    layer.backward(G_HAND)
    assert np.allclose(layer.W.grad, 2 * np.array([[2.5, -3.0], [1.5, 1.0]]))


def test_zero_upstream_gradient_gives_zero_gradients():
    layer = Dense(4, 3, rng=0)
    layer.forward(np.ones((2, 4), dtype=np.float32))
    dx = layer.backward(np.zeros((2, 3), dtype=np.float32))
    assert not dx.any() and not layer.W.grad.any() and not layer.b.grad.any()


# float64 gradient checks

@pytest.mark.parametrize("batch, n_in, n_out", [(5, 4, 3), (1, 1, 1), (1, 6, 2), (8, 2, 7)])
def test_gradcheck_float64(batch, n_in, n_out):
    rng = np.random.default_rng(batch * 100 + n_in * 10 + n_out)
    layer = Dense(n_in, n_out, rng=rng, dtype=np.float64)
    x, g = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))
    layer.forward(x)
    dx = layer.backward(g)
    dW, db = layer.W.grad.copy(), layer.b.grad.copy()

    def loss_of_W(W):
        return np.sum((x @ W + layer.b.value) * g)

    def loss_of_b(b):
        return np.sum((x @ layer.W.value + b) * g)

    def loss_of_x(x_):
        return np.sum((x_ @ layer.W.value + layer.b.value) * g)

    assert gradcheck(loss_of_W, layer.W.value, dW)
    assert gradcheck(loss_of_b, layer.b.value, db)
    assert gradcheck(loss_of_x, x, dx)
    assert sn.gradcheck_layer(Dense(n_in, n_out, rng=1, dtype=np.float64), x)


def test_gradcheck_with_an_mse_loss():
    rng = np.random.default_rng(7)
    layer, mse = Dense(3, 2, rng=0, dtype=np.float64), sn.MSE()
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    mse.forward(layer.forward(x), y)
    layer.backward(mse.backward())
    assert gradcheck(lambda W: mse.forward(x @ W + layer.b.value, y), layer.W.value, layer.W.grad)


# PyTorch

def _torch_reference(x, W, b, g):
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    weight = torch.tensor(W.T, dtype=torch.float64, requires_grad=True)  # PyTorch stores W transposed
    bias = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    z = torch.nn.functional.linear(xt, weight, bias)
    z.backward(torch.tensor(g, dtype=torch.float64))
    return z.detach().numpy(), weight.grad.numpy().T, bias.grad.numpy(), xt.grad.numpy()


@pytest.mark.parametrize("scale", [1.0, 1e-4, 1e4])
def test_matches_pytorch(scale):
    rng = np.random.default_rng(11)
    layer = Dense(5, 3, rng=rng, dtype=np.float64)
    x, g = scale * rng.normal(size=(7, 5)), scale * rng.normal(size=(7, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = layer.forward(x)
        dx = layer.backward(g)
    z_t, dW_t, db_t, dx_t = _torch_reference(x, layer.W.value, layer.b.value, g)
    assert np.allclose(z, z_t, rtol=1e-5)
    assert np.allclose(layer.W.grad, dW_t, rtol=1e-5)
    assert np.allclose(layer.b.grad, db_t, rtol=1e-5)
    assert np.allclose(dx, dx_t, rtol=1e-5)
    assert np.all(np.isfinite(dx)) and np.all(np.isfinite(layer.W.grad))


def test_float32_layer_matches_pytorch_to_float32_precision():
    rng = np.random.default_rng(12)
    layer = Dense(4, 2, rng=rng)
    x = rng.normal(size=(3, 4)).astype(np.float32)
    g = rng.normal(size=(3, 2)).astype(np.float32)
    z = layer.forward(x)
    dx = layer.backward(g)
    z_t, dW_t, db_t, dx_t = _torch_reference(x, layer.W.value, layer.b.value, g)
    for ours, theirs in ((z, z_t), (layer.W.grad, dW_t), (layer.b.grad, db_t), (dx, dx_t)):
        assert ours.dtype == np.float32
        assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-6)


# bad inputs

def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match=r"Dense\(in_features=3, out_features=2\).*before forward"):
        Dense(3, 2, rng=0).backward(np.ones((1, 2)))


@pytest.mark.parametrize("shape", [(4, 3), (4, 2), (2,), (5,), (5, 2, 1), (1, 5, 2), (2, 5)])
def test_grad_out_of_the_wrong_shape_names_both_shapes(shape):
    layer = Dense(3, 2, rng=0)
    layer.forward(np.ones((5, 3), dtype=np.float32))
    message = rf"Dense\(in_features=3, out_features=2\).*\(5, 2\).*got {re.escape(str(shape))}"
    with pytest.raises(ValueError, match=message):
        layer.backward(np.ones(shape))


def test_grad_out_of_shape_n_1_against_n_is_not_broadcast():
    layer = Dense(3, 1, rng=0)
    layer.forward(np.ones((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(4, 1\).*got \(4,\)"):
        layer.backward(np.ones(4))


@pytest.mark.parametrize("x, message", [
    (np.ones(3), r"expected input of shape \(batch, 3\), got \(3,\); add a batch axis"),
    (np.ones((2, 4)), r"expected input of shape \(batch, 3\), got \(2, 4\)"),
    (np.ones((2, 3, 1)), r"got \(2, 3, 1\); flatten"),
])
def test_forward_rejects_wrong_shapes(x, message):
    with pytest.raises(ValueError, match=message):
        Dense(3, 2, rng=0).forward(x)


@pytest.mark.parametrize("args, kwargs, message", [
    ((0, 2), {}, "in_features must be a positive integer, got 0"),
    ((3, -1), {}, "out_features must be a positive integer, got -1"),
    ((3.0, 2), {}, "in_features must be a positive integer, got 3.0"),
    ((True, 2), {}, "in_features must be a positive integer, got True"),
    ((3, 2), {"dtype": np.int32}, r"dtype must be a floating-point type such as np.float32, got dtype\('int32'\)"),
])
def test_constructor_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Dense(*args, **kwargs)


# repr, dtype, init

def test_repr():
    assert repr(Dense(784, 128, rng=0)) == "Dense(in_features=784, out_features=128)"
    assert repr(Dense(3, 2, rng=0).W) == "Parameter(shape=(3, 2), dtype=float32)"


def test_parameters_are_W_then_b():
    layer = Dense(3, 2, rng=0)
    W, b = layer.parameters()
    assert W is layer.W and b is layer.b and isinstance(W, Parameter)
    assert W.shape == (3, 2) and b.shape == (2,)


def test_float32_layer_keeps_float32():
    layer = Dense(3, 2, rng=0)
    x = np.ones((4, 3), dtype=np.float32)
    z = layer.forward(x)
    dx = layer.backward(np.ones((4, 2), dtype=np.float32))
    assert z.dtype == dx.dtype == layer.W.grad.dtype == layer.b.grad.dtype == np.float32


def test_float64_layer_with_float64_input_gives_float64_grads():
    layer = Dense(3, 2, rng=0, dtype=np.float64)
    z = layer.forward(np.ones((4, 3)))
    dx = layer.backward(np.ones((4, 2)))
    assert z.dtype == dx.dtype == layer.W.grad.dtype == layer.b.grad.dtype == np.float64


def test_grads_take_the_dtype_of_their_variable():
    layer = Dense(3, 2, rng=0)  # float32 parameters, float64 input
    layer.forward(np.ones((4, 3)))
    dx = layer.backward(np.ones((4, 2)))
    assert layer.W.grad.dtype == layer.b.grad.dtype == np.float32
    assert dx.dtype == np.float64


def test_integer_input_becomes_float32():
    layer = Dense(3, 2, rng=0)
    z = layer.forward(np.ones((2, 3), dtype=np.int64))
    dx = layer.backward(np.ones((2, 2), dtype=np.float32))
    assert z.dtype == dx.dtype == np.float32


def test_seeded_init_is_reproducible():
    a, b = Dense(5, 4, rng=42), Dense(5, 4, rng=42)
    assert np.array_equal(a.W.value, b.W.value) and np.array_equal(a.b.value, b.b.value)
    c = Dense(5, 4, rng=np.random.default_rng(42))
    assert np.array_equal(a.W.value, c.W.value)
    assert not np.array_equal(a.W.value, Dense(5, 4, rng=43).W.value)


def test_init_is_uniform_within_one_over_sqrt_in_features():
    layer = Dense(400, 300, rng=0)
    k = 1 / np.sqrt(400)
    assert np.abs(layer.W.value).max() <= k and np.abs(layer.b.value).max() <= k
    assert np.abs(layer.W.value).max() > 0.95 * k
    assert abs(layer.W.value.mean()) < 0.01 * k

