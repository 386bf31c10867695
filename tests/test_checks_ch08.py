"""Chapter 8's exercise checks: typical wrong answers draw the first-tier hint meant for them.
(Stubs and solutions: tests/test_exercises.py.)"""

import math

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.callbacks import EarlyStopping
from scratchnet.checks import _core, ch08
from scratchnet.core import as_array, check_grad_out
from scratchnet.init import _fans
from scratchnet.layers import Dropout


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def with_methods(base, **methods):
    return type(f"Wrong{base.__name__}", (base,), methods)


def assert_hint(result, where):
    assert not result.passed, repr(result)
    assert where in result.where + result.message, repr(result)


# ------------------------------------------------------------------ 8.1 he_normal

def he(std_of, draw="normal"):
    def init(shape, rng=None):
        fan_in, fan_out = _fans("he_normal", shape)
        std = std_of(fan_in, fan_out)
        rng = np.random.default_rng(rng)
        if draw == "uniform":
            a = math.sqrt(3) * std
            return rng.uniform(-a, a, size=shape)
        return rng.normal(0.0, std, size=shape)
    return init


def test_he_normal_library_version_passes():
    assert ch08.check_he_normal(sn.he_normal).passed


@pytest.mark.parametrize("init, where", [
    (he(lambda i, o: math.sqrt(2 / o)), "sqrt(2 / fan_out)"),
    (he(lambda i, o: 2 / i), "that is the variance"),
    (he(lambda i, o: math.sqrt(1 / i)), "factor 2"),
    (he(lambda i, o: math.sqrt(2 / (i + o))), "Xavier's"),
    (he(lambda i, o: math.sqrt(2 / i), draw="uniform"), "uniform, not normal"),
])
def test_he_normal_typical_mistakes(init, where):
    assert_hint(ch08.check_he_normal(init), where)


def test_he_normal_transposed_global_or_unseeded_or_unchecked():
    def transposed(shape, rng=None):
        return np.random.default_rng(rng).normal(0, math.sqrt(2 / shape[0]), size=shape[::-1])

    def global_state(shape, rng=None):
        return np.random.normal(0, math.sqrt(2 / shape[0]), size=shape)

    def fixed_seed(shape, rng=None):
        return np.random.default_rng(42).normal(0, math.sqrt(2 / shape[0]), size=shape)

    def unchecked(shape, rng=None):
        return np.random.default_rng(rng).normal(0, math.sqrt(2 / shape[0]), size=shape)

    def standard_normal_times_std(shape, rng=None):  # another right answer
        fan_in, fan_out = _fans("he_normal", shape)
        return np.random.default_rng(rng).standard_normal((fan_in, fan_out)) * math.sqrt(2 / fan_in)

    assert_hint(ch08.check_he_normal(transposed), "transposed")
    assert_hint(ch08.check_he_normal(global_state), "same seed gave different weights")
    assert_hint(ch08.check_he_normal(fixed_seed), "seed passed as rng is ignored")
    assert_hint(ch08.check_he_normal(unchecked), "must be refused")
    assert ch08.check_he_normal(standard_normal_times_std).passed


@pytest.mark.parametrize("change, where", [
    (lambda W: W.astype(np.float32), "must return a NumPy array of float64"),   # hint was the Generator's
    (lambda W: W.tolist(), "must return a NumPy array of float64"),              # passed
    (lambda W: np.where(np.arange(W.size).reshape(W.shape) == 0, np.nan, W), "NaN or inf"),  # "0.0% beyond"
])
def test_he_normal_mistakes_the_review_found(change, where):
    right = he(lambda fan_in, fan_out: math.sqrt(2 / fan_in))
    assert_hint(ch08.check_he_normal(lambda shape, rng=None: change(right(shape, rng))), where)


# ------------------------------------------------------------------ 8.2 Dropout

