"""Checks for chapter 7's exercises: building `RMSProp.update` and `Adam.update`, then AdaGrad and
AdamW, two optimizers the chapter does not write.

Each check runs the learner's `update(p, state)` as `Optimizer.step` does (count the step in
`opt.iterations`, then update each parameter with that parameter's own state dict) and compares
the weights after every step with its own reference: a few lines of float64 NumPy per rule,
below. The parameters are stand-ins with `value` and `grad`, and nothing here imports the
chapters' modules, so the checks work whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, Mistake, Raises, close, fallback, more_help, run_check

__all__ = ["fallback", "more_help", "check_rmsprop", "check_adam", "check_adagrad", "check_adamw",
           "rmsprop_reference", "adam_reference", "adagrad_reference", "adamw_reference"]


# ------------------------------------------------------------------ references, in float64

def rmsprop_reference(w, grads, lr, rho, eps, mistake=None):
    """The weights after each step of RMSProp from w, fed grads[k] at step k: (steps, *shape).

        s <- rho s + (1 - rho) g**2,   w <- w - lr g / (sqrt(s) + eps)

    `mistake` names a typical wrong variant, for the hints (None: the right rule).
    """
    w = np.array(w, dtype=float)
    s = np.zeros_like(w)
    out = []
    with np.errstate(all="ignore"):
        for g in np.asarray(grads, dtype=float):
            if mistake == "no 1 - rho":
                s = rho * s + g * g
            elif mistake == "rho swapped":
                s = (1 - rho) * s + rho * g * g
            elif mistake == "forgets":
                s = (1 - rho) * g * g
            else:
                s = rho * s + (1 - rho) * g * g
            if mistake == "eps inside":
                step = lr * g / np.sqrt(s + eps)
            elif mistake == "no sqrt":
                step = lr * g / (s + eps)
            elif mistake == "no eps":
                step = lr * g / np.sqrt(s)
            else:
                step = lr * g / (np.sqrt(s) + eps)
            w = w + step if mistake == "sign" else w - step
            out.append(w.copy())
    return np.array(out)


def adam_reference(w, grads, lr, betas, eps, weight_decay=0.0, mistake=None, first_t=1):
    """The weights after each step of Adam (with L2 weight decay) from w: (steps, *shape).

        g <- g + weight_decay w
        m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g**2
        w <- w - lr (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps),   t = 1, 2, ...

    first_t: the t of the first step (a wrong answer that counts steps globally starts later).
    """
    b1, b2 = betas
    if mistake == "betas swapped":
        b1, b2 = b2, b1
    w = np.array(w, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    out = []
    with np.errstate(all="ignore"):
        for k, g in enumerate(np.asarray(grads, dtype=float)):
            t = first_t + k + (1 if mistake == "t + 1" else 0)
            if weight_decay and mistake != "no weight decay":
                if mistake == "decoupled":
                    w = w * (1 - lr * weight_decay)
                else:
                    g = g - weight_decay * w if mistake == "weight decay sign" else g + weight_decay * w
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            c1, c2 = 1 - b1 ** t, 1 - b2 ** t
            if mistake == "no bias correction":
                step = lr * m / (np.sqrt(v) + eps)
            elif mistake == "only m corrected":
                step = lr * (m / c1) / (np.sqrt(v) + eps)
            elif mistake == "eps inside":
                step = lr * (m / c1) / np.sqrt(v / c2 + eps)
            elif mistake == "eps before correction":
                step = lr * (m / c1) / ((np.sqrt(v) + eps) / np.sqrt(c2))
            else:
                step = lr * (m / c1) / (np.sqrt(v / c2) + eps)
            w = w - step
            out.append(w.copy())
    return np.array(out)


def adagrad_reference(w, grads, lr, eps, mistake=None):
    """The weights after each step of AdaGrad from w: (steps, *shape).

        s <- s + g**2,   w <- w - lr g / (sqrt(s) + eps)
    """
    w = np.array(w, dtype=float)
    s = np.zeros_like(w)
    out = []
    with np.errstate(all="ignore"):
        for g in np.asarray(grads, dtype=float):
            s = g * g if mistake == "forgets" else s + g * g
            if mistake == "eps inside":
                step = lr * g / np.sqrt(s + eps)
            elif mistake == "no sqrt":
                step = lr * g / (s + eps)
            else:
                step = lr * g / (np.sqrt(s) + eps)
            w = w + step if mistake == "sign" else w - step
            out.append(w.copy())
    return np.array(out)


def adamw_reference(w, grads, lr, betas, eps, weight_decay, mistake=None):
    """The weights after each step of AdamW from w: (steps, *shape).

        w <- w (1 - lr weight_decay),   then Adam's step on g alone (no L2 term)
    """
    if mistake == "L2":
        return adam_reference(w, grads, lr, betas, eps, weight_decay)
    b1, b2 = betas
    w = np.array(w, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    out = []
    with np.errstate(all="ignore"):
        for t, g in enumerate(np.asarray(grads, dtype=float), start=1):
            shrink = 1 - (weight_decay if mistake == "no lr" else lr * weight_decay)
            if mistake not in ("after", "no decay"):
                w = w * shrink
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
            if mistake == "after":
                w = w * shrink
            out.append(w.copy())
    return np.array(out)


# ------------------------------------------------------------------ running the learner's optimizer

class _Param:
    """What an update reads and writes: `value` and `grad` (a stand-in for chapter 1's Parameter)."""

    def __init__(self, value):
        self.value = np.array(value)
        self.grad = np.zeros_like(self.value)

    @property
    def shape(self):
        return self.value.shape

    def zero_grad(self):
        self.grad[...] = 0


def _step(opt, params, states):
    """What Optimizer.step does: count the step, then update each parameter with its own state."""
    opt.iterations = getattr(opt, "iterations", 0) + 1
    for p in params:
        opt.update(p, states.setdefault(id(p), {"param": p}))


def _trajectory(opt, start, grads):
    """One parameter from `start`, fed grads[k] at step k: the weights after each step."""
    p, states = _Param(np.array(start, dtype=np.float64)), {}
    out = []
    for g in grads:
        p.grad[...] = g
        _step(opt, [p], states)
        out.append(np.array(p.value, dtype=float))
    return np.array(out)


def _two_parameters(opt, starts, grads):
    """Two parameters of different shapes, stepped together: both trajectories, concatenated
    flat per step (steps, size_a + size_b)."""
    params, states = [_Param(np.array(s, dtype=np.float64)) for s in starts], {}
    out = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad[...] = g
        _step(opt, params, states)
        out.append(np.concatenate([np.ravel(p.value) for p in params]).astype(float))
    return np.array(out)


def _join_later(opt, starts, grads, later=3):
    """Parameter a steps from the start; b joins after `later` steps. Returns b's trajectory:
    its own step count must start at 1 when it joins."""
    (a, b), states = (_Param(np.array(s, dtype=np.float64)) for s in starts), {}
    out = []
    for k, (ga, gb) in enumerate(grads):
        a.grad[...], b.grad[...] = ga, gb
        _step(opt, [a] if k < later else [a, b], states)
        if k >= later:
            out.append(np.array(b.value, dtype=float))
    return np.array(out)


def _fmt(a):
    return np.array2string(np.asarray(a, dtype=float), precision=6, suppress_small=True)


def _by_step(expected, rtol=1e-6, atol=1e-9):
    """compare(received): None when every step matches, else the first step that differs."""
    expected = np.asarray(expected, dtype=float)

    def compare(received):
        try:
            array = np.asarray(received, dtype=float)
        except (TypeError, ValueError):
            return f"expected the weights after each step, got {type(received).__name__}"
        if array.shape != expected.shape:
            return f"expected weights of shape {expected.shape}, got {array.shape}"
        for k, (r, e) in enumerate(zip(array, expected), start=1):
            if not np.allclose(r, e, rtol=rtol, atol=atol):
                return (f"after step {k} of {len(expected)} the weights are {_fmt(r)}, "
                        f"expected {_fmt(e)}")
        return None
    return compare


def _in_place(opt_class, **hyper):
    """Two steps on a float32 parameter: does p.value stay the same array, float32, and do the
    state's arrays stay the same objects after the first step?"""
    p, states = _Param(np.array([1.0, -2.0, 0.5], dtype=np.float32)), {}
    opt = opt_class(**hyper)
    value = p.value
    p.grad[...] = [0.5, -1.0, 2.0]
    _step(opt, [p], states)
    arrays = {k: v for k, v in states[id(p)].items() if isinstance(v, np.ndarray)}
    p.grad[...] = [-0.25, 0.5, 1.0]
    _step(opt, [p], states)
    after = states[id(p)]
    if p.value is not value:
        return "p.value is a new array: the update was not done in place"
    if p.value.dtype != np.float32:
        return f"p.value became {p.value.dtype}"
    if not arrays:
        return "the state holds no arrays for the parameter after a step"
    renewed = [k for k, v in arrays.items() if after.get(k) is not v]
    if renewed:
        return f"state[{renewed[0]!r}] is a new array after the second step"
    return "ok"


def _is_ok(received):
    return None if received == "ok" else str(received)


def _grad_untouched(opt_class, **hyper):
    """After a step, p.grad still holds dL/dw (an optimizer reads the gradient, it does not
    change it)."""
    p = _Param(np.array([1.0, -2.0]))
    p.grad[...] = [0.5, 0.25]
    _step(opt_class(**hyper), [p], {})
    return np.array(p.grad, dtype=float)


# ------------------------------------------------------------------ 7.1 RMSProp

_WHAT_RMSPROP = ("create state['square_avg'] (zeros) and state['buffer'] at the first step; then "
                 "s *= rho; s += (1 - rho) g**2; w -= lr * g / (sqrt(s) + eps), each with out= into "
                 "the buffer, and p.value -= buf at the end.")

# the gradients fed to the checks' optimizers: varied signs and sizes, one entry exactly 0
_START = np.array([1.0, -2.0, 0.5])
_GRADS = np.array([[2.0, 0.5, 0.0], [1.0, -0.5, 0.0], [-3.0, 0.25, 0.0], [0.5, 1.0, 0.0],
                   [2.5, -2.0, 0.0], [1.5, 0.75, 0.0]])


def _rmsprop_mistakes(start, grads, lr, rho, eps):
    def variant(name):
        return rmsprop_reference(start, grads, lr, rho, eps, mistake=name)
    return [
        Mistake(lambda r: close(r, variant("sign")), "every step goes uphill: the weights move "
                "with the gradient.", "w -= lr * g / (sqrt(s) + eps): subtract the step."),
        Mistake(lambda r: close(r, variant("no 1 - rho")), "the running average is too large: "
                "the new g**2 comes in without its weight (1 - rho).",
                "s = rho * s + (1 - rho) * g**2."),
        Mistake(lambda r: close(r, variant("rho swapped")), "rho and 1 - rho are swapped: the "
                "average keeps (1 - rho) of the past and takes rho of the new g**2.",
                "s = rho * s + (1 - rho) * g**2: rho is what the past keeps."),
        Mistake(lambda r: close(r, variant("forgets")), "the first step is right, the later ones "
                "are not: the running average starts again from zero at every step.",
                "keep s in state: create it once, state['square_avg'] = np.zeros_like(p.value), "
                "and update that same array in place at every step."),
        Mistake(lambda r: close(r, variant("no sqrt")), "the step divides by the mean square "
                "itself, not by its square root.", "divide by np.sqrt(s) + eps."),
        Mistake(lambda r: close(r, variant("eps inside")), "eps is inside the square root.",
                "sqrt(s) + eps: eps goes outside, as in PyTorch."),
        Mistake(lambda r: bool(np.isnan(np.asarray(r, dtype=float)).any()),
                "a weight became NaN: an entry whose gradient is 0 divides 0 by 0.",
                "add eps to the denominator: sqrt(s) + eps."),
    ]


def check_rmsprop(RMSProp) -> CheckResult:
    """Exercise 7.1: `RMSProp.update`, in place, with its state per parameter (and the given
    `__init__`, which checks and keeps lr, rho, eps)."""
    cases = []

    def hyperparameters(R):
        opt = R(lr=0.01, rho=0.8, eps=1e-6)
        return (opt.lr, opt.rho, opt.eps, len(getattr(opt, "state", ())))

    cases.append(Case("RMSProp(lr=0.01, rho=0.8, eps=1e-6) keeps its hyperparameters, and its "
                      "state starts empty", call=hyperparameters, expected=(0.01, 0.8, 1e-6, 0),
                      where="item 0 is opt.lr, item 1 opt.rho, item 2 opt.eps and item 3 "
                            "len(opt.state), which is 0 before any step.",
                      what="keep the __init__ the chapter gives: super().__init__(lr), which "
                           "keeps lr and makes the state, then rho and eps as checked numbers."))
    hand_start, hand_grad = np.array([1.0, -2.0]), np.array([[2.0, 0.5]])
    cases.append(Case("one step by hand: w = [1, -2], g = [2, 0.5], lr = 0.01, rho = 0.9: "
                      "s = 0.1 g**2, each step lr / sqrt(0.1) = 0.0316 against the sign of g",
                      call=lambda R: _trajectory(R(lr=0.01, rho=0.9), hand_start, hand_grad),
                      expected=np.array([[1 - 0.01 / np.sqrt(0.1), -2 - 0.01 / np.sqrt(0.1)]]),
                      compare=_by_step(rmsprop_reference(hand_start, hand_grad, 0.01, 0.9, 1e-8)),
                      mistakes=_rmsprop_mistakes(hand_start, hand_grad, 0.01, 0.9, 1e-8),
                      where="the first step of RMSProp is lr / sqrt(1 - rho) against the sign of "
                            "each gradient.", what=_WHAT_RMSPROP))
    for description, (lr, rho, eps) in {
        "six steps, lr = 0.05, rho = 0.9; the third gradient entry is always 0": (0.05, 0.9, 1e-8),
        "six steps with rho = 0.5, eps = 0.1: eps large enough to matter": (0.1, 0.5, 0.1),
    }.items():
        cases.append(Case(description, call=lambda R, lr=lr, rho=rho, eps=eps: _trajectory(
                              R(lr=lr, rho=rho, eps=eps), _START, _GRADS),
                          expected=rmsprop_reference(_START, _GRADS, lr, rho, eps),
                          compare=_by_step(rmsprop_reference(_START, _GRADS, lr, rho, eps)),
                          mistakes=_rmsprop_mistakes(_START, _GRADS, lr, rho, eps),
                          where="compare the first step that differs with the rule "
                                "s <- rho s + (1 - rho) g**2, w <- w - lr g / (sqrt(s) + eps).",
                          what=_WHAT_RMSPROP))
    starts = (np.array([1.0, -1.0]), np.array([[0.5, 2.0, -1.0], [0.0, 1.0, 3.0]]))
    rng = np.random.default_rng(71)
    two_grads = [(rng.normal(size=2), rng.normal(size=(2, 3))) for _ in range(4)]
    expected_two = np.concatenate(
        [rmsprop_reference(starts[0], [g[0] for g in two_grads], 0.05, 0.9, 1e-8),
         rmsprop_reference(starts[1], [g[1] for g in two_grads], 0.05, 0.9, 1e-8).reshape(4, -1)],
        axis=1)
    cases.append(Case("two parameters of shapes (2,) and (2, 3) in one step list, four steps: "
                      "each has its own running average",
                      call=lambda R: _two_parameters(R(lr=0.05, rho=0.9), starts, two_grads),
                      expected=expected_two, compare=_by_step(expected_two),
                      where="each parameter needs its own running average s, of its own shape.",
                      what="keep s in the `state` dict that update receives (one per parameter), "
                           "never on self."))
    cases.append(Case("updates in place: p.value stays the same float32 array, and the state's "
                      "arrays are made once", call=lambda R: _in_place(R, lr=0.01),
                      expected="ok", compare=_is_ok,
                      where="the update must change p.value in place and reuse the arrays it "
                            "keeps in state.",
                      what="p.value -= buf, not p.value = p.value - ...; create state's arrays "
                           "only when they are missing."))
    cases.append(Case("p.grad is read, not changed", call=lambda R: _grad_untouched(R, lr=0.01),
                      expected=np.array([0.5, 0.25]),
                      where="after the step, p.grad must still hold the gradient.",
                      what="compute into state['buffer'] (out=buf), never into p.grad."))
    for description, kwargs, mention in [
        ("lr = -0.01", dict(lr=-0.01), "lr"),
        ("rho = 1, which would never forget", dict(rho=1.0), "rho"),
        ("rho = -0.1", dict(rho=-0.1), "rho"),
        ("eps = 0, which would divide 0 by 0", dict(eps=0.0), "eps"),
    ]:
        cases.append(Case(description, call=lambda R, kw=kwargs: R(**kw),
                          expected=Raises(ValueError, [mention]),
                          where=f"a bad {mention} must be refused with a ValueError naming it.",
                          what="keep the __init__ the chapter gives: it checks each "
                               "hyperparameter with _check_number."))
    return run_check("7.1", RMSProp, cases)


# ------------------------------------------------------------------ 7.2 Adam

_WHAT_ADAM = ("on the first step create state['m'], state['v'] (zeros), state['buffer'] and "
              "state['t'] = 0; then t += 1; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g**2 (in "
              "place); w -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps), with g = "
              "p.grad + weight_decay * w when weight_decay is set.")


def _adam_mistakes(start, grads, lr, betas, eps, weight_decay=0.0):
    def variant(name):
        return adam_reference(start, grads, lr, betas, eps, weight_decay, mistake=name)
    found = [
        Mistake(lambda r: close(r, variant("no bias correction")), "the first steps are too "
                "large (about 3 lr at step 1): m and v are not bias-corrected.",
                "divide m by (1 - beta1**t) and v by (1 - beta2**t), t = 1 at the first step."),
        Mistake(lambda r: close(r, variant("only m corrected")), "m is bias-corrected but v is "
                "not: the steps are far too small.", "v_hat = v / (1 - beta2**t) too."),
        Mistake(lambda r: close(r, variant("t + 1")), "the bias correction uses the wrong t: "
                "one step ahead.", "t is 1 at the first step: add 1 to state['t'] before using it."),
        Mistake(lambda r: close(r, variant("betas swapped")), "beta1 and beta2 are swapped.",
                "beta1, beta2 = self.betas: beta1 for m (the gradient), beta2 for v (its square)."),
        Mistake(lambda r: close(r, variant("eps inside")), "eps is inside the square root.",
                "sqrt(v_hat) + eps, with eps outside."),
        Mistake(lambda r: close(r, variant("eps before correction")), "eps is added before the "
                "bias correction of v.", "the denominator is sqrt(v_hat) + eps: add eps * sqrt(1 - beta2**t) to "
                "sqrt(v), as the chapter does (the step then has sqrt(1 - beta2**t) on top), or "
                "divide sqrt(v) by sqrt(1 - beta2**t) before adding eps."),
        Mistake(lambda r: bool(np.isnan(np.asarray(r, dtype=float)).any()),
                "a weight became NaN: something divided 0 by 0. With t = 0 at the first step, "
                "1 - beta1**t is 0; without eps, an entry whose gradient is 0 gives 0 / 0.",
                "t is 1 at the first step (state['t'] += 1 before using it), and the denominator "
                "is sqrt(v_hat) + eps."),
    ]
    if weight_decay:
        found += [
            Mistake(lambda r: close(r, variant("no weight decay")), "weight_decay is ignored.",
                    "g = p.grad + weight_decay * p.value, before m and v."),
            Mistake(lambda r: close(r, variant("decoupled")), "the weight decays by itself "
                    "(that is AdamW, exercise 7.4); Adam adds weight_decay * w to the gradient.",
                    "g = p.grad + weight_decay * p.value, before m and v."),
            Mistake(lambda r: close(r, variant("weight decay sign")), "the L2 term has the wrong "
                    "sign: it pushes the weights away from 0.", "g + weight_decay * w."),
        ]
    return found


def check_adam(Adam) -> CheckResult:
    """Exercise 7.2: `Adam.update`: both moments, bias correction, L2 weight decay, in place."""
    cases = []
    hand_start, hand_grad = np.array([1.0, -2.0]), np.array([[2.0, 0.5]])
    first = adam_reference(hand_start, hand_grad, 0.01, (0.9, 0.999), 1e-8)
    cases.append(Case("one step by hand: w = [1, -2], g = [2, 0.5], lr = 0.01: after bias "
                      "correction m_hat = g, v_hat = g**2, so each weight moves by lr against "
                      "the sign of g", call=lambda A: _trajectory(A(lr=0.01), hand_start, hand_grad),
                      expected=first, compare=_by_step(first),
                      mistakes=_adam_mistakes(hand_start, hand_grad, 0.01, (0.9, 0.999), 1e-8),
                      where="Adam's first step is lr * g / (|g| + eps), about lr against the sign "
                            "of g, whatever the size of g.", what=_WHAT_ADAM))
    for description, (lr, betas, eps, wd) in {
        "six steps, lr = 0.05, betas = (0.9, 0.999)": (0.05, (0.9, 0.999), 1e-8, 0.0),
        "six steps, betas = (0.5, 0.8), eps = 0.1: eps large enough to matter":
            (0.1, (0.5, 0.8), 0.1, 0.0),
        "six steps with weight_decay = 0.5": (0.05, (0.9, 0.99), 1e-8, 0.5),
    }.items():
        expected = adam_reference(_START, _GRADS, lr, betas, eps, wd)
        cases.append(Case(description, call=lambda A, lr=lr, b=betas, e=eps, wd=wd: _trajectory(
                              A(lr=lr, betas=b, eps=e, weight_decay=wd), _START, _GRADS),
                          expected=expected, compare=_by_step(expected),
                          mistakes=_adam_mistakes(_START, _GRADS, lr, betas, eps, wd),
                          where="compare the first step that differs with Adam's rule, in the "
                                "docstring.", what=_WHAT_ADAM))
    starts = (np.array([0.5, -0.5]), np.array([1.0, 2.0]))
    rng = np.random.default_rng(72)
    late_grads = [(rng.normal(size=2), rng.normal(size=2)) for _ in range(6)]
    late = adam_reference(starts[1], [g[1] for g in late_grads[3:]], 0.05, (0.9, 0.999), 1e-8)
    counted_globally = adam_reference(starts[1], [g[1] for g in late_grads[3:]], 0.05,
                                      (0.9, 0.999), 1e-8, first_t=4)
    cases.append(Case("a parameter that joins the step list after 3 steps: its own t starts at 1",
                      call=lambda A: _join_later(A(lr=0.05), starts, late_grads),
                      expected=late, compare=_by_step(late),
                      mistakes=[Mistake(lambda r: close(r, counted_globally),
                                        "its first step is too short: its bias correction counts "
                                        "the optimizer's steps, not its own.",
                                        "count steps per parameter: state['t'] += 1, not "
                                        "self.iterations.")],
                      where="each parameter's bias correction counts that parameter's steps.",
                      what=_WHAT_ADAM))
    cases.append(Case("updates in place: p.value stays the same float32 array, and the state's "
                      "arrays are made once", call=lambda A: _in_place(A, lr=0.01, weight_decay=0.1),
                      expected="ok", compare=_is_ok,
                      where="the update must change p.value in place and reuse the arrays it "
                            "keeps in state.",
                      what="m *= beta1 and similar in place, p.value -= buf at the end; create "
                           "state's arrays only when they are missing."))
    cases.append(Case("p.grad is read, not changed, even with weight_decay",
                      call=lambda A: _grad_untouched(A, lr=0.01, weight_decay=0.5),
                      expected=np.array([0.5, 0.25]),
                      mistakes=[Mistake(lambda r: close(r, [0.5 + 0.5 * 1.0, 0.25 + 0.5 * -2.0]),
                                        "p.grad now holds g + weight_decay * w: the L2 term was "
                                        "added to p.grad in place.",
                                        "add it into another array (a buffer in state, or "
                                        "g = p.grad + weight_decay * p.value), not into p.grad.")],
                      where="after the step, p.grad must still hold dL/dw.",
                      what="never write into p.grad."))
    for description, kwargs, mention, kind in [
        ("betas = (1.0, 0.999)", dict(betas=(1.0, 0.999)), "betas[0]", ValueError),
        ("betas = (0.9, -0.1)", dict(betas=(0.9, -0.1)), "betas[1]", ValueError),
        ("betas = 0.9, a number instead of a pair", dict(betas=0.9), "betas", TypeError),
        ("eps = 0", dict(eps=0.0), "eps", ValueError),
        ("weight_decay = -0.1", dict(weight_decay=-0.1), "weight_decay", ValueError),
    ]:
        cases.append(Case(description, call=lambda A, kw=kwargs: A(**kw),
                          expected=Raises(kind, [mention]),
                          where=f"a bad {mention} must be refused with a {kind.__name__} naming it.",
                          what="Adam.__init__ checks them; keep it as the chapter wrote it."))
    return run_check("7.2", Adam, cases)


# ------------------------------------------------------------------ 7.3 AdaGrad (beyond the text)

_WHAT_ADAGRAD = ("s = state.get('sum'); if s is None: s = state['sum'] = np.zeros_like(p.value); "
                 "s += g * g; p.value -= self.lr * g / (np.sqrt(s) + self.eps).")


def _adagrad_mistakes(start, grads, lr, eps):
    def variant(name):
        return adagrad_reference(start, grads, lr, eps, mistake=name)
    return [
        Mistake(lambda r: close(r, variant("sign")), "every step goes uphill.",
                "subtract the step: w -= lr * g / (sqrt(s) + eps)."),
        Mistake(lambda r: close(r, variant("forgets")), "each step is lr against the sign of g: "
                "the sum of squares starts again at every step.",
                "keep s in state and add g**2 to it: it only grows."),
        Mistake(lambda r: close(r, rmsprop_reference(start, grads, lr, 0.9, eps)),
                "that is RMSProp: AdaGrad adds up every g**2, it does not average them.",
                "s += g * g, with no rho."),
        Mistake(lambda r: close(r, variant("no sqrt")), "the step divides by the sum itself.",
                "divide by np.sqrt(s) + eps."),
        Mistake(lambda r: close(r, variant("eps inside")), "eps is inside the square root.",
                "sqrt(s) + eps, as PyTorch's Adagrad."),
    ]


def check_adagrad(AdaGrad) -> CheckResult:
    """Exercise 7.3: AdaGrad, s <- s + g**2, w <- w - lr g / (sqrt(s) + eps), as torch.optim.Adagrad
    with its defaults for everything but lr and eps."""
    cases = []
    constant = np.full((4, 1), 2.0)
    by_hand = 1.0 - 0.1 * np.cumsum(1 / np.sqrt(np.arange(1, 5)))[:, None]
    cases.append(Case("a constant gradient g = 2 from w = 1, lr = 0.1: step t is lr / sqrt(t), "
                      "so w = 1 - 0.1 (1 + 1/sqrt(2) + ... + 1/sqrt(t))",
                      call=lambda A: _trajectory(A(lr=0.1, eps=1e-10), [1.0], constant),
                      expected=by_hand, compare=_by_step(by_hand),
                      mistakes=_adagrad_mistakes([1.0], constant, 0.1, 1e-10),
                      where="with a constant gradient, s = t g**2 after t steps, so step t is "
                            "lr / sqrt(t).", what=_WHAT_ADAGRAD))
    for description, (lr, eps) in {"six steps, lr = 0.1; one entry's gradient is always 0":
                                    (0.1, 1e-10),
                                    "six steps with eps = 0.5, large enough to matter": (0.2, 0.5)}.items():
        expected = adagrad_reference(_START, _GRADS, lr, eps)
        cases.append(Case(description, call=lambda A, lr=lr, eps=eps: _trajectory(
                              A(lr=lr, eps=eps), _START, _GRADS),
                          expected=expected, compare=_by_step(expected),
                          mistakes=_adagrad_mistakes(_START, _GRADS, lr, eps),
                          where="compare the first step that differs with "
                                "s <- s + g**2, w <- w - lr g / (sqrt(s) + eps).",
                          what=_WHAT_ADAGRAD))
    starts = (np.array([1.0, -1.0]), np.array([[0.5, 2.0], [0.0, 1.0]]))
    rng = np.random.default_rng(73)
    two_grads = [(rng.normal(size=2), rng.normal(size=(2, 2))) for _ in range(3)]
    expected_two = np.concatenate(
        [adagrad_reference(starts[0], [g[0] for g in two_grads], 0.1, 1e-10),
         adagrad_reference(starts[1], [g[1] for g in two_grads], 0.1, 1e-10).reshape(3, -1)], axis=1)
    cases.append(Case("two parameters in one step list: each has its own sum of squares",
                      call=lambda A: _two_parameters(A(lr=0.1), starts, two_grads),
                      expected=expected_two, compare=_by_step(expected_two),
                      where="each parameter needs its own s.",
                      what="keep s in the `state` dict that update receives, never on self."))
    cases.append(Case("updates in place: p.value stays the same float32 array",
                      call=lambda A: _in_place(A, lr=0.1), expected="ok", compare=_is_ok,
                      where="the update must change p.value in place and keep its arrays in state.",
                      what="p.value -= ..., and create state['sum'] only when it is missing."))
    cases.append(Case("eps = 0", call=lambda A: A(lr=0.1, eps=0.0), expected=Raises(ValueError, ["eps"]),
                      where="eps = 0 must be refused.", what="keep the __init__ you were given."))
    return run_check("7.3", AdaGrad, cases)


# ------------------------------------------------------------------ 7.4 AdamW (beyond the text)

_WHAT_ADAMW = ("p.value *= 1 - self.lr * self.weight_decay first; then Adam's update with "
               "g = p.grad alone: m, v, t in state, w -= lr * (m / (1 - b1**t)) / "
               "(sqrt(v / (1 - b2**t)) + eps).")


def check_adamw(AdamW) -> CheckResult:
    """Exercise 7.4: AdamW, Adam with the weight decay applied to w itself, as torch.optim.AdamW."""
    cases = []
    flat = np.zeros((3, 2))
    shrink = np.array([[2.0 * 0.95 ** k, -1.0 * 0.95 ** k] for k in range(1, 4)])
    cases.append(Case("a zero gradient, lr = 0.1, weight_decay = 0.5: the weights only shrink, "
                      "by 1 - lr * weight_decay = 0.95 per step",
                      call=lambda A: _trajectory(A(lr=0.1, weight_decay=0.5), [2.0, -1.0], flat),
                      expected=shrink, compare=_by_step(shrink),
                      mistakes=[
                          Mistake(lambda r: close(r, [[2.0, -1.0]] * 3),
                                  "the weights do not shrink at all when the gradient is 0.",
                                  "p.value *= 1 - self.lr * self.weight_decay, before Adam's step."),
                          Mistake(lambda r: close(r, [[2 * 0.5 ** k, -0.5 ** k] for k in (1, 2, 3)]),
                                  "the weights shrink by 1 - weight_decay: the lr is missing.",
                                  "multiply by 1 - self.lr * self.weight_decay."),
                          Mistake(lambda r: close(r, adam_reference([2.0, -1.0], flat, 0.1,
                                                                    (0.9, 0.999), 1e-8, 0.5)),
                                  "the weights move by about lr per step: that is Adam's L2 term, "
                                  "weight_decay * w in the gradient, then divided by sqrt(v).",
                                  "decay the weight itself; Adam's step uses p.grad alone.")],
                      where="with no gradient, AdamW only decays: w <- w (1 - lr weight_decay).",
                      what=_WHAT_ADAMW))
    for description, (lr, betas, wd) in {"six steps, lr = 0.05, weight_decay = 0.5":
                                         (0.05, (0.9, 0.999), 0.5),
                                         "six steps, betas = (0.8, 0.9), weight_decay = 2":
                                         (0.1, (0.8, 0.9), 2.0)}.items():
        expected = adamw_reference(_START, _GRADS, lr, betas, 1e-8, wd)

        def variant(name, lr=lr, betas=betas, wd=wd):
            return adamw_reference(_START, _GRADS, lr, betas, 1e-8, wd, mistake=name)
        cases.append(Case(description, call=lambda A, lr=lr, b=betas, wd=wd: _trajectory(
                              A(lr=lr, betas=b, weight_decay=wd), _START, _GRADS),
                          expected=expected, compare=_by_step(expected),
                          mistakes=[
                              Mistake(lambda r, v=variant("L2"): close(r, v), "that is Adam with L2: "
                                      "weight_decay * w went into the gradient.",
                                      "decay the weight itself; use g = p.grad alone for m and v."),
                              Mistake(lambda r, v=variant("no lr"): close(r, v), "the decay "
                                      "factor is 1 - weight_decay: the lr is missing.",
                                      "p.value *= 1 - self.lr * self.weight_decay."),
                              Mistake(lambda r, v=variant("after"): close(r, v), "the decay comes "
                                      "after Adam's step; PyTorch applies it first.",
                                      "decay p.value, then take Adam's step."),
                              Mistake(lambda r, v=variant("no decay"): close(r, v),
                                      "weight_decay is ignored: that is plain Adam.",
                                      "p.value *= 1 - self.lr * self.weight_decay."),
                              Mistake(lambda r, v=adam_reference(_START, _GRADS, lr, betas, 1e-8, 0.0,
                                                                 mistake="no bias correction"):
                                      close(r, v), "the decay is missing and so is the bias correction.",
                                      _WHAT_ADAMW)],
                          where="compare the first step that differs with AdamW's rule in the "
                                "docstring.", what=_WHAT_ADAMW))
    cases.append(Case("updates in place: p.value stays the same float32 array",
                      call=lambda A: _in_place(A, lr=0.01, weight_decay=0.1), expected="ok",
                      compare=_is_ok, where="the update must change p.value in place.",
                      what="p.value *= ..., p.value -= ..., never p.value = ..."))
    cases.append(Case("p.grad is read, not changed", call=lambda A: _grad_untouched(A, lr=0.01, weight_decay=0.5),
                      expected=np.array([0.5, 0.25]), where="after the step, p.grad must still hold dL/dw.",
                      what="never write into p.grad."))
    cases.append(Case("weight_decay = -0.1", call=lambda A: A(weight_decay=-0.1),
                      expected=Raises(ValueError, ["weight_decay"]),
                      where="a negative weight_decay must be refused.",
                      what="keep the __init__ you were given."))
    return run_check("7.4", AdamW, cases)
