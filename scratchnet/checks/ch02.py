"""Checks for chapter 2's exercises: central-difference slopes, the gradient of a line's MSE, a gradient-descent
loop, and the learning rate that reaches the minimum in one step."""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, run_check

__all__ = ["check_derivative", "check_line_gradient", "check_gradient_descent", "check_one_step_lr"]


def _close(received, value, rtol=1e-6) -> bool:
    return bool(np.isclose(float(received), float(value), rtol=rtol, atol=1e-12))


def _same(received, expected) -> bool:
    received = np.asarray(received, dtype=float)
    return received.shape == np.shape(expected) and bool(np.allclose(received, expected, rtol=1e-6, atol=1e-12))


def check_derivative(derivative) -> CheckResult:
    """Exercise 2.1: `derivative(f, xs, h=1e-5)` returns (f(xs + h) - f(xs - h)) / (2h) at every point of xs."""
    functions = {
        "f(x) = x**3 at x = 1 with h = 1e-3 (by hand: 3 + h**2 = 3.000001)":
            (lambda x: x ** 3, np.array([1.0]), 1e-3),
        "f(x) = exp(x) at x = -1, 0, 1 with h = 0.1": (np.exp, np.array([-1.0, 0.0, 1.0]), 0.1),
        "f(x) = sin(x) at 7 points from 0 to 3 with the default h": (np.sin, np.linspace(0.0, 3.0, 7), None),
        "f(x) = 1 / x at x = -2, -0.5, 0.5, 2 with h = 0.01": (lambda x: 1.0 / x, np.array([-2.0, -0.5, 0.5, 2.0]), 0.01),
    }
    cases = []
    for description, (f, xs, h) in functions.items():
        step = 1e-5 if h is None else h
        central = (f(xs + step) - f(xs - step)) / (2 * step)
        forward = (f(xs + step) - f(xs)) / step
        backward = (f(xs) - f(xs - step)) / step
        cases.append(Case(
            description, (f, xs) if h is None else (f, xs, h), central,
            mistakes=[
                (lambda r, v=forward: _same(r, v),
                 "this is the forward difference (f(x + h) - f(x)) / h; step to both sides: "
                 "(f(x + h) - f(x - h)) / (2 * h). Its error shrinks like h**2, not h."),
                (lambda r, v=backward: _same(r, v),
                 "this is the backward difference (f(x) - f(x - h)) / h; use both sides: "
                 "(f(x + h) - f(x - h)) / (2 * h)."),
                (lambda r, v=central: _same(r, 2 * v),
                 "twice the slope: the two points are 2h apart, so divide by 2 * h, not h."),
                (lambda r, v=central: _same(r, -v),
                 "the sign is flipped: subtract the left value from the right one, f(x + h) - f(x - h)."),
                (lambda r, v=central, h=step: _same(r, v * h * h),
                 "mind the brackets: (...) / (2 * h) divides by 2h, but (...) / 2 * h multiplies by h."),
                (lambda r, v=central, h=step: _same(r, v * h),
                 "you divided by 2 only; the slope is the rise divided by the run, 2 * h."),
                (lambda r, v=central: np.ndim(r) == 0,
                 "you returned one number; return one slope per point, an array shaped like xs."),
            ],
            hint="at every point, the slope of the line through (x - h, f(x - h)) and (x + h, f(x + h)): "
                 "(f(xs + h) - f(xs - h)) / (2 * h), for the whole array at once."))
    return run_check("2.1", derivative, cases)


def _pair(received, gw, gb) -> bool:
    return len(received) == 2 and _close(received[0], gw) and _close(received[1], gb)


def check_line_gradient(line_gradient) -> CheckResult:
    """Exercise 2.2: `line_gradient(w, b, x, y)` returns (dL/dw, dL/db) for L = mean((w*x + b - y)**2)."""
    rng = np.random.default_rng(22)
    x_hand, y_hand = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])
    x_rand = rng.uniform(-1.5, 1.5, size=10)
    inputs = {
        "at w = 2, b = 1 the line y = 2x + 1 fits exactly: both slopes are 0": (2.0, 1.0, x_hand, y_hand),
        "x = [0, 1, 2], y = [1, 3, 5] at w = 0, b = 0 (by hand: -26/3 and -6)": (0.0, 0.0, x_hand, y_hand),
        "10 random points at w = 0.5, b = -0.3": (0.5, -0.3, x_rand, 2.0 * x_rand + 1.0),
        "a single point x = 2, y = 1 at w = 1, b = 1": (1.0, 1.0, np.array([2.0]), np.array([1.0])),
    }
    cases = []
    for description, (w, b, x, y) in inputs.items():
        error = w * x + b - y                      # (n,)
        gw, gb = float(np.mean(2 * error * x)), float(np.mean(2 * error))
        n = len(x)
        cases.append(Case(
            description, (w, b, x, y), (gw, gb),
            mistakes=[
                (lambda r, gw=gw, gb=gb: _pair(r, -gw, -gb),
                 "both signs are flipped: the error is prediction minus target, w*x + b - y."),
                (lambda r, gw=gw, gb=gb: _pair(r, gb, gw),
                 "the two are swapped: return (dL/dw, dL/db) in that order."),
                (lambda r, gw=gw, gb=gb: _pair(r, gw / 2, gb / 2),
                 "the 2 is missing: the derivative of e**2 is 2 * e."),
                (lambda r, gw=gw, gb=gb, n=n: n > 1 and _pair(r, gw * n, gb * n),
                 "the 1/n is missing: the loss is a mean, so its gradient is a mean too (np.mean, not np.sum)."),
                (lambda r, gw=gw, gb=gb: _pair(r, gw, gw),
                 "dL/db should not have the factor x: the prediction changes by 1 when b changes by 1."),
                (lambda r, gw=gw, gb=gb: _pair(r, gb, gb),
                 "dL/dw needs the factor x: the prediction w*x changes by x when w changes by 1."),
            ],
            hint="with e = w*x + b - y: dL/dw = mean(2 * e * x) and dL/db = mean(2 * e). "
                 "You can test yours with gradcheck."))
    return run_check("2.2", line_gradient, cases)


