"""Checks for chapter 6's exercises: building `DataLoader.__iter__`, `Sequential.forward` and
`backward`, and `Sequential.train_step`; a top-k accuracy; a callback that records the gradient
norm.

Each check has its own reference, a few lines of NumPy. It does not import the chapter's
modules (so it works whichever chapters have been exported): the layers, loss and optimizer it
hands to the learner's `Sequential` are small probes written here, built on the `Layer` class
that the learner's `Sequential` itself derives from.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from scratchnet.checks._core import (Case, CheckResult, Mistake, Raises, Unusable, _fmt, close, fallback,
                                     more_help, quietly, run_check)

__all__ = ["fallback", "more_help", "check_dataloader_iter", "check_sequential", "check_train_step",
           "check_top_k_accuracy", "check_gradient_norm"]


# ---- exercise 6.1: DataLoader.__iter__ --------------------------------------------------------

def _data(n: int):
    """x (n, 2) whose row i is [i, -i], and y (n,) = 10 i: every sample says where it came from."""
    i = np.arange(n)
    return np.stack([i, -i], axis=1).astype(np.float32), i * 10


class _Epoch:
    """What one epoch of the learner's loader gave: the batches, read back as sample numbers."""

    def __init__(self, loader, with_y: bool):
        batches = loader.__iter__()
        if not isinstance(batches, Iterator):
            raise Unusable(f"__iter__ returned {'None' if batches is None else 'a ' + type(batches).__name__}, "
                           "not an iterator",
                           where="__iter__ must be a generator: it hands out each batch with yield, "
                                 "and returns nothing.",
                           what="inside the loop over the batches: yield xb, yb (yield xb alone when "
                                "self.y is None), instead of collecting them.")
        self.items = list(batches)
        self.with_y = with_y

    def __repr__(self) -> str:
        return f"the batches {self.items!r}"

    def problem(self) -> str | None:
        """Why the batches cannot be read (not pairs, not arrays, misaligned), or None."""
        for number, item in enumerate(self.items):
            if self.with_y and not (isinstance(item, tuple) and len(item) == 2):
                return (f"batch {number} is a {type(item).__name__}, not an (xb, yb) pair; with "
                        "targets, yield xb, yb")
            if not self.with_y and isinstance(item, tuple):
                return f"batch {number} is a tuple; without targets (y=None), yield xb alone"
            xb = item[0] if self.with_y else item
            if not isinstance(xb, np.ndarray) or xb.ndim != 2 or xb.shape[1] != 2:
                return (f"batch {number}'s xb has shape {np.shape(xb)}; it should be rows of x, "
                        "(batch, 2): index x along axis 0")
            if xb.dtype.kind not in "fiu":
                return (f"batch {number}'s xb has dtype {xb.dtype}; it should hold the numbers of "
                        "x: index x, do not convert it")
            if not np.array_equal(xb[:, 1], -xb[:, 0]):
                return f"batch {number}'s xb mixes up the columns of x: index whole rows, x[index]"
            if self.with_y and not np.array_equal(np.asarray(item[1]), xb[:, 0].astype(int) * 10):
                return (f"batch {number}: yb does not belong to xb (yb {np.asarray(item[1]).tolist()} "
                        f"for the samples {xb[:, 0].astype(int).tolist()}); index x and y with the "
                        "same index")
        return None

    @property
    def samples(self) -> list[list[int]]:
        return [(item[0] if self.with_y else item)[:, 0].astype(int).tolist() for item in self.items]

    def read_only(self) -> bool:
        arrays = [a for item in self.items for a in (item if self.with_y else (item,))]
        return all(isinstance(a, np.ndarray) and not a.flags.writeable for a in arrays)


def _in_order(expected: list[list[int]]):
    def compare(received):
        epoch = received[0] if isinstance(received, list) else received
        why = epoch.problem()
        if why:
            return why
        if epoch.samples != expected:
            return f"the batches hold the samples {epoch.samples}, expected {expected}"
        return None
    return compare


def _sizes_hint(expected: list[list[int]]):
    """Mistakes of an unshuffled epoch: the last batch lost, or the batch size off by one."""
    def test(epoch, kind):
        try:
            got = epoch.samples
        except Exception:
            return False
        if kind == "lost":
            return got == expected[:-1]
        if kind == "zero":
            return got == []
        return len(got) > 0 and len(got[0]) != len(expected[0])
    return [
        Mistake(lambda e: test(e, "zero"), "the epoch gave no batch at all.",
                "loop over the starts of the batches: for start in range(0, len(self) * b, b)."),
        Mistake(lambda e: test(e, "lost"), "the last, smaller batch is missing; it belongs to the "
                "epoch unless drop_last is True.",
                "len(self) already counts it: range(0, len(self) * b, b), and a slice "
                "start:start + b stops at the end of the data by itself."),
        Mistake(lambda e: test(e, "size"), "the first batch does not hold batch_size samples.",
                "a batch is the samples start, ..., start + b - 1: the slice start:start + b."),
    ]


