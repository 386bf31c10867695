"""Checks for chapter 2's exercises: building `numerical_gradient` and `MSE`, the gradient of a
line's MSE, a gradient-descent loop, and the learning rate that reaches the minimum in one step.

The checks have their own reference answers; they do not import `scratchnet.gradcheck` or
`scratchnet.losses`, so they work whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, Mistake, Raises, close, fallback, more_help, run_check

__all__ = ["fallback", "more_help", "check_numerical_gradient", "check_mse", "check_line_gradient", "check_gradient_descent",
           "check_one_step_lr"]


def _number_close(received, value, rtol=1e-6) -> bool:
    try:
        return bool(np.isclose(float(received), float(value), rtol=rtol, atol=1e-12))
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------------ 2.1 numerical_gradient

_WHAT_NG = ("for each index i in np.ndindex(x.shape): keep original = x[i]; set x[i] = original + eps "
            "and evaluate f_plus = _evaluate_scalar(f, x); set x[i] = original - eps and evaluate "
            "f_minus; in a finally: block put x[i] = original back; store (f_plus - f_minus) / (2 * eps).")


class _Boom(Exception):
    """What the check's f raises halfway, to see that x is put back."""


def check_numerical_gradient(numerical_gradient) -> CheckResult:
    """Exercise 2.1: `numerical_gradient(f, x, eps)`: central differences, entry by entry, with x
    nudged in place and always restored."""
    v = np.array([1.0, -2.0, 3.0])
    M = np.arange(6.0).reshape(2, 3) / 2
    cases = [
        Case("f(v) = sum(v**2) at v = [1, -2, 3]: by hand 2v = [2, -4, 6]",
             call=lambda ng: ng(lambda u: float(np.sum(u ** 2)), v.copy()), expected=2 * v,
             mistakes=[Mistake(lambda r: close(r, 4 * v), "every slope is twice the right one.",
                               "the two points are 2 * eps apart: divide by 2 * eps."),
                       Mistake(lambda r: close(r, -2 * v), "every slope has the wrong sign.",
                               "(f_plus - f_minus) / (2 * eps), with f_plus at x[i] + eps.")],
             where="for a sum of squares, each slope is twice its entry.", what=_WHAT_NG),
        Case("a quadratic with eps = 0.01, where central differences are exact but one-sided ones "
             "are off by eps", call=lambda ng: ng(lambda u: float(np.sum(u ** 2)), v.copy(), eps=0.01),
             expected=2 * v,
             mistakes=[Mistake(lambda r: close(r, 2 * v + 0.01), "each slope is off by exactly eps: "
                               "that is a forward difference.",
                               "step to both sides: (f(x + eps) - f(x - eps)) / (2 * eps)."),
                       Mistake(lambda r: close(r, 2 * v - 0.01), "each slope is off by exactly -eps: "
                               "that is a backward difference.",
                               "step to both sides: (f(x + eps) - f(x - eps)) / (2 * eps).")],
             where="a central difference of a quadratic has no error at all.", what=_WHAT_NG),
        Case("h(M) = sum(M**3) for a 2 x 3 matrix M: by hand 3 M**2, of M's shape",
             call=lambda ng: ng(lambda u: float(np.sum(u ** 3)), M.copy()), expected=3 * M ** 2,
             mistakes=[Mistake(lambda r: np.size(r) == M.size and np.shape(r) != M.shape,
                               "the numbers may be right, but the gradient does not have x's shape.",
                               "start from grad = np.zeros_like(x) and loop over np.ndindex(x.shape).")],
             where="the gradient has the shape of x, one slope per entry.", what=_WHAT_NG),
    ]

    def restored(ng):
        x = v.copy()
        ng(lambda u: float(np.sum(u ** 2)), x)
        return x

    def exactly_v(received):
        return None if np.array_equal(received, v) else f"x is {received} after the call, not exactly {v}"

    cases.append(Case("x is put back: after the call it holds [1, -2, 3] again", call=restored, compare=exactly_v,
                      where="x was changed by the call and not restored.",
                      what="after both evaluations, set x[i] = original again."))

    def restored_after_error(ng):
        x = v.copy()
        calls = []

        def f(u):
            calls.append(1)
            if len(calls) == 2:
                raise _Boom("f fails on its second call")
            return float(np.sum(u))
        try:
            ng(f, x)
        except _Boom:
            pass
        return x

    cases.append(Case("f raises an error halfway: x must still be put back", call=restored_after_error,
                      compare=exactly_v, where="when f raised, the nudged entry stayed nudged.",
                      what="put x[i] = original back in a finally: block around the two evaluations."))

    def through_a_closure(ng):
        w = v.copy()
        return ng(lambda _: float(np.sum(w ** 2)), w)  # f reads w itself, not its argument

    cases.append(Case("f reads x through a closure, not through its argument (as chapter 3 does)",
                      call=through_a_closure, expected=2 * v,
                      mistakes=[Mistake(lambda r: close(r, np.zeros(3)),
                                        "every slope is 0: f never saw the nudges, so your code nudged a "
                                        "copy of x, not x itself.",
                                        "change x in place, x[i] = original + eps, rather than "
                                        "building x + e.")],
                      where="x must be nudged in place, so that f sees the change however it reads x.",
                      what=_WHAT_NG))
    cases.append(Case('eps = "1e-6", text instead of a number', call=lambda ng: ng(np.sum, v.copy(), eps="1e-6"),
                      expected=Raises(ValueError, ["eps"]),
                      where="a bad eps must be refused with a message that names it.",
                      what="start with x = _check_point(x, eps)."))
    cases.append(Case("an f that returns None (it forgot to return)",
                      call=lambda ng: ng(lambda u: None, v.copy()), expected=Raises(TypeError, ["None"]),
                      where="an f that returns something other than a number must be reported clearly.",
                      what="evaluate f with _evaluate_scalar(f, x), not with f(x)."))
    return run_check("2.1", numerical_gradient, cases)


