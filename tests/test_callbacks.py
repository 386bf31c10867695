"""Chapter 8's callbacks: EarlyStopping, TerminateOnNaN, CSVLogger and LambdaCallback, by hand and
in fit, against bad arguments (the scheduler callback: tests/test_schedules.py)."""

import csv
import math
import os

import numpy as np
import pytest

import scratchnet as sn
from scratchnet import callbacks as callbacks_module
from scratchnet.callbacks import CSVLogger, EarlyStopping, LambdaCallback, TerminateOnNaN


class Parameter:
    def __init__(self, value):
        self.value = value


class Model:
    """What a callback needs from a model."""

    def __init__(self):
        self.stop_training = False
        self.params = [Parameter(np.zeros(2))]

    def parameters(self):
        return self.params


def run_early_stopping(values, monitor="val_loss", **kwargs):
    stopper = EarlyStopping(monitor=monitor, **kwargs)
    model = Model()
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch, value in enumerate(values):
        model.params[0].value[...] = epoch  # training changes the weights in place
        stopper.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            break
    stopper.on_train_end()
    return stopper, model


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]])).astype(np.float32)


def model_for(lr=0.05):
    model = sn.Sequential([sn.Dense(3, 8, rng=0), sn.ReLU(), sn.Dense(8, 1, rng=1)])
    model.compile(loss="mse", optimizer=sn.SGD(lr=lr))
    return model


# EarlyStopping, by hand

@pytest.mark.parametrize("values, patience, stopped, best_epoch", [
    ([0.9, 0.7, 0.6, 0.65, 0.6, 0.5], 2, 4, 2),          # the chapter's example; a tie is no gain
    ([0.9, 0.7, 0.6, 0.65, 0.6, 0.5], 3, None, 5),       # patience 3 lets epoch 5 improve
    ([1.0, 0.9, 0.95, 0.8, 0.85, 0.7, 0.75, 0.6], 2, None, 7),  # single bad epochs: the count restarts
    ([1.0, 1.1, 1.2], 1, 1, 0),                          # patience 1: the first bad epoch
    ([1.0, float("nan"), float("nan"), 0.5], 2, 2, 0),   # NaN never improves
])
def test_early_stopping_stops_at_the_right_epoch(values, patience, stopped, best_epoch):
    stopper, model = run_early_stopping(values, patience=patience)
    assert stopper.stopped_epoch == stopped and stopper.best_epoch == best_epoch
    assert model.stop_training is (stopped is not None)
    assert stopper.best == values[best_epoch]


def test_early_stopping_min_delta_and_modes():
    stopper, _ = run_early_stopping([1.0, 0.995, 0.99, 0.98], patience=2, min_delta=0.02)
    assert (stopper.stopped_epoch, stopper.best_epoch) == (2, 0)
    stopper, _ = run_early_stopping([0.5, 0.6, 0.55, 0.58], monitor="val_accuracy", patience=2)
    assert stopper.mode == "max" and (stopper.stopped_epoch, stopper.best_epoch) == (3, 1)
    stopper, _ = run_early_stopping([0.5, 0.6, 0.55, 0.58], monitor="score", mode="max", patience=2)
    assert (stopper.stopped_epoch, stopper.best_epoch) == (3, 1)
    assert EarlyStopping(monitor="val_loss").mode == "min"


def test_early_stopping_restores_copies_of_the_best_weights():
    stopper, model = run_early_stopping([0.9, 0.7, 0.6, 0.65, 0.62, 0.63], patience=2,
                                        restore_best_weights=True)
    assert stopper.best_epoch == 2 and np.array_equal(model.params[0].value, [2.0, 2.0])
    stopper, model = run_early_stopping([0.9, 0.7, 0.6, 0.65, 0.62], patience=2)
    assert np.array_equal(model.params[0].value, [4.0, 4.0])  # without restoring: the last ones


def test_early_stopping_starts_afresh_at_each_training():
    stopper, model = run_early_stopping([1.0, 2.0], patience=1)
    assert stopper.stopped_epoch == 1
    stopper.on_train_begin()
    assert stopper.best == math.inf and stopper.wait == 0 and stopper.stopped_epoch is None


# EarlyStopping, in fit

