"""scratchnet.gradcheck (chapter 2): numerical_gradient, gradcheck and GradcheckError."""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.gradcheck import GradcheckError, gradcheck, numerical_gradient


# numerical_gradient: values by hand

def test_numerical_gradient_of_a_sum_of_squares_is_2x():
    x = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 2), x), 2 * x, rtol=1e-8)


def test_numerical_gradient_of_a_product_and_a_sine():
    v = np.array([1.5, -2.0, 0.3])
    expected = np.array([v[1], v[0], np.cos(v[2])])
    np.testing.assert_allclose(numerical_gradient(lambda v: v[0] * v[1] + np.sin(v[2]), v), expected, rtol=1e-8)


def test_numerical_gradient_of_a_linear_function_is_exact_for_any_shape():
    a = np.arange(12.0).reshape(3, 4) - 5
    x = np.random.default_rng(0).normal(size=(3, 4))
    grad = numerical_gradient(lambda m: np.sum(a * m), x)
    assert grad.shape == (3, 4) and grad.dtype == np.float64
    np.testing.assert_allclose(grad, a, atol=1e-8)


def test_numerical_gradient_of_a_scalar_point():
    assert numerical_gradient(lambda w: w ** 3, np.array(2.0)) == pytest.approx(12.0, rel=1e-8)
    assert numerical_gradient(lambda w: w ** 3, 2.0) == pytest.approx(12.0, rel=1e-8)  # a number is converted


def test_numerical_gradient_is_central_not_forward():
    # for f = x**3 at 1 the central difference is 3 + eps**2, the forward one 3 + 3 eps + eps**2
    grad = numerical_gradient(lambda v: v[0] ** 3, np.array([1.0]), eps=1e-2)
    assert grad[0] == pytest.approx(3.0001, rel=1e-10)


def test_numerical_gradient_restores_x_and_works_through_a_closure():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = x.copy()
    grad = numerical_gradient(lambda _: float(np.sum(x ** 2)), x)  # f reads x itself, not its argument
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])
    calls = []

    def fails_on_second_call(v):
        calls.append(1)
        if len(calls) == 2:
            raise ZeroDivisionError("boom")
        return float(np.sum(v))

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(fails_on_second_call, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_bad_inputs():
    with pytest.raises(ValueError, match=r"float64.*float32"):
        numerical_gradient(lambda v: np.sum(v), np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match=r"scalar.*shape \(3,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"eps must be a positive"):
        numerical_gradient(lambda v: np.sum(v), np.ones(3), eps=0.0)


# gradcheck

def test_gradcheck_passes_a_right_gradient_and_is_exported():
    assert sn.gradcheck is gradcheck and sn.numerical_gradient is numerical_gradient
    x = np.random.default_rng(1).normal(size=(4, 3))
    assert gradcheck(lambda m: np.sum(np.sin(m) * m), x, np.cos(x) * x + np.sin(x)) is True


def test_gradcheck_catches_a_wrong_gradient_with_a_useful_message():
    x = np.array([1.0, -2.0, 3.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda v: np.sum(v ** 2), x, x)  # the factor 2 is missing
    message = str(info.value)
    assert "index (2,)" in message
    assert "expected (numerical) 6" in message and "received (analytic) 3" in message
    assert "relative error 0.5" in message
    assert "3 of 3 entries" in message


def test_gradcheck_names_the_worst_entry_of_a_matrix():
    x = np.arange(6.0).reshape(2, 3)
    grad = 2 * x
    grad[1, 0] += 0.5  # one wrong entry
    with pytest.raises(GradcheckError, match=r"1 of 6 entries.*index \(1, 0\).*expected \(numerical\) 6, "
                                             r"received \(analytic\) 6.5, relative error 0.0769"):
        gradcheck(lambda m: np.sum(m ** 2), x, grad)


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError) and sn.GradcheckError is GradcheckError
    with pytest.raises(AssertionError):
        gradcheck(lambda v: np.sum(v ** 2), np.ones(2), np.ones(2))


def test_gradcheck_catches_a_nan_gradient():
    with pytest.raises(GradcheckError, match="index"):
        gradcheck(lambda v: np.sum(v ** 2), np.ones(2), np.array([2.0, np.nan]))


def test_gradcheck_works_in_float64_on_a_copy():
    x32 = np.array([0.3, -0.7, 1.1], dtype=np.float32)
    seen = []

    def f(v):
        seen.append(v.dtype)
        return np.sum(v ** 3)

    grad = 3.0 * x32.astype(np.float64) ** 2
    assert gradcheck(f, x32, grad)
    assert set(seen) == {np.dtype(np.float64)}
    np.testing.assert_array_equal(x32, np.array([0.3, -0.7, 1.1], dtype=np.float32))


def test_gradcheck_tolerances():
    x = np.array([1.0, 2.0])
    almost = 2 * x * (1 + 1e-6)  # within rtol=1e-5
    assert gradcheck(lambda v: np.sum(v ** 2), x, almost)
    with pytest.raises(GradcheckError):
        gradcheck(lambda v: np.sum(v ** 2), x, almost, rtol=1e-8, atol=0.0)
    assert gradcheck(lambda v: np.sum(v ** 2), x, 2 * x + 0.01, atol=0.1)


def test_gradcheck_bad_inputs():
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"grad has shape \(2,\) but x has shape \(3,\)"):
        gradcheck(lambda v: np.sum(v), x, np.ones(2))
    with pytest.raises(ValueError, match=r"grad has shape \(3, 1\) but x has shape \(3,\)"):
        gradcheck(lambda v: np.sum(v), x, np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"f must return a scalar.*shape \(3,\)"):
        gradcheck(lambda v: v ** 2, x, 2 * x)
    with pytest.raises(TypeError, match=r"f must return a number, got 'one' \(str\)"):
        gradcheck(lambda v: "one", x, x)


@pytest.mark.parametrize("f, says", [
    (lambda v: None, r"got None \(NoneType\); did f forget to return"),
    (lambda v: "0.5", r"got '0.5' \(str\)"),
    (lambda v: [1.0], r"got \[1.0\] \(list\)"),
    (lambda v: 1j, r"got 1j \(complex\)"),
    (lambda v: np.array([1 + 1j]).sum(), r"must return a real number"),
])
def test_numerical_gradient_refuses_an_f_that_does_not_return_a_number(f, says):
    x = np.ones(3)
    with pytest.raises(TypeError, match=says):
        numerical_gradient(f, x)
    assert np.array_equal(x, np.ones(3))  # restored even though f failed


@pytest.mark.parametrize("eps", ["1e-6", 0, -1e-6, float("nan"), float("inf"), None, True])
def test_numerical_gradient_refuses_a_bad_eps_by_name(eps):
    with pytest.raises(ValueError, match=r"numerical_gradient: eps must be a positive number such as 1e-6, got"):
        numerical_gradient(lambda v: float(np.sum(v)), np.ones(3), eps=eps)