def dropout_forward(rule):
    """A training forward pass whose mask and scale come from `rule(keep, p) -> mask`."""
    def forward(self, x):
        x = as_array(x, self)
        if not self.training or self.p == 0:
            self.save_for_backward(None, x.shape, x.dtype)
            return x
        keep = self.generator.random(x.shape) >= self.p
        mask = rule(keep, self.p).astype(x.dtype)
        self.save_for_backward(mask, x.shape, x.dtype)
        return x * mask
    return forward


def test_dropout_library_version_passes():
    assert ch08.check_dropout(Dropout).passed


@pytest.mark.parametrize("rule, where", [
    (lambda keep, p: keep * 1.0, "not scaled"),
    (lambda keep, p: keep / p, "divided by p"),
    (lambda keep, p: keep * (1 - p), "non-inverted"),
    (lambda keep, p: ~keep / (1 - p), "80% were dropped"),
])
def test_dropout_forward_typical_mistakes(rule, where):
    assert_hint(ch08.check_dropout(with_methods(Dropout, forward=dropout_forward(rule))), where)


def test_dropout_one_mask_for_the_batch_or_the_global_generator():
    def broadcast(self, x):
        x = as_array(x, self)
        mask = (self.generator.random(x.shape[1:]) >= self.p) / (1 - self.p)
        self.save_for_backward(np.broadcast_to(mask, x.shape).copy(), x.shape, x.dtype)
        return x * mask

    def global_rng(self, x):
        x = as_array(x, self)
        mask = (np.random.random(x.shape) >= self.p) / (1 - self.p)
        self.save_for_backward(mask, x.shape, x.dtype)
        return x * mask

    assert_hint(ch08.check_dropout(with_methods(Dropout, forward=broadcast)), "broadcast over the batch")
    assert_hint(ch08.check_dropout(with_methods(Dropout, forward=global_rng)), "layer's own generator")


def test_dropout_evaluation_mistakes():
    def still_drops(self, x):  # ignores self.training
        x = as_array(x, self)
        mask = (self.generator.random(x.shape) >= self.p) / (1 - self.p)
        self.save_for_backward(mask, x.shape, x.dtype)
        return x * mask

    def scales_in_eval(self, x):
        x = as_array(x, self)
        if not self.training:
            self.save_for_backward(None, x.shape, x.dtype)
            return x * (1 - self.p)
        return Dropout.forward(self, x)

    assert_hint(ch08.check_dropout(with_methods(Dropout, forward=still_drops)), "dropped in evaluation")
    assert_hint(ch08.check_dropout(with_methods(Dropout, forward=scales_in_eval)), "scaled by 1 - p")


def test_dropout_backward_mistakes():
    def unchanged(self, grad_out):
        mask, shape, dtype = self.saved
        return check_grad_out(self, grad_out, shape, dtype)

    def zero_one(self, grad_out):
        mask, shape, dtype = self.saved
        G = check_grad_out(self, grad_out, shape, dtype)
        return G if mask is None else G * (mask != 0)

    def new_mask(self, grad_out):
        mask, shape, dtype = self.saved
        G = check_grad_out(self, grad_out, shape, dtype)
        if mask is None:
            return G
        return G * (self.generator.random(shape) >= self.p) / (1 - self.p)

    def forgets_dtype(self, grad_out):
        mask, shape, dtype = self.saved
        G = check_grad_out(self, grad_out, shape)
        return G if mask is None else G * mask

    assert_hint(ch08.check_dropout(with_methods(Dropout, backward=unchanged)), "grad_out unchanged")
    assert_hint(ch08.check_dropout(with_methods(Dropout, backward=zero_one)), "0/1 mask")
    assert_hint(ch08.check_dropout(with_methods(Dropout, backward=new_mask)), "does not match forward's mask")
    assert_hint(ch08.check_dropout(with_methods(Dropout, backward=forgets_dtype)), "keep the dtype of x")


def test_dropout_unchecked_input():
    def unchecked(self, x):
        x = np.asarray(x, dtype=np.float32)
        return Dropout.forward(self, np.where(np.isnan(x), 0, x))
    assert_hint(ch08.check_dropout(with_methods(Dropout, forward=unchecked)), "refuse what is not numbers")


