"""The seven ways a hostile pass over the public API went wrong (issue: rails, section 4), each
pinned down. The rule (../shared/COURSE.md): a bad input gets a clear error naming the argument,
what was expected and what came; an extreme but valid input gets finite values that match PyTorch
in float64, with no RuntimeWarning (pyproject turns RuntimeWarnings into errors)."""

import re
import warnings

import numpy as np
import pytest

import scratchnet as sn


def no_warnings():
    catcher = warnings.catch_warnings()
    catcher.__enter__()
    warnings.simplefilter("error")
    return catcher


# 1. SoftmaxCrossEntropy near the float limit ------------------------------------------------------

@pytest.mark.parametrize("dtype, big", [(np.float64, 1e308), (np.float32, 3e38)])
def test_softmax_cross_entropy_is_finite_near_the_float_limit(dtype, big):
    z = np.array([[big, -big, 0.0], [-big, big, big], [0.0, 0.0, 0.0]], dtype=dtype)
    loss = sn.SoftmaxCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss(z, np.array([0, 1, 2]))
        grad = loss.backward()
    assert np.isfinite(value) and np.isfinite(grad).all() and grad.dtype == dtype
    assert np.isclose(value, np.log(2) / 3 + np.log(3) / 3)  # rows: 0, log 2, log 3


def test_softmax_cross_entropy_near_the_limit_matches_torch():
    torch = pytest.importorskip("torch")
    z = np.array([[1e308, -1e308, 0.0], [-1e308, 1e308, 1e308], [5.0, -3.0, 1.0]])
    labels = np.array([0, 2, 1])
    loss = sn.SoftmaxCrossEntropy()
    value = loss(z, labels)
    zt = torch.tensor(z, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(zt, torch.tensor(labels))
    expected.backward()
    assert np.isclose(value, expected.item(), rtol=1e-12)
    np.testing.assert_allclose(loss.backward(), zt.grad.numpy(), rtol=1e-12, atol=1e-300)


# 2. None, or a list holding None ------------------------------------------------------------------

NONE_INPUTS = [None, [1.0, None], [[1.0, 2.0], [None, 3.0]]]


@pytest.mark.parametrize("bad", NONE_INPUTS, ids=["None", "list", "nested"])
@pytest.mark.parametrize("call, name", [
    (lambda v: sn.ReLU()(v), r"ReLU\(\): x"),
    (lambda v: sn.Sigmoid()(v), r"Sigmoid\(\): x"),
    (lambda v: sn.Dense(2, 1)(v), r"Dense\(in_features=2, out_features=1\): x"),
    (lambda v: sn.MSE()(v, [[1.0, 2.0]]), r"MSE\(\): y_pred"),
    (lambda v: sn.MSE()([[1.0, 2.0]], v), r"MSE\(\): y_true"),
    (lambda v: sn.Parameter(v), r"Parameter: value"),
])
def test_none_is_refused_not_turned_into_nan(bad, call, name):
    with pytest.raises(TypeError, match=rf"{name} must be an array of numbers, got .*None"):
        call(bad)


# 3. Numbers written as text -----------------------------------------------------------------------

@pytest.mark.parametrize("bad", [["1", "2"], np.array(["1", "2"]), "3.5"], ids=["list", "array", "str"])
@pytest.mark.parametrize("call, name", [
    (lambda v: sn.Dense(2, 1)([v] if not isinstance(v, str) else v), r"Dense\(in_features=2, out_features=1\): x"),
    (lambda v: sn.Tanh()(v), r"Tanh\(\): x"),
    (lambda v: sn.MSE()(v, np.zeros(np.shape(v))), r"MSE\(\): y_pred"),
])
def test_numbers_written_as_text_are_refused(bad, call, name):
    with pytest.raises(TypeError, match=rf"{name} must be an array of numbers, got .*(text|<U)"):
        call(bad)


# 4. Complex numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: sn.Dense(2, 1)(np.array([[1 + 2j, 0]])), r"Dense\(in_features=2, out_features=1\): x"),
    (lambda: sn.Parameter(np.array([1 + 1j])), r"Parameter: value"),
    (lambda: sn.MSE()(np.array([1 + 0j]), np.array([1.0])), r"MSE\(\): y_pred"),
    (lambda: sn.MSE()(np.array([1.0]), np.array([1j])), r"MSE\(\): y_true"),
])
def test_complex_input_is_refused(call, name):
    with pytest.raises(TypeError, match=rf"{name} must hold real numbers, got complex numbers"):
        call()


