"""Sequential (chapter 6): values by hand, float64 gradient checks, PyTorch step for step, and
bad inputs."""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.gradcheck import gradcheck_layer
from scratchnet.model import Sequential


def spiral_like(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)).astype(np.float32), rng.integers(0, 3, size=n)


def mlp(seed=0, dtype=np.float32, hidden=8):
    rng = np.random.default_rng(seed)
    return Sequential([sn.Dense(2, hidden, rng=rng, dtype=dtype), sn.ReLU(),
                       sn.Dense(hidden, 3, rng=rng, dtype=dtype)])


def compiled(seed=0, lr=0.1, metrics=("accuracy",)):
    return mlp(seed).compile(sn.SoftmaxCrossEntropy(), sn.SGD(lr=lr), metrics=list(metrics))


class ModeProbe(sn.Layer):
    """The identity, noting the training flag at every forward pass."""

    def __init__(self):
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return np.array(x)

    def backward(self, grad_out):
        return grad_out


class InputGradSpy(sn.Dense):
    """A Dense that notes whether it was asked for dL/dx at each backward pass."""

    asked = None

    def backward(self, grad_out):
        self.asked = (self.asked or []) + [self.needs_input_grad]
        return super().backward(grad_out)


# values by hand

def test_forward_and_backward_chain_the_layers():
    x = np.random.default_rng(1).normal(size=(5, 2))
    model = mlp(dtype=np.float64)
    d1, relu, d2 = model.layers
    h = np.maximum(x @ d1.W.value + d1.b.value, 0)
    out = model.forward(x)
    assert np.allclose(out, h @ d2.W.value + d2.b.value)
    g = np.random.default_rng(2).normal(size=(5, 3))
    model.needs_input_grad = True
    dx = model.backward(g)
    dh = (g @ d2.W.value.T) * (h > 0)
    assert np.allclose(d2.W.grad, h.T @ g) and np.allclose(d2.b.grad, g.sum(0))
    assert np.allclose(d1.W.grad, x.T @ dh) and np.allclose(dx, dh @ d1.W.value.T)


def test_forward_hands_read_only_outputs_on():
    model = mlp()
    out = model.forward(np.ones((3, 2), dtype=np.float32))
    assert not out.flags.writeable
    assert model.layers[2].saved[0] is not None and not model.layers[2].saved[0].flags.writeable


def test_the_first_layer_skips_its_input_gradient():
    rng = np.random.default_rng(0)
    spy = InputGradSpy(2, 4, rng=0)
    model = Sequential([spy, sn.ReLU(), sn.Dense(4, 3, rng=1)])
    model.forward(rng.normal(size=(6, 2)).astype(np.float32))
    assert model.backward(np.ones((6, 3), dtype=np.float32)) is None
    model.needs_input_grad = True
    model.forward(rng.normal(size=(6, 2)).astype(np.float32))
    assert model.backward(np.ones((6, 3), dtype=np.float32)).shape == (6, 2)
    model.needs_input_grad = False
    model.forward(rng.normal(size=(6, 2)).astype(np.float32))
    model.backward(np.ones((6, 3), dtype=np.float32))
    assert spy.asked == [False, True, False]
    assert Sequential.needs_input_grad is False


def test_skipping_the_input_gradient_leaves_the_weight_gradients_alone():
    x = np.random.default_rng(3).normal(size=(4, 2)).astype(np.float32)
    grads = []
    for needs in (False, True):
        model = mlp()
        model.needs_input_grad = needs
        model.forward(x)
        model.backward(np.ones((4, 3), dtype=np.float32))
        grads.append([p.grad.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*grads))


def test_add_chains_and_parameters_lists_a_shared_one_once():
    a, b = sn.Dense(3, 3, rng=0), sn.Dense(3, 3, rng=1)
    b.W = a.W                                             # tied weights
    model = Sequential().add(a).add(sn.Tanh()).add(b)
    assert model.layers[0] is a and len(model.layers) == 3
    params = model.parameters()
    assert [id(p) for p in params] == [id(a.W), id(a.b), id(b.b)]


def test_train_and_eval_reach_every_layer():
    probe = ModeProbe()
    model = Sequential([sn.Dense(2, 2, rng=0), probe])
    assert model.eval() is model and not model.training and not probe.training
    model.train()
    assert model.training and probe.training and model.layers[0].training


def test_repr_lists_the_layers_and_the_parameter_count():
    assert repr(mlp()) == ("Sequential(\n"
                           "  (0): Dense(in_features=2, out_features=8)\n"
                           "  (1): ReLU()\n"
                           "  (2): Dense(in_features=8, out_features=3)\n"
                           ")  # 51 parameters")
    assert repr(Sequential()) == "Sequential(\n)  # 0 parameters"


