"""The learning-rate schedules (chapter 8): values by hand, torch.optim.lr_scheduler where torch is
installed, the plateau logic, the scheduler callback in fit, and bad arguments."""

import math

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.callbacks import LearningRateScheduler
from scratchnet.schedules import CosineLR, ReduceLROnPlateau, StepLR


# values by hand

def test_step_by_hand():
    s = StepLR(0.1, step_size=20, gamma=0.5)
    assert [s.lr_at(t) for t in (0, 19, 20, 39, 40, 60)] == [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]
    assert StepLR(1.0, 1).lr_at(3) == pytest.approx(1e-3)  # default gamma 0.1
    assert StepLR(0.3, 5, gamma=1).lr_at(100) == 0.3


def test_cosine_by_hand():
    s = CosineLR(0.1, epochs=60)
    assert s.lr_at(0) == 0.1
    assert s.lr_at(30) == pytest.approx(0.05)
    assert s.lr_at(20) == pytest.approx(0.1 * (1 + math.cos(math.pi / 3)) / 2)  # 0.075
    assert s.lr_at(60) == 0 and s.lr_at(100) == 0
    m = CosineLR(1.0, epochs=4, min_lr=0.2)
    assert [m.lr_at(t) for t in range(6)] == pytest.approx([1.0, 0.2 + 0.8 * (1 + math.sqrt(0.5)) / 2, 0.6,
                                                            0.2 + 0.8 * (1 - math.sqrt(0.5)) / 2, 0.2, 0.2])


def test_cosine_falls_monotonically():
    lrs = [CosineLR(0.5, 50, min_lr=0.01).lr_at(t) for t in range(51)]
    assert all(a > b for a, b in zip(lrs, lrs[1:]))


def test_schedules_ignore_current_lr():
    assert StepLR(0.1, 2).lr_at(3, 123.0) == StepLR(0.1, 2).lr_at(3)
    assert CosineLR(0.1, 9).lr_at(3, 123.0) == CosineLR(0.1, 9).lr_at(3)


def test_reprs():
    assert repr(StepLR(0.1, 20, 0.5)) == "StepLR(base_lr=0.1, step_size=20, gamma=0.5)"
    assert repr(CosineLR(0.1, 60)) == "CosineLR(base_lr=0.1, epochs=60, min_lr=0.0)"
    assert "patience=3" in repr(ReduceLROnPlateau(patience=3))


# the plateau logic

def drive(plateau, values, lr=1.0):
    """The learning rate of each epoch, as LearningRateScheduler would set it."""
    lrs = []
    for epoch, value in enumerate(values):
        lr = plateau.lr_at(epoch, lr)
        lrs.append(lr)
        plateau.observe(epoch, {"val_loss": value, "val_accuracy": -value})
    return lrs


def test_plateau_reduces_after_patience_epochs_without_improvement():
    # best at epoch 1; epochs 2 and 3 do not improve -> the rate of epoch 4 is halved
    lrs = drive(ReduceLROnPlateau(factor=0.5, patience=2), [1.0, 0.5, 0.6, 0.5, 0.7, 0.8, 0.9])
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25]


def test_plateau_waits_again_after_an_improvement_or_a_reduction():
    values = [1.0, 0.9, 0.95, 0.8, 0.85, 0.7, 0.75, 0.6]  # never two bad epochs in a row
    assert drive(ReduceLROnPlateau(factor=0.5, patience=2), values) == [1.0] * 8
    flat = [1.0] * 9  # epochs 1-3 do not improve: epoch 4 is reduced; then 4-6: epoch 7
    assert drive(ReduceLROnPlateau(factor=0.1, patience=3), flat) == pytest.approx(
        [1, 1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01])


def test_plateau_min_delta_min_lr_and_mode_max():
    small_gains = [1.0, 0.99995, 0.9999, 0.99985]  # gains below min_delta = 1e-4 do not count
    assert drive(ReduceLROnPlateau(factor=0.5, patience=2), small_gains) == [1.0, 1.0, 1.0, 0.5]
    assert drive(ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.3), [1, 1, 1, 1, 1]) == [1, 1, 0.5, 0.3, 0.3]
    rising = ReduceLROnPlateau(monitor="val_accuracy", mode="max", factor=0.5, patience=1)
    # val_accuracy = -value: falling values are a falling accuracy
    assert drive(rising, [0.5, 0.4, 0.6, 0.7]) == [1.0, 1.0, 1.0, 0.5]


