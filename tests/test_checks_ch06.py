"""Chapter 6's exercise checks: typical wrong answers draw the first-tier hint meant for them.
(Stubs and solutions: tests/test_exercises.py.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.checks import _core, ch06
from scratchnet.data import DataLoader
from scratchnet.model import Sequential


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def assert_hint(result, where):
    assert not result.passed and where in result.where, repr(result)


# 6.1 DataLoader.__iter__

def loader_with(iterate):
    class WrongLoader(DataLoader):
        pass
    WrongLoader.__iter__ = iterate
    return WrongLoader


def _batches(self, order):
    n, b = len(self.x), self.batch_size
    for start in range(0, len(self) * b, b):
        index = order[start:start + b]
        xb, yb = self.x[index], None if self.y is None else self.y[index]
        xb.flags.writeable = False
        if yb is None:
            yield xb
        else:
            yb.flags.writeable = False
            yield xb, yb


def drops_the_last_batch(self):
    n, b = len(self.x), self.batch_size
    for start in range(0, n - b + 1, b):
        yield self.x[start:start + b], self.y[start:start + b]


def shuffles_once(self):
    if not hasattr(self, "_order"):
        self._order = self.rng.permutation(len(self.x)) if self.shuffle else np.arange(len(self.x))
    yield from _batches(self, self._order)


def global_random(self):
    order = np.random.permutation(len(self.x)) if self.shuffle else np.arange(len(self.x))
    yield from _batches(self, order)


def writable(self):
    x = self.x.copy()
    for start in range(0, len(self) * self.batch_size, self.batch_size):
        xb = x[start:start + self.batch_size]
        yield xb if self.y is None else (xb, self.y[start:start + self.batch_size].copy())


def x_and_y_apart(self):
    n = len(self.x)
    ox = self.rng.permutation(n) if self.shuffle else np.arange(n)
    oy = self.rng.permutation(n) if self.shuffle else np.arange(n)
    for start in range(0, len(self) * self.batch_size, self.batch_size):
        xb = self.x[ox[start:start + self.batch_size]]
        xb.flags.writeable = False
        if self.y is None:
            yield xb
            continue
        yb = self.y[oy[start:start + self.batch_size]]
        yb.flags.writeable = False
        yield xb, yb


def pairs_without_targets(self):
    for start in range(0, len(self) * self.batch_size, self.batch_size):
        xb = self.x[start:start + self.batch_size]
        yield xb, None if self.y is None else self.y[start:start + self.batch_size]


def with_replacement(self):
    n = len(self.x)
    order = self.rng.integers(0, n, size=n) if self.shuffle else np.arange(n)
    yield from _batches(self, order)


@pytest.mark.parametrize("iterate, where", [
    (drops_the_last_batch, "the last, smaller batch is missing"),
    (shuffles_once, "the order was drawn once"),
    (global_random, "the loader's own generator, self.rng"),
    (writable, "must be read-only"),
    (x_and_y_apart, "each yb stays with its xb"),
    (pairs_without_targets, "yield xb alone"),
    (with_replacement, "each epoch visits every sample once"),
])
def test_dataloader_typical_mistakes(iterate, where):
    result = ch06.check_dataloader_iter(loader_with(iterate))
    assert_hint(result, where)
    assert "what:" in repr(ch06.check_dataloader_iter(loader_with(iterate)))


def test_dataloader_messages_say_what_went_wrong():
    assert "not an (xb, yb) pair" in ch06.check_dataloader_iter(loader_with(
        lambda self: iter([self.x]))).message
    assert "yb does not belong to xb" in ch06.check_dataloader_iter(loader_with(x_and_y_apart)).message
    assert "gave some samples twice" in ch06.check_dataloader_iter(loader_with(with_replacement)).message


# Review A2/A3: wrong loaders that passed, or drew a hint about something else

def shuffles_within_batches(self):
    n, b = len(self.x), self.batch_size
    blocks = [np.arange(start, min(start + b, n)) for start in range(0, len(self) * b, b)]
    yield from _batches(self, np.concatenate([self.rng.permutation(i) if self.shuffle else i
                                              for i in blocks]))


def shuffles_the_callers_data(self):
    if self.shuffle:
        order = self.rng.permutation(len(self.x))
        self.x[...], self.y[...] = self.x[order], self.y[order]
    yield from _batches(self, np.arange(len(self.x)))


def freezes_the_callers_data(self):
    self.x.flags.writeable = False
    if self.y is not None:
        self.y.flags.writeable = False
    yield from DataLoader.__iter__(self)


def collects_a_list(self):
    return list(DataLoader.__iter__(self))


def returns_nothing(self):
    pass


def yields_text(self):
    for batch in DataLoader.__iter__(self):
        yield (batch[0].astype(str), batch[1]) if self.y is not None else batch.astype(str)


@pytest.mark.parametrize("iterate, where", [
    (shuffles_within_batches, "shuffled within each batch only"),
    (shuffles_the_callers_data, "shuffled the caller's x and y in place"),
    (freezes_the_callers_data, "made the caller's x (or y) read-only"),
    (collects_a_list, "__iter__ must be a generator"),
    (returns_nothing, "__iter__ must be a generator"),
])
def test_dataloader_mistakes_the_review_found(iterate, where):
    assert_hint(ch06.check_dataloader_iter(loader_with(iterate)), where)


def test_a_loader_that_yields_text_is_told_so_not_crashed_on():
    result = ch06.check_dataloader_iter(loader_with(yields_text))
    assert not result.passed and "xb has dtype <U" in result.message, repr(result)


def test_the_chapters_dataloader_passes():
    assert ch06.check_dataloader_iter(DataLoader).passed


# 6.2 Sequential.forward and backward

def sequential_with(forward=None, backward=None):
    class WrongSequential(Sequential):
        pass
    if forward:
        WrongSequential.forward = forward
    if backward:
        WrongSequential.backward = backward
    return WrongSequential


def forward_without_call(self, x):
    for layer in self.layers:
        x = layer.forward(x)
    return x


def forward_returns_input(self, x):
    for layer in self.layers:
        layer(x) if layer is self.layers[0] else None
    return x


def forward_first_only(self, x):
    return self.layers[0](x)


def backward_in_forward_order(self, grad_out):
    self.layers[0].needs_input_grad = self.needs_input_grad
    for layer in self.layers:
        grad_out = layer.backward(grad_out)
    return grad_out


def backward_ignores_the_flag(self, grad_out):
    for layer in reversed(self.layers):
        grad_out = layer.backward(grad_out)
    return grad_out


def backward_returns_none(self, grad_out):
    self.layers[0].needs_input_grad = self.needs_input_grad
    for layer in reversed(self.layers):
        grad_out = layer.backward(grad_out)
    return None


def backward_sets_the_flag_once(self, grad_out):
    if not getattr(self, "_flag_set", False):
        self.layers[0].needs_input_grad = self.needs_input_grad
        self._flag_set = True
    for layer in reversed(self.layers):
        grad_out = layer.backward(grad_out)
    return grad_out


def backward_stops_early(self, grad_out):
    self.layers[0].needs_input_grad = self.needs_input_grad
    for layer in reversed(self.layers[1:]):
        grad_out = layer.backward(grad_out)
    return grad_out


def forward_empty_returns_input(self, x):
    for layer in self.layers:
        x = layer(x)
    return x


@pytest.mark.parametrize("kwargs, where", [
    (dict(forward=forward_without_call), "call the layer itself, layer(x)"),
    (dict(forward=forward_returns_input), "returned its input unchanged"),
    (dict(forward=forward_first_only), "returned the first layer's output"),
    (dict(backward=backward_in_forward_order), "the chain rule runs backwards"),
    (dict(backward=backward_ignores_the_flag), "must be told so before its backward pass"),
    (dict(backward=backward_returns_none), "backward returned None although"),
    (dict(backward=backward_sets_the_flag_once), "at every backward pass"),
    (dict(backward=backward_stops_early), "the loop must reach the first layer"),
    (dict(forward=forward_empty_returns_input), "a model with no layers must say so"),
])
def test_sequential_typical_mistakes(kwargs, where):
    assert_hint(ch06.check_sequential(sequential_with(**kwargs)), where)


def test_the_chapters_sequential_passes():
    assert ch06.check_sequential(Sequential).passed


# 6.3 Sequential.train_step

def step_with(body):
    class WrongSequential(Sequential):
        pass
    WrongSequential.train_step = body
    return WrongSequential


def no_zero_grad(self, x, y):
    params = self.parameters()
    y_pred = self.forward(x)
    loss = self.loss(y_pred, y)
    self.backward(self.loss.backward())
    self.optimizer.step(params)
    return loss, y_pred


def loss_after_the_update(self, x, y):
    params = self.parameters()
    self.optimizer.zero_grad(params)
    y_pred = self.forward(x)
    self.loss(y_pred, y)
    self.backward(self.loss.backward())
    self.optimizer.step(params)
    return self.loss(self.forward(x), y), y_pred


def only_the_loss(self, x, y):
    params = self.parameters()
    self.optimizer.zero_grad(params)
    y_pred = self.forward(x)
    loss = self.loss(y_pred, y)
    self.backward(self.loss.backward())
    self.optimizer.step(params)
    return loss


def zero_after_backward(self, x, y):
    params = self.parameters()
    y_pred = self.forward(x)
    loss = self.loss(y_pred, y)
    self.backward(self.loss.backward())
    self.optimizer.zero_grad(params)
    self.optimizer.step(params)
    return loss, y_pred


def no_step(self, x, y):
    params = self.parameters()
    self.optimizer.zero_grad(params)
    y_pred = self.forward(x)
    loss = self.loss(y_pred, y)
    self.backward(self.loss.backward())
    return loss, y_pred


@pytest.mark.parametrize("body, where", [
    (no_zero_grad, "the gradients are never zeroed"),
    (loss_after_the_update, "the one *after* the update"),
    (only_the_loss, "returned only the loss"),
    (zero_after_backward, "zeroed after the backward pass"),
    (no_step, "the optimizer never steps"),
])
def test_train_step_typical_mistakes(body, where):
    assert_hint(ch06.check_train_step(step_with(body)), where)


def zero_after_the_step(self, x, y):
    params = self.parameters()
    y_pred = self.forward(x)
    loss = self.loss(y_pred, y)
    self.backward(self.loss.backward())
    self.optimizer.step(params)
    self.optimizer.zero_grad(params)
    return loss, y_pred


def zero_by_rebinding(self, x, y):
    params = self.parameters()
    for p in params:
        p.grad = np.zeros_like(p.value)
    y_pred = self.forward(x)
    loss = self.loss(y_pred, y)
    self.backward(self.loss.backward())
    self.optimizer.step(params)
    return loss, y_pred


@pytest.mark.parametrize("body, where", [
    (zero_after_the_step, "zeroed after the step, at the end"),
    (zero_by_rebinding, "replaced with new arrays by hand"),
])
def test_train_step_mistakes_the_review_found(body, where):
    """Review A3: both drew a hint about something they did not do."""
    assert_hint(ch06.check_train_step(step_with(body)), where)


def test_the_chapters_train_step_passes():
    assert ch06.check_train_step(Sequential).passed


# 6.4 top-k accuracy

def top_k(ascending=False, count=False, off_by_one=False, check_k=True):
    def top_k_accuracy(y_pred, y_true, k):
        y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
        if check_k and not 1 <= k <= y_pred.shape[1]:
            raise ValueError(f"k must be in [1, {y_pred.shape[1]}], got {k}")
        order = np.argsort(y_pred, axis=1) if ascending else np.argsort(-y_pred, axis=1)
        top = order[:, :k - 1 if off_by_one else k]
        hits = (top == y_true[:, None]).any(axis=1)
        return float(hits.sum() if count else hits.mean())
    return top_k_accuracy


@pytest.mark.parametrize("kwargs, where", [
    (dict(ascending=True), "*lowest* scores"),
    (dict(count=True), "a count, not a fraction"),
    (dict(off_by_one=True), "one class too few"),
    (dict(check_k=False), "k must be between 1 and the number of classes"),
])
def test_top_k_typical_mistakes(kwargs, where):
    assert_hint(ch06.check_top_k_accuracy(top_k(**kwargs)), where)


def mean_over_entries(y_pred, y_true, k):
    if not 1 <= k <= y_pred.shape[1]:
        raise ValueError(f"k must be in [1, {y_pred.shape[1]}], got {k}")
    top = np.argsort(-y_pred, axis=1)[:, :k]
    return float(np.mean(top == y_true[:, None]))


def strictly_above_the_kth(y_pred, y_true, k):
    if not 1 <= k <= y_pred.shape[1]:
        raise ValueError(f"k must be in [1, {y_pred.shape[1]}], got {k}")
    kth = -np.sort(-y_pred, axis=1)[:, k - 1]
    return float(np.mean(y_pred[np.arange(len(y_true)), y_true] > kth))


def along_axis_0(y_pred, y_true, k):
    if not 1 <= k <= y_pred.shape[1]:
        raise ValueError(f"k must be in [1, {y_pred.shape[1]}], got {k}")
    top = np.argsort(-y_pred, axis=0)[:k].T
    return float(np.mean([y_true[i] in top[min(i, len(top) - 1)] for i in range(len(y_true))]))


def zeroes_its_input(y_pred, y_true, k):
    result = top_k()(y_pred, y_true, k)
    y_pred[...] = 0
    return result


@pytest.mark.parametrize("answer, where", [
    (mean_over_entries, "a sample counts once"),            # 0.25 at k=2 was "one class too few"
    (strictly_above_the_kth, "one class too few"),
    (zeroes_its_input, "changed its arguments in place"),   # passed
])
def test_top_k_mistakes_the_review_found(answer, where):
    assert_hint(ch06.check_top_k_accuracy(answer), where)


def test_the_hint_for_one_class_too_few_names_a_strict_comparison_too():
    assert "compare with >=, not >" in ch06.check_top_k_accuracy(strictly_above_the_kth).what


def test_a_top_k_along_the_wrong_axis_is_not_told_it_counts_the_lowest_scores():
    result = ch06.check_top_k_accuracy(along_axis_0)
    assert not result.passed and "*lowest* scores" not in result.where, repr(result)


def test_a_right_top_k_passes():
    assert ch06.check_top_k_accuracy(top_k()).passed


# 6.5 the gradient-norm callback

def norm_callback(norm=lambda grads: np.sqrt(sum(np.sum(g ** 2) for g in grads)), of="grad",
                  reset=True, last_only=False, new_logs=False):
    class GradientNorm(sn.Callback):
        def on_train_begin(self, logs=None):
            self.norms = []

        def on_epoch_begin(self, epoch, logs=None):
            if reset:
                self.norms = []

        def on_batch_end(self, batch, logs=None):
            self.norms.append(norm([getattr(p, of) for p in self.model.parameters()]))

        def on_epoch_end(self, epoch, logs=None):
            value = self.norms[-1] if last_only else float(np.mean(self.norms))
            if new_logs:
                logs = dict(logs, grad_norm=value)
            else:
                logs["grad_norm"] = value
    return GradientNorm


@pytest.mark.parametrize("kwargs, where", [
    (dict(new_logs=True), "the epoch's logs have no 'grad_norm'"),
    (dict(norm=lambda grads: sum(np.sqrt(np.sum(g ** 2)) for g in grads)), "norms of the parameters are added"),
    (dict(norm=lambda grads: sum(np.sum(g ** 2) for g in grads)), "the square root is missing"),
    (dict(last_only=True), "only the last batch counts"),
    (dict(of="value"), "the norm of the weights"),
    (dict(reset=False), "includes the first epoch's batches"),
])
def test_gradient_norm_typical_mistakes(kwargs, where):
    assert_hint(ch06.check_gradient_norm(norm_callback(**kwargs)), where)


@pytest.mark.parametrize("logged", [
    lambda norms: list(norms),                       # each crashed the check (review A1)
    lambda norms: "%.3f" % np.mean(norms),
    lambda norms: np.mean(norms, keepdims=True),     # passed case 1, crashed in case 2
])
def test_gradient_norm_that_is_not_one_number_is_told_so(logged):
    class GradientNorm(sn.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.norms = []

        def on_batch_end(self, batch, logs=None):
            self.norms.append(np.sqrt(sum(np.sum(p.grad ** 2) for p in self.model.parameters())))

        def on_epoch_end(self, epoch, logs=None):
            logs["grad_norm"] = logged(self.norms)
    assert_hint(ch06.check_gradient_norm(GradientNorm), "must be one number")


def test_a_right_gradient_norm_passes_and_works_in_fit():
    GradientNorm = norm_callback()
    assert ch06.check_gradient_norm(GradientNorm).passed
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 2)).astype(np.float32), rng.integers(0, 3, size=20)
    model = Sequential([sn.Dense(2, 3, rng=0)]).compile("softmax_cross_entropy", "sgd")
    history = model.fit(x, y, epochs=2, batch_size=5, callbacks=[GradientNorm()], verbose=0, rng=0)
    assert len(history.history["grad_norm"]) == 2 and all(v > 0 for v in history.history["grad_norm"])