def test_early_stopping_in_fit_stops_and_restores_the_best_epoch():
    x, y = data()
    xv, yv = data(20, seed=1)
    model = model_for(lr=0.3)  # too large: the validation loss soon stops improving
    stopper = EarlyStopping(patience=3, restore_best_weights=True)
    history = model.fit(x, y, epochs=200, batch_size=8, validation_data=(xv, yv), verbose=0, rng=0,
                        callbacks=[stopper])
    val = history.history["val_loss"]
    assert stopper.stopped_epoch is not None and len(val) == stopper.stopped_epoch + 1 < 200
    assert stopper.best_epoch == int(np.argmin(val)) == stopper.stopped_epoch - 3
    assert model.evaluate(xv, yv)["loss"] == pytest.approx(min(val), rel=1e-6)


def test_early_stopping_without_validation_data_says_so():
    x, y = data()
    model = model_for()
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"^EarlyStopping monitors 'val_loss', but fit has no validation_data; "
                                         r"pass validation_data to fit, or monitor 'loss'$"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])
    assert all(np.array_equal(p.value, b) for p, b in zip(model.parameters(), before))  # before training
    # a log missing at the end of an epoch (a loop by hand) is still named
    with pytest.raises(ValueError, match=r"monitors 'val_loss', but the logs hold loss; for 'val_\.\.\.' "
                                         r"logs, pass validation_data to fit"):
        EarlyStopping().on_epoch_end(0, {"loss": 1.0})
    # with validation data the same callback is accepted
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y), callbacks=[EarlyStopping()])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"patience": 0}, ValueError, r"patience must be an integer >= 1 .*got 0"),
    ({"patience": 1.5}, TypeError, r"patience must be an integer >= 1 .*got 1.5"),
    ({"patience": True}, TypeError, r"patience must be an integer >= 1 .*got True"),
    ({"min_delta": "0.1"}, TypeError, r"min_delta must be a number >= 0, got '0.1'"),
    ({"min_delta": -0.1}, ValueError, r"min_delta must be a number >= 0, got -0.1"),
    ({"min_delta": float("nan")}, ValueError, r"min_delta must be a number >= 0, got nan"),
    ({"mode": "minimum"}, ValueError, r"mode must be 'min', 'max' or 'auto', got 'minimum'"),
    ({"monitor": None}, TypeError, r"monitor must be the name of a log"),
    ({"restore_best_weights": "yes"}, TypeError, r"restore_best_weights must be True or False"),
])
def test_early_stopping_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=f"EarlyStopping: {message}"):
        EarlyStopping(**kwargs)


def test_early_stopping_good_arguments():
    """Companion of the guards."""
    EarlyStopping(monitor="loss", patience=np.int64(2), min_delta=0, mode="max", restore_best_weights=True)


# TerminateOnNaN

def test_terminate_on_nan_names_the_epoch_and_batch_and_stops_there(capsys):
    x, y = data(200)
    model = model_for(lr=1e-3)  # a sane first epoch; the rate is raised for the second one
    guard = TerminateOnNaN()
    raise_lr = LambdaCallback(on_epoch_begin=lambda epoch, logs: setattr(model.optimizer, "lr",
                                                                         1e-3 if epoch == 0 else 50.0))
    batches = []
    count = LambdaCallback(on_batch_end=lambda batch, logs: batches.append((len(batches), logs["loss"])))
    with np.errstate(all="ignore"):
        history = model.fit(x, y, epochs=5, batch_size=20, verbose=0, rng=0,
                            callbacks=[raise_lr, guard, count])
    assert guard.epoch == 1 and guard.batch is not None
    first_bad = next(i for i, (_, loss) in enumerate(batches) if not math.isfinite(loss))
    assert first_bad == 10 + guard.batch        # epoch 0 had 10 batches; it stopped at the first bad one
    assert len(batches) == first_bad + 1        # and no batch ran after it
    assert len(history.history["loss"]) == 2
    message = f"epoch 2/5, batch {guard.batch + 1}/10"
    assert message in guard.message and message in capsys.readouterr().out
    assert "TerminateOnNaN: the loss is" in guard.message


def test_terminate_on_nan_by_hand():
    guard = TerminateOnNaN()
    guard.set_model(Model())
    guard.set_params({"epochs": 3, "steps": 7})
    guard.on_train_begin()
    guard.on_epoch_begin(0)
    guard.on_batch_end(0, {"loss": 1.0})
    guard.on_batch_end(1, {"loss": float("inf")})
    assert guard.model.stop_training and guard.batch == 1
    assert "the loss is inf in epoch 1/3, batch 2/7" in guard.message


