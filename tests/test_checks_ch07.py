"""Chapter 7's exercise checks: typical wrong answers draw the first-tier hint meant for them,
and the checks' own references agree with torch.optim. (Stubs and solutions:
tests/test_exercises.py.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.checks import _core, ch07


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def _assert_hint(result, where):
    assert not result.passed and where in result.where, repr(result)


# ------------------------------------------------------------------ 7.1 RMSProp.update


def rmsprop(mistake):
    """An RMSProp whose update makes one typical mistake (values computed with new arrays)."""
    class Wrong(sn.RMSProp):
        def update(self, p, state):
            g = p.grad
            if mistake == "shared state":
                state = self.__dict__.setdefault("_one_state", {})
            if "s" not in state:
                state["s"] = np.zeros_like(p.value)
            s = 0.0 if mistake == "forgets" else state["s"]
            if mistake == "no 1 - rho":
                s = self.rho * s + g * g
            elif mistake == "rho swapped":
                s = (1 - self.rho) * s + self.rho * g * g
            else:
                s = self.rho * s + (1 - self.rho) * g * g
            state["s"][...] = s                 # the state's array, reused
            if mistake == "eps inside":
                step = self.lr * g / np.sqrt(s + self.eps)
            elif mistake == "no sqrt":
                step = self.lr * g / (s + self.eps)
            elif mistake == "no eps":
                step = self.lr * g / np.sqrt(s)
            else:
                step = self.lr * g / (np.sqrt(s) + self.eps)
            if mistake == "sign":
                p.value += step
            elif mistake == "not in place":
                p.value = p.value - step
            elif mistake == "writes into grad":
                g *= self.lr
                p.value -= step
            else:
                p.value -= step
    return Wrong


def test_the_chapters_rmsprop_passes():
    assert ch07.check_rmsprop(sn.RMSProp).passed


@pytest.mark.parametrize("mistake, where", [
    ("sign", "uphill"),
    ("no 1 - rho", "without its weight (1 - rho)"),
    ("rho swapped", "rho and 1 - rho are swapped"),
    ("forgets", "starts again from zero at every step"),
    ("no sqrt", "not by its square root"),
    ("eps inside", "eps is inside the square root"),
    ("no eps", "divides 0 by 0"),
    ("shared state", "each parameter needs its own running average"),
    ("not in place", "in place"),
    ("writes into grad", "p.grad must still hold the gradient"),
])
def test_rmsprop_typical_mistakes(mistake, where):
    cls = rmsprop(mistake)
    _assert_hint(ch07.check_rmsprop(cls), where)
    assert "what:" in repr(ch07.check_rmsprop(cls))   # a repeat shows the second tier


def test_an_rmsprop_stub_is_not_implemented():
    class Stub(sn.RMSProp):
        def update(self, p, state):
            raise NotImplementedError("Exercise 7.1: the RMSProp step, in place")
    result = ch07.check_rmsprop(Stub)
    assert result.status == "not implemented"


def test_a_learner_exception_names_the_line():
    class Broken(sn.RMSProp):
        def update(self, p, state):
            return p.value - undefined_name  # noqa: F821
    result = ch07.check_rmsprop(Broken)
    assert not result.passed and "NameError" in result.message and "undefined_name" in result.message


# ------------------------------------------------------------------ 7.2 Adam.update


def adam(mistake):
    """An Adam whose update makes one typical mistake."""
    class Wrong(sn.Adam):
        def update(self, p, state):
            b1, b2 = self.betas
            if mistake == "betas swapped":
                b1, b2 = b2, b1
            g = p.grad
            if self.weight_decay:
                if mistake == "decoupled":
                    p.value *= 1 - self.lr * self.weight_decay
                elif mistake == "weight decay sign":
                    g = g - self.weight_decay * p.value
                elif mistake == "grad in place":
                    g += self.weight_decay * p.value
                elif mistake != "no weight decay":
                    g = g + self.weight_decay * p.value
            if "m" not in state:
                state.update(m=np.zeros_like(p.value), v=np.zeros_like(p.value), t=0)
            state["t"] += 1
            t = self.iterations if mistake == "global t" else state["t"]
            if mistake == "t + 1":
                t += 1
            elif mistake == "t from 0":
                t -= 1
            state["m"][...] = m = b1 * state["m"] + (1 - b1) * g     # the state's arrays, reused
            state["v"][...] = v = b2 * state["v"] + (1 - b2) * g * g
            c1, c2 = 1 - b1 ** t, 1 - b2 ** t
            if mistake == "no bias correction":
                step = self.lr * m / (np.sqrt(v) + self.eps)
            elif mistake == "only m corrected":
                step = self.lr * (m / c1) / (np.sqrt(v) + self.eps)
            elif mistake == "eps inside":
                step = self.lr * (m / c1) / np.sqrt(v / c2 + self.eps)
            elif mistake == "eps before correction":
                step = self.lr * (m / c1) / ((np.sqrt(v) + self.eps) / np.sqrt(c2))
            else:
                step = self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
            if mistake == "not in place":
                p.value = (p.value - step).astype(p.value.dtype)
            else:
                p.value -= step.astype(p.value.dtype)
    return Wrong


def test_the_chapters_adam_passes():
    assert ch07.check_adam(sn.Adam).passed
    assert ch07.check_adam(adam(None)).passed   # the variant machinery itself is right


@pytest.mark.parametrize("mistake, where", [
    ("no bias correction", "not bias-corrected"),
    ("only m corrected", "m is bias-corrected but v is not"),
    ("t + 1", "the bias correction uses the wrong t"),
    ("betas swapped", "beta1 and beta2 are swapped"),
    ("eps inside", "eps is inside the square root"),
    ("eps before correction", "eps is added before the bias correction"),
    ("no weight decay", "weight_decay is ignored"),
    ("decoupled", "that is AdamW"),
    ("weight decay sign", "the L2 term has the wrong sign"),
    ("global t", "counts the optimizer's steps, not its own"),
    ("grad in place", "added to p.grad in place"),
    ("not in place", "in place"),
    ("t from 0", "With t = 0 at the first step"),   # review A3: the hint did not mention the NaN
])
def test_adam_typical_mistakes(mistake, where):
    cls = adam(mistake)
    _assert_hint(ch07.check_adam(cls), where)
    assert "what:" in repr(ch07.check_adam(cls))


# ------------------------------------------------------------------ 7.3 AdaGrad


def adagrad(mistake):
    class AdaGrad(sn.Optimizer):
        def __init__(self, lr=0.01, eps=1e-10):
            super().__init__(lr)
            if eps <= 0:
                raise ValueError(f"AdaGrad: eps must be > 0, got {eps}")
            self.eps = eps

        def update(self, p, state):
            g = p.grad
            if mistake == "shared state":
                state = self.__dict__.setdefault("_one_state", {})
            if "sum" not in state:
                state["sum"] = np.zeros_like(p.value)
            s = 0.0 if mistake == "forgets" else state["sum"]
            s = 0.9 * s + 0.1 * g * g if mistake == "average" else s + g * g
            state["sum"][...] = s
            if mistake == "eps inside":
                step = self.lr * g / np.sqrt(s + self.eps)
            elif mistake == "no sqrt":
                step = self.lr * g / (s + self.eps)
            else:
                step = self.lr * g / (np.sqrt(s) + self.eps)
            if mistake == "not in place":
                p.value = p.value - step
            elif mistake == "sign":
                p.value += step
            else:
                p.value -= step
    return AdaGrad


def test_a_right_adagrad_passes():
    assert ch07.check_adagrad(adagrad(None)).passed


def test_the_checks_adagrad_reference_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(20, 4))
    start = rng.normal(size=4)
    w = torch.tensor(start, requires_grad=True)
    opt = torch.optim.Adagrad([w], lr=0.1, eps=1e-10)
    seen = []
    for g in grads:
        w.grad = torch.tensor(g)
        opt.step()
        seen.append(w.detach().numpy().copy())
    np.testing.assert_allclose(ch07.adagrad_reference(start, grads, 0.1, 1e-10), seen, rtol=1e-12)


@pytest.mark.parametrize("mistake, where", [
    ("sign", "uphill"),
    ("forgets", "starts again at every step"),
    ("average", "that is RMSProp"),
    ("no sqrt", "divides by the sum itself"),
    ("eps inside", "eps is inside the square root"),
    ("shared state", "each parameter needs its own s"),
])
def test_adagrad_typical_mistakes(mistake, where):
    _assert_hint(ch07.check_adagrad(adagrad(mistake)), where)


def test_adagrad_not_in_place_is_caught():
    result = ch07.check_adagrad(adagrad("not in place"))
    assert not result.passed and "in place" in result.where, repr(result)


# ------------------------------------------------------------------ 7.4 AdamW


def adamw(mistake):
    class AdamW(sn.Adam):
        def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
            super().__init__(lr, betas, eps, weight_decay)

        def update(self, p, state):
            shrink = 1 - (self.weight_decay if mistake == "no lr" else self.lr * self.weight_decay)
            if mistake not in ("after", "no decay", "L2"):
                p.value *= shrink
            decay = self.weight_decay
            if mistake != "L2":
                self.weight_decay = 0.0
            try:
                sn.Adam.update(self, p, state)
            finally:
                self.weight_decay = decay
            if mistake == "after":
                p.value *= shrink
    return AdamW


def test_the_checks_adamw_reference_matches_torch_and_the_right_answer_passes():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(20, 3))
    start = rng.normal(size=3)
    w = torch.tensor(start, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=0.05, betas=(0.8, 0.9), weight_decay=0.5)
    seen = []
    for g in grads:
        w.grad = torch.tensor(g)
        opt.step()
        seen.append(w.detach().numpy().copy())
    np.testing.assert_allclose(ch07.adamw_reference(start, grads, 0.05, (0.8, 0.9), 1e-8, 0.5), seen,
                               rtol=1e-10)
    assert ch07.check_adamw(adamw(None)).passed


def test_the_checks_rmsprop_and_adam_references_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(30, 3))
    start = rng.normal(size=3)
    for ours, make in [
        (ch07.rmsprop_reference(start, grads, 0.01, 0.9, 1e-8),
         lambda w: torch.optim.RMSprop([w], lr=0.01, alpha=0.9, eps=1e-8)),
        (ch07.adam_reference(start, grads, 0.01, (0.8, 0.99), 1e-8, 0.3),
         lambda w: torch.optim.Adam([w], lr=0.01, betas=(0.8, 0.99), weight_decay=0.3)),
    ]:
        w = torch.tensor(start, requires_grad=True)
        opt = make(w)
        seen = []
        for g in grads:
            w.grad = torch.tensor(g)
            opt.step()
            seen.append(w.detach().numpy().copy())
        np.testing.assert_allclose(ours, seen, rtol=1e-10)


@pytest.mark.parametrize("mistake, where", [
    ("L2", "weights move by about lr per step"),
    ("no lr", "the lr is missing"),
    ("no decay", "do not shrink at all"),
])
def test_adamw_typical_mistakes(mistake, where):
    _assert_hint(ch07.check_adamw(adamw(mistake)), where)


def test_adamw_decay_after_the_step_is_caught():
    # with a zero gradient "after" is right, so it fails on the next case, with its own hint
    _assert_hint(ch07.check_adamw(adamw("after")), "PyTorch applies it first")
