"""Small helpers the chapters use to grow the library (support code, written by hand).

`add_to_class` is how a later chapter extends a class that an earlier chapter exported:
chapter 1 defines `Dense` with `forward`, chapter 3 adds `Dense.backward` with::

    @add_to_class(Dense)
    def backward(self, grad_out): ...

Both pieces are exported into the same module (`scratchnet/layers.py`), one after the other,
so the class is defined once and reads top to bottom as the book teaches it.
"""

from collections.abc import Mapping
import numbers

import numpy as np

__all__ = ["add_to_class", "logged_number", "real_number"]


def add_to_class(cls):
    """Decorator: attach the decorated function to `cls` as a method of the same name.

    Returns `None` in place of the function, as d2l's `add_to_class` does, so that the
    method lives only on the class and not as a stray module-level function. When the class
    already had a method of that name (a notebook re-running a chapter's cell over the
    installed package), the new function keeps the first one as `__replaced__`.
    """
    if not isinstance(cls, type):
        raise TypeError(f"add_to_class expected a class, got {type(cls).__name__}: {cls!r}")

    def attach(fn):
        if not callable(fn):
            raise TypeError(f"add_to_class({cls.__name__}) expected a function, got {type(fn).__name__}")
        previous = cls.__dict__.get(fn.__name__)
        if previous is not None:
            # Remember the first version replaced, so that an exercise notebook can put the
            # library's own back while the learner's is unfinished (checks.fallback).
            fn.__replaced__ = getattr(previous, "__replaced__", previous)
        setattr(cls, fn.__name__, fn)
        return None

    return attach


def real_number(value):
    """`value` as a Python float if it is one real number: an int, a float, a NumPy scalar, or a
    0-d array holding one (as `np.mean` returns). None if it is not: a bool, a string, a complex
    number, a timedelta (numpy counts it as an integer), an array of several numbers. An int
    beyond a float's range raises OverflowError, as float() does. A float, not the value's own
    type, so that the caller's arithmetic is not done in float16 or float32."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if (isinstance(value, (bool, np.bool_, np.timedelta64))
            or not isinstance(value, numbers.Real)):
        return None
    return float(value)


def logged_number(owner, logs, name):
    """`logs[name]` as a Python float (see `real_number`), for the callbacks that watch one log
    (chapter 8's `EarlyStopping` and `ReduceLROnPlateau`); `owner` names the caller in the errors.

    A missing log is a ValueError that says which logs there are; a value that is not one real
    number is a TypeError, and an int beyond a float's range a ValueError. NaN and inf pass:
    what they mean is the caller's to decide.
    """
    if logs is not None and not isinstance(logs, Mapping):
        raise TypeError(f"{owner}: logs must be a dict of epoch logs, got "
                        f"{type(logs).__name__}: {logs!r}")
    if not logs or name not in logs:
        held = ", ".join(map(str, logs or {})) or "nothing"
        hint = ("; for 'val_...' logs, pass validation_data to fit"
                if str(name).startswith("val_") else "")
        raise ValueError(f"{owner} monitors {name!r}, but the logs hold {held}{hint}")
    value = logs[name]
    try:
        number = real_number(value)
    except OverflowError:  # an int beyond float's range (about 1.8e308)
        raise ValueError(f"{owner}: logs[{name!r}] must be a number within a float's range "
                         f"(about ±1.8e308), got an int of about "
                         f"{int(int(value).bit_length() * 0.30103) + 1} digits") from None
    if number is None:
        raise TypeError(f"{owner}: logs[{name!r}] must be a number, got {value!r}")
    return number
