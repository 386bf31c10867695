"""The hand-written helpers: add_to_class, how a later chapter extends a class an earlier chapter
exported; real_number and logged_number, one number from a metric or from the logs a callback
watches."""

import numpy as np
import pytest

from scratchnet.utils import add_to_class, logged_number, real_number


def test_adds_a_method_and_leaves_no_module_level_function():
    class Layer:
        def __init__(self):
            self.x = 2

    @add_to_class(Layer)
    def double(self):
        return 2 * self.x

    assert Layer().double() == 4
    assert double is None


def test_rejects_a_non_class_and_a_non_function():
    with pytest.raises(TypeError, match="expected a class, got int"):
        add_to_class(3)
    with pytest.raises(TypeError, match="expected a function, got str"):
        add_to_class(object)("not a function")


# real_number: one real number as a Python float, or None

@pytest.mark.parametrize("value", [True, np.bool_(True), "0.5", 1 + 2j, np.timedelta64(5, "s"),
                                   np.array([0.5]), np.array(True), None])
def test_real_number_is_none_for_what_is_not_one_real_number(value):
    assert real_number(value) is None


def test_real_number_gives_a_python_float_and_lets_float_overflow_speak():
    assert [type(real_number(v)) for v in (3, np.float16(0.5), np.array(0.25), np.int8(2))] == [float] * 4
    with pytest.raises(OverflowError):
        real_number(10 ** 400)


# logged_number: the log a callback watches (EarlyStopping, ReduceLROnPlateau), as a number


@pytest.mark.parametrize("value, expected", [
    (0.25, 0.25), (3, 3), (np.float32(0.5), 0.5), (np.array(0.75), 0.75), (float("nan"), None),
    (np.float16(0.99902), float(np.float16(0.99902))), (float("inf"), float("inf"))])
def test_logged_number_reads_numbers_and_0d_arrays_as_python_floats(value, expected):
    """A Python float, so that a caller's comparisons (best - min_delta) are not made in
    float16 or float32, where a real improvement can round away."""
    got = logged_number("Watcher", {"loss": 1.0, "val_loss": value}, "val_loss")
    assert type(got) is float
    if expected is None:
        assert np.isnan(got)
    else:
        assert got == expected


@pytest.mark.parametrize("logs, held", [
    ({"loss": 1.0, "accuracy": 0.5}, "loss, accuracy"), ({}, "nothing"), (None, "nothing")])
def test_logged_number_names_the_logs_there_are(logs, held):
    with pytest.raises(ValueError, match=rf"^Watcher monitors 'val_loss', but the logs hold {held}; "
                                         r"for 'val_\.\.\.' logs, pass validation_data to fit$"):
        logged_number("Watcher", logs, "val_loss")


@pytest.mark.parametrize("value, shown", [
    (np.timedelta64(5, "s"), r"(np|numpy)\.timedelta64\(5,\s?'s'\)"), ("0.5", "'0.5'"), (True, "True"), (np.bool_(False), r"(np\.)?False"), (np.array([0.5, 0.6]), r"array\("),
    (None, "None"), (1 + 2j, r"\(1\+2j\)")])
def test_logged_number_refuses_what_is_not_one_number(value, shown):
    with pytest.raises(TypeError, match=rf"^Watcher: logs\['loss'\] must be a number, got {shown}"):
        logged_number("Watcher", {"loss": value}, "loss")


@pytest.mark.parametrize("logs", [[("loss", 1.0)], "loss", 5])
def test_logged_number_refuses_logs_that_are_not_a_dict(logs):
    with pytest.raises(TypeError, match=r"^Watcher: logs must be a dict of epoch logs, got "):
        logged_number("Watcher", logs, "loss")


def test_logged_number_refuses_an_int_beyond_a_float_and_says_so():
    with pytest.raises(ValueError, match=r"^Watcher: logs\['loss'\] must be a number within a float's "
                                         r"range \(about ±1\.8e308\), got an int of about 401 digits$"):
        logged_number("Watcher", {"loss": 10 ** 400}, "loss")


def test_only_a_missing_val_log_gets_the_validation_hint():
    with pytest.raises(ValueError, match=r"^Watcher monitors 'accuracy', but the logs hold loss$"):
        logged_number("Watcher", {"loss": 1.0}, "accuracy")