# ------------------------------------------------------------------ 2.2 MSE

_WHAT_MSE = ("forward: y_pred, y_true = _check_same_shape(self, y_pred, y_true); diff = y_pred - y_true; "
             "self.save_for_backward(diff); return float(np.mean(diff ** 2)). "
             "backward: (diff,) = self.saved; return 2.0 * diff / diff.size.")


def _mse_run(MSE, y_pred, y_true):
    loss = MSE()
    value = loss.forward(y_pred, y_true)
    return value, loss.backward()


def _mse_mistakes(y_pred, y_true) -> list[Mistake]:
    diff = y_pred - y_true
    value, grad = float(np.mean(diff ** 2)), 2 * diff / diff.size
    return [
        Mistake(lambda r: close(r[1], grad / 2), "the loss is right, the gradient is half of it.",
                "the derivative of d**2 is 2 * d: 2 * diff / N."),
        Mistake(lambda r: close(r[1], -grad), "the gradient has the wrong sign.",
                "it is 2 * (y_pred - y_true) / N, prediction minus target."),
        Mistake(lambda r: diff.ndim == 2 and diff.shape[1] > 1 and close(r[1], 2 * diff / len(diff)),
                "the gradient is too large by the number of outputs: it divides by the batch size.",
                "the loss averages over all N = y_pred.size entries: divide by diff.size."),
        Mistake(lambda r: np.ndim(r[0]) > 0, "item 0, the loss, is an array.",
                "forward returns a Python float: float(np.mean(diff ** 2))."),
        Mistake(lambda r: _number_close(r[0], float(np.sum(diff ** 2))),
                "the loss is a sum, not a mean.", "np.mean(diff ** 2)."),
    ]


