"""scratchnet.losses.MSE (chapter 2): values by hand, gradient check, PyTorch, bad inputs."""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.gradcheck import gradcheck
from scratchnet.losses import MSE, _check_same_shape


# values by hand

def test_mse_by_hand():
    mse = MSE()
    loss = mse.forward(np.array([[0.5], [1.0], [2.0]]), np.array([[0.0], [1.0], [1.0]]))
    assert isinstance(loss, float) and loss == pytest.approx(1.25 / 3)
    np.testing.assert_allclose(mse.backward(), [[1 / 3], [0.0], [2 / 3]])


def test_mse_means_over_all_entries():
    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    mse = MSE()
    assert mse(y_pred, np.zeros((2, 2))) == pytest.approx((1 + 4 + 9 + 16) / 4)
    np.testing.assert_allclose(mse.backward(), 2 * y_pred / 4)


def test_mse_of_a_perfect_prediction_is_zero():
    y = np.array([1.0, -2.0, 3.0])
    mse = MSE()
    assert mse.forward(y, y.copy()) == 0.0
    np.testing.assert_array_equal(mse.backward(), np.zeros(3))


def test_mse_dtypes():
    mse = MSE()
    mse.forward(np.ones((2, 3), dtype=np.float32), np.zeros((2, 3)))  # float64 targets
    assert mse.backward().dtype == np.float32
    mse.forward(np.ones((2, 3)), np.zeros((2, 3), dtype=np.float32))
    assert mse.backward().dtype == np.float64
    mse.forward(np.array([1, 2, 3]), np.array([1, 2, 2]))  # ints become float32
    assert mse.backward().dtype == np.float32
    np.testing.assert_allclose(mse.backward(), [0, 0, 2 / 3], rtol=1e-6)


def test_mse_repr_and_export():
    assert repr(MSE()) == "MSE()" and sn.MSE is MSE


# gradient check

@pytest.mark.parametrize("shape", [(5,), (4, 3), (6, 1), (2, 3, 2)])
def test_mse_gradcheck(shape):
    rng = np.random.default_rng(0)
    y_pred, y_true = rng.normal(size=shape), rng.normal(size=shape)
    mse = MSE()
    mse.forward(y_pred, y_true)
    assert gradcheck(lambda p: MSE().forward(p, y_true), y_pred, mse.backward())


def test_mse_gradcheck_large_values():
    rng = np.random.default_rng(1)
    y_pred, y_true = 1e3 * rng.normal(size=(3, 2)), 1e3 * rng.normal(size=(3, 2))
    mse = MSE()
    mse.forward(y_pred, y_true)
    assert gradcheck(lambda p: MSE().forward(p, y_true), y_pred, mse.backward(), eps=1e-3)


# PyTorch

@pytest.mark.parametrize("shape, scale", [((8,), 1.0), ((5, 3), 1.0), ((4, 1), 1e4), ((2, 3, 4), 1e-3)])
def test_mse_matches_torch(shape, scale):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    y_pred, y_true = scale * rng.normal(size=shape), scale * rng.normal(size=shape)
    mse = MSE()
    loss = mse.forward(y_pred, y_true)
    grad = mse.backward()

    p = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
    t_loss = torch.nn.functional.mse_loss(p, torch.tensor(y_true, dtype=torch.float64))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-5)
    np.testing.assert_allclose(grad, p.grad.numpy(), rtol=1e-5, atol=1e-12 * scale)
    assert np.all(np.isfinite(grad))


def test_mse_float32_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    y_pred = rng.normal(size=(6, 2)).astype(np.float32)
    y_true = rng.normal(size=(6, 2)).astype(np.float32)
    mse = MSE()
    loss = mse.forward(y_pred, y_true)
    p = torch.tensor(y_pred, requires_grad=True)
    t_loss = torch.nn.functional.mse_loss(p, torch.tensor(y_true))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-5)
    np.testing.assert_allclose(mse.backward(), p.grad.numpy(), rtol=1e-5, atol=1e-7)


# bad inputs

def test_mse_refuses_to_broadcast_a_column_against_a_vector():
    with pytest.raises(ValueError, match=r"MSE\(\): y_pred has shape \(4, 1\) but y_true has shape \(4,\).*reshape"):
        MSE().forward(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"MSE\(\): y_pred has shape \(4,\) but y_true has shape \(4, 1\)"):
        MSE().forward(np.zeros(4), np.zeros((4, 1)))


def test_mse_refuses_other_mismatches():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3, 1\)"):
        MSE().forward(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        MSE().forward(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"empty"):
        MSE().forward(np.zeros((0, 2)), np.zeros((0, 2)))


def test_mse_backward_before_forward():
    with pytest.raises(RuntimeError, match=r"backward\(\) was called before forward\(\)"):
        MSE().backward()


def test_check_same_shape_names_the_loss():
    with pytest.raises(ValueError, match=r"^BCE: y_pred has shape \(2,\) but y_true has shape \(3,\)"):
        _check_same_shape("BCE", np.zeros(2), np.zeros(3))
    y_pred, y_true = _check_same_shape("X", np.zeros(2, dtype=np.float32), [1, 0])
    assert y_pred.dtype == y_true.dtype == np.float32
