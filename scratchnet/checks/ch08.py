"""Checks for chapter 8's exercises: building `he_normal`, `Dropout` and
`EarlyStopping.on_epoch_end`, then a warm-up schedule and a checkpoint callback.

Each check computes its expected values itself, from the formulas, and runs the learner's code
on small stand-ins (a model that only holds parameters, logs written by hand); it does not import
chapter-exported modules, so it works whichever chapters have been exported.
"""

from __future__ import annotations

import math

import numpy as np

from scratchnet.checks._core import (Case, CheckResult, Mistake, Raises, Unusable, _as_real_array, _fmt, close,
                                     fallback, more_help, not_an_array, run_check)

__all__ = ["fallback", "more_help", "check_he_normal", "check_dropout", "check_early_stopping",
           "check_warmup_cosine", "check_model_checkpoint"]


# ------------------------------------------------------------------ 8.1 he_normal

def _statistics(init, shape, seed):
    """(shape, mean, std, fraction of |W| beyond 2 std, what is wrong with the kind of W or
    None, how many entries are NaN or inf) of the learner's draw; the statistics are over the
    finite entries."""
    W = init(shape, seed)
    wrong = not_an_array(W, "he_normal returned", "fiu", "a float64 array")
    if wrong:
        return np.shape(W) if isinstance(W, (np.ndarray, list, tuple)) else None, 0.0, 0.0, 0.0, wrong, 0
    kind = None if W.dtype == np.float64 else f"he_normal returned an array of dtype {W.dtype}, expected float64"
    finite = np.isfinite(W)
    W = W[finite].astype(float)
    std = float(W.std()) if W.size else 0.0
    beyond = float(np.mean(np.abs(W) > 2 * std)) if std > 0 else 0.0
    return tuple(finite.shape), float(W.mean()) if W.size else 0.0, std, beyond, kind, int((~finite).sum())


def _std_is(received, std):
    try:
        return received[0] is not None and abs(received[2] / std - 1) < 0.02
    except (TypeError, IndexError, ZeroDivisionError):
        return False