def check_mse(MSE) -> CheckResult:
    """Exercise 2.2: `MSE.forward` and `MSE.backward`, with the shape check and the snapshot."""
    rng = np.random.default_rng(22)
    hand = (np.array([[0.5], [1.0], [2.0]]), np.array([[0.0], [1.0], [1.0]]))
    batch = (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
    cases = []
    for description, (y_pred, y_true) in {
        "by hand: (0.5, 1, 2) against (0, 1, 1): L = 0.4167, dL/dy = (0.3333, 0, 0.6667)": hand,
        "a batch of 4 samples with 3 outputs: the mean is over all 12 entries": batch,
    }.items():
        diff = y_pred - y_true
        cases.append(Case(description, expected=(float(np.mean(diff ** 2)), 2 * diff / diff.size),
                          call=lambda M, p=y_pred, t=y_true: _mse_run(M, p.copy(), t.copy()),
                          mistakes=_mse_mistakes(y_pred, y_true),
                          where="item 0 is the loss and item 1 its gradient.", what=_WHAT_MSE))
    cases.append(Case("forward returns a Python float", call=lambda M: type(M().forward(*hand)).__name__,
                      expected="float",
                      compare=lambda r: None if r == "float" else f"forward returned a {r}",
                      where="forward must return the loss as a Python float, not an array.",
                      what="return float(np.mean(diff ** 2))."))
    cases.append(Case("predictions (4, 1) against targets (4,): no broadcasting",
                      call=lambda M: M().forward(np.zeros((4, 1)), np.zeros(4)),
                      expected=Raises(ValueError, ["(4, 1)", "(4,)"]),
                      where="mismatched shapes must be refused, naming both.",
                      what="start forward with y_pred, y_true = _check_same_shape(self, y_pred, y_true)."))
    cases.append(Case("backward before any forward", call=lambda M: M().backward(),
                      expected=Raises(RuntimeError, ["before forward"]),
                      where="backward must say that forward has not run.",
                      what="read what forward kept with (diff,) = self.saved: saved raises that error."))

    def dtype_of_grad(M):
        loss = M()
        loss.forward(np.ones((2, 2), dtype=np.float32), np.zeros((2, 2), dtype=np.float32))
        return str(loss.backward().dtype)

    cases.append(Case("float32 predictions give a float32 gradient", call=dtype_of_grad, expected="float32",
                      compare=lambda r: None if r == "float32" else f"the gradient has dtype {r}",
                      where="something in backward turns the float32 numbers into float64.",
                      what="2.0 * diff / diff.size keeps diff's dtype."))

    def after_an_edit(M):
        y_pred, y_true = hand[0].copy(), hand[1].copy()
        loss = M()
        loss.forward(y_pred, y_true)
        y_pred += 10.0  # the caller edits its array after the forward pass
        return loss.backward()

    cases.append(Case("the caller edits y_pred after forward: backward must not change",
                      call=after_an_edit, expected=2 * (hand[0] - hand[1]) / 3,
                      where="backward read the caller's array, which changed after forward.",
                      what="keep diff = y_pred - y_true with self.save_for_backward(diff) in forward."))
    return run_check("2.2", MSE, cases)


# ------------------------------------------------------------------ 2.3 the gradient of a line

def _pair(received, gw, gb) -> bool:
    try:
        return len(received) == 2 and _number_close(received[0], gw) and _number_close(received[1], gb)
    except TypeError:
        return False


def check_line_gradient(line_gradient) -> CheckResult:
    """Exercise 2.3: `line_gradient(w, b, x, y)` returns (dL/dw, dL/db) for L = mean((w*x + b - y)**2)."""
    rng = np.random.default_rng(22)
    x_hand, y_hand = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])
    x_rand = rng.uniform(-1.5, 1.5, size=10)
    inputs = {
        "x = [0, 1, 2], y = [1, 3, 5] at w = 0, b = 0 (by hand: -26/3 and -6)": (0.0, 0.0, x_hand, y_hand),
        "at w = 2, b = 1 the line y = 2x + 1 fits exactly: both slopes are 0": (2.0, 1.0, x_hand, y_hand),
        "10 random points at w = 0.5, b = -0.3": (0.5, -0.3, x_rand, 2.0 * x_rand + 1.0),
        "a single point x = 2, y = 1 at w = 1, b = 1": (1.0, 1.0, np.array([2.0]), np.array([1.0])),
    }
    cases = []
    for description, (w, b, x, y) in inputs.items():
        error = w * x + b - y                      # (n,)
        gw, gb = float(np.mean(2 * error * x)), float(np.mean(2 * error))
        n = len(x)
        nonzero = abs(gw) + abs(gb) > 0
        cases.append(Case(
            description, (w, b, x, y), (gw, gb),
            mistakes=[
                Mistake(lambda r, gw=gw, gb=gb, nz=nonzero: nz and _pair(r, -gw, -gb),
                        "both derivatives have the wrong sign.",
                        "the error is prediction minus target, e = w*x + b - y."),
                Mistake(lambda r, gw=gw, gb=gb, nz=nonzero: nz and gw != gb and _pair(r, gb, gw),
                        "the two numbers are in the wrong order.", "return (dL/dw, dL/db)."),
                Mistake(lambda r, gw=gw, gb=gb, nz=nonzero: nz and _pair(r, gw / 2, gb / 2),
                        "both derivatives are half the right size.",
                        "the derivative of e**2 is 2 * e."),
                Mistake(lambda r, gw=gw, gb=gb, n=n, nz=nonzero: nz and n > 1 and _pair(r, gw * n, gb * n),
                        f"both derivatives are {n} times too large, the number of points.",
                        "the loss is a mean, so its gradient is a mean too: np.mean, not np.sum."),
                Mistake(lambda r, gw=gw, gb=gb, nz=nonzero: nz and gw != gb and _pair(r, gw, gw),
                        "dL/dw is right; dL/db is not.",
                        "dL/db has no factor x: the prediction changes by 1 when b changes by 1."),
                Mistake(lambda r, gw=gw, gb=gb, nz=nonzero: nz and gw != gb and _pair(r, gb, gb),
                        "dL/db is right; dL/dw is not.",
                        "dL/dw needs the factor x: the prediction w*x changes by x when w does by 1."),
            ],
            where="test each derivative on its own with gradcheck, as the exercise shows.",
            what="with e = w*x + b - y: dL/dw = mean(2 * e * x) and dL/db = mean(2 * e)."))
    return run_check("2.3", line_gradient, cases)