def test_terminate_on_nan_leaves_a_healthy_run_alone():
    """Companion: finite losses do not stop anything."""
    x, y = data()
    guard = TerminateOnNaN()
    history = model_for().fit(x, y, epochs=3, verbose=0, callbacks=[guard])
    assert guard.message is None and len(history.history["loss"]) == 3


# CSVLogger

def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    x, y = data()
    path = tmp_path / "log.csv"
    history = model_for().fit(x, y, epochs=4, batch_size=10, validation_data=data(10, 1), verbose=0,
                              callbacks=[CSVLogger(path)])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1", "2", "3"]
    assert list(rows[0]) == ["epoch", "loss", "val_loss"]
    assert [float(r["loss"]) for r in rows] == pytest.approx(history.history["loss"])
    assert sorted(os.listdir(tmp_path)) == ["log.csv"]  # no temporary file left behind


def test_csv_logger_replaces_or_appends(tmp_path):
    x, y = data()
    path = tmp_path / "log.csv"
    model_for().fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    model_for().fit(x, y, epochs=3, verbose=0, callbacks=[CSVLogger(path)])
    assert len(list(csv.DictReader(open(path)))) == 3
    model_for().fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, append=True)])
    assert [r["epoch"] for r in csv.DictReader(open(path))] == ["0", "1", "2", "0", "1"]


def test_csv_logger_sees_the_rate_when_after_the_scheduler(tmp_path):
    x, y = data()
    path = tmp_path / "log.csv"
    model_for().fit(x, y, epochs=2, verbose=0, callbacks=[
        sn.LearningRateScheduler(sn.StepLR(0.1, 1, gamma=0.5)), CSVLogger(path)])
    assert [float(r["lr"]) for r in csv.DictReader(open(path))] == [0.1, 0.05]


class Exploding:
    """A log value whose text cannot be made: writing the CSV fails halfway."""

    def __str__(self):
        raise OSError("disk full")

    __repr__ = __format__ = __str__


def test_a_failed_write_leaves_the_last_complete_file(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.0})
    before = path.read_text()
    with pytest.raises(OSError, match="disk full"):
        logger.on_epoch_end(1, {"loss": Exploding()})
    assert path.read_text() == before  # the old, complete file
    assert sorted(os.listdir(tmp_path)) == ["log.csv"]  # and no temporary file


def test_a_direct_write_would_have_left_half_a_file(tmp_path):
    """Companion: the same failure, written in place without the temporary file, truncates it."""
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss\n0,1.0\n")
    with pytest.raises(OSError):
        with open(path, "w", newline="") as f:
            csv.writer(f).writerow(["epoch", "loss"])
            csv.writer(f).writerow([1, Exploding()])
    assert path.read_text() != "epoch,loss\n0,1.0\n"


def test_a_missing_folder_is_named_when_the_logger_is_made(tmp_path):
    with pytest.raises(FileNotFoundError, match="^CSVLogger: cannot write .*log.csv: the folder .*nowhere does "
                                                "not exist"):
        CSVLogger(tmp_path / "nowhere" / "log.csv")
    (tmp_path / "later").mkdir()
    logger = CSVLogger(tmp_path / "later" / "log.csv")
    (tmp_path / "later").rmdir()  # the folder went away after the logger was made: still named
    logger.on_train_begin()
    with pytest.raises(FileNotFoundError, match="the folder .*later does not exist"):
        logger.on_epoch_end(0, {"loss": 1.0})