def check_he_normal(he_normal) -> CheckResult:
    """Exercise 8.1: `he_normal(shape, rng)` draws W of that shape from N(0, 2 / fan_in)."""
    what = ('fan_in, fan_out = _fans("he_normal", shape); std = np.sqrt(2.0 / fan_in); '
            "return np.random.default_rng(rng).normal(0.0, std, size=(fan_in, fan_out)).")
    cases = []
    for shape, seed in [((1000, 400), 0), ((50, 4000), 1)]:
        fan_in, fan_out = shape
        std = math.sqrt(2 / fan_in)
        n = fan_in * fan_out

        def compare(r, shape=shape, std=std, n=n):
            if r[4]:
                return r[4]
            if r[0] != shape:
                return f"expected an array of shape {shape}, got shape {r[0]}"
            if r[5]:
                return f"{r[5]} of the {n} weights {'is' if r[5] == 1 else 'are'} NaN or inf"
            _, mean, s, beyond = r[:4]
            if abs(mean) > 5 * std / math.sqrt(n):
                return f"the mean of the weights is {mean:.4g}, expected 0"
            if abs(s / std - 1) > 0.01:
                return f"the standard deviation is {s:.4g}, expected sqrt(2 / {shape[0]}) = {std:.4g}"
            if not 0.040 < beyond < 0.051:
                return (f"{beyond:.1%} of the weights lie beyond 2 standard deviations; a normal "
                        "distribution has 4.6% there")
            return None

        cases.append(Case(
            f"a ({fan_in}, {fan_out}) layer: mean 0, std sqrt(2 / fan_in) = {std:.4f}, normal",
            call=lambda f, shape=shape, seed=seed: _statistics(f, shape, seed), compare=compare,
            mistakes=[
                Mistake(lambda r: r[4] is not None, "he_normal must return a NumPy array of float64, "
                        "as its docstring says.", "return the array that rng.normal(...) draws: it is "
                        "float64 already."),
                Mistake(lambda r: r[5] > 0, "some weights are NaN or inf: a normal draw gives finite "
                        "numbers only.", what),
                Mistake(lambda r, s=math.sqrt(2 / fan_out): _std_is(r, s),
                        "the std is sqrt(2 / fan_out): fan_in is the number of inputs, shape[0].",
                        "W has shape (in_features, out_features): fan_in = shape[0]."),
                Mistake(lambda r, s=2 / fan_in: _std_is(r, s),
                        "the std is 2 / fan_in: that is the variance, and normal() takes a standard "
                        "deviation.", "std = np.sqrt(2.0 / fan_in)."),
                Mistake(lambda r, s=math.sqrt(1 / fan_in): _std_is(r, s),
                        "the std is sqrt(1 / fan_in): the factor 2 that makes up for ReLU is missing.",
                        "std = np.sqrt(2.0 / fan_in)."),
                Mistake(lambda r, s=math.sqrt(2 / (fan_in + fan_out)): _std_is(r, s),
                        "the std is sqrt(2 / (fan_in + fan_out)): that is Xavier's, not He's.",
                        "He uses fan_in alone: std = np.sqrt(2.0 / fan_in)."),
                Mistake(lambda r, shape=shape: isinstance(r, tuple) and r[0] == shape[::-1],
                        "the array is transposed: scratchnet's W has shape (in_features, "
                        "out_features), as given.", "size=(fan_in, fan_out), or size=shape."),
                Mistake(lambda r, s=std: _std_is(r, s) and r[3] < 0.01,
                        "the std is right but no weight lies beyond 2 std: the draw is uniform, "
                        "not normal.", "draw with rng.normal(0.0, std, size=shape)."),
            ],
            where="compare the mean, the standard deviation and the shape with N(0, 2 / fan_in).",
            what=what))

    def same_seed(f):
        return bool(np.array_equal(np.asarray(f((30, 20), 5)), np.asarray(f((30, 20), 5))))

    cases.append(Case("rng=5 twice gives the same weights", call=same_seed, expected=True,
                      where="two calls with the same seed gave different weights: the draw does not "
                            "come from rng.",
                      what="draw from np.random.default_rng(rng), never from np.random directly."))

    def different_seeds(f):
        return not np.array_equal(np.asarray(f((30, 20), 1)), np.asarray(f((30, 20), 2)))

    cases.append(Case("rng=1 and rng=2 give different weights", call=different_seeds, expected=True,
                      where="the seed passed as rng is ignored.",
                      what="np.random.default_rng(rng) turns the seed (or Generator) into the generator."))

    def generator_used(f):
        rng = np.random.default_rng(9)
        first, second = np.asarray(f((30, 20), rng)), np.asarray(f((30, 20), rng))
        return bool(np.array_equal(first, np.random.default_rng(9).normal(0, math.sqrt(2 / 30), (30, 20)))
                    and not np.array_equal(first, second))

    cases.append(Case("a Generator passed as rng is drawn from (two calls give different layers)",
                      call=generator_used, expected=True,
                      where="with a Generator as rng, the weights must be its next normal draws, as "
                            "when several Dense layers share one generator.",
                      what="np.random.default_rng(rng) returns a Generator as it is; draw with "
                           ".normal(0.0, std, size=shape)."))
    for bad, kind in [((784,), ValueError), ((0, 10), ValueError), ((3.5, 2), TypeError)]:
        cases.append(Case(f"a bad shape {bad!r}", args=(bad, 0), expected=Raises(kind, ["shape"]),
                          where="a shape that is not two positive integers must be refused: a "
                                "ValueError for a wrong length or sign, a TypeError for a wrong type.",
                          what='start with fan_in, fan_out = _fans("he_normal", shape).'))
    return run_check("8.1", he_normal, cases)


# ------------------------------------------------------------------ 8.2 Dropout

def _output(y, shape):
    """forward's output as an array of numbers of `shape`; else Unusable, saying what it was."""
    if y is None:
        raise Unusable("forward returned None; did you forget to `return` the output?")
    y = np.asarray(y)
    if y.dtype.kind not in "fiu" or y.shape != shape:
        raise Unusable(f"forward returned {_fmt(y)}, expected numbers of the input's shape {shape}")
    return y


def _train_forward(cls, p, x, seed=0):
    layer = cls(p, rng=seed)
    layer.train()
    x = np.array(x)                      # the layer gets its own copy: it may change it
    return _output(layer.forward(x), x.shape)


def _input_kept(cls, p=0.5):
    """Whether forward in training leaves its input as it was."""
    x = np.full((20, 30), 2.0)
    layer = cls(p, rng=0)
    layer.train()
    layer.forward(x)
    return bool(np.all(x == 2.0))


def _values(cls, p, x):
    y = _train_forward(cls, p, x)
    return np.unique(np.round(y, 6))