def test_summary_table():
    rule = "-" * 62
    assert mlp().summary(print_fn=None) == "\n".join([
        rule,
        "layer                                 output shape  parameters",
        rule,
        "Dense(in_features=2, out_features=8)  (None, 8)             24",
        "ReLU()                                (None, 8)              0",
        "Dense(in_features=8, out_features=3)  (None, 3)             27",
        rule,
        "total parameters: 51"])


def test_summary_prints_returns_nothing_and_keeps_the_mode(capsys):
    model = Sequential([ModeProbe(), sn.Dense(4, 2, rng=0)])
    model.eval()
    assert model.summary(input_shape=(4,)) is None
    printed = capsys.readouterr().out
    assert "\nModeProbe()" in printed and "(None, 4)" in printed and "total parameters: 10" in printed
    assert model.layers[0].modes == [False] and not model.training
    model.train()
    model.summary(input_shape=(4,), print_fn=lambda text: None)
    assert model.layers[0].modes == [False, False] and model.training


def test_summary_counts_shared_parameters_once_in_the_total():
    a, b = sn.Dense(3, 3, rng=0), sn.Dense(3, 3, rng=1)
    b.W = a.W
    table = Sequential([a, b]).summary(print_fn=None)
    assert table.endswith("total parameters: 15")


# compile, train_step, train_on_batch

@pytest.mark.parametrize("loss, cls", [("mse", sn.MSE), ("MSE", sn.MSE),
                                       ("softmax_cross_entropy", sn.SoftmaxCrossEntropy),
                                       ("SoftmaxCrossEntropy", sn.SoftmaxCrossEntropy),
                                       ("sparse_categorical_crossentropy", sn.SparseCategoricalCrossEntropy)])
def test_compile_resolves_loss_names(loss, cls):
    model = mlp().compile(loss, "sgd", "accuracy")
    assert type(model.loss) is cls
    assert type(model.optimizer) is sn.SGD and model.optimizer.lr == 0.01
    assert model.metrics == {"accuracy": sn.accuracy}


def test_train_step_returns_the_loss_before_the_update_and_the_predictions():
    x, y = spiral_like(16)
    model = compiled()
    loss_fn = sn.SoftmaxCrossEntropy()
    before = loss_fn(model.predict(x), y)
    logits_before = model.predict(x)
    loss, y_pred = model.train_step(x, y)
    assert loss == before and np.array_equal(y_pred, logits_before)
    assert loss_fn(model.predict(x), y) < before
    assert isinstance(model.train_on_batch(x, y), float)


def test_train_step_zeroes_stale_gradients():
    x, y = spiral_like(16)
    fresh, stale = compiled(), compiled()
    for p in stale.parameters():
        p.grad[...] = 1000.0
    fresh.train_step(x, y)
    stale.train_step(x, y)
    assert all(np.array_equal(a.value, b.value) for a, b in zip(fresh.parameters(), stale.parameters()))


def test_fit_with_one_full_batch_is_gradient_descent_by_hand():
    x, y = spiral_like(30)
    layers = mlp().layers
    params = [p for layer in layers for p in layer.parameters()]
    loss_fn, by_hand = sn.SoftmaxCrossEntropy(), []
    for _ in range(20):
        for p in params:
            p.zero_grad()
        out = x
        for layer in layers:
            out = layer(out)
        by_hand.append(loss_fn(out, y))
        grad = loss_fn.backward()
        for layer in reversed(layers):
            grad = layer.backward(grad)
        for p in params:
            p.value -= 0.5 * p.grad
    history = compiled(lr=0.5).fit(x, y, epochs=20, batch_size=30, shuffle=False, verbose=0)
    assert history.history["loss"] == by_hand


def test_an_epochs_loss_is_the_size_weighted_mean_of_its_batch_losses():
    x, y = spiral_like(10)
    stepped = compiled()
    batch_losses = [stepped.train_on_batch(x[s:s + 4], y[s:s + 4]) for s in (0, 4, 8)]
    history = compiled().fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    expected = (4 * batch_losses[0] + 4 * batch_losses[1] + 2 * batch_losses[2]) / 10
    assert np.isclose(history.history["loss"][0], expected, rtol=1e-12)