def _read_only(D):
    """One epoch in order, and the caller's x and y after it."""
    x, y = _data(10)
    return _Epoch(D(x, y, batch_size=4), True), x, y


def _batches_read_only(received):
    epoch, x, y = received
    why = epoch.problem()
    if why:
        return why
    if not epoch.read_only():
        return "some batches are writable"
    if not (x.flags.writeable and y.flags.writeable):
        return "the caller's x or y became read-only"
    return None


def _within_batches(epoch, batch_size) -> bool:
    """Every batch holds samples of one block start, ..., start + b - 1 only."""
    return all(len({s // batch_size for s in batch}) == 1 for batch in epoch.samples)


def _shuffled(n: int, batch_size: int, drop_last: bool = False):
    """compare() for two shuffled epochs of one loader."""
    def compare(received):
        first, second, kept = received
        for epoch in (first, second):
            why = epoch.problem()
            if why:
                return why
        if not kept:
            return "the caller's x or y changed: the loader rearranged the data itself"
        full = (n // batch_size) if drop_last else -(-n // batch_size)
        for number, epoch in enumerate((first, second), start=1):
            samples = epoch.samples
            if len(samples) != full:
                return f"epoch {number} has {len(samples)} batches, expected {full}"
            flat = [s for batch in samples for s in batch]
            if len(set(flat)) != len(flat):
                return (f"epoch {number} gave some samples twice (and so missed others): an "
                        "epoch visits every sample once")
            if not drop_last and sorted(flat) != list(range(n)):
                return f"epoch {number} missed some samples: an epoch visits every sample once"
            if flat == sorted(flat):
                return f"epoch {number} came in order although shuffle is True"
            if _within_batches(epoch, batch_size):
                return (f"epoch {number} shuffled the samples within each batch only: its batches "
                        f"hold the samples {samples}")
        if first.samples == second.samples:
            return "both epochs came in the same order: each epoch needs a new order"
        return None
    return compare


def _two_epochs(D, n, batch_size, drop_last=False, rng=0):
    """Two epochs of one shuffling loader, and whether the caller's x and y are as they were."""
    x, y = _data(n)
    loader = D(x, y, batch_size=batch_size, shuffle=True, drop_last=drop_last, rng=rng)
    epochs = [_Epoch(loader, True), _Epoch(loader, True)]
    x_was, y_was = _data(n)
    return epochs + [bool(np.array_equal(x, x_was) and np.array_equal(y, y_was))]


_WHAT_ITER = ("n, b = len(self.x), self.batch_size; order = self.rng.permutation(n) if self.shuffle "
              "else None; for start in range(0, len(self) * b, b): index = slice(start, start + b) "
              "if order is None else order[start:start + b]; xb = self.x[index]; "
              "xb.flags.writeable = False; then the same for yb, and yield xb, yb (xb alone when "
              "self.y is None).")


def check_dataloader_iter(DataLoader) -> CheckResult:
    """Exercise 6.1: `DataLoader.__iter__` yields the batches of one epoch: in order or shuffled
    anew each epoch from self.rng, the last one smaller unless drop_last, read-only."""
    x10, y10 = _data(10)
    in_order = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    cases = [
        Case("10 samples, batch_size=4, in order: batches of 4, 4 and 2",
             call=lambda D: _Epoch(D(x10, y10, batch_size=4), True),
             compare=_in_order(in_order), mistakes=_sizes_hint(in_order),
             where="without shuffle, the batches are samples 0-3, 4-7 and 8-9.", what=_WHAT_ITER),
        Case("the same with drop_last=True: the batch of 2 is left out",
             call=lambda D: _Epoch(D(x10, y10, batch_size=4, drop_last=True), True),
             compare=_in_order(in_order[:2]),
             where="with drop_last, an epoch has len(self) = n // batch_size batches.",
             what="loop over range(0, len(self) * b, b): len(self) knows about drop_last."),
        Case("batch_size=16, more than the 10 samples: one batch of all 10",
             call=lambda D: _Epoch(D(x10, y10, batch_size=16), True),
             compare=_in_order([list(range(10))]),
             where="a batch larger than the data holds all of it.",
             what="a slice start:start + b stops at the end of the data by itself."),
        Case("no targets (y=None): batches of inputs alone",
             call=lambda D: _Epoch(D(x10, batch_size=4), False),
             compare=_in_order(in_order),
             where="when self.y is None, yield xb alone, not a pair.",
             what="if self.y is None: yield xb; else: yield xb, yb."),
        Case("every batch is read-only, and the caller's x and y stay writable",
             call=_read_only, compare=_batches_read_only,
             mistakes=[Mistake(lambda r: r[0].read_only() and not r[1].flags.writeable,
                               "the loader made the caller's x (or y) read-only; only the batches "
                               "it hands out should be.",
                               "set the flag on each batch, xb.flags.writeable = False, not on "
                               "self.x.")],
             where="a batch must be read-only, so that a layer keeps it without a copy.",
             what="set xb.flags.writeable = False (and the same for yb) before yielding."),
        Case("50 samples, batch_size=16, shuffle=True, rng=0: two epochs",
             call=lambda D: _two_epochs(D, 50, 16), compare=_shuffled(50, 16),
             mistakes=[Mistake(lambda r: not r[2], "the loader shuffled the caller's x and y in "
                               "place; the batches of the first epoch are views of them, and the "
                               "second epoch changed them too.",
                               "leave self.x alone: index it with order = self.rng.permutation(n), "
                               "which gathers new arrays."),
                       Mistake(lambda r: r[0].samples == r[1].samples and r[0].problem() is None,
                               "both epochs came in the same order: the order was drawn once, "
                               "not once per epoch.",
                               "draw order = self.rng.permutation(n) at the top of __iter__, "
                               "which runs once per epoch."),
                       Mistake(lambda r: _within_batches(r[0], 16),
                               "the samples are shuffled within each batch only; a batch must draw "
                               "from the whole data set.",
                               "permute all n indices, order = self.rng.permutation(n), then take "
                               "the batches as slices of order.")],
             where="with shuffle, each epoch visits every sample once, in a new order, and each "
                   "yb stays with its xb.",
             what="order = self.rng.permutation(n), then index = order[start:start + b] for "
                  "both x and y."),
        Case("shuffle=True and drop_last=True: 3 batches of 16 from 50 samples",
             call=lambda D: _two_epochs(D, 50, 16, drop_last=True),
             compare=_shuffled(50, 16, drop_last=True),
             where="with drop_last, the 2 samples left over after 3 batches of 16 are left out.",
             what="loop over range(0, len(self) * b, b)."),
        Case("two loaders with the same seed (rng=7) give the same epochs",
             call=lambda D: [e.samples for e in _two_epochs(D, 30, 8, rng=7)[:2]]
             == [e.samples for e in _two_epochs(D, 30, 8, rng=7)[:2]], expected=True,
             where="the same seed must give the same orders: shuffle with the loader's own "
                   "generator, self.rng, not with np.random.",
             what="order = self.rng.permutation(n)."),
    ]
    return run_check("6.1", DataLoader, cases)


# ---- probes for exercises 6.2 and 6.3 ----------------------------------------------------------

class _Param:
    """What a Parameter offers an optimizer: value, grad and zero_grad()."""

    def __init__(self, value):
        self.value = np.array(value, dtype=float)
        self.grad = np.zeros_like(self.value)

    def zero_grad(self):
        self.grad[...] = 0


def _layer_base(Sequential):
    """The Layer class the learner's Sequential derives from (not imported: see the docstring)."""
    for cls in getattr(Sequential, "__mro__", ())[1:]:
        if cls.__name__ == "Layer":
            return cls
    raise TypeError("Sequential must derive from Layer: class Sequential(Layer)")


def _probes(Sequential, log):
    Layer = _layer_base(Sequential)

    class Linear(Layer):
        """y = x @ W, without bias; it notes its calls in `log`."""

        def __init__(self, name, W):
            self.name, self.W, self.inputs = name, _Param(W), []

        def __call__(self, x):
            log.append(f"call {self.name}")
            return Layer.__call__(self, x)

        def forward(self, x):
            log.append(f"forward {self.name}")
            self.inputs.append(isinstance(x, np.ndarray) and not x.flags.writeable)
            self.x = np.asarray(x, dtype=float)
            return self.x @ self.W.value

        def backward(self, grad_out):
            log.append(f"backward {self.name}")
            G = np.asarray(grad_out, dtype=float)
            self.W.grad += self.x.T @ G
            if not self.needs_input_grad:
                log.append(f"skipped dx of {self.name}")
                return None
            return G @ self.W.value.T

        def parameters(self):
            return [self.W]

    class Relu(Layer):
        def __init__(self, name):
            self.name = name

        def __call__(self, x):
            log.append(f"call {self.name}")
            return Layer.__call__(self, x)

        def forward(self, x):
            log.append(f"forward {self.name}")
            self.mask = np.asarray(x) > 0
            return np.where(self.mask, x, 0.0)

        def backward(self, grad_out):
            log.append(f"backward {self.name}")
            return np.where(self.mask, grad_out, 0.0)

    return Linear, Relu


_RNG_SEED = 60
_X = np.random.default_rng(_RNG_SEED).normal(size=(5, 3)).round(2)
_W1 = np.random.default_rng(_RNG_SEED + 1).normal(size=(3, 4)).round(2)
_W2 = np.random.default_rng(_RNG_SEED + 2).normal(size=(4, 2)).round(2)
_G = np.random.default_rng(_RNG_SEED + 3).normal(size=(5, 2)).round(2)
_H = _X @ _W1                       # (5, 4)
_A = np.maximum(_H, 0)              # (5, 4)
_OUT = _A @ _W2                     # (5, 2)
_DA = _G @ _W2.T                    # (5, 4)
_DH = _DA * (_H > 0)                # (5, 4)
_DW2, _DW1, _DX = _A.T @ _G, _X.T @ _DH, _DH @ _W1.T


def _model(Sequential, log):
    Linear, Relu = _probes(Sequential, log)
    return Sequential([Linear("layer 0", _W1), Relu("layer 1"), Linear("layer 2", _W2)])


def _forward(Sequential):
    log = []
    return _model(Sequential, log).forward(_X.copy())


def _calls(Sequential, what):
    log = []
    model = _model(Sequential, log)
    model.forward(_X.copy())
    if what == "forward":
        return log
    del log[:]
    model.needs_input_grad = True
    model.backward(np.asarray(_G))
    return [entry for entry in log if entry.startswith("backward")]


def _backward(Sequential, needs_input_grad):
    log = []
    model = _model(Sequential, log)
    model.forward(_X.copy())
    if needs_input_grad is not None:
        model.needs_input_grad = needs_input_grad
    dx = model.backward(_G.copy())
    return model.layers[0].W.grad.copy(), model.layers[2].W.grad.copy(), dx, log


def _flag_follows(Sequential):
    log = []
    model = _model(Sequential, log)
    model.forward(_X.copy())
    model.backward(_G.copy())           # needs_input_grad False: no dx
    model.needs_input_grad = True
    model.forward(_X.copy())
    dx = model.backward(_G.copy())      # now the model asks for dx
    return "an array" if isinstance(dx, np.ndarray) else repr(dx)


_WHAT_FORWARD = "for layer in self.layers: x = layer(x); then return x."
_WHAT_BACKWARD = ("self.layers[0].needs_input_grad = self.needs_input_grad; then for layer in "
                  "reversed(self.layers): grad_out = layer.backward(grad_out); return grad_out.")


def check_sequential(Sequential) -> CheckResult:
    """Exercise 6.2: `Sequential.forward` runs the layers in order, each called as layer(x);
    `Sequential.backward` runs their backward passes in reverse, after telling the first layer
    whether the model needs dL/dx."""
    forward_order = ["call layer 0", "forward layer 0", "call layer 1", "forward layer 1",
                     "call layer 2", "forward layer 2"]
    cases = [
        Case("forward through Linear(3 -> 4), ReLU, Linear(4 -> 2) on a batch of 5",
             call=_forward, expected=_OUT,
             mistakes=[Mistake(lambda r: close(r, _X), "forward returned its input unchanged.",
                               "hand each layer's output to the next: x = layer(x)."),
                       Mistake(lambda r: close(r, _H), "forward returned the first layer's output; "
                               "every layer must run.", _WHAT_FORWARD)],
             where="the output is the last layer's, with each layer fed the one before's output.",
             what=_WHAT_FORWARD),
        Case("forward calls each layer once, as layer(x), in order",
             call=lambda S: _calls(S, "forward"), expected=forward_order,
             compare=lambda r: None if r == forward_order else f"the layers saw the calls {r}",
             mistakes=[Mistake(lambda r: [e for e in r if e.startswith("forward")]
                               == forward_order[1::2] and "call layer 0" not in r,
                               "forward called layer.forward(x) directly; call the layer "
                               "itself, layer(x).",
                               "layer(x) runs forward and hands its output on read-only, so the "
                               "next layer keeps it without a copy: x = layer(x).")],
             where="call every layer once, first to last, as layer(x).", what=_WHAT_FORWARD),
        Case("backward runs the layers' backward passes last to first",
             call=lambda S: _calls(S, "backward"),
             expected=["backward layer 2", "backward layer 1", "backward layer 0"],
             compare=lambda r: None if r == ["backward layer 2", "backward layer 1",
                                             "backward layer 0"]
             else f"the backward passes ran in the order {r}",
             mistakes=[Mistake(lambda r: r[:1] == ["backward layer 2"]
                               and "backward layer 0" not in r,
                               "the backward passes stop before the first layer; the loop must "
                               "reach the first layer, which fills its own gradients.",
                               "for layer in reversed(self.layers): every layer, the first too.")],
             where="the gradient meets the last layer first: the chain rule runs backwards.",
             what="for layer in reversed(self.layers): grad_out = layer.backward(grad_out)."),
        Case("backward with needs_input_grad = True: dW of both Linear layers, and dL/dx",
             call=lambda S: _backward(S, True)[:3], expected=(_DW1, _DW2, _DX),
             mistakes=[Mistake(lambda r: r[2] is None, "backward returned None although the "
                               "model's needs_input_grad is True.",
                               "return what the first layer's backward returns: grad_out after "
                               "the loop."),
                       Mistake(lambda r: close(r[2], _DA) or close(r[2], _DH),
                               "backward returned a gradient from the middle of the model; "
                               "the loop must reach the first layer.", _WHAT_BACKWARD)],
             where="item 0 is layer 0's W.grad, item 1 layer 2's, item 2 the returned dL/dx.",
             what=_WHAT_BACKWARD),
        Case("backward with needs_input_grad = False (the default): the first layer skips dL/dx",
             call=lambda S: (lambda r: ("None" if r[2] is None else "an array",
                                        "skipped dx of layer 0" in r[3]))(_backward(S, None)),
             expected=("None", True),
             compare=lambda r: None if r == ("None", True) else
             (f"backward returned {r[0]}" if r[0] != "None" else
              "the first layer computed dL/dx, which nothing uses"),
             where="the model's needs_input_grad is False by default: the first layer must be "
                   "told so before its backward pass, and backward then returns None.",
             what="self.layers[0].needs_input_grad = self.needs_input_grad, before the loop."),
        Case("needs_input_grad switched to True after a backward pass without it",
             call=_flag_follows, expected="an array",
             compare=lambda r: None if r == "an array" else f"backward returned {r}",
             where="the first layer must follow the model's needs_input_grad at every backward "
                   "pass, not only the first.",
             what="set self.layers[0].needs_input_grad = self.needs_input_grad inside backward."),
        Case("forward of a model with no layers",
             call=lambda S: S().forward(_X.copy()), expected=Raises(RuntimeError),
             where="a model with no layers must say so with a RuntimeError, not return its input.",
             what='if not self.layers: raise RuntimeError("... no layers ...").'),
    ]
    return run_check("6.2", Sequential, cases)


# ---- exercise 6.3: Sequential.train_step ------------------------------------------------------

class _MSE:
    """What a Loss offers the model: loss(y_pred, y) -> float, then backward() -> dL/dy_pred."""

    def __init__(self, log):
        self.log = log

    def __call__(self, y_pred, y):
        self.log.append("loss")
        self.saved = (np.asarray(y_pred, dtype=float), np.asarray(y, dtype=float))
        return float(np.mean((self.saved[0] - self.saved[1]) ** 2))

    def backward(self):
        self.log.append("loss.backward")
        y_pred, y = self.saved
        return 2 * (y_pred - y) / y_pred.size


class _SGD:
    """What an Optimizer offers: zero_grad(params) and step(params) with w -= lr * grad."""

    def __init__(self, lr, log):
        self.lr, self.log = lr, log

    def zero_grad(self, params):
        self.log.append("zero_grad")
        for p in params:
            p.zero_grad()

    def step(self, params):
        self.log.append("step")
        for p in params:
            p.value -= self.lr * p.grad


_Y = np.random.default_rng(_RNG_SEED + 4).normal(size=(5, 2)).round(2)
_LR = 0.1


def _reference_steps(steps):
    """(losses, W1, W2) after `steps` steps of plain gradient descent on the MSE."""
    W1, W2, losses = _W1.copy(), _W2.copy(), []
    for _ in range(steps):
        H = _X @ W1
        A = np.maximum(H, 0)
        out = A @ W2
        losses.append(float(np.mean((out - _Y) ** 2)))
        G = 2 * (out - _Y) / out.size
        dH = (G @ W2.T) * (H > 0)
        W1, W2 = W1 - _LR * _X.T @ dH, W2 - _LR * A.T @ G
    return losses, W1, W2


def _stepping(Sequential, steps=1, stale=100.0):
    """Run the learner's train_step `steps` times on probe layers whose grads start stale."""
    log = []
    model = _model(Sequential, log)
    model.loss, model.optimizer = _MSE(log), _SGD(_LR, log)
    for p in model.parameters():
        p.grad[...] = stale              # left over from before: train_step must clear it
    grads = [p.grad for p in model.parameters()]
    results = [model.train_step(_X.copy(), _Y.copy()) for _ in range(steps)]
    if "zero_grad" not in log and any(p.grad is not g for p, g in zip(model.parameters(), grads)):
        log.append("grads replaced")     # zeroed by hand: p.grad = np.zeros_like(...)
    return model, results, log


def _order(log):
    """The log without the layers' own entries, to read the order of a step's parts."""
    parts = {"zero_grad": "zero_grad", "loss": "loss", "loss.backward": "loss.backward",
             "step": "step", "forward layer 0": "forward", "backward layer 0": "backward",
             "grads replaced": "grads replaced"}
    return [parts[e] for e in log if e in parts]


_WHAT_STEP = ("params = self.parameters(); self.optimizer.zero_grad(params); y_pred = "
              "self.forward(x); loss = self.loss(y_pred, y); self.backward(self.loss.backward()); "
              "self.optimizer.step(params); return loss, y_pred.")


def check_train_step(Sequential) -> CheckResult:
    """Exercise 6.3: `Sequential.train_step(x, y)` zeroes the grads, runs forward, the loss,
    backward and the optimizer's step, and returns (loss before the update, y_pred)."""
    losses, W1_after, W2_after = _reference_steps(2)
    _, W1_once, W2_once = _reference_steps(1)
    after_update = _reference_steps(2)[0][1]
    cases = [
        Case("one step on a batch of 5: returns (loss, y_pred)",
             call=lambda S: _stepping(S)[1][0], expected=(losses[0], _OUT),
             mistakes=[Mistake(lambda r: np.isscalar(r) or isinstance(r, float),
                               "train_step returned only the loss; fit needs y_pred too, for "
                               "the metrics.", "return loss, y_pred."),
                       Mistake(lambda r: isinstance(r, tuple) and np.isclose(float(r[0]), after_update),
                               "the loss returned is the one *after* the update.",
                               "keep the loss from before the update: loss = self.loss(y_pred, y) "
                               "comes right after the forward pass, and it is what you return.")],
             where="item 0 is the loss before the update, a float; item 1 the forward pass's "
                   "output.", what=_WHAT_STEP),
        Case("the order of the parts of a step",
             call=lambda S: _order(_stepping(S)[2]),
             expected=["zero_grad", "forward", "loss", "loss.backward", "backward", "step"],
             compare=lambda r: None if r == ["zero_grad", "forward", "loss", "loss.backward",
                                             "backward", "step"]
             else f"the parts ran in the order {[p for p in r if p != 'grads replaced']}",
             mistakes=[Mistake(lambda r: "grads replaced" in r,
                               "the gradients were replaced with new arrays by hand, not zeroed "
                               "by the optimizer.",
                               "self.optimizer.zero_grad(params) first: it zeroes each p.grad in "
                               "place."),
                       Mistake(lambda r: "zero_grad" not in r,
                               "the gradients are never zeroed; backward adds to them, so a step "
                               "would use whatever they held before.",
                               "self.optimizer.zero_grad(params) first, before the forward pass."),
                       Mistake(lambda r: "step" not in r, "the optimizer never steps, so the "
                               "weights never change.",
                               "after the backward pass, self.optimizer.step(params)."),
                       Mistake(lambda r: r.index("zero_grad") > r.index("step"),
                               "the gradients are zeroed after the step, at the end: the first "
                               "step uses whatever they held when train_step began.",
                               "zero them first, before the forward pass."),
                       Mistake(lambda r: "backward" in r and r.index("zero_grad") > r.index("backward"),
                               "the gradients are zeroed after the backward pass, which erases "
                               "them before the optimizer uses them.",
                               "zero them first, before the forward pass.")],
             where="a step runs zero_grad, forward, the loss, its backward, the model's backward "
                   "and the optimizer's step, in that order, each once.", what=_WHAT_STEP),
        Case("the weights after that step, whose grads held stale values before it",
             call=lambda S: tuple(p.value.copy() for p in _stepping(S)[0].parameters()),
             expected=(W1_once, W2_once),
             mistakes=[Mistake(lambda r: close(r[0], _W1) and close(r[1], _W2),
                               "the weights did not change: the optimizer made no step.",
                               "after the backward pass, self.optimizer.step(params)."),
                       Mistake(lambda r: close(r[1], W2_once - _LR * 100.0),
                               "the update used gradients left over from before: the grads were "
                               "not zeroed before the backward pass (it adds to them).",
                               "self.optimizer.zero_grad(params) first, before the forward pass.")],
             where="item 0 is the first layer's W, item 1 the last layer's, after one step of "
                   "w -= lr * dL/dw.", what=_WHAT_STEP),
        Case("two steps on the same batch: each returns the loss before its own update",
             call=lambda S: tuple(float(r[0]) for r in _stepping(S, steps=2)[1]),
             expected=tuple(losses),
             where="the second step starts from the weights the first one left.",
             what=_WHAT_STEP),
        Case("the weights after two steps",
             call=lambda S: tuple(p.value.copy() for p in _stepping(S, steps=2)[0].parameters()),
             expected=(W1_after, W2_after),
             where="each step zeroes the grads again: the second update must not include the "
                   "first step's gradient.", what=_WHAT_STEP),
    ]
    return run_check("6.3", Sequential, cases)


# ---- exercise 6.4: top-k accuracy --------------------------------------------------------------

def _top_k(scores, labels, k):
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]          # (batch, k)
    return float(np.mean((top == labels[:, None]).any(axis=1)))


def _arguments_kept(top_k_accuracy, scores, labels, k) -> bool:
    """Whether top_k_accuracy leaves its arguments as they were (the other cases give it copies)."""
    y_pred, y_true = scores.copy(), labels.copy()
    with np.errstate(all="ignore"):
        top_k_accuracy(y_pred, y_true, k)
    return bool(np.array_equal(y_pred, scores) and np.array_equal(y_true, labels))


def check_top_k_accuracy(top_k_accuracy) -> CheckResult:
    """Exercise 6.4: `top_k_accuracy(y_pred, y_true, k)` is the fraction of samples whose true
    class is among the k highest scores."""
    scores = np.array([[0.1, 2.0, -1.0],
                       [1.5, 0.3, 0.9],
                       [0.2, -0.4, 0.1],
                       [-2.0, 1.0, 0.5]])
    labels = np.array([1, 2, 1, 0])
    rng = np.random.default_rng(64)
    big = rng.normal(size=(40, 10))
    big_labels = rng.integers(0, 10, size=40)

    def like(variant, r, k):
        """The answer matches `variant` here, and on the 40 samples too: one number could
        match a variant by coincidence (0.25 is also 2 of 8 entries)."""
        return (np.isclose(float(r), variant(scores, labels, k))
                and np.isclose(float(quietly(top_k_accuracy, big, big_labels, k)),
                               variant(big, big_labels, k)))

    variants = [
        (lambda s, l, k: _top_k(-s, l, k),
         "the answer counts the k *lowest* scores: np.argsort sorts from the smallest up.",
         "take the last k columns of np.argsort(y_pred, axis=1), or sort -y_pred."),
        (lambda s, l, k: len(l) * _top_k(s, l, k),
         "the answer is a count, not a fraction of the samples.",
         "take the mean over the samples, not the sum."),
        (lambda s, l, k: _top_k(s, l, k) / k,
         "the mean runs over all batch * k entries of the comparison; a sample counts once, "
         "whichever of its k classes is the label.",
         "(top == y_true[:, None]).any(axis=1) first: one True or False per sample; then the mean."),
        (lambda s, l, k: _top_k(s, l, k - 1) if k > 1 else 0.0,
         "the answer looks at one class too few: k - 1 classes count.",
         "keep k columns: np.argsort(-y_pred, axis=1)[:, :k]; or, against the k-th highest "
         "score, compare with >=, not >."),
    ]
    cases = []
    for k, value in ((1, 0.25), (2, 0.5), (3, 1.0)):
        cases.append(Case(
            f"by hand: 4 samples, 3 classes, k={k}: {value}", (scores, labels, k), value,
            mistakes=[Mistake(lambda r, k=k, v=variant: like(v, r, k), where, what)
                      for variant, where, what in variants],
            where="sample 0's true class has the highest score; sample 1's the second highest; "
                  "sample 2's the lowest; sample 3's the lowest.",
            what="top = np.argsort(-y_pred, axis=1)[:, :k]; "
                 "return float(np.mean((top == y_true[:, None]).any(axis=1)))."))
    cases.append(Case("40 samples, 10 classes, k=3", (big, big_labels, 3),
                      _top_k(big, big_labels, 3),
                      where="compare each sample's label with its own k best classes: "
                            "y_true[:, None] against the (batch, k) array of top classes.",
                      what="(top == y_true[:, None]).any(axis=1) is True where the label is "
                           "among the k."))
    cases.append(Case("k=1 is the accuracy", (big, big_labels, 1),
                      float(np.mean(big.argmax(axis=1) == big_labels)),
                      where="with k=1 the top class is the argmax.",
                      what="np.argsort(-y_pred, axis=1)[:, :1]."))
    cases.append(Case("y_pred and y_true are left as they were",
                      call=lambda f: _arguments_kept(f, big, big_labels, 3), expected=True,
                      where="the metric changed its arguments in place; fit still needs y_pred "
                            "and y_true after it.",
                      what="sort a new array, np.argsort(-y_pred, axis=1); never write into "
                           "y_pred or y_true."))
    cases.append(Case("k=0: no class at all", (scores, labels, 0),
                      Raises(ValueError, ["k"]),
                      where="k must be between 1 and the number of classes; refuse it with a "
                            "ValueError that names k.",
                      what='if not 1 <= k <= y_pred.shape[1]: raise ValueError(f"k must be in '
                           '[1, {y_pred.shape[1]}], got {k}").'))
    cases.append(Case("k=4 for 3 classes", (scores, labels, 4),
                      Raises(ValueError, ["k"]),
                      where="k larger than the number of classes is a mistake: refuse it.",
                      what='if not 1 <= k <= y_pred.shape[1]: raise ValueError(...).'))
    return run_check("6.4", top_k_accuracy, cases)


# ---- exercise 6.5: the gradient-norm callback ---------------------------------------------------

class _FakeModel:
    """What a callback sees of a model: parameters() and stop_training."""

    def __init__(self):
        self.params = [_Param(np.zeros((2, 2))), _Param(np.zeros(2))]
        self.stop_training = False

    def parameters(self):
        return self.params


def _grads(seed, batches):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(2, 2)).round(2), rng.normal(size=2).round(2)) for _ in range(batches)]