# ------------------------------------------------------------------ 2.4 a gradient-descent loop

def _reference_descent(grad, w0, lr, steps):
    weights = [float(w0)]
    for _ in range(steps):
        weights.append(weights[-1] - lr * grad(weights[-1]))
    return np.array(weights)


def check_gradient_descent(gradient_descent) -> CheckResult:
    """Exercise 2.4: `gradient_descent(grad, w0, lr, steps)` returns [w0, w1, ..., w_steps]."""
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
                Mistake(lambda r, e=expected: np.size(r) == len(e) - 1 and close(r, e[1:]),
                        "the weights after each step are right, but w0 is missing at the front.",
                        "start the list with w0, then append one weight per step."),
                Mistake(lambda r, s=steps: np.size(r) == s and s > 0,
                        "one weight too few.", "the list holds w0 and then one weight per step: "
                                               "steps + 1 in all."),
                Mistake(lambda r, s=steps: np.size(r) == s + 2,
                        "one weight too many.", "take exactly `steps` steps after w0."),
                Mistake(lambda r, e=ascent, s=steps: s > 0 and close(r, e),
                        "your weights climb the loss instead of descending it.",
                        "step against the gradient: w = w - lr * grad(w)."),
                Mistake(lambda r, e=frozen, s=steps: s > 1 and close(r, e),
                        "every step moved the weight by the same amount.",
                        "evaluate grad at the current w, inside the loop."),
            ],
            where="compare your list with the expected one entry by entry: the first entry that "
                  "differs is the first step that goes wrong.",
            what="weights = [w0]; then repeat `steps` times: "
                 "weights.append(weights[-1] - lr * grad(weights[-1]))."))
    return run_check("2.4", gradient_descent, cases)


# ------------------------------------------------------------------ 2.5 one step to the minimum

def check_one_step_lr(one_step_lr) -> CheckResult:
    """Exercise 2.5: `one_step_lr(x)` returns 1 / L'' = 1 / (2 * mean(x**2)), the learning rate
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
                Mistake(lambda r, c=curvature: _number_close(r, 2.0 / c),
                        "your rate is exactly twice the answer: the edge of divergence, where each step "
                        "jumps to the mirror image of w.",
                        "the factor 1 - lr * L'' must be 0, not -1: lr = 1 / L''."),
                Mistake(lambda r, c=curvature: _number_close(r, c),
                        "your rate is the curvature L'' itself.", "take its inverse, 1 / L''."),
                Mistake(lambda r, c=curvature, n=len(x): n > 1 and (_number_close(r, 1.0 / (c * n))
                                                                  or _number_close(r, 2.0 / (c * n))),
                        f"your rate is too small by the number of points, {len(x)}.",
                        "the loss is a mean: L'' = 2 * mean(x**2), not 2 * sum(x**2)."),
            ],
            where="one step gives w - w* -> (1 - lr * L'') (w - w*); which lr makes that 0?",
            what="return 1 / (2 * np.mean(x ** 2))."))
    return run_check("2.5", one_step_lr, cases)