def test_fit_is_reproducible_with_a_seed():
    x, y = spiral_like(40)
    runs = []
    for seed in (7, 7, 8):
        model = compiled()
        history = model.fit(x, y, epochs=5, batch_size=8, validation_data=spiral_like(10, 1),
                            verbose=0, rng=seed)
        runs.append((history.history, [p.value.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    assert runs[0][0] != runs[2][0]


def test_fit_returns_the_history_with_every_log():
    x, y = spiral_like(20)
    model = compiled()
    history = model.fit(x, y, epochs=3, batch_size=8, validation_data=spiral_like(10, 1), verbose=0, rng=0)
    assert history is model.history and isinstance(history, sn.History)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 3 for v in history.history.values())
    scores = model.evaluate(*spiral_like(10, 1))
    assert np.isclose(history.history["val_loss"][-1], scores["loss"])


def test_fit_casts_the_data_once_to_the_parameters_dtype():
    x64, y = spiral_like(20)
    x64 = x64.astype(np.float64)
    seen = []

    class DtypeProbe(sn.Layer):
        def forward(self, x):
            seen.append(x.dtype)
            return x

        def backward(self, grad_out):
            return grad_out

    for dtype in (np.float32, np.float64):
        seen.clear()
        model = Sequential([DtypeProbe(), sn.Dense(2, 3, rng=0, dtype=dtype)])
        model.compile("softmax_cross_entropy", "sgd").fit(x64, y, batch_size=10, verbose=0)
        assert set(seen) == {np.dtype(dtype)}
        model.predict(x64.tolist())
        assert set(seen) == {np.dtype(dtype)}


def test_float_targets_are_cast_and_integer_labels_kept():
    x = np.linspace(0, 1, 12).reshape(12, 1)
    y = np.sin(x)                                          # float64
    model = Sequential([sn.Dense(1, 4, rng=0), sn.Tanh(), sn.Dense(4, 1, rng=1)])
    model.compile("mse", sn.SGD(lr=0.1), "mae")
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0, rng=0)
    assert set(history.history) == {"loss", "mae"}
    assert model.predict(x).dtype == np.float32


# evaluate and predict

def test_evaluate_and_predict_switch_to_eval_mode_and_back():
    probe = ModeProbe()
    model = Sequential([sn.Dense(2, 3, rng=0), probe]).compile("softmax_cross_entropy", "sgd", ["acc"])
    x, y = spiral_like(10)
    model.predict(x)
    assert probe.modes == [False] and model.training and probe.training
    model.eval()
    model.predict(x)
    assert not model.training                              # the mode it had is put back
    model.train()
    scores = model.evaluate(x, y)
    assert set(scores) == {"loss", "accuracy"} and probe.modes[-1] is False and model.training
    probe.modes.clear()
    model.fit(x, y, epochs=2, batch_size=5, validation_data=(x, y), verbose=0, rng=0)
    # one sample of x and of validation_data checked (eval), then steps, then validation
    assert probe.modes == [False, False, True, True, False, True, True, False]
    assert model.training


def test_predict_puts_the_mode_back_when_a_layer_fails():
    model = Sequential([sn.Dense(2, 3, rng=0)])
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 2\), got \(4, 5\)"):
        model.predict(np.ones((4, 5)))
    assert model.training


def test_predict_in_batches_is_the_forward_pass():
    x, _ = spiral_like(23)
    model = mlp()
    model.eval()
    full = model.forward(x)
    model.train()
    for batch_size in (1, 5, 23, 100):
        assert np.allclose(model.predict(x, batch_size=batch_size), full, rtol=1e-6, atol=1e-7)
    assert model.predict(x).flags.writeable


# float64 gradient checks

def test_gradcheck_of_a_model():
    x, _ = spiral_like(6)
    model = Sequential([sn.Dense(2, 5, rng=0, dtype=np.float64), sn.Tanh(),
                        sn.Dense(5, 4, rng=1, dtype=np.float64), sn.Sigmoid(),
                        sn.Dense(4, 3, rng=2, dtype=np.float64)])
    assert gradcheck_layer(model, x)
    assert model.needs_input_grad is False                 # put back after the check


def test_gradcheck_of_a_model_with_tied_weights_and_a_nested_model():
    """A model inside a model, after its first layer, must pass dL/dx on: add tells it so."""
    a, b = sn.Dense(3, 3, rng=0, dtype=np.float64), sn.Dense(3, 3, rng=1, dtype=np.float64)
    b.W = a.W
    inner = Sequential([b, sn.Tanh()])
    model = Sequential([a, sn.Tanh(), inner])
    assert gradcheck_layer(model, np.random.default_rng(0).normal(size=(4, 3)))


def test_a_broken_layer_inside_a_model_fails_the_gradcheck():
    class HalfGradient(sn.Dense):
        def backward(self, grad_out):
            return super().backward(0.5 * np.asarray(grad_out))
    model = Sequential([HalfGradient(2, 3, rng=0, dtype=np.float64), sn.Tanh(),
                        sn.Dense(3, 2, rng=1, dtype=np.float64)])
    with pytest.raises(sn.GradcheckError):
        gradcheck_layer(model, np.random.default_rng(0).normal(size=(4, 2)))


# PyTorch, step for step