def _norm(grads):
    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))


def _run_epochs(GradientNorm, epochs):
    """Drive the callback's hooks as fit does; returns the logs of each epoch."""
    callback = GradientNorm()
    model = _FakeModel()
    callback.model = model
    if hasattr(callback, "set_params"):
        callback.set_params({"epochs": len(epochs), "steps": len(epochs[0]), "batch_size": 4})
    callback.on_train_begin({})
    all_logs = []
    for epoch, batches in enumerate(epochs):
        callback.on_epoch_begin(epoch, {})
        for batch, grads in enumerate(batches):
            callback.on_batch_begin(batch, {})
            for p, g in zip(model.params, grads):
                p.grad[...] = g
                p.value[...] = 10 * g           # the weights are not the gradient
            callback.on_batch_end(batch, {"loss": 1.0})
        logs = {"loss": 1.0}
        callback.on_epoch_end(epoch, logs)
        all_logs.append(logs)
    callback.on_train_end({})
    return all_logs


def _grad_norm_of(logs):
    """logs["grad_norm"] of each epoch, or None where it is missing."""
    return tuple(logs_i.get("grad_norm") for logs_i in logs)


def check_gradient_norm(GradientNorm) -> CheckResult:
    """Exercise 6.5: a callback that adds to each epoch's logs "grad_norm", the mean over the
    epoch's batches of the gradient norm sqrt(sum over all parameters of sum(grad ** 2))."""
    one = _grads(65, 3)
    two = [_grads(66, 3), _grads(67, 2)]
    mean_one = np.mean([_norm(g) for g in one])
    means_two = tuple(float(np.mean([_norm(g) for g in epoch])) for epoch in two)
    per_parameter = float(np.mean([sum(np.sqrt(np.sum(x ** 2)) for x in g) for g in one]))
    squared = float(np.mean([_norm(g) ** 2 for g in one]))
    last = _norm(one[-1])
    of_weights = 10 * mean_one
    what = ("on_epoch_begin: self.norms = []; on_batch_end: self.norms.append(np.sqrt(sum(np.sum("
            "p.grad ** 2) for p in self.model.parameters()))); on_epoch_end: logs['grad_norm'] = "
            "float(np.mean(self.norms)).")

    def missing(r):
        return any(v is None for v in r)

    def not_a_number(r):
        """What is wrong with the logged values when one is not a single real number, or None."""
        for v in r:
            number = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            if v is not None and not number:
                return f"logs['grad_norm'] is {_fmt(v)}, not a number"
        return None

    number_mistake = Mistake(lambda r: not_a_number(r) is not None,
                             "logs['grad_norm'] must be one number, the mean over the epoch's batches.",
                             "logs['grad_norm'] = float(np.mean(self.norms)).")

    cases = [
        Case("one epoch of 3 batches", call=lambda C: _grad_norm_of(_run_epochs(C, [one])),
             expected=(float(mean_one),),
             compare=lambda r: "the epoch's logs have no 'grad_norm'" if missing(r) else
             not_a_number(r) or (None if np.isclose(r[0], mean_one) else
                                 f"logs['grad_norm'] is {float(r[0]):.6g}, expected {mean_one:.6g}"),
             mistakes=[number_mistake,
                       Mistake(missing, "the epoch's logs have no 'grad_norm': add it to the "
                               "dict that on_epoch_end receives, so that History records it.",
                               "logs['grad_norm'] = ... in on_epoch_end (change the dict itself)."),
                       Mistake(lambda r: np.isclose(r[0], per_parameter),
                               "the norms of the parameters are added; the norm is over all "
                               "the gradients' entries together.",
                               "sqrt(sum over parameters of np.sum(p.grad ** 2)): one square "
                               "root, at the end."),
                       Mistake(lambda r: np.isclose(r[0], squared),
                               "this is the squared norm: the square root is missing.",
                               "np.sqrt(sum(np.sum(p.grad ** 2) for p in params))."),
                       Mistake(lambda r: np.isclose(r[0], last),
                               "only the last batch counts; the log is the mean over the "
                               "epoch's batches.",
                               "append each batch's norm in on_batch_end; average in "
                               "on_epoch_end."),
                       Mistake(lambda r: np.isclose(r[0], of_weights),
                               "this is the norm of the weights (p.value), not of the gradients.",
                               "use p.grad.")],
             where="grad_norm is the mean, over the epoch's batches, of sqrt(sum of every "
                   "gradient entry squared), measured in on_batch_end.", what=what),
        Case("two epochs, of 3 and 2 batches: each epoch's own mean",
             call=lambda C: _grad_norm_of(_run_epochs(C, two)), expected=means_two,
             compare=lambda r: "an epoch's logs have no 'grad_norm'" if missing(r) else
             not_a_number(r) or (None if np.allclose(r, means_two) else
              f"logs['grad_norm'] is {[round(float(v), 6) for v in r]} for the two epochs, "
              f"expected {[round(v, 6) for v in means_two]}"),
             mistakes=[number_mistake,
                       Mistake(lambda r: not missing(r) and np.isclose(
                 r[1], np.mean([_norm(g) for g in two[0] + two[1]])),
                 "the second epoch's mean includes the first epoch's batches.",
                 "start a new list in on_epoch_begin.")],
             where="each epoch averages its own batches only.", what=what),
    ]
    return run_check("6.5", GradientNorm, cases)