def test_plateau_treats_nan_as_no_improvement():
    assert drive(ReduceLROnPlateau(factor=0.5, patience=1), [1.0, float("nan"), 0.9]) == [1.0, 1.0, 0.5]


def test_plateau_starts_from_the_optimizers_rate():
    plateau = ReduceLROnPlateau(factor=0.5, patience=1)
    assert plateau.lr_at(0, 0.02) == 0.02


# torch.optim.lr_scheduler, where torch is installed

@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _torch_lrs(torch, make, epochs, metrics=None):
    w = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([w], lr=0.1)
    scheduler = make(opt)
    lrs = []
    for epoch in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step(metrics[epoch]) if metrics is not None else scheduler.step()
    return lrs


def test_step_matches_torch(torch):
    theirs = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.3), 40)
    ours = [StepLR(0.1, 7, gamma=0.3).lr_at(t) for t in range(40)]
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_cosine_matches_torch_up_to_t_max(torch):
    for eta_min in (0.0, 0.01):
        theirs = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25,
                                                                                    eta_min=eta_min), 26)
        ours = [CosineLR(0.1, 25, min_lr=eta_min).lr_at(t) for t in range(26)]
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_plateau_matches_torch_with_patience_one_less(torch):
    rng = np.random.default_rng(0)
    values = list(np.cumsum(rng.normal(0, 1, 60)) * 0.01 + 1.0)  # a noisy walk: plateaus and dips
    values[20:35] = [values[19]] * 15  # a flat stretch
    for patience, factor in [(1, 0.5), (3, 0.1), (5, 0.7)]:
        theirs = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
            o, mode="min", factor=factor, patience=patience - 1, threshold=1e-4, threshold_mode="abs",
            min_lr=1e-5), 60, metrics=values)  # (torch ignores changes below its eps, 1e-8)
        ours = drive(ReduceLROnPlateau(factor=factor, patience=patience, min_delta=1e-4, min_lr=1e-5),
                     values, lr=0.1)
        assert ours == pytest.approx(theirs, rel=1e-12), (patience, factor)
        assert min(theirs) < 0.1  # it did reduce: the comparison is not empty


# the scheduler callback in fit

def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]])).astype(np.float32)


def _model():
    model = sn.Sequential([sn.Dense(3, 8, rng=0), sn.ReLU(), sn.Dense(8, 1, rng=1)])
    model.compile(loss="mse", optimizer=sn.SGD(lr=0.5))
    return model


def test_the_callback_sets_the_rate_of_each_epoch_and_logs_it():
    x, y = _data()
    model = _model()
    seen = []
    spy = sn.LambdaCallback(on_batch_begin=lambda batch, logs: seen.append(model.optimizer.lr))
    history = model.fit(x, y, epochs=6, batch_size=20, verbose=0, rng=0,
                        callbacks=[LearningRateScheduler(StepLR(0.1, 2, gamma=0.5)), spy])
    expected = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert history.history["lr"] == pytest.approx(expected)
    assert seen == pytest.approx([lr for lr in expected for _ in range(2)])  # 2 batches per epoch


def test_a_function_of_the_epoch_works_too():
    x, y = _data()
    history = _model().fit(x, y, epochs=3, batch_size=40, verbose=0,
                           callbacks=[LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])
    assert history.history["lr"] == pytest.approx([0.01, 0.02, 0.03])


def test_the_callback_drives_the_plateau_schedule_from_the_logs():
    x, y = _data()
    model = _model()
    model.optimizer.lr = 1e-9  # nothing moves: the loss never improves by min_delta
    plateau = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
    history = model.fit(x, y, epochs=7, batch_size=40, verbose=0, callbacks=[LearningRateScheduler(plateau)])
    assert history.history["lr"] == pytest.approx(np.array([1, 1, 1, 0.5, 0.5, 0.25, 0.25]) * 1e-9)


