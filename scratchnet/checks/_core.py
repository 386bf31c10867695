"""The machinery every exercise check shares: cases, comparison, and the report."""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["Case", "CheckResult", "run_check", "describe_mismatch"]

PASSED, FAILED, NOT_IMPLEMENTED = "passed", "failed", "not implemented"
WIDTH = 76  # the report is wrapped to fit a notebook cell and the book's column


@dataclass
class Case:
    """One case of a check.

    description: what the case is, in words ("a batch of one sample").
    args: positional arguments for the learner's function (deep-copied for each call).
    expected: the right answer (a number, an array, a tuple of them, ...).
    call: how to run the learner's object; defaults to `obj(*args)`. Use it for classes.
    mistakes: (test, hint) pairs for typical wrong answers: `test(received)` is True when the
        received value is what that mistake produces; the first match gives the hint.
    hint: the hint when no mistake matches.
    """

    description: str
    args: tuple = ()
    expected: Any = None
    call: Callable[[Any], Any] | None = None
    mistakes: Sequence[tuple[Callable[[Any], bool], str]] = field(default_factory=tuple)
    hint: str = ""


@dataclass
class CheckResult:
    """What a check found. Prints as a short report; truthy when every case passed."""

    exercise: str
    status: str
    message: str
    hint: str = ""
    case: int | None = None

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = {PASSED: "✓", FAILED: "✗", NOT_IMPLEMENTED: "…"}[self.status]
        first, *rest = f"{mark} Exercise {self.exercise}: {self.message}".split("\n")
        lines = textwrap.wrap(first, WIDTH, subsequent_indent="  ") + rest  # arrays keep their layout
        if self.hint:
            lines += textwrap.wrap(f"hint: {self.hint}", WIDTH, initial_indent="  ", subsequent_indent="        ")
        return "\n".join(lines)

    __str__ = __repr__


def _fmt(value: Any) -> str:
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, suppress_small=True, threshold=20, edgeitems=3)
        body = body.replace("\n", "\n            ")
        return f"{body}  (array, shape {value.shape}, dtype {value.dtype})"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)


def describe_mismatch(received: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-7) -> str | None:
    """Return None when `received` matches `expected`, else a short reason why not."""
    if isinstance(expected, tuple):
        if not isinstance(received, (tuple, list)) or len(received) != len(expected):
            return f"expected a tuple of {len(expected)} values, got {type(received).__name__}"
        for i, (r, e) in enumerate(zip(received, expected)):
            why = describe_mismatch(r, e, rtol, atol)
            if why:
                return f"item {i}: {why}"
        return None
    if isinstance(expected, np.ndarray):
        if received is None:
            return "got None; did you forget to `return` the result?"
        try:
            received = np.asarray(received, dtype=float)
        except (TypeError, ValueError):
            return f"expected an array, got {type(received).__name__}"
        if received.shape != expected.shape:
            return f"expected shape {expected.shape}, got shape {received.shape}"
        if not np.allclose(received, expected, rtol=rtol, atol=atol, equal_nan=False):
            worst = np.unravel_index(np.argmax(np.abs(received - expected)), expected.shape)
            return (f"values differ; the largest difference is at index {tuple(int(i) for i in worst)}: "
                    f"expected {expected[worst]:.6g}, got {received[worst]:.6g}")
        return None
    if isinstance(expected, (bool, np.bool_)):
        return None if received is expected or received == expected else f"expected {expected}, got {received!r}"
    if isinstance(expected, (int, float, np.number)):
        if received is None:
            return "got None; did you forget to `return` the result?"
        try:
            value = float(received)
        except (TypeError, ValueError):
            return f"expected a number, got {type(received).__name__}"
        if not np.isclose(value, float(expected), rtol=rtol, atol=atol):
            return "the values differ"
        return None
    return None if received == expected else "the values differ"


def run_check(exercise: str, obj: Any, cases: Sequence[Case], *, rtol: float = 1e-5,
              atol: float = 1e-7) -> CheckResult:
    """Run `obj` on each case; report the first failure with expected, received and a hint."""
    if not callable(obj):
        return CheckResult(exercise, FAILED, f"expected a function or class, got {type(obj).__name__}",
                           hint="pass the function itself, without calling it: check(my_fn), not check(my_fn())")
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)} ({case.description})"
        try:
            if case.call is not None:
                received = case.call(obj)
            else:
                received = obj(*copy.deepcopy(case.args))
        except NotImplementedError:
            return CheckResult(exercise, NOT_IMPLEMENTED, "not yet implemented.",
                               hint="replace the `raise NotImplementedError` line with your code, then run this check again.")
        except Exception as error:  # a learner's bug is a finding, not a crash
            return CheckResult(exercise, FAILED,
                               f"{where} raised {type(error).__name__}: {error}",
                               hint=case.hint or "read the error above; it names the line that failed.",
                               case=number)
        why = describe_mismatch(received, case.expected, rtol, atol)
        if why is None:
            continue
        hint = case.hint
        for test, mistake_hint in case.mistakes:
            try:
                matched = bool(test(received))
            except Exception:
                matched = False
            if matched:
                hint = mistake_hint
                break
        message = (f"{where} is wrong: {why}.\n"
                   f"  expected: {_fmt(case.expected)}\n"
                   f"  received: {_fmt(received)}")
        return CheckResult(exercise, FAILED, message, hint=hint, case=number)
    return CheckResult(exercise, PASSED, f"all {len(cases)} cases passed.")