def test_atomic_write_survives_a_failed_rename(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    path.write_text("old")

    def failing_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(callbacks_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        callbacks_module._write_atomically(path, lambda f: f.write("new"))
    assert path.read_text() == "old" and sorted(os.listdir(tmp_path)) == ["log.csv"]


# LambdaCallback

def test_lambda_callback_hooks_are_called_in_order_with_their_arguments():
    x, y = data(20)
    calls = []
    hooks = {name: (lambda name: lambda *args: calls.append((name, *args[:1]))
                    if name.endswith(("train_begin", "train_end")) else
                    calls.append((name, args[0])))(name)
             for name in LambdaCallback.HOOKS}
    model_for().fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[LambdaCallback(**hooks)])
    assert calls == [("on_train_begin", None),
                     ("on_epoch_begin", 0), ("on_batch_begin", 0), ("on_batch_end", 0),
                     ("on_batch_begin", 1), ("on_batch_end", 1), ("on_epoch_end", 0),
                     ("on_epoch_begin", 1), ("on_batch_begin", 0), ("on_batch_end", 0),
                     ("on_batch_begin", 1), ("on_batch_end", 1), ("on_epoch_end", 1),
                     ("on_train_end", None)]


def test_lambda_callback_gets_the_logs():
    x, y = data(20)
    losses = []
    history = model_for().fit(x, y, epochs=3, verbose=0, callbacks=[
        LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))])
    assert losses == history.history["loss"]


def test_lambda_callback_refuses_unknown_hooks_and_non_functions():
    with pytest.raises(ValueError, match=r"LambdaCallback: unknown hook 'on_epoch_ends'; the hooks are "
                                         r"on_train_begin, on_epoch_begin"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match=r"LambdaCallback: on_epoch_end must be a function, got 3"):
        LambdaCallback(on_epoch_end=3)


def test_lambda_callback_with_no_hooks_does_nothing():
    x, y = data(20)
    assert len(model_for().fit(x, y, epochs=2, verbose=0, callbacks=[LambdaCallback()]).history["loss"]) == 2


# History is always there, and sees what the other callbacks log

def test_history_is_always_there_and_records_the_scheduler_rate():
    x, y = data()
    model = model_for()
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[sn.LearningRateScheduler(sn.StepLR(0.1, 1, gamma=0.5))])
    assert isinstance(history, sn.History) and model.history is history
    assert history.history["lr"] == pytest.approx([0.1, 0.05, 0.025])


def test_non_numeric_logs_and_hand_written_loops():
    stopper = EarlyStopping()  # usable without on_train_begin, as in a loop written by hand
    stopper.set_model(Model())
    stopper.on_epoch_end(0, {"val_loss": 1.0})
    assert stopper.best == 1.0
    with pytest.raises(TypeError, match=r"EarlyStopping: logs\['val_loss'\] must be a number, got 'x'"):
        stopper.on_epoch_end(1, {"val_loss": "x"})
    stopper.on_epoch_end(2, {"val_loss": np.float32(0.5)})  # companion: numpy numbers are numbers
    assert stopper.best == 0.5


def test_a_schedule_class_instead_of_a_schedule_is_refused():
    with pytest.raises(TypeError, match=r"schedule must be a schedule, such as StepLR\(\.\.\.\), not the class"):
        sn.LearningRateScheduler(sn.StepLR)


def test_csv_logger_bad_paths(tmp_path):
    with pytest.raises(TypeError, match="^CSVLogger: the file to write must be a path, got None"):
        CSVLogger(None)
    with pytest.raises(IsADirectoryError, match="^CSVLogger: cannot write .*: it is a folder; name a file in it"):
        CSVLogger(tmp_path)
    with pytest.raises(TypeError, match="^CSVLogger: append must be True or False, got 'no'"):
        CSVLogger(tmp_path / "log.csv", append="no")
    assert CSVLogger(tmp_path / "log.csv", append=np.bool_(True)).append is True


def test_terminate_on_nan_outside_fit_names_epoch_and_batch_without_totals():
    guard = TerminateOnNaN()
    guard.set_model(Model())
    guard.on_train_begin()
    guard.on_batch_end(4, {"loss": float("nan")})
    assert "the loss is nan in epoch 1, batch 5;" in guard.message


# ------------------------------------------------------------------ review B: checks before training, loops by hand

def test_a_plateau_schedule_without_validation_data_fails_before_training():
    x, y = data()
    model = model_for()
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"^LearningRateScheduler\(ReduceLROnPlateau\(monitor='val_loss'.*\)\) "
                                         r"monitors 'val_loss', but fit has no validation_data; pass "
                                         r"validation_data to fit, or monitor 'loss'$"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[sn.LearningRateScheduler(sn.ReduceLROnPlateau())])
    assert all(np.array_equal(p.value, b) for p, b in zip(model.parameters(), before))
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y),  # the companion
              callbacks=[sn.LearningRateScheduler(sn.ReduceLROnPlateau())])


