"""Callback, History and ProgressBar (chapter 6): the hooks fit calls and their order, what History
records and draws, the progress bar, and bad inputs. Callbacks have no backward pass; the
"gradient" kind here is that a callback sees the gradients of the step that just ran."""

import builtins
import io
import sys

import matplotlib
import numpy as np
import pytest

import scratchnet as sn
from scratchnet.callbacks import Callback, History, ProgressBar

matplotlib.use("Agg")


def data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)).astype(np.float32), rng.integers(0, 3, size=n)


def model(metrics=("accuracy",), lr=0.1):
    return sn.Sequential([sn.Dense(2, 4, rng=0), sn.ReLU(), sn.Dense(4, 3, rng=1)]).compile(
        sn.SoftmaxCrossEntropy(), sn.SGD(lr=lr), metrics=list(metrics))


class Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(f"batch_begin {batch}")

    def on_batch_end(self, batch, logs=None):
        self.calls.append(f"batch_end {batch} {sorted(logs)}")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


# values by hand: the hooks, in order

def test_fit_calls_every_hook_in_order():
    x, y = data(10)
    recorder = Recorder()
    model().fit(x, y, epochs=2, batch_size=4, validation_data=data(4, 1), callbacks=[recorder],
                verbose=0, rng=0)
    batches = []
    for epoch in range(2):
        batches.append(f"epoch_begin {epoch}")
        for batch in range(3):
            batches += [f"batch_begin {batch}", f"batch_end {batch} ['loss']"]
        batches.append(f"epoch_end {epoch} ['accuracy', 'loss', 'val_accuracy', 'val_loss']")
    assert recorder.calls == ["train_begin", *batches, "train_end"]


def test_callbacks_get_the_model_and_the_params():
    x, y = data(10)
    recorder, m = Recorder(), model()
    m.fit(x, y, epochs=3, batch_size=4, callbacks=[recorder], verbose=0, rng=0)
    assert recorder.model is m
    assert recorder.params == {"epochs": 3, "steps": 3, "batch_size": 4, "validation": False}


def test_the_base_hooks_do_nothing_and_the_repr_names_the_class():
    c = Callback()
    for hook in ("on_train_begin", "on_train_end"):
        assert getattr(c, hook)() is None
    for hook in ("on_epoch_begin", "on_batch_begin", "on_batch_end", "on_epoch_end"):
        assert getattr(c, hook)(0, {}) is None
    assert repr(c) == "Callback()" and repr(Recorder()) == "Recorder()"
    assert Callback.params is None and Callback.model is None    # no shared mutable default


def test_history_records_one_entry_per_epoch_per_log():
    x, y = data(12)
    m = model()
    history = m.fit(x, y, epochs=4, batch_size=5, validation_data=data(6, 1), verbose=0, rng=0)
    assert history is m.history
    assert history.epoch == [0, 1, 2, 3]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 4 for v in history.history.values())
    assert repr(history) == "History(4 epochs: loss, accuracy, val_loss, val_accuracy)"


def test_history_by_hand_and_a_new_fit_starts_afresh():
    h = History()
    h.on_train_begin()
    h.on_epoch_end(0, {"loss": 2.0, "accuracy": 0.5})
    h.on_epoch_end(1, {"loss": 1.0, "accuracy": 0.75})
    assert h.history == {"loss": [2.0, 1.0], "accuracy": [0.5, 0.75]} and h.epoch == [0, 1]
    h.on_train_begin()
    assert h.history == {} and h.epoch == []