def _torch_twin(torch, model):
    linears = []
    for layer in model.layers:
        if isinstance(layer, sn.Dense):
            linear = torch.nn.Linear(layer.in_features, layer.out_features)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(layer.W.value.T))   # PyTorch stores (out, in)
                linear.bias.copy_(torch.tensor(layer.b.value))
            linears.append(linear)
        else:
            linears.append({"ReLU": torch.nn.ReLU, "Tanh": torch.nn.Tanh}[type(layer).__name__]())
    return torch.nn.Sequential(*linears)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_train_on_batch_matches_torch_for_50_steps(task):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    if task == "classification":
        model = Sequential([sn.Dense(4, 16, rng=1), sn.ReLU(), sn.Dense(16, 3, rng=2)])
        model.compile(sn.SoftmaxCrossEntropy(), sn.SGD(lr=0.1))
        criterion = torch.nn.CrossEntropyLoss()
        data = [(rng.normal(size=(16, 4)).astype(np.float32), rng.integers(0, 3, size=16)) for _ in range(50)]
        target = torch.tensor
    else:
        model = Sequential([sn.Dense(4, 16, rng=1), sn.Tanh(), sn.Dense(16, 2, rng=2)])
        model.compile(sn.MSE(), sn.SGD(lr=0.05))
        criterion = torch.nn.MSELoss()
        data = [(rng.normal(size=(16, 4)).astype(np.float32), rng.normal(size=(16, 2)).astype(np.float32))
                for _ in range(50)]
        target = torch.tensor
    twin = _torch_twin(torch, model)
    opt = torch.optim.SGD(twin.parameters(), lr=model.optimizer.lr)
    for x, y in data:
        ours = model.train_on_batch(x, y)
        opt.zero_grad()
        loss = criterion(twin(torch.tensor(x)), target(y))
        loss.backward()
        opt.step()
        assert np.isclose(ours, loss.item(), rtol=1e-5, atol=1e-7)   # the loss before the update
    dense = [layer for layer in model.layers if isinstance(layer, sn.Dense)]
    linears = [m for m in twin if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(dense, linears):
        assert np.allclose(layer.W.value, linear.weight.detach().numpy().T, rtol=1e-5, atol=1e-6)
        assert np.allclose(layer.b.value, linear.bias.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_fit_matches_a_torch_loop_over_its_batches():
    torch = pytest.importorskip("torch")
    x, y = spiral_like(50)
    model = Sequential([sn.Dense(2, 8, rng=1), sn.ReLU(), sn.Dense(8, 3, rng=2)])
    model.compile(sn.SoftmaxCrossEntropy(), sn.SGD(lr=0.2))
    twin = _torch_twin(torch, model)
    history = model.fit(x, y, epochs=8, batch_size=16, shuffle=False, verbose=0)
    opt = torch.optim.SGD(twin.parameters(), lr=0.2)
    criterion = torch.nn.CrossEntropyLoss()
    for epoch in range(8):
        total = 0.0
        for start in range(0, 50, 16):
            xb, yb = torch.tensor(x[start:start + 16]), torch.tensor(y[start:start + 16])
            opt.zero_grad()
            loss = criterion(twin(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        assert np.isclose(history.history["loss"][epoch], total / 50, rtol=1e-5)


# bad inputs

def test_fit_before_compile():
    x, y = spiral_like(8)
    for call in (lambda m: m.fit(x, y, verbose=0), lambda m: m.evaluate(x, y),
                 lambda m: m.train_on_batch(x, y)):
        with pytest.raises(RuntimeError, match=r"Sequential\.\w+: the model is not compiled; call "
                                               r"compile\(loss=..., optimizer=...\) first"):
            call(mlp())
    assert mlp().predict(x).shape == (8, 3)                # predict needs no loss


def test_fit_with_mismatched_lengths():
    x, y = spiral_like(8)
    with pytest.raises(ValueError, match="fit: x and y must have one entry per sample, got 8 inputs and 7 targets"):
        compiled().fit(x, y[:7], verbose=0)
    with pytest.raises(ValueError, match="fit: x and y must have one entry per sample, got 8 inputs and a "
                                         "single number targets"):
        compiled().fit(x, 1, verbose=0)
    with pytest.raises(ValueError, match=r"fit \(validation_data\): x and y must have one entry per sample, "
                                         "got 8 inputs and 3 targets"):
        compiled().fit(x, y, validation_data=(x, y[:3]), verbose=0)


@pytest.mark.parametrize("x, match", [
    ([["a", "b"]], "fit: x must be an array of numbers, got a list holding text, such as 'a'"),
    (None, "fit: x must be an array of numbers, got None"),
    ([[1.0, 2.0], [3.0]], "fit: x must be an array of numbers, got a list that NumPy cannot turn into one"),
    (np.array([[1 + 1j, 0]]), "fit: x must hold real numbers, got complex numbers"),
])
def test_fit_refuses_non_numeric_inputs(x, match):
    with pytest.raises(TypeError, match=match):
        compiled().fit(x, [0] * len(x if x is not None else [0]), verbose=0)


def test_fit_refuses_non_numeric_targets():
    x, _ = spiral_like(2)
    with pytest.raises(TypeError, match="fit: y must be an array of numbers, got a list holding text"):
        compiled().fit(x, ["cat", "dog"], verbose=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_fit_refuses_nan_or_infinite_data(bad):
    x, y = spiral_like(8)
    x[3, 1] = bad
    with pytest.raises(ValueError, match=r"fit: x holds NaN or infinite values, the first at index \(3, 1\)"):
        compiled().fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=r"predict: x holds NaN or infinite values"):
        compiled().predict(x)
    x[3, 1] = 0.0
    assert compiled().fit(x, y, verbose=0).epoch == [0]   # the companion: clean data trains
    targets = np.zeros((8, 3), dtype=np.float32)
    targets[0, 0] = bad
    with pytest.raises(ValueError, match="fit: y holds NaN or infinite values"):
        compiled().fit(x, targets, verbose=0)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_fit_finds_nan_in_a_late_batch_before_any_step(bad, shuffle):
    """A bad sample in the last batch is named by its index in x, shuffled or not, before any
    batch begins: fit checks all of x once, before training. (Checking each batch as it comes
    was tried: on two BLAS threads it cost twice the single threaded pass over x, and it is paid
    again every epoch.)"""
    x, y = spiral_like(100)
    x[97, 0] = bad
    model = compiled()
    used = []

    class Batches(sn.Callback):
        def on_batch_begin(self, batch, logs=None):
            used.append(batch)

    with pytest.raises(ValueError, match=r"^fit: x holds NaN or infinite values, the first at index \(97, 0\); "):
        model.fit(x, y, batch_size=10, shuffle=shuffle, rng=0, callbacks=[Batches()], verbose=0)
    assert used == []                 # no batch has begun: no weight has changed
    x[97, 0] = 0.0                    # the companion: the same data, clean, trains ten batches
    used.clear()
    compiled().fit(x, y, batch_size=10, shuffle=shuffle, rng=0, callbacks=[Batches()], verbose=0)
    assert used == list(range(10))


def test_fit_names_nan_in_the_first_sample_not_the_loss():
    """The check before training runs one sample through the model: a NaN there is named as a NaN
    in x, not as non-finite logits."""
    x, y = spiral_like(8)
    x[0, 1] = np.nan
    with pytest.raises(ValueError, match=r"^fit: x holds NaN or infinite values, the first at index \(0, 1\)"):
        compiled().fit(x, y, verbose=0)


def test_unknown_names_in_compile():
    with pytest.raises(ValueError, match=r"Sequential.compile: unknown loss 'crossentropy'; use one of .*"
                                         r"SoftmaxCrossEntropy.*or pass an instance"):
        mlp().compile("crossentropy", "sgd")
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamw'; use one of .*SGD"):
        mlp().compile("mse", "adamw")
    with pytest.raises(ValueError, match=r"unknown metric 'acuracy'"):
        mlp().compile("mse", "sgd", ["acuracy"])


def test_wrong_objects_in_compile():
    with pytest.raises(TypeError, match=r"optimizer must be an instance, got the class SGD; write SGD\(...\)"):
        mlp().compile("mse", sn.SGD)
    with pytest.raises(TypeError, match=r"loss must be a Loss \(such as SoftmaxCrossEntropy\(\)\) or its name, "
                                        r"got SGD\(\)"):
        mlp().compile(sn.SGD(), "sgd")
    with pytest.raises(TypeError, match=r"optimizer must be an Optimizer .* got 0.1"):
        mlp().compile("mse", 0.1)
    assert mlp().compile(sn.MSE(), sn.SGD(), None).metrics == {}


def test_a_bad_learning_rate_is_refused_before_training():
    with pytest.raises(ValueError, match="SGD: lr must be in \\(0, inf\\), got -0.1"):
        mlp().compile("mse", sn.SGD(lr=-0.1))


def test_add_refuses_a_loss_a_non_layer_and_a_layer_twice():
    with pytest.raises(TypeError, match=r"Sequential.add: SoftmaxCrossEntropy\(\) is a loss, not a layer; "
                                        r"pass it to compile\(loss=...\)"):
        Sequential().add(sn.SoftmaxCrossEntropy())
    with pytest.raises(TypeError, match=r"Sequential.add expected a Layer \(such as Dense or ReLU\), got "
                                        r"ufunc: <ufunc 'tanh'>"):
        Sequential([np.tanh])
    relu = sn.ReLU()
    with pytest.raises(ValueError, match=r"ReLU\(\) is already in the model"):
        Sequential([relu, sn.Dense(2, 2), relu])
    with pytest.raises(TypeError, match=r"Sequential expects a list of layers, got one layer"):
        Sequential(sn.Dense(2, 2))


@pytest.mark.parametrize("name, kwargs, kind", [
    ("epochs", dict(epochs=0), ValueError), ("batch_size", dict(batch_size=0), ValueError),
    ("batch_size", dict(batch_size=2.0), TypeError), ("epochs", dict(epochs=None), TypeError),
    ("epochs", dict(epochs="3"), TypeError)])
def test_fit_refuses_counts_that_are_not_positive_integers(name, kwargs, kind):
    x, y = spiral_like(4)
    with pytest.raises(kind, match=f"fit: {name} must be a positive integer, got"):
        compiled().fit(x, y, verbose=0, **kwargs)


def test_predict_and_evaluate_refuse_a_batch_size_of_zero():
    x, y = spiral_like(4)
    with pytest.raises(ValueError, match="predict: batch_size must be a positive integer, got 0"):
        compiled().predict(x, batch_size=0)
    with pytest.raises(ValueError, match="^evaluate: batch_size must be a positive integer, got 0"):
        compiled().evaluate(x, y, batch_size=0)


def test_fit_refuses_bad_options():
    x, y = spiral_like(4)
    with pytest.raises(TypeError, match=r"validation_data must be a pair \(x_val, y_val\), got ndarray"):
        compiled().fit(x, y, validation_data=x, verbose=0)
    with pytest.raises(ValueError, match=r"validation_data must be a pair \(x_val, y_val\), got 1 items"):
        compiled().fit(x, y, validation_data=(x,), verbose=0)
    with pytest.raises(TypeError, match="^fit: shuffle must be True or False, got 'yes'"):
        compiled().fit(x, y, shuffle="yes", verbose=0)
    with pytest.raises(ValueError, match="^fit: verbose must be 0 or 1, got 2"):
        compiled().fit(x, y, verbose=2)
    with pytest.raises(TypeError, match="^fit: verbose must be 0 or 1, got True"):
        compiled().fit(x, y, verbose=True)
    with pytest.raises(TypeError, match="^fit: rng must be a numpy Generator or an integer seed >= 0, got 'seed'"):
        compiled().fit(x, y, verbose=0, rng="seed")
    with pytest.raises(ValueError, match="^fit: rng must be a numpy Generator or an integer seed >= 0, got -1"):
        compiled().fit(x, y, verbose=0, rng=-1)
    assert compiled().fit(x, y, verbose=0, shuffle=np.bool_(False), epochs=1).epoch == [0]  # numpy's bool is a bool


def test_empty_inputs_and_empty_models():
    with pytest.raises(ValueError, match=r"predict: x must hold at least one sample along axis 0, got "
                                         r"shape \(0, 2\)"):
        compiled().predict(np.zeros((0, 2)))
    with pytest.raises(RuntimeError, match="the model has no layers; add some with add"):
        Sequential().forward(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match="the model has no layers"):
        Sequential().backward(np.ones((1, 2)))
    with pytest.raises(ValueError, match="Sequential.summary: pass input_shape"):
        Sequential([sn.ReLU()]).summary()


def test_none_means_no_layers_and_no_callbacks():
    assert Sequential(None).layers == []
    x, y = spiral_like(4)
    assert compiled().fit(x, y, callbacks=None, verbose=0).epoch == [0]


def test_a_model_cannot_contain_itself():
    model = mlp()
    with pytest.raises(ValueError, match="a model cannot contain itself"):
        model.add(model)


def test_a_failed_compile_changes_nothing():
    model = compiled()
    loss, optimizer, metrics = model.loss, model.optimizer, model.metrics
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile("mse", "sgd", ["acuracy"])
    assert (model.loss, model.optimizer, model.metrics) == (loss, optimizer, metrics)


def test_huge_but_finite_inputs_are_not_mistaken_for_nan():
    """fit checks for NaN with a fast BLAS sum per sample; a sum that overflows must fall back
    on the exact check, not refuse finite data."""
    from scratchnet.model import _check_data
    x = np.full((3, 4), 3e38, dtype=np.float32)  # each row sums to inf in float32
    checked, _ = _check_data("fit", x, np.zeros(3, dtype=int), np.float32)
    assert checked is x
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"fit: x holds NaN or infinite values, the first at index \(1, 2\)"):
        _check_data("fit", x, np.zeros(3, dtype=int), np.float32)


# ------------------------------------------------------------------ data checked before training (review B)

def weights_of(model):
    return [p.value.copy() for p in model.parameters()]


def unchanged(model, before):
    return all(np.array_equal(p.value, b) for p, b in zip(model.parameters(), before))


def test_validation_data_that_does_not_fit_the_model_fails_before_training():
    x, y = spiral_like(20)
    model = compiled()
    before = weights_of(model)
    with pytest.raises(ValueError, match=r"^fit: validation_data: x of shape \(5, 4\) does not fit the model: "
                                         r"Dense\(in_features=2, out_features=8\) expected input of shape "
                                         r"\(batch, 2\), got \(1, 4\)"):
        model.fit(x, y, epochs=3, validation_data=(np.zeros((5, 4), np.float32), y[:5]), verbose=0)
    assert unchanged(model, before)
    with pytest.raises(ValueError, match=r"^fit: validation_data: SoftmaxCrossEntropy\(\): labels must be integers "
                                         r"in \[0, 3\) for 3 classes, got \[7\]"):
        model.fit(x, y, epochs=3, validation_data=(x[:5], np.array([0, 1, 7, 2, 0])), verbose=0)
    assert unchanged(model, before)
    model.fit(x, y, epochs=1, validation_data=(x[:5], y[:5]), verbose=0)  # the companion: good data trains
    assert not unchanged(model, before)


def test_a_bad_label_late_in_the_training_data_fails_before_the_first_step():
    x, y = spiral_like(60)
    y[-1] = 9  # in the last batch: without the check, two batches would have trained first
    model = compiled()
    before = weights_of(model)
    with pytest.raises(ValueError, match=r"^fit: SoftmaxCrossEntropy\(\): labels must be integers in \[0, 3\)"):
        model.fit(x, y, batch_size=20, verbose=0)
    assert unchanged(model, before)


@pytest.mark.parametrize("bad", [-1, 3])
def test_a_bad_label_anywhere_in_much_data_fails_before_the_first_step(bad):
    # beyond the first 1024 targets the check before training looks only at the extremes
    x = np.random.default_rng(0).normal(size=(3000, 2)).astype(np.float32)
    y = np.arange(3000) % 3
    y[2345] = bad
    model = compiled()
    before = weights_of(model)
    with pytest.raises(ValueError, match=rf"^fit: SoftmaxCrossEntropy\(\): labels must be integers in \[0, 3\).*\[{bad}\]"):
        model.fit(x, y, batch_size=500, verbose=0)
    assert unchanged(model, before)


def test_a_metric_that_cannot_read_the_data_fails_before_training():
    x = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = Sequential([sn.Dense(2, 1, rng=0)]).compile("mse", sn.SGD(0.1), ["accuracy"])
    before = weights_of(model)
    with pytest.raises(ValueError, match=r"^fit: accuracy: y_true must hold labels 0 or 1 for y_pred of shape "
                                         r"\(8, 1\), got .* \(for a regression, use mean_absolute_error\)$"):
        model.fit(x, y, verbose=0)
    assert unchanged(model, before)


@pytest.mark.parametrize("result, shown", [(None, "NoneType: None"), ("x", "str: 'x'"),
                                           (np.array([0.5, 0.5]), r"ndarray: array\(\[0.5, 0.5\]\)")])
def test_a_metric_must_return_one_number(result, shown):
    x, y = spiral_like(10)

    def odd(y_pred, y_true):
        return result

    model = compiled(metrics=[odd])
    before = weights_of(model)
    with pytest.raises(TypeError, match=rf"^fit: the metric 'odd' must return one number, got {shown}$"):
        model.fit(x, y, verbose=0)
    assert unchanged(model, before)
    with pytest.raises(TypeError, match=r"^evaluate: the metric 'odd' must return one number"):
        model.evaluate(x, y)


def test_a_metric_returning_a_numpy_number_is_logged_as_a_float():
    x, y = spiral_like(10)
    history = compiled(metrics=[lambda y_pred, y_true: np.float32(0.5)]).fit(x, y, epochs=2, verbose=0)
    assert history.history["<lambda>"] == [0.5, 0.5] and type(history.history["<lambda>"][0]) is float


def test_metrics_whose_logs_would_collide_are_refused_at_compile():
    def loss(y_pred, y_true):
        return 123.0

    with pytest.raises(ValueError, match=r"^Sequential.compile: two logs would be named '<lambda>': the metric "
                                         r".*'s name is already taken; give the function another name"):
        mlp().compile("mse", "sgd", [lambda a, b: 1.0, lambda a, b: 2.0])
    with pytest.raises(ValueError, match=r"^Sequential.compile: two logs would be named 'loss': .* is the loss's log"):
        mlp().compile("mse", "sgd", [loss])
    with pytest.raises(ValueError, match=r"^Sequential.compile: two logs would be named 'accuracy'"):
        mlp().compile("mse", "sgd", ["accuracy", "acc"])
    assert list(mlp().compile("mse", "sgd", ["accuracy", "mae"]).metrics) == ["accuracy", "mae"]


def test_compile_names_itself_for_a_bad_metric():
    with pytest.raises(ValueError, match=r"^Sequential.compile: get_metric: unknown metric 'nope'"):
        mlp().compile("mse", "sgd", ["nope"])
    with pytest.raises(TypeError, match=r"^Sequential.compile: get_metric: unknown metric 1;"):
        mlp().compile("mse", "sgd", [1])


def test_inputs_beyond_float32_are_named_as_such():
    x = np.full((20, 2), 1e300)
    y = np.zeros(20, dtype=int)
    with pytest.raises(ValueError, match=r"^fit: x holds values beyond float32's range \(about ±3.4e\+38\), the "
                                         r"first 1e\+300 at index \(0, 0\); rescale the data first$"):
        compiled().fit(x, y, verbose=0)
    x[0, 0] = np.nan  # the companion: a NaN is still called a NaN
    with pytest.raises(ValueError, match=r"^fit: x holds NaN or infinite values, the first at index \(0, 0\)"):
        compiled().fit(x, y, verbose=0)
    regression = Sequential([sn.Dense(2, 1, rng=0)]).compile("mse", "sgd")
    with pytest.raises(ValueError, match=r"^fit: y holds values beyond float32's range"):
        regression.fit(np.zeros((3, 2)), np.full((3, 1), -1e300), verbose=0)


def test_wrong_errors_named_after_the_caller():
    x, y = spiral_like(4)
    with pytest.raises(ValueError, match=r"^evaluate: batch_size must be a positive integer, got 0$"):
        compiled().evaluate(x, y, batch_size=0)
    with pytest.raises(TypeError, match=r"^fit: rng must be a numpy Generator or an integer seed >= 0, got 'abc'$"):
        compiled().fit(x, y, verbose=0, rng="abc")


def test_the_same_callback_twice_is_refused():
    x, y = spiral_like(4)
    history = sn.History()
    with pytest.raises(ValueError, match=r"^fit: a callback is listed twice in callbacks; each would run twice$"):
        compiled().fit(x, y, verbose=0, callbacks=[history, history])
    compiled().fit(x, y, epochs=2, verbose=0, callbacks=[history])  # the companion: once, once per epoch
    assert history.epoch == [0, 1]


@pytest.mark.parametrize("layers, shown", [(5, "int: 5"), ("abc", "str: 'abc'")])
def test_sequential_refuses_what_is_not_a_list_of_layers(layers, shown):
    with pytest.raises(TypeError, match=rf"^Sequential expects a list of layers, got {shown}$"):
        Sequential(layers)


@pytest.mark.parametrize("kwargs, kind, message", [
    (dict(input_shape=5), TypeError, r"input_shape must be a tuple of integers, the shape of one sample such as "
                                     r"\(2,\), got 5"),
    (dict(input_shape="ab"), TypeError, r"input_shape must be a tuple of integers.*got 'ab'"),
    (dict(input_shape=(2.0,)), TypeError, r"input_shape must be a tuple of integers.*got \(2.0,\)"),
    (dict(input_shape=(-1,)), ValueError, r"input_shape must hold positive sizes, got \(-1,\)"),
    (dict(print_fn=123), TypeError, r"print_fn must be a function \(such as print\) or None, got 123"),
])
def test_summary_refuses_bad_arguments(kwargs, kind, message):
    with pytest.raises(kind, match=rf"^Sequential.summary: {message}$"):
        mlp().summary(**kwargs)
    assert "total parameters: 51" in mlp().summary(input_shape=[2], print_fn=None)  # the companion


class Blowup(sn.Callback):
    """Makes the weights huge after the first batch, as a far too large learning rate would."""

    def on_batch_end(self, batch, logs=None):
        if batch == 0:
            for p in self.model.parameters():
                p.value[...] = 1e30


def test_a_diverging_classifier_is_named_as_diverging_not_as_bad_input():
    x, y = spiral_like(40)
    with pytest.raises(FloatingPointError, match=r"^fit: training diverged in epoch 1/2, batch 2/4: the model's "
                                                 r"outputs are no longer finite numbers, so the loss is NaN\. "
                                                 r"A smaller learning rate often helps\.$"):
        compiled().fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0, callbacks=[Blowup()])


def test_terminate_on_nan_stops_a_diverging_classifier(capsys):
    x, y = spiral_like(40)
    guard = sn.TerminateOnNaN()
    history = compiled().fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0, callbacks=[Blowup(), guard])
    assert guard.message == ("TerminateOnNaN: the loss is nan in epoch 1/2, batch 2/4; training stopped there. "
                             "A smaller learning rate often helps.")
    assert guard.message in capsys.readouterr().out
    assert history.epoch == [0] and len(history.history["loss"]) == 1  # the epoch's first batch is reported


def test_bad_input_at_the_first_step_is_not_called_divergence():
    model = compiled()
    for p in model.parameters():  # weights that are broken before training: the error stands as it is
        p.value[...] = np.nan
    x, y = spiral_like(10)
    with pytest.raises(ValueError, match="must hold finite logits"):
        model.fit(x, y, verbose=0)