def _reference_descent(grad, w0, lr, steps):
    weights = [float(w0)]
    for _ in range(steps):
        weights.append(weights[-1] - lr * grad(weights[-1]))
    return np.array(weights)


def check_gradient_descent(gradient_descent) -> CheckResult:
    """Exercise 2.3: `gradient_descent(grad, w0, lr, steps)` returns [w0, w1, ..., w_steps]."""
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    y = 2.0 * x
    runs = {
        "L(w) = (w - 3)**2 from w0 = 0, lr = 0.1, 3 steps: 0, 0.6, 1.08, 1.464": (lambda w: 2 * (w - 3), 0.0, 0.1, 3),
        "zero steps return just [w0]": (lambda w: 2 * (w - 3), 5.0, 0.1, 0),
        "the one-weight MSE loss of y = w*x, from w0 = -1, lr = 0.2, 5 steps":
            (lambda w: float(np.mean(2 * (w * x - y) * x)), -1.0, 0.2, 5),
        "a learning rate too large: L(w) = w**2 from w0 = 1, lr = 1.1, 4 steps (it diverges)":
            (lambda w: 2 * w, 1.0, 1.1, 4),
    }
    cases = []
    for description, (grad, w0, lr, steps) in runs.items():
        expected = _reference_descent(grad, w0, lr, steps)
        ascent = _reference_descent(lambda w, g=grad: -g(w), w0, lr, steps)
        frozen = np.array([w0 - k * lr * grad(w0) for k in range(steps + 1)])
        cases.append(Case(
            description, (grad, w0, lr, steps), expected,
            mistakes=[
                (lambda r, e=expected: len(r) == len(e) - 1 and _same(r, e[1:]),
                 "the weights are right but w0 is missing at the front of the list."),
                (lambda r, s=steps: len(r) == s and s > 0,
                 "one weight too few: the list starts with w0 and then holds one weight per step, steps + 1 in all."),
                (lambda r, s=steps: len(r) == s + 2,
                 "one weight too many: take exactly `steps` steps after w0 (steps + 1 weights in all)."),
                (lambda r, e=ascent: _same(r, e),
                 "you added the gradient. The gradient points uphill; step against it: w = w - lr * grad(w)."),
                (lambda r, e=frozen, s=steps: s > 1 and _same(r, e),
                 "every step used the gradient at w0. Evaluate grad at the current w, inside the loop."),
            ],
            hint="start the list with w0; then repeat `steps` times: w = w - lr * grad(w), and append w."))
    return run_check("2.3", gradient_descent, cases)


def check_one_step_lr(one_step_lr) -> CheckResult:
    """Exercise 2.4: `one_step_lr(x)` returns 1 / L'' = 1 / (2 * mean(x**2)), the learning rate
    with which one gradient-descent step on L(w) = mean((w*x - y)**2) lands on the minimum."""
    rng = np.random.default_rng(24)
    inputs = {
        "x = [1, 1] (by hand: L'' = 2, so lr = 0.5)": np.array([1.0, 1.0]),
        "x = [1, 2, 3]": np.array([1.0, 2.0, 3.0]),
        "x = [-0.5, 0.5, 0.1, 2.0]": np.array([-0.5, 0.5, 0.1, 2.0]),
        "30 random inputs": rng.uniform(-1.5, 1.5, size=30),
    }
    cases = []
    for description, x in inputs.items():
        curvature = 2.0 * np.mean(x ** 2)
        cases.append(Case(
            description, (x,), float(1.0 / curvature),
            mistakes=[
                (lambda r, c=curvature: _close(r, 2.0 / c),
                 "that is twice the answer, 2 / L'': the edge of divergence, where each step jumps to the "
                 "mirror image of w and bounces forever. L'' = 2 * mean(x**2); take 1 / L''."),
                (lambda r, c=curvature: _close(r, c),
                 "that is the curvature L'' = 2 * mean(x**2) itself; the learning rate is its inverse, 1 / L''."),
                (lambda r, c=curvature, n=len(x): n > 1 and _close(r, 1.0 / (c * n)),
                 "you used a sum where the loss has a mean: L'' = 2 * mean(x**2), not 2 * sum(x**2)."),
                (lambda r, c=curvature, n=len(x): n > 1 and _close(r, 2.0 / (c * n)),
                 "the loss is a mean: L'' = 2 * mean(x**2), not 2 * sum(x**2); and take 1 / L''."),
            ],
            hint="one step gives w - w* -> (1 - lr * L'') (w - w*), with L'' = 2 * mean(x**2); "
                 "choose lr so that the bracket is zero."))
    return run_check("2.4", one_step_lr, cases)