def test_cosine_to_zero_is_allowed_past_its_end():
    """A learning rate of 0 (the end of a cosine) is accepted; a negative one is not."""
    x, y = _data()
    history = _model().fit(x, y, epochs=4, batch_size=40, verbose=0,
                           callbacks=[LearningRateScheduler(CosineLR(0.1, epochs=2))])
    assert history.history["lr"] == pytest.approx([0.1, 0.05, 0.0, 0.0])


# bad arguments

@pytest.mark.parametrize("make, message", [
    (lambda: StepLR(0, 10), r"StepLR: base_lr must be a number > 0, got 0"),
    (lambda: StepLR(-0.1, 10), r"StepLR: base_lr must be a number > 0, got -0.1"),
    (lambda: StepLR(float("nan"), 10), r"StepLR: base_lr must be a number > 0, got nan"),
    (lambda: StepLR(0.1, 0), r"StepLR: step_size must be an integer >= 1, got 0"),
    (lambda: StepLR(0.1, 10, gamma=0), r"StepLR: gamma must be a number in \(0, 1\], got 0"),
    (lambda: StepLR(0.1, 10, gamma=1.5), r"StepLR: gamma must be a number in \(0, 1\], got 1.5"),
    (lambda: CosineLR(0.1, 0), r"CosineLR: epochs must be an integer >= 1, got 0"),
    (lambda: CosineLR(0.1, 10, min_lr=0.2), r"CosineLR: min_lr must be a number in \[0, base_lr = 0.1\], got 0.2"),
    (lambda: CosineLR(0.1, 10, min_lr=-1), r"CosineLR: min_lr must be a number in \[0, base_lr = 0.1\], got -1"),
    (lambda: ReduceLROnPlateau(factor=1.0), r"ReduceLROnPlateau: factor must be a number in \(0, 1\), got 1.0"),
    (lambda: ReduceLROnPlateau(factor=0), r"ReduceLROnPlateau: factor must be a number in \(0, 1\), got 0"),
    (lambda: ReduceLROnPlateau(patience=0), r"ReduceLROnPlateau: patience must be an integer >= 1, got 0"),
    (lambda: ReduceLROnPlateau(mode="up"), r"ReduceLROnPlateau: mode must be 'min' or 'max', got 'up'"),
    (lambda: ReduceLROnPlateau(min_lr=-0.1), r"ReduceLROnPlateau: min_lr must be a number >= 0, got -0.1"),
    (lambda: ReduceLROnPlateau(min_delta=-1), r"ReduceLROnPlateau: min_delta must be a number >= 0, got -1"),
    (lambda: StepLR(0.1, 2).lr_at(-1), r"StepLR.lr_at: epoch must be an integer >= 0, got -1"),
])
def test_bad_arguments_are_refused_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("make, message", [
    (lambda: StepLR("0.1", 10), r"StepLR: base_lr must be a number > 0, got str: '0.1'"),
    (lambda: StepLR(0.1, 2.5), r"StepLR: step_size must be an integer >= 1, got float: 2.5"),
    (lambda: StepLR(0.1, True), r"StepLR: step_size must be an integer >= 1, got bool: True"),
    (lambda: CosineLR(0.1, 2).lr_at(1.5), r"CosineLR.lr_at: epoch must be an integer >= 0, got float: 1.5"),
    (lambda: ReduceLROnPlateau().lr_at(0, None), r"current_lr must be a number >= 0, got NoneType: None"),
    (lambda: StepLR(0.1, 2.0), r"StepLR: step_size must be an integer >= 1, got float: 2.0"),
])
def test_arguments_of_the_wrong_type_raise_type_error(make, message):
    with pytest.raises(TypeError, match=f"{message}$"):
        make()


def test_good_arguments_are_accepted():
    """Companion of the guards: numpy numbers and the edges of the intervals."""
    StepLR(np.float32(0.1), np.int64(3), gamma=1)
    CosineLR(0.1, 1, min_lr=0.1)
    CosineLR(0.1, 5).lr_at(np.int64(2))
    ReduceLROnPlateau(factor=0.999, patience=1, min_lr=0, min_delta=0, mode="max")


def test_plateau_monitor_missing_or_not_a_name():
    with pytest.raises(ValueError, match=r"monitors 'val_loss', but the logs hold loss; .*validation_data"):
        ReduceLROnPlateau().observe(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="the logs hold nothing"):
        ReduceLROnPlateau().observe(0, None)
    with pytest.raises(TypeError, match="monitor must be the name of a log"):
        ReduceLROnPlateau(monitor=3)