@pytest.mark.parametrize("layer", [sn.Dense(2, 2, rng=0), sn.ReLU(), sn.Tanh(), sn.Softmax()], ids=repr)
def test_a_complex_upstream_gradient_is_refused(layer):
    layer(np.ones((3, 2)))
    with pytest.raises(TypeError, match=r"grad_out must hold real numbers"):
        layer.backward(np.ones((3, 2)) * (1 + 1j))


# 5. An in-place edit between forward and backward -------------------------------------------------

def test_editing_the_input_after_forward_does_not_change_the_gradient():
    layer = sn.Dense(3, 2, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(4, 3))
    g = np.ones((4, 2))
    layer(x)
    layer.backward(g)
    expected = layer.W.grad.copy()
    layer.W.zero_grad()
    layer(x)
    x *= 100.0  # the caller edits its array in place
    layer.backward(g)
    assert np.array_equal(layer.W.grad, expected)


def test_a_layers_output_is_read_only_and_an_edit_is_refused_where_it_happens():
    y = sn.Sigmoid()(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="read-only"):
        y[0, 0] = 1.0


@pytest.mark.parametrize("loss, y_pred, y_true", [
    (sn.CategoricalCrossEntropy(), np.array([[0.3, 0.7]]), np.array([[0.0, 1.0]])),
    (sn.BinaryCrossEntropy(), np.array([[0.3], [0.8]]), np.array([[1.0], [0.0]])),
    (sn.SoftmaxCrossEntropy(), np.array([[0.3, -0.7]]), np.array([[0.0, 1.0]])),
])
def test_editing_the_targets_after_forward_does_not_change_the_gradient(loss, y_pred, y_true):
    loss(y_pred, y_true)
    expected = loss.backward().copy()
    loss(y_pred, y_true)
    y_pred *= 0.5
    y_true[...] = 1 - y_true
    np.testing.assert_array_equal(loss.backward(), expected)


def test_a_read_only_input_is_kept_without_a_copy():
    x = np.ones((2, 3))
    x.flags.writeable = False
    layer = sn.Dense(3, 1, rng=0, dtype=np.float64)
    layer(x)
    assert layer.saved[0] is x


# 6. numerical_gradient: an f that returns no number, and eps as text ------------------------------

@pytest.mark.parametrize("f, says", [(lambda v: None, "got None"), (lambda v: "1.0", "got '1.0'")])
def test_numerical_gradient_names_what_f_returned(f, says):
    with pytest.raises(TypeError, match=re.escape(says)):
        sn.numerical_gradient(f, np.ones(2))


def test_numerical_gradient_eps_as_text_gets_its_own_message():
    with pytest.raises(ValueError, match=r"eps must be a positive number such as 1e-6, got '1e-6'"):
        sn.numerical_gradient(lambda v: float(np.sum(v)), np.ones(2), eps="1e-6")


# 7. Extreme values without RuntimeWarnings --------------------------------------------------------

def test_softmax_on_extreme_logits_is_exact_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = sn.Softmax()(np.array([[1e308, -1e308], [-3e38, 3e38]]))
    np.testing.assert_array_equal(p, [[1.0, 0.0], [0.0, 1.0]])


def test_mse_on_extreme_values_is_inf_like_torch_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = sn.MSE()(np.array([1e200, 0.0]), np.array([0.0, 0.0]))
    assert value == np.inf
    torch = pytest.importorskip("torch")
    assert torch.nn.functional.mse_loss(torch.tensor([1e200, 0.0], dtype=torch.float64),
                                        torch.zeros(2, dtype=torch.float64)).item() == np.inf


def test_binary_cross_entropy_in_float16_is_quiet_and_computed_in_float32():
    p = np.array([[0.0], [1.0], [0.5]], dtype=np.float16)
    y = np.array([[1.0], [0.0], [1.0]], dtype=np.float16)
    loss = sn.BinaryCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss(p, y)
        grad = loss.backward()
    assert np.isclose(value, (100 + 100 + np.log(2)) / 3, rtol=1e-4)
    assert grad.dtype == np.float32 and np.isfinite(grad).all()