def test_dropout_that_changes_its_input_in_place():
    """Review A3: `x *= mask` corrupted the check's own batch of ones, and a later case blamed
    the drop rate."""
    def forward(self, x):
        x = as_array(x, self)
        if not self.training or self.p == 0:
            self.save_for_backward(None, x.shape, x.dtype)
            return x
        mask = (self.generator.random(x.shape) >= self.p).astype(x.dtype) / (1 - self.p)
        self.save_for_backward(mask, x.shape, x.dtype)
        x *= mask
        return x
    assert_hint(ch08.check_dropout(with_methods(Dropout, forward=forward)), "changed its input in place")


@pytest.mark.parametrize("methods, says", [
    (dict(forward=lambda self, x: None), "forward returned None; did you forget to `return`"),
    (dict(forward=lambda self, x: "y"), "expected numbers of the input's shape"),
    (dict(backward=lambda self, g: "grad"), "expected numbers, got the text 'grad'"),  # crashed the check
])
def test_dropout_answers_that_are_not_arrays_are_told_so(methods, says):
    result = ch08.check_dropout(with_methods(Dropout, **methods))
    assert not result.passed and says in result.message and " raised " not in result.message, repr(result)


# ------------------------------------------------------------------ 8.3 EarlyStopping.on_epoch_end

def on_epoch_end(improved_rule=None, stop_rule=lambda wait, patience: wait >= patience, copy=True,
                 reset=True, read=lambda self, logs: self.monitored(logs), set_flag=True):
    def method(self, epoch, logs=None):
        value = read(self, logs)
        if improved_rule is not None:
            improved = improved_rule(self, value)
        elif self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch = value, epoch
            if reset:
                self.wait = 0
            if self.restore_best_weights:
                self.best_weights = [p.value.copy() if copy else p.value for p in self.model.parameters()]
        else:
            self.wait += 1
            if stop_rule(self.wait, self.patience):
                self.stopped_epoch = epoch
                if set_flag:
                    self.model.stop_training = True
    return method


def test_early_stopping_library_version_passes():
    assert ch08.check_early_stopping(EarlyStopping).passed


@pytest.mark.parametrize("method, where", [
    (on_epoch_end(stop_rule=lambda wait, patience: wait > patience), "one epoch late"),
    (on_epoch_end(improved_rule=lambda self, v: v <= self.best - self.min_delta), "counted as an improvement"),
    (on_epoch_end(improved_rule=lambda self, v: v < self.best), "min_delta is ignored"),
    (on_epoch_end(reset=False), "must start again"),
    (on_epoch_end(improved_rule=lambda self, v: v < self.best - self.min_delta), "ignores the mode"),
    (on_epoch_end(copy=False), "which training went on changing"),
    (on_epoch_end(read=lambda self, logs: logs[self.monitor]), "self.monitored(logs)"),
    (on_epoch_end(set_flag=False), "model.stop_training is not"),
    (on_epoch_end(improved_rule=lambda self, v: not v >= self.best - self.min_delta
                  if self.mode == "min" else not v <= self.best + self.min_delta), "NaN was taken"),
])
def test_early_stopping_typical_mistakes(method, where):
    assert_hint(ch08.check_early_stopping(with_methods(EarlyStopping, on_epoch_end=method)), where)


def test_early_stopping_reports_a_none_attribute_as_such():
    """Review A3: `item 0: got None; did you forget to return the result?` for stopped_epoch."""
    method = on_epoch_end(improved_rule=lambda self, v: v < self.best)
    result = ch08.check_early_stopping(with_methods(EarlyStopping, on_epoch_end=method))
    assert "item 0: expected a number, got None" in result.message and "return" not in result.message


def test_early_stopping_larger_is_better_in_min_mode():
    method = on_epoch_end(improved_rule=lambda self, v: v > self.best + self.min_delta
                          if self.mode == "min" else v < self.best - self.min_delta)

    def begin(self, logs=None):  # the wrong direction needs the other starting point to get anywhere
        EarlyStopping.on_train_begin(self, logs)
        self.best = -self.best

    result = ch08.check_early_stopping(with_methods(EarlyStopping, on_epoch_end=method, on_train_begin=begin))
    assert_hint(result, "smaller is better")