def _mask_consistency(cls, p=0.4):
    """(dL/dx, what it should be from forward's own output) for one training step."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0.5, 2.0, size=(6, 8)) * rng.choice([-1.0, 1.0], size=(6, 8))
    g = rng.normal(size=(6, 8))
    layer = cls(p, rng=4)
    layer.train()
    y = _output(layer.forward(x.copy()), x.shape)
    dx = layer.backward(g)
    return dx, g * (y / x), g, y, x


def check_dropout(Dropout) -> CheckResult:
    """Exercise 8.2: `Dropout.forward` (inverted, train and eval) and `Dropout.backward`."""
    what_forward = ("x = as_array(x, self); in evaluation or with p == 0: save_for_backward(None, x.shape, "
                    "x.dtype) and return x; else keep = self.generator.random(x.shape) >= self.p; "
                    "mask = keep.astype(x.dtype) / (1 - self.p); save_for_backward(mask, x.shape, "
                    "x.dtype); return x * mask.")
    what_backward = ("mask, shape, dtype = self.saved; G = check_grad_out(self, grad_out, shape, dtype); "
                     "return G if mask is None else G * mask.")
    ones = np.ones((400, 500))
    cases = [
        Case("p = 0.2 on a (400, 500) batch of ones, in training: every output is 0 or 1 / 0.8 = 1.25",
             call=lambda C: _values(C, 0.2, ones), expected=np.array([0.0, 1.25]),
             mistakes=[
                 Mistake(lambda r: close(r, [0.0, 1.0]), "the kept entries are not scaled: with inverted "
                         "dropout they are divided by 1 - p, so that the mean is kept.",
                         "mask = keep / (1 - p), and return x * mask."),
                 Mistake(lambda r: close(r, [0.0, 5.0]), "the kept entries are divided by p; the "
                         "probability of keeping one is 1 - p.", "divide by (1 - self.p)."),
                 Mistake(lambda r: close(r, [0.0, 0.8]), "the kept entries are multiplied by 1 - p: "
                         "that is the old, non-inverted scaling for evaluation time.",
                         "divide by (1 - self.p) in training."),
                 Mistake(lambda r: close(r, [1.0]), "nothing was dropped in training mode.",
                         "when self.training is true and p > 0, zero each entry with probability p."),
             ],
             where="look at the values the output takes: 0 where dropped, x / (1 - p) where kept.",
             what=what_forward),
        Case("forward leaves its input as it was",
             call=_input_kept, expected=True,
             where="forward changed its input in place (x *= mask); the caller's array, such as "
                   "the layer below's output, must stay as it was.",
             what="return x * mask, a new array."),
        Case("every sample gets its own mask: the 400 rows are not all the same",
             call=lambda C: len({row.tobytes() for row in _train_forward(C, 0.5, ones)}) > 1,
             expected=True, where="one mask was broadcast over the batch; draw one entry per entry of x.",
             what="self.generator.random(x.shape), the full shape of x."),
        Case("p = 0.2 on 200,000 ones: about 20% of the outputs are zero (within 1%)",
             call=lambda C: float(np.mean(_train_forward(C, 0.2, ones) == 0)), expected=0.2,
             compare=lambda r: None if isinstance(r, float) and abs(r - 0.2) < 0.01 else
             f"{r:.1%} of the entries were dropped" if isinstance(r, float) else f"got {r!r}",
             mistakes=[Mistake(lambda r: abs(r - 0.8) < 0.01, "about 80% were dropped: p is the "
                               "probability of dropping an entry, not of keeping it.",
                               "keep = self.generator.random(x.shape) >= self.p keeps 1 - p of them.")],
             where="each entry must be dropped with probability p.", what=what_forward),
        Case("p = 0.3 on 200,000 entries equal to 3: the mean output is 3 (within 1%)",
             call=lambda C: float(_train_forward(C, 0.3, np.full((400, 500), 3.0)).mean()),
             expected=3.0, compare=lambda r: None if isinstance(r, float) and abs(r / 3 - 1) < 0.01 else
             f"the mean output is {r:.4g}" if isinstance(r, float) else f"got {r!r}",
             mistakes=[Mistake(lambda r: abs(r - 2.1) < 0.05, "the mean is 3 (1 - p): the kept "
                               "entries are not scaled up.", "divide the mask by (1 - self.p).")],
             where="inverted dropout keeps the expected value: E[y] = x.", what=what_forward),
        Case("two Dropout(0.5, rng=3) layers drop the same entries",
             call=lambda C: bool(np.array_equal(_train_forward(C, 0.5, ones[:20], seed=3),
                                                _train_forward(C, 0.5, ones[:20], seed=3))),
             expected=True, where="the mask is not drawn from the layer's own generator.",
             what="draw with self.generator, which __init__ made from rng."),
    ]

    def backward_compare(received):
        dx, right, g, y, _ = received
        if dx is None:
            return "backward returned None; did you forget to `return` the result?"
        dx, why = _as_real_array(dx)
        if why:
            return why
        if dx.shape != right.shape:
            return f"expected shape {right.shape}, got shape {dx.shape}"
        if np.allclose(dx, right):
            return None
        if np.allclose(dx, g):
            return "dL/dx is grad_out unchanged: the gradient must not flow through dropped entries"
        if np.allclose(dx, g * (y != 0)):
            return "dL/dx is grad_out times the 0/1 mask: the kept entries miss the factor 1 / (1 - p)"
        return ("dL/dx does not match forward's mask: the entries that forward dropped must get no "
                "gradient, and the others grad_out / (1 - p)")

    cases.append(Case("backward in training: dL/dx = grad_out * m / (1 - p), with forward's mask (p = 0.4)",
                      call=_mask_consistency, compare=backward_compare,
                      mistakes=[Mistake(lambda r: close(r[0], r[2]),
                                        "backward returns grad_out unchanged; the dropped entries must "
                                        "get no gradient.", what_backward),
                                Mistake(lambda r: close(r[0], r[2] * (r[3] != 0)),
                                        "backward multiplies by the 0/1 mask; the kept entries were "
                                        "scaled by 1 / (1 - p) in forward, so their gradient is too.",
                                        "keep the scaled mask, keep / (1 - p), and return G * mask.")],
                      where="backward must use the mask that forward drew, kept with save_for_backward "
                            "(a new draw would be another mask).", what=what_backward))

    def evaluation(C):
        layer = C(0.5, rng=0)
        layer.eval()
        x = np.arange(1.0, 7.0).reshape(2, 3)
        y = _output(layer.forward(x), x.shape)
        dx = layer.backward(np.full((2, 3), 2.0))
        return y, dx

    x_eval = np.arange(1.0, 7.0).reshape(2, 3)
    cases.append(Case("evaluation mode (after eval()), p = 0.5: forward returns x, backward grad_out",
                      call=evaluation, expected=(x_eval, np.full((2, 3), 2.0)),
                      mistakes=[Mistake(lambda r: close(r[0], x_eval * 0.5),
                                        "in evaluation the output is scaled by 1 - p; inverted dropout "
                                        "did its scaling in training, so evaluation is the identity.",
                                        "return x unchanged when not self.training."),
                                Mistake(lambda r: np.any(np.asarray(r[0]) == 0),
                                        "entries were dropped in evaluation mode.",
                                        "check self.training first: in evaluation, return x.")],
                      where="item 0 is the output, item 1 dL/dx; in evaluation both pass through.",
                      what=what_forward + " " + what_backward))

    def p_zero(C):
        layer = C(0.0, rng=0)
        x = np.arange(1.0, 7.0).reshape(2, 3)
        return _output(layer.forward(x), x.shape), layer.backward(np.ones((2, 3)))

    cases.append(Case("p = 0 in training: the identity, forward and backward", call=p_zero,
                      expected=(x_eval, np.ones((2, 3))), where="with p = 0 nothing is dropped or scaled.",
                      what=what_forward))

    def dtypes(C):
        layer = C(0.5, rng=0)
        y = np.asarray(layer.forward(np.ones((3, 4), dtype=np.float32)))
        dx = np.asarray(layer.backward(np.ones((3, 4), dtype=np.float64)))
        return f"{y.dtype} {dx.dtype}"

    cases.append(Case("float32 input, float64 grad_out: output and dL/dx are float32", call=dtypes,
                      expected="float32 float32",
                      compare=lambda r: None if r == "float32 float32" else f"the dtypes are {r}",
                      where="the output and dL/dx keep the dtype of x.",
                      what="make the mask with keep.astype(x.dtype), keep x.dtype with save_for_backward, "
                           "and cast grad_out with check_grad_out(self, grad_out, shape, dtype)."))
    cases.append(Case("backward before any forward", call=lambda C: C(0.5).backward(np.ones((2, 3))),
                      expected=Raises(RuntimeError, ["before forward"]),
                      where="backward must say that forward has not run.",
                      what="read what forward kept from self.saved: it raises that error."))

    def wrong_shape(C):
        layer = C(0.5, rng=0)
        layer.forward(np.ones((2, 3)))
        return layer.backward(np.ones((3, 2)))

    cases.append(Case("grad_out of shape (3, 2) after a forward pass on shape (2, 3)", call=wrong_shape,
                      expected=Raises(ValueError, ["(2, 3)", "(3, 2)"]),
                      where="a grad_out of the wrong shape must be refused, naming both shapes.",
                      what=what_backward))
    cases.append(Case("an input holding None", call=lambda C: C(0.5).forward([[1.0, None]]),
                      expected=Raises(TypeError, ["None"]),
                      where="forward must refuse what is not numbers, before NumPy turns None into NaN.",
                      what="start forward with x = as_array(x, self)."))
    return run_check("8.2", Dropout, cases)


# ------------------------------------------------------------------ 8.3 EarlyStopping.on_epoch_end

class _Parameter:
    def __init__(self, value):
        self.value = value


class _Model:
    """What a callback sees of a model: stop_training and parameters() (arrays changed in place)."""

    def __init__(self):
        self.stop_training = False
        self._parameters = [_Parameter(np.zeros(3)), _Parameter(np.zeros(2))]

    def parameters(self):
        return self._parameters


def _early_stopping_reference(values, patience, min_delta=0.0, mode="min"):
    """(stopped_epoch, best_epoch, best) of early stopping on `values`, computed here."""
    best, best_epoch, wait = (math.inf if mode == "min" else -math.inf), None, 0
    for epoch, value in enumerate(values):
        improved = value < best - min_delta if mode == "min" else value > best + min_delta
        if improved:
            best, best_epoch, wait = value, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch, best
    return None, best_epoch, best


def _run_early_stopping(cls, values, monitor="val_loss", **kwargs):
    """Run the learner's EarlyStopping over `values`, the model's weights set to the epoch number
    (in place) before each epoch; returns (stopped_epoch, best_epoch, best, stop_training, the
    first weight after on_train_end)."""
    stopper = cls(monitor=monitor, **kwargs)
    model = _Model()
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch, value in enumerate(values):
        for p in model.parameters():
            p.value[...] = epoch  # what training does: change the arrays in place
        stopper.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
        if model.stop_training:
            break
    stopper.on_train_end()
    return (stopper.stopped_epoch, stopper.best_epoch, stopper.best, model.stop_training,
            (float(model.parameters()[0].value[0]), getattr(stopper, "best_weights", None) is None))


def check_early_stopping(EarlyStopping) -> CheckResult:
    """Exercise 8.3: `EarlyStopping.on_epoch_end` keeps the best value and stops after `patience`
    epochs in a row without improvement."""
    what = ("value = self.monitored(logs); improved = value < self.best - self.min_delta in mode 'min' "
            "(value > self.best + self.min_delta in 'max'); if improved: self.best, self.best_epoch, "
            "self.wait = value, epoch, 0 and, with restore_best_weights, self.best_weights = "
            "[p.value.copy() for p in self.model.parameters()]; else: self.wait += 1, and if "
            "self.wait >= self.patience: self.stopped_epoch = epoch; self.model.stop_training = True.")
    cases = []
    sequences = [
        ("by hand: val_loss 0.9, 0.7, 0.6, 0.65, 0.6, 0.62, 0.61, 0.7 with patience 2",
         [0.9, 0.7, 0.6, 0.65, 0.6, 0.62, 0.61, 0.7], {"patience": 2}),
        ("improvements after single bad epochs: patience 2 is never reached until the end",
         [1.0, 0.9, 0.95, 0.8, 0.85, 0.7, 0.75, 0.6, 0.65, 0.66, 0.5], {"patience": 2}),
        ("min_delta 0.02: a gain of 0.001 is not an improvement",
         [1.0, 0.95, 0.949, 0.94, 0.93], {"patience": 2, "min_delta": 0.02}),
        ("a loss that never stops improving: no stop", [1.0, 0.9, 0.8, 0.7], {"patience": 1}),
    ]
    for description, values, kwargs in sequences:
        stopped, best_epoch, best = _early_stopping_reference(values, **kwargs)
        off_by_one = _early_stopping_reference(values, kwargs["patience"] + 1, kwargs.get("min_delta", 0.0))
        no_delta = _early_stopping_reference(values, kwargs["patience"])
        cases.append(Case(
            description + " (stopped_epoch, best_epoch, best, stop_training)",
            call=lambda C, v=values, k=kwargs: _run_early_stopping(C, v, **k)[:4],
            expected=(stopped, best_epoch, best, stopped is not None),
            mistakes=[
                Mistake(lambda r, o=off_by_one: r[:2] == o[:2] and o[0] != stopped,
                        "training stopped one epoch late: with patience 2 it stops at the end of the "
                        "2nd epoch in a row without improvement.",
                        "stop when self.wait >= self.patience, after counting the epoch."),
                Mistake(lambda r, o=_early_stopping_reference([-v for v in values], kwargs["patience"]):
                        r[:2] == o[:2] and o[:2] != (stopped, best_epoch),
                        "a larger val_loss was taken for an improvement: in mode 'min', smaller is "
                        "better.", "improved = value < self.best - self.min_delta in mode 'min'."),
                Mistake(lambda r, n=no_delta: r[:2] == n[:2] and n[:2] != (stopped, best_epoch),
                        "min_delta is ignored: an improvement must beat the best by more than it.",
                        "value < self.best - self.min_delta."),
                Mistake(lambda r: r[3] is False and r[0] is not None,
                        "stopped_epoch is set but model.stop_training is not: fit would go on.",
                        "self.model.stop_training = True."),
            ],
            where="item 0 is stopped_epoch (None when training was not stopped), item 1 best_epoch, "
                  "item 2 best, item 3 model.stop_training.",
            what=what))
    # <= instead of <: the tie at epoch 4 of the first sequence counts as an improvement
    cases[0].mistakes = list(cases[0].mistakes) + [
        Mistake(lambda r: r[1] == 4, "epoch 4 equals the best (0.6) and was counted as an improvement; "
                "only a value strictly better than the best improves on it.",
                "value < self.best - self.min_delta, a strict <.")]
    # the wait must start again after an improvement
    cases[1].mistakes = list(cases[1].mistakes) + [
        Mistake(lambda r: r[0] == 4, "training stopped at epoch 4 although epoch 3 improved: the count "
                "of epochs without improvement must start again at every improvement.",
                "self.wait = 0 when the value improved.")]
    accuracy = [0.5, 0.6, 0.55, 0.58, 0.59, 0.57]
    stopped, best_epoch, best = _early_stopping_reference(accuracy, 3, mode="max")
    cases.append(Case(
        "val_accuracy 0.5, 0.6, 0.55, 0.58, 0.59, 0.57 with patience 3, mode 'auto' (so 'max')",
        call=lambda C: _run_early_stopping(C, accuracy, monitor="val_accuracy", patience=3)[:4],
        expected=(stopped, best_epoch, best, True),
        mistakes=[Mistake(lambda r: r[1] in (None, 0), "no later epoch beat the first: the comparison "
                          "ignores the mode, and for an accuracy larger is better.",
                          "in mode 'max': improved = value > self.best + self.min_delta.")],
        where="for an accuracy, larger is better (self.mode is 'max').", what=what))
    nan_values = [1.0, 0.8, float("nan"), float("nan"), 0.7]
    cases.append(Case(
        "val_loss 1.0, 0.8, nan, nan with patience 2: a NaN is never an improvement",
        call=lambda C: _run_early_stopping(C, nan_values, patience=2)[:4],
        expected=(3, 1, 0.8, True),
        mistakes=[Mistake(lambda r: r[1] is not None and r[1] >= 2, "a NaN was taken for the best value.",
                          "compare with < or >: any comparison with NaN is False, so a NaN never "
                          "improves; do not write it as `not value >= best`.")],
        where="NaN compares False with everything.", what=what))
    values = [0.9, 0.7, 0.6, 0.65, 0.62, 0.63]
    cases.append(Case(
        "restore_best_weights: after on_train_end the weights are those of the best epoch (2)",
        call=lambda C: _run_early_stopping(C, values, patience=2, restore_best_weights=True)[4],
        expected=(2.0, False),
        mistakes=[Mistake(lambda r: r[1], "no weights were kept: best_weights is still None at the end.",
                          "with restore_best_weights, set self.best_weights when the value improves."),
                  Mistake(lambda r: r[0] == 4.0, "the weights put back are those of the last epoch: "
                          "best_weights holds the arrays themselves, which training went on changing.",
                          "keep copies: [p.value.copy() for p in self.model.parameters()].")],
        where="item 0 is a weight after on_train_end (set to the epoch's number before each epoch, in "
              "place), item 1 whether best_weights is None.", what=what))
    cases.append(Case(
        "logs without the monitored 'val_loss' (no validation data)",
        call=_missing_monitor,
        expected=Raises(ValueError, ["val_loss"]),
        where="a missing log must give the error that self.monitored(logs) raises, naming it.",
        what="read the value with value = self.monitored(logs), not logs[self.monitor]."))
    return run_check("8.3", EarlyStopping, cases)


def _missing_monitor(cls):
    stopper = cls(monitor="val_loss", patience=1)
    stopper.set_model(_Model())
    stopper.on_train_begin()
    stopper.on_epoch_end(0, {"loss": 0.5})


# ------------------------------------------------------------------ 8.4 WarmupCosine, beyond the text

def _warmup_cosine(t, base_lr, warmup, epochs, min_lr=0.0):
    if t < warmup:
        return base_lr * (t + 1) / warmup
    t = min(t, epochs)
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * (t - warmup) / (epochs - warmup))) / 2


def check_warmup_cosine(WarmupCosine) -> CheckResult:
    """Exercise 8.4: a schedule with a linear warm-up and a cosine decay, `lr_at(epoch, current_lr)`."""
    what = ("lr_at: if epoch < warmup, return base_lr * (epoch + 1) / warmup; else t = min(epoch, epochs) "
            "- warmup and return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * t / (epochs - "
            "warmup))) / 2.")
    cases = []
    for args, epochs in [((0.1, 5, 30), [0, 1, 2, 3, 4, 5, 10, 17, 29, 30, 45]),
                         ((0.5, 3, 10, 0.01), [0, 1, 2, 3, 4, 6, 9, 10, 11])]:
        base_lr, warmup, total = args[:3]
        min_lr = args[3] if len(args) > 3 else 0.0
        expected = np.array([_warmup_cosine(t, *args) for t in epochs])
        ramp_from_zero = np.array([base_lr * t / warmup if t < warmup else _warmup_cosine(t, *args)
                                   for t in epochs])
        cosine_over_all = np.array([_warmup_cosine(t, *args) if t < warmup else
                                    min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * (min(t, total) - warmup)
                                                                               / total)) / 2 for t in epochs])
        cosine_from_zero = np.array([_warmup_cosine(t, *args) if t < warmup else
                                     min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * min(t, total)
                                                                                / total)) / 2 for t in epochs])
        unclamped = np.array([_warmup_cosine(t, *args) if t <= total else
                              min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * (t - warmup)
                                                                         / (total - warmup))) / 2
                              for t in epochs])
        shown = ", ".join(repr(a) for a in args)
        cases.append(Case(
            f"WarmupCosine({shown}).lr_at(t) for t = {epochs}",
            call=lambda C, a=args, e=epochs: [C(*a).lr_at(t) for t in e],
            expected=expected,
            mistakes=[Mistake(lambda r: any(v is None for v in r), "lr_at returned None: did you "
                              "forget to `return` the rate?", what),
                      Mistake(lambda r: any(isinstance(v, (str, bytes)) for v in r), "lr_at returned "
                              "text; a schedule returns the rate itself, a number.", what),
                      Mistake(lambda r, w=ramp_from_zero: close(r, w),
                              "the warm-up starts at 0: the first epoch would learn nothing.",
                              "base_lr * (epoch + 1) / warmup reaches base_lr at epoch warmup - 1."),
                      Mistake(lambda r, w=cosine_over_all: close(r, w),
                              "the cosine runs over all the epochs; it should run over the epochs after "
                              "the warm-up, T - w.", "divide t - warmup by epochs - warmup."),
                      Mistake(lambda r, w=cosine_from_zero: close(r, w),
                              "the cosine starts at epoch 0, not at the end of the warm-up.",
                              "use t - warmup inside the cosine."),
                      Mistake(lambda r, w=unclamped: close(r, w),
                              "after epoch T the rate climbs back up; it should stay at min_lr.",
                              "use min(epoch, epochs) in the cosine part.")],
            where="compare entry by entry with the formula: warm-up for t < w, cosine for w <= t <= T, "
                  "min_lr after.", what=what))
    cases.append(Case("lr_at(7, current_lr=0.123) ignores current_lr",
                      call=lambda C: C(0.1, 5, 30).lr_at(7, 0.123), expected=_warmup_cosine(7, 0.1, 5, 30),
                      where="the schedule depends on the epoch only.", what=what))
    for description, args, name in [("base_lr = 0", (0.0, 5, 30), "base_lr"),
                                     ("base_lr = -0.1", (-0.1, 5, 30), "base_lr"),
                                     ("warmup = 0", (0.1, 0, 30), "warmup"),
                                     ("warmup = 2.5, not an integer", (0.1, 2.5, 30), "warmup"),
                                     ("warmup = epochs = 30", (0.1, 30, 30), "warmup"),
                                     ("min_lr = 0.2, above base_lr = 0.1", (0.1, 5, 30, 0.2), "min_lr"),
                                     ("min_lr = -0.01", (0.1, 5, 30, -0.01), "min_lr")]:
        cases.append(Case(description, call=lambda C, a=args: C(*a), expected=Raises(ValueError, [name]),
                          where=f"a bad {name} must be refused when the schedule is made, naming it.",
                          what="check in __init__: base_lr > 0, warmup an integer with "
                               "1 <= warmup < epochs, and 0 <= min_lr <= base_lr; raise "
                               "ValueError(f\"warmup must be ..., got {warmup!r}\")."))
    return run_check("8.4", WarmupCosine, cases)


# ------------------------------------------------------------------ 8.5 ModelCheckpoint, beyond the text

class _SavingModel:
    """A model whose save_weights records (epoch, path)."""

    def __init__(self):
        self.stop_training = False
        self.epoch, self.saved = None, []

    def save_weights(self, path):
        self.saved.append((self.epoch, path))

    def parameters(self):
        return []


def _run_checkpoint(cls, values, monitor="val_loss", **kwargs):
    """(epochs at which the weights were saved, the paths used, the callback's best)."""
    checkpoint = cls("best.npz", monitor=monitor, **kwargs)
    model = _SavingModel()
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch, value in enumerate(values):
        model.epoch = epoch
        checkpoint.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
    return [e for e, _ in model.saved], sorted({p for _, p in model.saved}), getattr(checkpoint, "best", None)


def _second_checkpoint(cls, values):
    """(epochs saved, best) of a second ModelCheckpoint run on the same values after a first."""
    _run_checkpoint(cls, values)
    saved, _, best = _run_checkpoint(cls, values)
    return saved, best


def check_model_checkpoint(ModelCheckpoint) -> CheckResult:
    """Exercise 8.5: a callback that saves the weights whenever the monitored log improves."""
    what = ("value = logs[self.monitor]; better = self.best is None or (value < self.best if self.mode == "
            "'min' else value > self.best); if better: self.best = value; "
            "self.model.save_weights(self.path). Set self.best = None in __init__.")
    losses = [0.9, 0.8, 0.85, 0.7, 0.7, 0.75]
    accuracies = [0.5, 0.6, 0.55, 0.7, 0.65]
    cases = [
        Case("val_loss 0.9, 0.8, 0.85, 0.7, 0.7, 0.75: saved at epochs 0, 1 and 3, to 'best.npz'",
             call=lambda C: _run_checkpoint(C, losses)[:2], expected=([0, 1, 3], ["best.npz"]),
             compare=lambda r: None if r == ([0, 1, 3], ["best.npz"]) else f"got {r!r}",
             mistakes=[Mistake(lambda r: r[0] == [0, 1, 2, 3, 4, 5], "the weights were saved at every "
                               "epoch, not only when the value improved.", what),
                       Mistake(lambda r: r[0] == [0, 1, 3, 4], "epoch 4 equals the best (0.7) and was "
                               "saved; only a better value should be.", "compare with a strict <."),
                       Mistake(lambda r: r[0] == [0, 2, 5] or r[0] == [0], "a larger val_loss was taken "
                               "for better; in mode 'min' smaller is better.", what),
                       Mistake(lambda r: r[0] == [], "nothing was saved.",
                               "call self.model.save_weights(self.path) when the value improves; the "
                               "first epoch always does.")],
             where="item 0 lists the epochs at which save_weights was called, item 1 the paths.", what=what),
        Case("a second ModelCheckpoint on the same values saves at 0, 1 and 3 too, and keeps "
             "self.best = 0.7", call=lambda C: _second_checkpoint(C, losses), expected=([0, 1, 3], 0.7),
             mistakes=[Mistake(lambda r: r[0] == [], "the second checkpoint saved nothing: the best "
                               "value is kept on the class, which every ModelCheckpoint shares, "
                               "not on self.", "self.best = None in __init__, then self.best = value."),
                       Mistake(lambda r: r[1] is None, "self.best is None after the run.",
                               "self.best = value, whenever the value improves.")],
             where="item 0 lists the epochs at which save_weights was called, item 1 is self.best, "
                   "the best value seen so far.", what=what),
        Case("val_loss 1.0, nan, 0.9, nan, 0.95: a NaN is never an improvement (saved at 0 and 2)",
             call=lambda C: _run_checkpoint(C, [1.0, math.nan, 0.9, math.nan, 0.95])[0],
             expected=[0, 2], compare=lambda r: None if r == [0, 2] else f"saved at epochs {r!r}",
             mistakes=[Mistake(lambda r: 1 in r, "a NaN was taken for an improvement.",
                               "compare with < or >: any comparison with NaN is False, so a NaN never "
                               "improves; do not write it as `not value >= best`.")],
             where="NaN compares False with everything.", what=what),
        Case("mode 'max' on val_accuracy 0.5, 0.6, 0.55, 0.7, 0.65: saved at epochs 0, 1 and 3",
             call=lambda C: _run_checkpoint(C, accuracies, monitor="val_accuracy", mode="max")[0],
             expected=[0, 1, 3], compare=lambda r: None if r == [0, 1, 3] else f"saved at epochs {r!r}",
             mistakes=[Mistake(lambda r: r == [0], "in mode 'max' a smaller value was taken for better.",
                               "value > self.best in mode 'max'.")],
             where="in mode 'max', larger is better.", what=what),
        Case("logs without the monitored 'val_loss'",
             call=lambda C: _missing_checkpoint_monitor(C), expected=Raises(KeyError, ["val_loss"]),
             where="reading a log that is not there should raise the KeyError of logs[self.monitor].",
             what="value = logs[self.monitor]."),
    ]
    return run_check("8.5", ModelCheckpoint, cases)


def _missing_checkpoint_monitor(cls):
    checkpoint = cls("best.npz")
    checkpoint.set_model(_SavingModel())
    checkpoint.on_train_begin()
    checkpoint.on_epoch_end(0, {"loss": 0.5})
