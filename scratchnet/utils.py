"""Small helpers the chapters use to grow the library (support code, written by hand).

`add_to_class` is how a later chapter extends a class that an earlier chapter exported:
chapter 1 defines `Dense` with `forward`, chapter 3 adds `Dense.backward` with::

    @add_to_class(Dense)
    def backward(self, grad_out): ...

Both pieces are exported into the same module (`scratchnet/layers.py`), one after the other,
so the class is defined once and reads top to bottom as the book teaches it.
"""

__all__ = ["add_to_class"]


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
