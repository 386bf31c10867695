"""scratchnet._reference: the float64 reference maths that the widgets and checks share. Values by
hand, identities, extreme inputs without warnings, PyTorch where it is installed, bad inputs."""

import warnings

import numpy as np
import pytest

from scratchnet._reference import log_softmax, logsumexp, sigmoid, softmax


def quietly(fn, *args, **kwargs):
    """Call fn and fail on any warning (NumPy's overflow and invalid-value RuntimeWarnings included)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# values by hand

def test_sigmoid_by_hand():
    x = np.array([0.0, np.log(3.0), -np.log(3.0)])
    np.testing.assert_allclose(sigmoid(x), [0.5, 0.75, 0.25], rtol=1e-15)
    assert sigmoid(2.0) == pytest.approx(1 / (1 + np.exp(-2.0)), rel=1e-15)


def test_logsumexp_by_hand():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(logsumexp(z), [np.log(np.e + np.e ** 2 + np.e ** 3), np.log(3.0)], rtol=1e-15)
    np.testing.assert_allclose(logsumexp(z, axis=0), np.log(np.exp(z).sum(axis=0)), rtol=1e-15)
    assert logsumexp(z, keepdims=True).shape == (2, 1)


def test_softmax_and_log_softmax_by_hand():
    z = np.array([[0.0, np.log(3.0)], [5.0, 5.0]])
    np.testing.assert_allclose(softmax(z), [[0.25, 0.75], [0.5, 0.5]], rtol=1e-15)
    np.testing.assert_allclose(log_softmax(z), np.log([[0.25, 0.75], [0.5, 0.5]]), rtol=1e-15)
    np.testing.assert_allclose(softmax(z, axis=0)[:, 0], [np.exp(-5) / (1 + np.exp(-5)), 1 / (1 + np.exp(-5))])


# identities

@pytest.mark.parametrize("seed", range(3))
def test_identities_on_random_inputs(seed):
    x = np.random.default_rng(seed).normal(scale=5.0, size=(4, 7))
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-15)
    np.testing.assert_allclose(softmax(x).sum(axis=-1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(softmax(x + 1000.0), softmax(x), rtol=1e-12)   # shift-invariant
    np.testing.assert_allclose(np.exp(log_softmax(x)), softmax(x), rtol=1e-14)
    np.testing.assert_allclose(softmax(x), np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(logsumexp(x), np.log(np.exp(x).sum(axis=-1)), rtol=1e-14)


def test_results_are_float64_whatever_comes_in():
    for x in ([1, 2, 3], np.array([1, 2, 3], dtype=np.float32), np.array([True, False])):
        assert sigmoid(x).dtype == softmax(x).dtype == log_softmax(x).dtype == logsumexp(x).dtype == np.float64


# extreme inputs: finite answers, no warning

def test_extreme_finite_inputs_are_quiet_and_right():
    big = np.array([[1e308, 0.0, -1e308], [-1e308, -1e308, -1e308], [1000.0, 0.0, -1000.0]])
    np.testing.assert_array_equal(quietly(sigmoid, big[0]), [1.0, 0.5, 0.0])
    np.testing.assert_allclose(quietly(softmax, big), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [1, 0, 0]])
    np.testing.assert_allclose(quietly(logsumexp, big), [1e308, -1e308 + np.log(3), 1000.0])
    ls = quietly(log_softmax, big)
    assert ls[0, 0] == 0.0 and ls[0, 1] == -1e308 and ls[0, 2] == -np.inf   # -2e308 is beyond float64
    np.testing.assert_allclose(ls[2], [0.0, -1000.0, -2000.0])


def test_infinities_and_nan_are_quiet_and_match_pytorchs_conventions():
    inf, nan = np.inf, np.nan
    np.testing.assert_array_equal(quietly(sigmoid, [inf, -inf, nan]), [1.0, 0.0, nan])
    np.testing.assert_array_equal(quietly(softmax, [inf, 0.0]), [nan, 0.0])
    np.testing.assert_array_equal(quietly(softmax, [-inf, 0.0]), [0.0, 1.0])
    np.testing.assert_array_equal(quietly(logsumexp, [[inf, 0.0], [-inf, -inf], [nan, 0.0]]), [inf, -inf, nan])
    np.testing.assert_array_equal(quietly(log_softmax, [-inf, 0.0]), [-inf, 0.0])


def test_the_quiet_check_can_fail():
    """Companion: the naive formulas warn on the same inputs, and `quietly` turns that into a failure."""
    with pytest.raises(RuntimeWarning):
        quietly(lambda z: np.exp(z) / np.exp(z).sum(), np.array([1000.0, 0.0]))
    with pytest.raises(RuntimeWarning):
        quietly(lambda z: 1 / (1 + np.exp(-z)), np.array([-1000.0]))


# an independent reference

def test_matches_pytorch_in_float64():
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.random.default_rng(1).normal(scale=10.0, size=(3, 5)),
                        [[1e308, 0.0, -1e308, 5.0, -5.0]]])
    t = torch.tensor(x, dtype=torch.float64)
    np.testing.assert_allclose(sigmoid(x), torch.sigmoid(t).numpy(), rtol=1e-15, atol=0)
    np.testing.assert_allclose(softmax(x), torch.softmax(t, dim=-1).numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(log_softmax(x), torch.log_softmax(t, dim=-1).numpy(), rtol=1e-14)
    np.testing.assert_allclose(logsumexp(x), torch.logsumexp(t, dim=-1).numpy(), rtol=1e-14)


# bad input

@pytest.mark.parametrize("fn", [sigmoid, softmax, log_softmax, logsumexp])
@pytest.mark.parametrize("bad, dtype", [(["1", "2"], "<U1"), ([1.0, None], "object"), ([1 + 2j], "complex128")])
def test_anything_but_real_numbers_is_refused(fn, bad, dtype):
    with pytest.raises(TypeError, match=f"x must hold real numbers, got list of dtype {dtype}"):
        fn(bad)
