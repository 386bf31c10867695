"""Chapter 2's exercise checks: typical wrong answers draw the hint meant for them.
(The stubs and the notebook's solutions are tested for every chapter in tests/test_exercises.py.)"""

import numpy as np
import pytest

from scratchnet.checks import ch02


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, xs, h=1e-5: (f(xs + h) - f(xs)) / h, "forward difference"),
    (lambda f, xs, h=1e-5: (f(xs) - f(xs - h)) / h, "backward difference"),
    (lambda f, xs, h=1e-5: (f(xs + h) - f(xs - h)) / h, "divide by 2 * h"),
    (lambda f, xs, h=1e-5: (f(xs - h) - f(xs + h)) / (2 * h), "sign is flipped"),
    (lambda f, xs, h=1e-5: (f(xs + h) - f(xs - h)) / 2 * h, "mind the brackets"),
])
def test_derivative_typical_mistakes(wrong, hint):
    result = ch02.check_derivative(wrong)
    assert not result.passed and hint in result.hint, result
    assert "expected:" in result.message and "received:" in result.message


def _line(w, b, x, y):
    e = w * x + b - y
    return np.mean(2 * e * x), np.mean(2 * e)


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, b, x, y: tuple(-g for g in _line(w, b, x, y)), "signs are flipped"),
    (lambda w, b, x, y: _line(w, b, x, y)[::-1], "swapped"),
    (lambda w, b, x, y: tuple(g / 2 for g in _line(w, b, x, y)), "the 2 is missing"),
    (lambda w, b, x, y: tuple(g * len(x) for g in _line(w, b, x, y)), "the 1/n is missing"),
    (lambda w, b, x, y: (_line(w, b, x, y)[0], _line(w, b, x, y)[0]), "should not have the factor x"),
    (lambda w, b, x, y: (_line(w, b, x, y)[1], _line(w, b, x, y)[1]), "needs the factor x"),
])
def test_line_gradient_typical_mistakes(wrong, hint):
    result = ch02.check_line_gradient(wrong)
    assert not result.passed and hint in result.hint, result


def _descent(update, include_w0=True, extra=0):
    def gradient_descent(grad, w0, lr, steps):
        weights, w = ([w0] if include_w0 else []), w0
        for _ in range(steps + extra):
            w = update(w, lr, grad(w))
            weights.append(w)
        return weights
    return gradient_descent


def frozen_gradient(grad, w0, lr, steps):
    g0 = grad(w0)
    return [w0 - k * lr * g0 for k in range(steps + 1)]


@pytest.mark.parametrize("wrong, hint", [
    (_descent(lambda w, lr, g: w + lr * g), "you added the gradient"),
    (_descent(lambda w, lr, g: w - lr * g, include_w0=False), "w0 is missing"),
    (_descent(lambda w, lr, g: w - lr * g, extra=1), "one weight too many"),
    (frozen_gradient, "gradient at w0"),
])
def test_gradient_descent_typical_mistakes(wrong, hint):
    result = ch02.check_gradient_descent(wrong)
    assert not result.passed and hint in result.hint, result


@pytest.mark.parametrize("wrong, hint", [
    (lambda x: 1 / np.mean(x ** 2), "edge of divergence"),
    (lambda x: 2 * np.mean(x ** 2), "curvature"),
    (lambda x: 1 / (2 * np.sum(x ** 2)), "used a sum"),
    (lambda x: 1 / np.sum(x ** 2), "not 2 * sum(x**2); and take 1 / L''"),
])
def test_one_step_lr_typical_mistakes(wrong, hint):
    result = ch02.check_one_step_lr(wrong)
    assert not result.passed and hint in result.hint, result


def test_the_one_step_lr_really_reaches_the_minimum_in_one_step():
    x = np.array([-0.5, 0.5, 0.1, 2.0])
    y = 3 * x + 0.1
    w_star = np.sum(x * y) / np.sum(x * x)
    lr = 1 / (2 * np.mean(x ** 2))
    for w in [-4.0, 0.0, 10.0]:
        assert w - lr * np.mean(2 * (w * x - y) * x) == pytest.approx(w_star)


def test_a_crashing_answer_is_reported_not_raised():
    result = ch02.check_line_gradient(lambda w, b, x, y: x @ np.ones(2))
    assert not result.passed and "raised ValueError" in result.message


def test_passing_something_that_is_not_a_function():
    result = ch02.check_gradient_descent(0.1)
    assert not result.passed and "without calling it" in result.hint