def test_early_stopping_works_in_a_loop_written_by_hand():
    stopper = EarlyStopping(monitor="loss", patience=2)
    for epoch, loss in enumerate([1.0, 1.5, 1.5, 1.5]):
        stopper.on_epoch_end(epoch, {"loss": loss})
        if stopper.stop_training:
            break
    assert (epoch, stopper.stopped_epoch, stopper.best) == (2, 2, 1.0)


def test_early_stopping_restoring_weights_without_a_model_says_so():
    with pytest.raises(RuntimeError, match=r"^EarlyStopping\(restore_best_weights=True\) needs the model: call "
                                           r"set_model\(model\) first \(fit does\)$"):
        EarlyStopping(monitor="loss", restore_best_weights=True).on_epoch_end(0, {"loss": 1.0})


def test_terminate_on_nan_works_in_a_loop_written_by_hand(capsys):
    guard = TerminateOnNaN()  # neither set_model nor on_train_begin
    guard.on_batch_end(0, {"loss": 1.0})
    assert not guard.stop_training
    guard.on_batch_end(1, {"loss": float("inf")})
    assert guard.stop_training and "the loss is inf in epoch 1, batch 2;" in capsys.readouterr().out


def test_terminate_on_nan_refuses_a_loss_that_is_not_a_number():
    with pytest.raises(TypeError, match=r"^TerminateOnNaN: logs\['loss'\] must be a number, got str: 'nan'$"):
        TerminateOnNaN().on_batch_end(0, {"loss": "nan"})


def test_a_keras_style_schedule_gets_the_current_rate():
    x, y = data()
    seen = []

    def halve(epoch, lr):
        seen.append(lr)
        return lr / 2

    history = model_for(lr=0.04).fit(x, y, epochs=3, verbose=0, callbacks=[sn.LearningRateScheduler(halve)])
    assert seen == [0.04, 0.02, 0.01] and history.history["lr"] == [0.02, 0.01, 0.005]
    with pytest.raises(TypeError, match=r"^LearningRateScheduler: a schedule function takes epoch, or \(epoch, "
                                        r"current_lr\); .* takes neither$"):
        sn.LearningRateScheduler(lambda: 0.1)


@pytest.mark.parametrize("hook, function, called", [
    ("on_epoch_end", lambda logs: None, r"\(epoch, logs\)"),
    ("on_batch_begin", lambda: None, r"\(batch, logs\)"),
    ("on_train_begin", lambda epoch, logs: None, r"\(logs\)"),
])
def test_lambda_callback_checks_how_many_arguments_a_hook_takes(hook, function, called):
    with pytest.raises(TypeError, match=rf"^LambdaCallback: {hook} is called with {called}, which .* does not "
                                        r"accept$"):
        LambdaCallback(**{hook: function})
    LambdaCallback(on_epoch_end=lambda epoch, logs=None: None, on_train_end=print)  # the companions


def test_written_files_get_the_permissions_open_would_give(tmp_path):
    old = os.umask(0o022)
    try:
        logger = CSVLogger(tmp_path / "log.csv")
        logger.on_train_begin()
        logger.on_epoch_end(0, {"loss": 1.0})
        assert oct(os.stat(tmp_path / "log.csv").st_mode & 0o777) == oct(0o644)
        os.umask(0o077)
        callbacks_module._write_atomically(tmp_path / "private.txt", lambda f: f.write("x"))
        assert oct(os.stat(tmp_path / "private.txt").st_mode & 0o777) == oct(0o600)
        os.chmod(tmp_path / "log.csv", 0o640)  # an existing file keeps its permissions
        logger.on_epoch_end(1, {"loss": 0.5})
        assert oct(os.stat(tmp_path / "log.csv").st_mode & 0o777) == oct(0o640)
    finally:
        os.umask(old)


def test_early_stopping_compares_float16_logs_as_python_floats():
    """An improvement of 0.00098 > min_delta = 0.0008 counts, though in float16 arithmetic
    best - min_delta rounds back to 1.0 and the improvement was missed."""
    stopper = sn.EarlyStopping(monitor="val_loss", min_delta=0.0008, patience=5)
    stopper.on_epoch_end(0, {"val_loss": np.float16(1.0)})
    stopper.on_epoch_end(1, {"val_loss": np.float16(0.99902)})
    assert stopper.wait == 0 and stopper.best_epoch == 1 and type(stopper.best) is float
