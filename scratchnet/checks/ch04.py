"""Checks for chapter 4's exercises: building `ReLU`, the backward passes of `Sigmoid` and `Tanh`,
`Softmax`, and a new activation, ELU.

Each check has its own reference (scratchnet._reference, or a line of NumPy); it does not import
`scratchnet.activations`, so it works whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet._reference import sigmoid, softmax
from scratchnet.checks._core import Case, CheckResult, Mistake, Raises, close, fallback, more_help, run_check

__all__ = ["fallback", "more_help", "check_relu", "check_sigmoid_backward", "check_tanh_backward", "check_softmax", "check_elu",
           "layer_run", "numerical_input_grad"]


def layer_run(cls, x, g, **kwargs):
    """(output, dL/dx) of a fresh layer of the learner's class on x, with upstream gradient g."""
    layer = cls(**kwargs)
    y = np.array(layer.forward(x))
    return y, layer.backward(g)


def numerical_input_grad(f, x, g, eps=1e-6):
    """Central differences of L = sum(f(x) * g) with respect to x, in float64, for a reference
    function f (never the learner's code: a wrong answer must not move the expected one)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        up = np.sum(f(x) * g)
        x[i] = original - eps
        down = np.sum(f(x) * g)
        x[i] = original
        grad[i] = (up - down) / (2 * eps)
    return grad


def _away_from_zero(rng, *shape):
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _common_cases(cls, what_backward, with_none=True) -> list[Case]:
    """Backward before forward, a grad_out of the wrong shape, and (optionally) an input of None."""
    cases = [Case("backward before any forward", call=lambda C: C().backward(np.ones((1, 3))),
                  expected=Raises(RuntimeError, ["before forward"]),
                  where="backward must say that forward has not run.",
                  what="read what forward kept from self.saved: saved raises that error."),
             Case("grad_out of shape (3, 2) after a forward pass on shape (2, 3)",
                  call=_backward_of_the_wrong_shape,
                  expected=Raises(ValueError, ["(2, 3)", "(3, 2)"]),
                  where="a grad_out of the wrong shape must be refused, naming both shapes.",
                  what=what_backward)]
    if with_none:
        cases.append(Case("an input holding None", call=lambda C: C().forward([[1.0, None]]),
                          expected=Raises(TypeError, ["None"]),
                          where="forward must refuse what is not numbers, before NumPy turns None into NaN.",
                          what="start forward with x = as_array(x, self)."))
    return cases


def _backward_of_the_wrong_shape(cls):
    layer = cls()
    layer.forward(np.ones((2, 3)))
    return layer.backward(np.ones((3, 2)))


# ------------------------------------------------------------------ 4.1 ReLU

def check_relu(ReLU) -> CheckResult:
    """Exercise 4.1: `ReLU.forward` and `ReLU.backward`."""
    rng = np.random.default_rng(41)
    what = ("forward: x = as_array(x, self); self.save_for_backward(x > 0, x.dtype); return np.maximum(x, 0). "
            "backward: positive, dtype = self.saved; G = check_grad_out(self, grad_out, positive.shape, dtype); "
            "return G * positive.")
    cases = []
    for description, (x, g) in {
        "by hand: x = [[-2, -0.5, 0.5, 2]], grad_out = [[1, -2, 3, -4]]":
            (np.array([[-2.0, -0.5, 0.5, 2.0]]), np.array([[1.0, -2.0, 3.0, -4.0]])),
        "the kink: x = 0 gets output 0 and slope 0, as in PyTorch":
            (np.array([[0.0, 1.0, -1.0], [2.0, 0.0, 3.0]]), np.array([[5.0, 5.0, 5.0], [-1.0, 2.0, 0.5]])),
        "a random batch of 8 samples with 5 features": (rng.normal(size=(8, 5)), rng.normal(size=(8, 5))),
    }.items():
        mask = (x > 0).astype(float)
        cases.append(Case(
            description, expected=(np.maximum(x, 0), g * mask),
            call=lambda C, x=x, g=g: layer_run(C, x.copy(), g.copy()),
            mistakes=[
                Mistake(lambda r, mask=mask: close(r[1], mask),
                        "item 1, dL/dx, is the slope [x > 0] itself; it ignores grad_out.",
                        "the chain rule multiplies the slope by the gradient from above: G * positive."),
                Mistake(lambda r, g=g: close(r[1], g),
                        "item 1, dL/dx, is grad_out unchanged: the gradient also gets through where x <= 0.",
                        "ReLU's slope is 0 where x <= 0: G * positive."),
                Mistake(lambda r, x=x, g=g: close(r[1], g * (x >= 0)),
                        "item 1 is right except where x is exactly 0.",
                        "take the slope 0 at the kink, as PyTorch does: positive = x > 0, not x >= 0."),
                Mistake(lambda r, x=x, g=g: close(r[1], g * np.maximum(x, 0)),
                        "item 1, dL/dx, was multiplied by the output, not by the slope.",
                        "the slope of ReLU is 1 where x > 0 and 0 elsewhere: G * positive."),
            ],
            where="item 0 is the output, item 1 the returned dL/dx.", what=what))

    def dtypes(C):
        y, dx = layer_run(C, np.ones((2, 3), dtype=np.float32), np.ones((2, 3), dtype=np.float64))
        return f"{y.dtype} {dx.dtype}"

    cases.append(Case("float32 input, float64 grad_out: output and dL/dx are float32", call=dtypes,
                      expected="float32 float32",
                      compare=lambda r: None if r == "float32 float32" else f"the dtypes are {r}",
                      where="the output and dL/dx keep the dtype of x.",
                      what="keep x.dtype with save_for_backward, and cast: check_grad_out(self, grad_out, "
                           "positive.shape, dtype)."))
    cases += _common_cases(ReLU, what)
    return run_check("4.1", ReLU, cases)


# ------------------------------------------------------------------ 4.2 Sigmoid.backward, 4.3 Tanh.backward

def _elementwise_backward_cases(f, slope, wrong: dict, what: str) -> list[Case]:
    rng = np.random.default_rng(42)
    sets = {"by hand: x = [[-1e4, 0, ln 3, 1e4]], grad_out of ones":
            (np.array([[-1e4, 0.0, np.log(3.0), 1e4]]), np.ones((1, 4))),
            "a random batch of 6 samples with 4 features, random grad_out":
            (_away_from_zero(rng, 6, 4), rng.normal(size=(6, 4)))}
    cases = []
    for description, (x, g) in sets.items():
        y = f(x)
        mistakes = [Mistake(lambda r, t=test(x, y, g): close(r, t), where_, what_)
                    for test, where_, what_ in wrong.values()]
        mistakes.append(Mistake(lambda r, d=slope(x, y): close(r, d),
                                "dL/dx is the slope itself; it ignores grad_out.",
                                "the chain rule multiplies the slope by the gradient from above."))
        cases.append(Case(description, expected=g * slope(x, y),
                          call=lambda C, x=x, g=g: layer_run(C, x.copy(), g.copy())[1],
                          mistakes=mistakes, where="dL/dx = grad_out times the slope at x.", what=what))
    return cases


def check_sigmoid_backward(Sigmoid) -> CheckResult:
    """Exercise 4.2: `Sigmoid.backward` returns dL/dx = grad_out * s * (1 - s)."""
    what = ("(s,) = self.saved; G = check_grad_out(self, grad_out, s.shape, s.dtype); "
            "return G * s * (1 - s).")
    wrong = {
        "s": (lambda x, s, g: g * s, "dL/dx is grad_out times s; the slope is s (1 - s).",
              "multiply by s * (1 - s)."),
        "1-s": (lambda x, s, g: g * (1 - s), "dL/dx is grad_out times (1 - s); the slope is s (1 - s).",
                "multiply by s * (1 - s)."),
    }
    cases = _elementwise_backward_cases(sigmoid, lambda x, s: s * (1 - s), wrong, what)
    cases += _common_cases(Sigmoid, what, with_none=False)
    return run_check("4.2", Sigmoid, cases)


def check_tanh_backward(Tanh) -> CheckResult:
    """Exercise 4.3: `Tanh.backward` returns dL/dx = grad_out * (1 - y**2)."""
    what = "(y,) = self.saved; G = check_grad_out(self, grad_out, y.shape, y.dtype); return G * (1 - y ** 2)."
    wrong = {
        "1-y": (lambda x, y, g: g * (1 - y), "dL/dx is grad_out times (1 - y); the slope is 1 - y**2.",
                "square the output: 1 - y ** 2."),
        "y(1-y)": (lambda x, y, g: g * y * (1 - y), "this is the sigmoid's slope, y (1 - y), not tanh's.",
                   "tanh' = 1 - tanh**2: G * (1 - y ** 2)."),
        "1+y2": (lambda x, y, g: g * (1 + y ** 2), "the slope has the wrong sign inside: 1 + y**2.",
                 "tanh' = 1 - y ** 2."),
    }
    cases = _elementwise_backward_cases(np.tanh, lambda x, y: 1 - y ** 2, wrong, what)
    cases += _common_cases(Tanh, what, with_none=False)
    return run_check("4.3", Tanh, cases)


# ------------------------------------------------------------------ 4.4 Softmax

def _softmax_variants(x) -> dict:
    """What typical wrong softmax forward passes return on x, with NaN where they overflow."""
    with np.errstate(all="ignore"):
        naive = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        global_max = np.exp(x - x.max()) / np.exp(x - x.max()).sum(axis=1, keepdims=True)
        row_min = np.exp(x - x.min(axis=1, keepdims=True))
        row_min = row_min / row_min.sum(axis=1, keepdims=True)
        columns = np.exp(x - x.max(axis=0, keepdims=True))
        columns = columns / columns.sum(axis=0, keepdims=True)
        unnormalised = np.exp(x - x.max(axis=1, keepdims=True))
    return {"naive": naive, "global max": global_max, "row min": row_min, "columns": columns,
            "unnormalised": unnormalised}


def _same_nan(received, expected) -> bool:
    try:
        received = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return False
    return received.shape == np.shape(expected) and bool(np.allclose(received, expected, equal_nan=True))


def check_softmax(Softmax) -> CheckResult:
    """Exercise 4.4: `Softmax.forward` (stable, row by row) and `Softmax.backward` (no Jacobian)."""
    rng = np.random.default_rng(44)
    what_forward = ("z = x - x.max(axis=1, keepdims=True); e = np.exp(z); p = e / e.sum(axis=1, keepdims=True); "
                    "self.save_for_backward(p); return p.")
    forward_sets = {
        "by hand: log [1, 2, 3] gives [1/6, 2/6, 3/6]": np.log([[1.0, 2.0, 3.0]]),
        "two rows: [1000, 1001, 1002], where exp overflows, and [0, 1, 2]":
            np.array([[1000.0, 1001.0, 1002.0], [0.0, 1.0, 2.0]]),
        "one row with logits -1000 and 0": np.array([[-1000.0, 0.0]]),
        "one row with logits 0 and 1000": np.array([[0.0, 1000.0]]),
        "a random batch of 5 rows of 4 logits": rng.normal(size=(5, 4)),
    }
    cases = []
    for description, x in forward_sets.items():
        variants = _softmax_variants(x)
        right = softmax(x)
        mistakes = []
        for name, where_, what_ in [
            ("naive", "the result overflows (inf, nan) where the logits are large: exp(1000) is inf.",
             "subtract each row's largest logit first: z = x - x.max(axis=1, keepdims=True)."),
            ("global max", "the rows whose logits are far below the largest logit of the whole batch "
                           "come out as nan: one maximum for the whole batch is not enough.",
             "subtract each row's own maximum: x.max(axis=1, keepdims=True)."),
            ("row min", "a row with a wide spread of logits overflows: after subtracting the row's "
                        "smallest logit, the largest exponent is still huge.",
             "subtract each row's largest logit, so that every exponent is <= 0."),
            ("columns", "the columns sum to 1, not the rows: the sums run over the batch axis.",
             "sum over the classes, axis=1, with keepdims=True."),
            ("unnormalised", "the rows do not sum to 1.", "divide by each row's sum: e / e.sum(axis=1, keepdims=True)."),
        ]:
            if not _same_nan(variants[name], right):
                mistakes.append(Mistake(lambda r, v=variants[name]: _same_nan(r, v), where_, what_))
        cases.append(Case(description, expected=right, call=lambda C, x=x: np.array(C().forward(x.copy())),
                          mistakes=mistakes, where="each row of the output must hold probabilities that "
                                                   "sum to 1.", what=what_forward))
    what_backward = ("(p,) = self.saved; G = check_grad_out(self, grad_out, p.shape, p.dtype); "
                     "return p * (G - np.sum(G * p, axis=1, keepdims=True)).")
    for description, (x, g) in {
        "a one-hot grad_out: row [ln 1, ln 2, ln 3], g = [1, 0, 0]": (np.log([[1.0, 2.0, 3.0]]),
                                                                      np.array([[1.0, 0.0, 0.0]])),
        "a random batch of 4 rows of 5 logits, random grad_out": (rng.normal(size=(4, 5)),
                                                                  rng.normal(size=(4, 5))),
    }.items():
        p = softmax(x)
        cases.append(Case(description, expected=numerical_input_grad(softmax, x, g),
                          call=lambda C, x=x, g=g: layer_run(C, x.copy(), g.copy())[1],
                          mistakes=[
                              Mistake(lambda r, p=p, g=g: close(r, p * g),
                                      "dL/dx misses the part that couples the classes: each p_i depends "
                                      "on every logit of its row.",
                                      "p * (G - sum(G * p)), the sum over each row."),
                              Mistake(lambda r, p=p, g=g: close(r, p * (1 - p) * g),
                                      "dL/dx uses only the diagonal of the Jacobian, p_i (1 - p_i).",
                                      "the full product is p * (G - np.sum(G * p, axis=1, keepdims=True))."),
                              Mistake(lambda r, p=p, g=g: close(r, p * (g - np.sum(g * p))),
                                      "the sum of G * p runs over the whole batch, not over each row.",
                                      "np.sum(G * p, axis=1, keepdims=True)."),
                          ],
                          where="this compares your backward with central differences of "
                                "L = sum(softmax(x) * grad_out).", what=what_backward))
    cases += _common_cases(Softmax, what_backward, with_none=True)[:2]
    return run_check("4.4", Softmax, cases)


# ------------------------------------------------------------------ 4.5 ELU, beyond the text

def check_elu(ELU) -> CheckResult:
    """Exercise 4.5: an `ELU(alpha)` layer: forward, backward, no overflow, and the errors."""
    rng = np.random.default_rng(45)
    what = ("forward: x = sn.as_array(x, self); self.save_for_backward(x); return "
            "np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0))). backward: (x,) = self.saved; "
            "G = sn.check_grad_out(self, grad_out, x.shape); slope is 1 where x > 0, "
            "alpha * exp(x) elsewhere; return G * slope.")

    def elu(x, alpha):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))

    cases = []
    for description, (x, alpha) in {
        "by hand, alpha = 1: x = [[-1, 0, 2]] gives [[e^-1 - 1, 0, 2]]": (np.array([[-1.0, 0.0, 2.0]]), 1.0),
        "alpha = 0.5 on a random batch": (_away_from_zero(rng, 4, 3), 0.5),
    }.items():
        cases.append(Case(description + ": the output", expected=elu(x, alpha),
                          call=lambda C, x=x, a=alpha: np.array(C(alpha=a).forward(x.copy())),
                          mistakes=[Mistake(lambda r, x=x: close(r, np.where(x > 0, x, np.exp(x) - 1)),
                                            "for x <= 0 the output ignores alpha.",
                                            "alpha * (exp(x) - 1) where x <= 0."),
                                    Mistake(lambda r, x=x, a=alpha: close(r, np.where(x > 0, x, a * np.exp(x))),
                                            "for x <= 0 the output misses the - 1: ELU(0) must be 0.",
                                            "alpha * (exp(x) - 1)."),
                                    ],
                          where="compare with the formula, branch by branch.", what=what))
        g = rng.normal(size=x.shape)
        cases.append(Case(description + ": dL/dx against central differences",
                          expected=numerical_input_grad(lambda u, a=alpha: elu(u, a), x, g),
                          call=lambda C, x=x, g=g, a=alpha: layer_run(C, x.copy(), g.copy(), alpha=a)[1],
                          mistakes=[Mistake(lambda r, x=x, g=g, a=alpha: close(r, g * np.where(x > 0, 1.0, a * np.expm1(x))),
                                            "for x <= 0 the slope is the output, alpha (e^x - 1); it is "
                                            "the derivative of that.",
                                            "d/dx alpha (e^x - 1) = alpha e^x.")],
                          where="dL/dx = grad_out times the slope: 1 for x > 0, and for x <= 0 the "
                                "derivative of alpha (e^x - 1).", what=what))

    def huge(C):
        with np.errstate(over="raise", invalid="raise"):
            layer = C()
            y = np.array(layer.forward(np.array([[1e4, -1e4]])))
            dx = layer.backward(np.ones((1, 2)))
        return np.concatenate([y.ravel(), np.asarray(dx).ravel()])

    cases.append(Case("x = [[1e4, -1e4]], with NumPy's overflow turned into an error", call=huge,
                      expected=np.array([1e4, -1.0, 1.0, 0.0]),
                      where="np.exp(x) overflows for x = 1e4 even where np.where then takes the other "
                            "branch: NumPy computes both branches.",
                      what="exponentiate np.minimum(x, 0), which is never positive."))

    def float32(C):
        return str(np.asarray(C().forward(np.ones((2, 2), dtype=np.float32))).dtype)

    cases.append(Case("float32 stays float32", call=float32, expected="float32",
                      compare=lambda r: None if r == "float32" else f"the output is {r}",
                      where="the output must keep the dtype of x.",
                      what="use x's own dtype throughout; np.where(x > 0, x, ...) with a float alpha keeps it."))
    cases.append(Case("backward before any forward", call=lambda C: C().backward(np.ones((1, 2))),
                      expected=Raises(RuntimeError, ["before forward"]),
                      where="backward must say that forward has not run.",
                      what="keep x with self.save_for_backward(x) and read it with (x,) = self.saved."))
    return run_check("4.5", ELU, cases)