def test_early_stopping_without_restoring_anything():
    def method(self, epoch, logs=None):
        on_epoch_end()(self, epoch, logs)
        self.best_weights = None
    assert_hint(ch08.check_early_stopping(with_methods(EarlyStopping, on_epoch_end=method)), "no weights were kept")


# ------------------------------------------------------------------ 8.4 WarmupCosine

class Warmup:
    def __init__(self, base_lr, warmup, epochs, min_lr=0.0):
        if not base_lr > 0:
            raise ValueError(f"base_lr must be > 0, got {base_lr}")
        if not (isinstance(warmup, int) and 1 <= warmup < epochs):
            raise ValueError(f"warmup must be an integer in [1, epochs), got {warmup}")
        if not 0 <= min_lr <= base_lr:
            raise ValueError(f"min_lr must be in [0, base_lr], got {min_lr}")
        self.base_lr, self.warmup, self.epochs, self.min_lr = base_lr, warmup, epochs, min_lr

    def ramp(self, t):
        return self.base_lr * (t + 1) / self.warmup

    def cosine(self, t):
        t = min(t, self.epochs) - self.warmup
        return self.min_lr + (self.base_lr - self.min_lr) * (1 + math.cos(math.pi * t / (self.epochs - self.warmup))) / 2

    def lr_at(self, epoch, current_lr=None):
        return self.ramp(epoch) if epoch < self.warmup else self.cosine(epoch)


def test_warmup_reference_passes():
    assert ch08.check_warmup_cosine(Warmup).passed


@pytest.mark.parametrize("override, where", [
    ({"ramp": lambda self, t: self.base_lr * t / self.warmup}, "starts at 0"),
    ({"cosine": lambda self, t: self.min_lr + (self.base_lr - self.min_lr) * (
        1 + math.cos(math.pi * (min(t, self.epochs) - self.warmup) / self.epochs)) / 2}, "runs over all the epochs"),
    ({"cosine": lambda self, t: self.min_lr + (self.base_lr - self.min_lr) * (
        1 + math.cos(math.pi * min(t, self.epochs) / self.epochs)) / 2}, "starts at epoch 0"),
    ({"cosine": lambda self, t: self.min_lr + (self.base_lr - self.min_lr) * (
        1 + math.cos(math.pi * (t - self.warmup) / (self.epochs - self.warmup))) / 2}, "climbs back up"),
])
def test_warmup_typical_mistakes(override, where):
    assert_hint(ch08.check_warmup_cosine(type("Wrong", (Warmup,), override)), where)


@pytest.mark.parametrize("lr_at, where", [
    (lambda self, epoch, current_lr=None: "%.4f" % Warmup.lr_at(self, epoch), "returned text"),
    (lambda self, epoch, current_lr=None: None, "forget to `return` the rate"),
])
def test_warmup_that_returns_no_number(lr_at, where):
    """Review A3: text and None were converted to numbers (and NaN) before the comparison."""
    assert_hint(ch08.check_warmup_cosine(type("Wrong", (Warmup,), {"lr_at": lr_at})), where)


def test_warmup_that_accepts_a_fractional_warmup():
    def init(self, base_lr, warmup, epochs, min_lr=0.0):
        if not base_lr > 0:
            raise ValueError(f"base_lr must be > 0, got {base_lr}")
        if not 1 <= warmup < epochs:
            raise ValueError(f"warmup must be in [1, epochs), got {warmup}")
        self.base_lr, self.warmup, self.epochs, self.min_lr = base_lr, warmup, epochs, min_lr
    result = ch08.check_warmup_cosine(type("Wrong", (Warmup,), {"__init__": init}))
    assert_hint(result, "a bad warmup must be refused")
    assert "warmup = 2.5" in result.message