def test_history_comes_last_so_it_records_what_other_callbacks_add():
    class AddsALog(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["double_loss"] = 2 * logs["loss"]
    x, y = data(8)
    history = model().fit(x, y, epochs=2, batch_size=4, callbacks=[AddsALog()], verbose=0, rng=0)
    assert history.history["double_loss"] == [2 * v for v in history.history["loss"]]


def test_stop_training_stops_after_the_current_batch():
    class StopAt(Callback):
        def __init__(self, step):
            self.step, self.seen = step, 0

        def on_batch_end(self, batch, logs=None):
            self.seen += 1
            if self.seen == self.step:
                self.model.stop_training = True
    x, y = data(20)
    recorder = Recorder()
    m = model()
    history = m.fit(x, y, epochs=5, batch_size=4, callbacks=[StopAt(7), recorder], verbose=0, rng=0)
    assert m.optimizer.iterations == 7                        # 5 batches in epoch 0, 2 in epoch 1
    assert history.epoch == [0, 1] and recorder.calls[-1] == "train_end"
    assert recorder.calls.count("epoch_end 1 ['accuracy', 'loss']") == 1
    # the stopped epoch's logs average the batches that ran
    assert not m.stop_training or m.stop_training is True
    again = m.fit(x, y, epochs=2, batch_size=4, verbose=0, rng=0)
    assert again.epoch == [0, 1]                              # a new fit starts afresh


def test_stop_training_set_at_the_end_of_an_epoch_stops_after_it():
    class StopAfterEpoch(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True
    x, y = data(8)
    m = model()
    history = m.fit(x, y, epochs=6, batch_size=4, callbacks=[StopAfterEpoch()], verbose=0, rng=0)
    assert history.epoch == [0, 1] and m.optimizer.iterations == 4


# the "gradient" kind: at on_batch_end the step's gradients are still there

def test_on_batch_end_sees_the_gradients_of_the_step_that_ran():
    class GradientSpy(Callback):
        def on_train_begin(self, logs=None):
            self.norms = []

        def on_batch_end(self, batch, logs=None):
            self.norms.append(np.sqrt(sum(np.sum(p.grad.astype(np.float64) ** 2)
                                          for p in self.model.parameters())))
    x, y = data(4)
    m, spy = model(lr=1e-12), GradientSpy()
    m.fit(x, y, epochs=1, batch_size=4, callbacks=[spy], verbose=0, shuffle=False)
    reference = model(lr=1e-12)
    for p in reference.parameters():
        p.zero_grad()
    loss = sn.SoftmaxCrossEntropy()
    loss(reference.forward(x), y)
    reference.backward(loss.backward())
    expected = np.sqrt(sum(np.sum(p.grad.astype(np.float64) ** 2) for p in reference.parameters()))
    assert np.isclose(spy.norms[0], expected, rtol=1e-6)


# History.plot

def test_history_plot_draws_training_and_validation_curves():
    import matplotlib.pyplot as plt
    x, y = data(12)
    history = model().fit(x, y, epochs=3, batch_size=4, validation_data=data(6, 1), verbose=0, rng=0)
    axes = history.plot()
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy"]
    lines = axes[0].get_lines()
    assert [l.get_label() for l in lines] == ["training loss", "validation loss"]
    assert np.allclose(lines[0].get_ydata(), history.history["loss"])
    assert np.array_equal(lines[0].get_xdata(), [1, 2, 3])
    assert lines[0].get_linestyle() != lines[1].get_linestyle()   # not by colour alone
    one = history.plot("loss")
    assert len(one) == 1
    fig, ax = plt.subplots()
    assert history.plot(["accuracy"], axes=[ax])[0] is ax
    plt.close("all")


def test_history_plot_refuses_an_unknown_log():
    h = History()
    with pytest.raises(ValueError, match=r"History.plot: no log named '\(none\)'; the logs are none "
                                         r"yet \(fit first\)"):
        h.plot()
    h.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="no log named 'acc'; the logs are loss"):
        h.plot("acc")


# ProgressBar

def test_fit_prints_nothing_when_silent(capsys):
    x, y = data(8)
    model().fit(x, y, epochs=2, batch_size=4, verbose=0, rng=0)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_fit_verbose_adds_a_progress_bar_before_the_history(monkeypatch):
    pytest.importorskip("tqdm")
    import tqdm.auto
    bars = []

    class FakeBar:
        def __init__(self, **kwargs):
            self.kwargs, self.updates, self.postfix, self.closed = kwargs, 0, "", False
            bars.append(self)

        def update(self, n):
            self.updates += n

        def set_postfix_str(self, text, refresh=True):
            self.postfix = text

        def close(self):
            self.closed = True

    monkeypatch.setattr(tqdm.auto, "tqdm", FakeBar)
    x, y = data(10)
    m = model()
    m.fit(x, y, epochs=2, batch_size=4, verbose=1, rng=0)
    assert [b.kwargs["desc"] for b in bars] == ["epoch 1/2", "epoch 2/2"]
    assert all(b.kwargs["total"] == 3 and b.updates == 3 and b.closed for b in bars)
    assert bars[-1].postfix.startswith("loss ") and "accuracy" in bars[-1].postfix


def test_the_progress_bar_prints_a_line_per_epoch_without_tqdm(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("no tqdm here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    monkeypatch.delitem(sys.modules, "tqdm.auto", raising=False)
    x, y = data(8)
    model().fit(x, y, epochs=2, batch_size=4, verbose=1, rng=0)
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2: loss ") and "accuracy" in lines[1]


def test_the_progress_bar_with_real_tqdm_writes_to_its_stream():
    tqdm = pytest.importorskip("tqdm")
    bar = ProgressBar()
    bar.set_params({"epochs": 1, "steps": 2, "batch_size": 1})
    bar.on_train_begin()
    stream = io.StringIO()
    bar._tqdm = lambda **kw: tqdm.tqdm(file=stream, **kw)
    bar.on_epoch_begin(0)
    bar.on_batch_end(0, {"loss": 0.5})
    bar.on_batch_end(1, {"loss": 0.25})
    bar.on_epoch_end(0, {"loss": 0.375, "note": "text"})
    assert "epoch 1/1" in stream.getvalue() and "loss 0.375, note text" in stream.getvalue()


# bad inputs

def test_fit_refuses_what_is_not_a_callback():
    x, y = data(4)
    with pytest.raises(TypeError, match=r"fit: callbacks must be Callback instances, got <function"):
        model().fit(x, y, callbacks=[lambda epoch, logs: None], verbose=0)
    with pytest.raises(TypeError, match="got the class History; write History"):
        model().fit(x, y, callbacks=[History], verbose=0)   # the class, not an instance
    assert model().fit(x, y, callbacks=[History()], verbose=0).epoch == [0]  # the companion
    with pytest.raises(TypeError, match=r"callbacks must be a list, got one Callback, History\(0 epochs"):
        model().fit(x, y, callbacks=History(), verbose=0)