def test_scheduler_callback_bad_schedule_and_bad_rates():
    with pytest.raises(TypeError, match=r"LearningRateScheduler: schedule must have lr_at"):
        LearningRateScheduler(0.1)
    x, y = _data()
    for bad, shown, kind in [(lambda epoch: -0.1, "-0.1", ValueError),
                             (lambda epoch: float("nan"), "nan", ValueError),
                             (lambda epoch: "0.1", "'0.1'", TypeError), (lambda epoch: None, "None", TypeError)]:
        with pytest.raises(kind, match=rf"the schedule gave lr={shown} for epoch 0; a learning rate "
                                             r"must be a number >= 0"):
            _model().fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(bad)])


def test_plateau_refuses_a_non_numeric_log():
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau: logs\['val_loss'\] must be a number, got None"):
        ReduceLROnPlateau().observe(0, {"val_loss": None})


def test_plateau_and_early_stopping_read_a_0d_array_as_its_number():
    """np.mean returns a 0-d array in some calls (np.mean(a, keepdims=False) of an array
    subclass, a metric written as np.asarray(...).mean()): it is a number, not refused."""
    plateau = ReduceLROnPlateau(patience=1, factor=0.5)
    plateau.observe(0, {"val_loss": np.array(1.0)})
    plateau.observe(1, {"val_loss": np.array(2.0)})  # no improvement: the next rate is halved
    assert plateau.lr_at(2, 0.1) == pytest.approx(0.05)
    stop = sn.EarlyStopping(monitor="val_loss", patience=1)
    stop.on_train_begin()
    stop.on_epoch_end(0, {"val_loss": np.array(1.0)})
    assert stop.best == 1.0
    with pytest.raises(TypeError, match=r"must be a number, got array\(\[1., 2.\]\)"):  # the companion
        ReduceLROnPlateau().observe(0, {"val_loss": np.array([1.0, 2.0])})


# LearningRateScheduler with bad logs, or without its model (found by a hostile caller)

@pytest.mark.parametrize("logs", [[("val_loss", 0.5)], "val_loss", 5, np.array([0.5])])
def test_the_scheduler_refuses_logs_that_are_not_a_dict(logs):
    callback = LearningRateScheduler(ReduceLROnPlateau())
    callback.set_model(_compiled_model())
    with pytest.raises(TypeError, match=r"^LearningRateScheduler: logs must be a dict of epoch logs, "
                                        r"which it adds 'lr' to; got "):
        callback.on_epoch_end(0, logs)


def test_the_scheduler_refuses_a_read_only_mapping_it_cannot_add_lr_to():
    import types
    callback = LearningRateScheduler(StepLR(0.1, 1))
    callback.set_model(_compiled_model())
    with pytest.raises(TypeError, match=r"got mappingproxy: "):
        callback.on_epoch_end(0, types.MappingProxyType({"loss": 0.5}))


@pytest.mark.parametrize("hook", ["on_epoch_begin", "on_epoch_end"])
def test_the_scheduler_without_its_model_says_to_set_it(hook):
    callback = LearningRateScheduler(ReduceLROnPlateau(monitor="loss"))
    with pytest.raises(RuntimeError, match=r"^LearningRateScheduler needs the model: call "
                                           r"set_model\(model\) first \(fit does\)$"):
        getattr(callback, hook)(0, {"loss": 0.5})


def test_the_scheduler_still_logs_lr_and_shows_the_logs_to_the_schedule():
    model = _compiled_model()
    plateau = ReduceLROnPlateau(monitor="loss", patience=1)
    callback = LearningRateScheduler(plateau)
    callback.set_model(model)
    logs = {"loss": 0.5}
    callback.on_epoch_end(0, logs)
    assert logs == {"loss": 0.5, "lr": model.optimizer.lr} and plateau.best == 0.5
    assert type(plateau.best) is float


def _compiled_model():
    model = sn.Sequential([sn.Dense(2, 1, rng=0)])
    model.compile(loss=sn.MSE(), optimizer=sn.SGD(0.1))
    return model