def test_warmup_that_accepts_a_floor_above_the_peak():
    """Review: min_lr > base_lr made the 'decay' rise, and the check let it pass."""
    def init(self, base_lr, warmup, epochs, min_lr=0.0):
        Warmup.__init__(self, base_lr, warmup, epochs, 0.0)
        self.min_lr = min_lr
    result = ch08.check_warmup_cosine(type("Wrong", (Warmup,), {"__init__": init}))
    assert_hint(result, "a bad min_lr must be refused")
    assert "min_lr = 0.2, above base_lr = 0.1" in result.message


def test_warmup_without_argument_checks():
    def init(self, base_lr, warmup, epochs, min_lr=0.0):
        self.base_lr, self.warmup, self.epochs, self.min_lr = base_lr, warmup, epochs, min_lr
    assert_hint(ch08.check_warmup_cosine(type("Wrong", (Warmup,), {"__init__": init})), "must be refused")


# ------------------------------------------------------------------ 8.5 ModelCheckpoint

def checkpoint(better):
    class Checkpoint(sn.Callback):
        def __init__(self, path, monitor="val_loss", mode="min"):
            self.path, self.monitor, self.mode, self.best = path, monitor, mode, None

        def on_epoch_end(self, epoch, logs=None):
            value = logs[self.monitor]
            if self.best is None or better(self, value):
                self.best = value
                self.model.save_weights(self.path)
    return Checkpoint


def test_checkpoint_reference_passes():
    right = checkpoint(lambda self, v: v < self.best if self.mode == "min" else v > self.best)
    assert ch08.check_model_checkpoint(right).passed


@pytest.mark.parametrize("better, where", [
    (lambda self, v: True, "at every epoch"),
    (lambda self, v: v <= self.best if self.mode == "min" else v >= self.best, "equals the best"),
    (lambda self, v: v > self.best if self.mode == "min" else v < self.best, "taken for better"),
    (lambda self, v: v < self.best, "in mode 'max' a smaller value"),
])
def test_checkpoint_typical_mistakes(better, where):
    assert_hint(ch08.check_model_checkpoint(checkpoint(better)), where)


def test_checkpoint_that_saves_on_a_nan():
    """Review A2: `not value >= best` saves on a NaN, and passed."""
    wrong = checkpoint(lambda self, v: not (v >= self.best) if self.mode == "min" else not (v <= self.best))
    assert_hint(ch08.check_model_checkpoint(wrong), "a NaN was taken for an improvement")


def test_checkpoint_that_keeps_the_best_on_the_class():
    """Review A3: reported as `got None; did you forget to return the result?`."""
    class Shared(sn.Callback):
        best = None

        def __init__(self, path, monitor="val_loss", mode="min"):
            self.path, self.monitor, self.mode = path, monitor, mode

        def on_epoch_end(self, epoch, logs=None):
            value = logs[self.monitor]
            if type(self).best is None or value < type(self).best:
                type(self).best = value
                self.model.save_weights(self.path)
    assert_hint(ch08.check_model_checkpoint(Shared), "kept on the class")


def test_checkpoint_that_never_saves():
    class Lazy(sn.Callback):
        def __init__(self, path, monitor="val_loss", mode="min"):
            self.path, self.monitor, self.best = path, monitor, None

        def on_epoch_end(self, epoch, logs=None):
            self.best = logs[self.monitor]
    assert_hint(ch08.check_model_checkpoint(Lazy), "nothing was saved")


def test_checks_never_crash_on_a_learner_exception():
    class Broken:
        def __init__(self, *args, **kwargs):
            raise ZeroDivisionError("oops")
    for check in (ch08.check_dropout, ch08.check_early_stopping, ch08.check_warmup_cosine,
                  ch08.check_model_checkpoint):
        result = check(Broken)
        assert not result.passed and "ZeroDivisionError: oops" in result.message
    result = ch08.check_he_normal(lambda shape, rng=None: 1 / 0)
    assert not result.passed and "ZeroDivisionError" in result.message
