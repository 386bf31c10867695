"""The machinery every exercise check shares: cases, comparison, the report and its hints.

A check runs the learner's code on several cases and reports the first that goes wrong. The
report has two tiers of help, so that a learner can find a mistake before being told the fix:

1. **where**: always shown. Which case, which entry, expected against received, and a hint
   that points at the part that is wrong ("the bias gradient has the right shape but the
   wrong values").
2. **what**: the hint on what to write. It is shown when the same exercise fails a second
   time in a row, or on request with `more_help("3.1")`.

When the learner's code raises, the report shows the line of the learner's code that raised,
not only the exception's message.
"""

from __future__ import annotations

import copy
import os
import textwrap
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["Case", "CheckResult", "Mistake", "Raises", "Unusable", "run_check", "describe_mismatch",
           "more_help", "fallback", "close", "quietly", "not_an_array"]

PASSED, FAILED, NOT_IMPLEMENTED = "passed", "failed", "not implemented"
WIDTH = 76  # the report is wrapped to fit a notebook cell and the book's column
_HERE = os.path.dirname(os.path.abspath(__file__))
_PACKAGE = os.path.dirname(_HERE)
_LAST: dict[str, "CheckResult"] = {}   # exercise -> its last result, for more_help and tier 2


@dataclass
class Mistake:
    """A typical wrong answer: `test(received)` is True when `received` is what it produces.

    where: the first-tier hint, saying where the answer goes wrong (never the fix).
    what: the second-tier hint, saying what to write.
    """

    test: Callable[[Any], bool]
    where: str
    what: str = ""


@dataclass
class Raises:
    """The expected outcome of a case whose input is bad: an exception of `kind` whose
    message contains each of `mentions` (the argument's name, the shape it expected, ...)."""

    kind: type
    mentions: Sequence[str] = ()

    def __repr__(self) -> str:
        said = f" mentioning {', '.join(repr(m) for m in self.mentions)}" if self.mentions else ""
        return f"a {self.kind.__name__}{said}"


class Unusable(Exception):
    """Raised by a check's own code when what the learner's code returned cannot be used (None
    where an array belongs, text, ...). Its message is the finding: the report shows it as what
    is wrong with the case, not as an error the learner's code raised. `where` and `what`, when
    given, replace the case's hints."""

    def __init__(self, message: str, where: str = "", what: str = ""):
        super().__init__(message)
        self.where, self.what = where, what


@dataclass
class Case:
    """One case of a check.

    description: what the case is, in words ("a batch of one sample").
    args: positional arguments for the learner's function (deep-copied for each call).
    expected: the right answer (a number, an array, a tuple of them, a `Raises`, ...).
    call: how to run the learner's object; defaults to `obj(*args)`. Use it for classes.
    mistakes: `Mistake`s for typical wrong answers; the first whose test matches gives the hints.
    where, what: the two tiers of hints when no mistake matches.
    compare: optional `compare(received) -> reason or None`, replacing the comparison with
        `expected` (for answers with more than one right form).
    """

    description: str
    args: tuple = ()
    expected: Any = None
    call: Callable[[Any], Any] | None = None
    mistakes: Sequence[Mistake] = field(default_factory=tuple)
    where: str = ""
    what: str = ""
    compare: Callable[[Any], str | None] | None = None


@dataclass
class CheckResult:
    """What a check found. Prints as a short report; truthy when every case passed."""

    exercise: str
    status: str
    message: str
    where: str = ""
    what: str = ""
    case: int | None = None
    show_what: bool = False

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def hint(self) -> str:
        """Both tiers of help, as one string (for tests and curious readers)."""
        return " ".join(h for h in (self.where, self.what) if h)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = {PASSED: "✓", FAILED: "✗", NOT_IMPLEMENTED: "…"}[self.status]
        first, *rest = f"{mark} Exercise {self.exercise}: {self.message}".split("\n")
        lines = textwrap.wrap(first, WIDTH, subsequent_indent="  ") + rest  # arrays keep their layout

        def add(label: str, text: str) -> None:
            lines.extend(textwrap.wrap(f"{label}: {text}", WIDTH, initial_indent="  ",
                                       subsequent_indent=" " * (len(label) + 4)))

        if self.where:
            add("where", self.where)
        if self.what and self.show_what:
            add("what", self.what)
        elif self.what:
            add("more", f'run the check again, or checks.more_help("{self.exercise}"), '
                        "for a hint on what to write.")
        return "\n".join(lines)

    __str__ = __repr__


def more_help(exercise: str) -> str:
    """The second-tier hint (what to write) for the last failed check of `exercise`."""
    result = _LAST.get(str(exercise))
    if result is None:
        text = f"Exercise {exercise}: run its check first; more help follows a failed check."
    elif result.passed:
        text = f"Exercise {exercise}: its last check passed; there is nothing to fix."
    elif not result.what:
        text = f"Exercise {exercise}: {result.where or 'read the report of its check.'}"
    else:
        text = f"Exercise {exercise}: {result.what}"
    print(textwrap.fill(text, WIDTH, subsequent_indent="  "))
    return text


def _fmt(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fciub":
            body = np.array2string(value, precision=4, suppress_small=True, threshold=20, edgeitems=3)
        else:
            body = repr(value)
        body = body.replace("\n", "\n            ")
        return f"{body}  (array, shape {value.shape}, dtype {value.dtype})"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list) and value and not _first_non_number(value)[0]:
        return np.array2string(np.array(value, dtype=float), precision=4, suppress_small=True,
                               threshold=20, edgeitems=3, separator=", ")
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + " ..."


def _as_real_array(received: Any, returned: bool = True) -> tuple[np.ndarray | None, str | None]:
    """received as a float array, or (None, the reason it is not an array of real numbers).

    returned: `received` is what the learner's function returned (so None means a missing
    `return`), not an item of it or an attribute the check read.
    """
    if received is None:
        return None, ("got None; did you forget to `return` the result?" if returned
                      else "expected a number, got None")
    if isinstance(received, (str, bytes)):
        return None, f"expected numbers, got the text {received!r}"
    try:
        array = np.asarray(received)
    except (TypeError, ValueError):
        return None, f"expected an array of numbers, got {type(received).__name__}"
    if array.dtype.kind == "c":
        return None, "expected real numbers, got complex numbers"
    if array.dtype.kind not in "fiub":
        found, odd = _first_non_number(received)
        if found:
            return None, f"expected numbers, got a {type(received).__name__} holding {odd!r}"
        return None, f"expected numbers, got {type(received).__name__} of dtype {array.dtype}"
    return array.astype(float), None


def _first_non_number(items: Any) -> tuple[bool, Any]:
    """(True, the first entry that is not a real number) of a (nested) list or tuple, or
    (False, None) when there is none."""
    if not isinstance(items, (list, tuple)):
        return False, None
    for item in items:
        if isinstance(item, (list, tuple)):
            found = _first_non_number(item)
            if found[0]:
                return found
        elif not isinstance(item, (int, float, np.integer, np.floating)):
            return True, item
    return False, None


def describe_mismatch(received: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-7,
                      returned: bool = True, _item: bool = False) -> str | None:
    """Return None when `received` matches `expected`, else a short reason why not.

    returned: False when `received` is not what a function returned but an item of it, or an
    attribute the check read (then None does not mean a missing `return`).
    """
    if isinstance(expected, tuple):
        if isinstance(received, np.ndarray) and received.ndim >= 1:
            received = tuple(received)  # np.array([dw, db]) is a fine pair of numbers
        if not isinstance(received, (tuple, list)) or len(received) != len(expected):
            got = f"{len(received)} values" if isinstance(received, (tuple, list)) else type(received).__name__
            return f"expected a tuple of {len(expected)} values, got {got}"
        for i, (r, e) in enumerate(zip(received, expected)):
            why = describe_mismatch(r, e, rtol, atol, returned=False, _item=True)
            if why:
                return f"item {i}: {why}"
        return None
    if isinstance(expected, np.ndarray):
        array, why = _as_real_array(received, returned)
        if why:
            return why
        if array.shape != expected.shape:
            return f"expected shape {expected.shape}, got shape {array.shape}"
        if not np.allclose(array, expected, rtol=rtol, atol=atol, equal_nan=False):
            error = np.abs(array - expected)
            error = np.where(np.isnan(error), np.inf, error)
            worst = np.unravel_index(np.argmax(error), expected.shape)
            return (f"values differ; the largest difference is at index {tuple(int(i) for i in worst)}: "
                    f"expected {expected[worst]:.6g}, got {array[worst]:.6g}")
        return None
    if isinstance(expected, (bool, np.bool_)):
        same = isinstance(received, (bool, np.bool_)) and bool(received) == bool(expected)
        return None if same else f"expected {expected}, got {_fmt(received)}"
    if isinstance(expected, (int, float, np.number)):
        array, why = _as_real_array(received, returned)
        if why:
            return why
        if array.ndim != 0:
            return f"expected a single number, got an array of shape {array.shape}"
        if not np.isclose(float(array), float(expected), rtol=rtol, atol=atol):
            return f"expected {_fmt(expected)}, got {_fmt(received)}" if _item else "the values differ"
        return None
    try:
        same = bool(received == expected)
    except (TypeError, ValueError):  # an array against a list, ...
        same = False
    return None if same else "the values differ"


def _learner_line(error: BaseException) -> str:
    """'line N of your code (in f): <source>' for the innermost frame of the learner's code.

    The learner's code is any frame outside the scratchnet package, NumPy and Python's own
    library; in a notebook it is a cell.
    """
    library = (_PACKAGE, os.path.dirname(np.__file__), os.path.dirname(os.__file__))
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(f.filename).startswith(library)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"line {frame.lineno} of your code (in {frame.name}){code}"


def _raised_by_the_check(error: BaseException) -> bool:
    """True when the error came from a check's own code (not _core's call of the learner's
    object), with no frame of the learner's code: the check choked on what it was given."""
    outside = (os.path.dirname(np.__file__), os.path.dirname(os.__file__))
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(f.filename).startswith(outside)]
    return bool(frames) and os.path.abspath(frames[-1].filename).startswith(_HERE) \
        and os.path.abspath(frames[-1].filename) != os.path.abspath(__file__)


def run_check(exercise: str, obj: Any, cases: Sequence[Case], *, rtol: float = 1e-5,
              atol: float = 1e-7) -> CheckResult:
    """Run `obj` on each case; report the first failure with expected, received and hints.

    The second tier of hints (what to write) is shown when the previous check of the same
    exercise failed too.
    """
    previous = _LAST.get(str(exercise))
    result = _run(str(exercise), obj, cases, rtol, atol)
    if result.status == FAILED and previous is not None and previous.status == FAILED:
        result.show_what = True
    _LAST[str(exercise)] = result
    return result


def _run(exercise: str, obj: Any, cases: Sequence[Case], rtol: float, atol: float) -> CheckResult:
    if not callable(obj):
        return CheckResult(exercise, FAILED, f"expected a function or class, got {type(obj).__name__}",
                           where="pass the function itself, without calling it: check(my_fn), "
                                 "not check(my_fn())")
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)} ({case.description})"
        try:
            with np.errstate(all="ignore"):  # a wrong answer may overflow; its inf is the finding
                received = case.call(obj) if case.call is not None else obj(*copy.deepcopy(case.args))
        except NotImplementedError as error:
            if isinstance(case.expected, Raises) and case.expected.kind is NotImplementedError:
                continue
            if "Exercise" in str(error) or not str(error):
                return CheckResult(exercise, NOT_IMPLEMENTED, "not yet implemented.",
                                   where="replace the `raise NotImplementedError` line with your code, "
                                         "then run this check again.")
            received_error = error
        except Unusable as error:  # the check's own code could not use what the learner's returned
            return CheckResult(exercise, FAILED, _sentence(f"{where} is wrong: {error}"),
                               where=error.where or case.where, what=error.what or case.what, case=number)
        except Exception as error:  # a learner's bug is a finding, not a crash
            received_error = error
        else:
            received_error = None
        if received_error is not None:
            if isinstance(case.expected, Raises):
                why = _describe_raised(received_error, case.expected)
                if why is None:
                    continue
                return CheckResult(exercise, FAILED, f"{where}: {why}.",
                                   where=case.where, what=case.what, case=number)
            line = _learner_line(received_error)
            if not line and _raised_by_the_check(received_error):
                return CheckResult(exercise, FAILED,
                                   f"{where}: the check could not use what your code returned "
                                   f"({type(received_error).__name__}: {received_error}).",
                                   where=case.where or "look at what your code returns: its type and shape.",
                                   what=case.what, case=number)
            message = f"{where} raised {type(received_error).__name__}: {received_error}"
            if line:
                message += f"\n  at {line}"
            return CheckResult(exercise, FAILED, message,
                               where=case.where or "read the error above; it names the line that raised.",
                               what=case.what, case=number)
        if isinstance(case.expected, Raises):
            return CheckResult(exercise, FAILED,
                               f"{where}: expected {case.expected!r}, but your code returned "
                               f"{_fmt(received)} without raising.",
                               where=case.where, what=case.what, case=number)
        try:
            with np.errstate(all="ignore"):
                why = case.compare(received) if case.compare is not None else \
                    describe_mismatch(received, case.expected, rtol, atol, returned=case.call is None)
        except Exception:  # an answer of a kind the comparison cannot read is wrong, not a crash
            why = f"got {_fmt(received)}" + ("" if case.expected is None else f", expected {_fmt(case.expected)}")
        if why is None:
            continue
        hints = (case.where, case.what)
        for mistake in case.mistakes:
            try:
                with np.errstate(all="ignore"):
                    matched = bool(mistake.test(received))
            except Exception:
                matched = False
            if matched:
                hints = (mistake.where, mistake.what or case.what)
                break
        message = _sentence(f"{where} is wrong: {why}")
        if case.compare is None:
            message += _shown(received, case.expected, rtol, atol)
        return CheckResult(exercise, FAILED, message, where=hints[0], what=hints[1], case=number)
    return CheckResult(exercise, PASSED, f"all {len(cases)} cases passed.")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _shown(received: Any, expected: Any, rtol: float, atol: float) -> str:
    """The expected and received lines of a report: of the first item that differs, when the
    answer is a tuple whose other items are right."""
    if isinstance(expected, tuple) and isinstance(received, (tuple, list)) and len(received) == len(expected):
        for i, (r, e) in enumerate(zip(received, expected)):
            try:
                differs = describe_mismatch(r, e, rtol, atol, returned=False) is not None
            except Exception:
                differs = True
            if differs:
                return f"\n  expected item {i}: {_fmt(e)}\n  received item {i}: {_fmt(r)}"
    return f"\n  expected: {_fmt(expected)}\n  received: {_fmt(received)}"


def _describe_raised(error: BaseException, expected: Raises) -> str | None:
    """None when `error` is what `expected` asks for, else what differs."""
    if not isinstance(error, expected.kind):
        return (f"expected {expected!r}, but your code raised {type(error).__name__}: {error}")
    missing = [m for m in expected.mentions if m not in str(error)]
    if missing:
        return (f"your code raised {type(error).__name__}, as it should, but its message does not "
                f"mention {', '.join(repr(m) for m in missing)}: {error}")
    return None


def close(received: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-7) -> bool:
    """True when `received` is an array of exactly `expected`'s shape and (real) values."""
    array, why = _as_real_array(received)
    expected = np.asarray(expected, dtype=float)
    return why is None and array.shape == expected.shape and \
        bool(np.allclose(array, expected, rtol=rtol, atol=atol))


def not_an_array(received: Any, said: str, kinds: str = "fiu", wanted: str = "a NumPy array of numbers") -> str | None:
    """None when `received` is a NumPy array whose dtype kind is one of `kinds` ("f" float, "i"
    and "u" integers); else the finding, as `said` + what it is + `wanted`, e.g.
    not_an_array([[1]], "confusion_matrix returned", "iu", "an array of integers") gives
    "confusion_matrix returned a list, expected an array of integers".

    For answers that must be arrays: describe_mismatch and close accept a list of the right
    numbers, as np.asarray does.
    """
    if isinstance(received, np.ndarray) and received.dtype.kind in kinds:
        return None
    if received is None:
        got = "None"
    elif isinstance(received, np.ndarray):
        got = f"an array of dtype {received.dtype}"
    else:
        name = type(received).__name__
        got = f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
    return f"{said} {got}, expected {wanted}"


def quietly(fn: Callable, *args: Any) -> Any:
    """Call `fn` on deep copies of `args` with NumPy's floating-point warnings silenced.

    A naive answer overflows; the check then reports the inf it returned, with a hint,
    instead of a screen of RuntimeWarnings (or, under pytest, an exception).
    """
    with np.errstate(all="ignore"):
        return fn(*copy.deepcopy(args))


def fallback(result: CheckResult, obj: Any, *methods: str) -> Any:
    """After a build exercise's check, in the exercise notebook: keep the learner's code if it
    passed, else put scratchnet's own in its place, so the rest of the notebook runs.

    obj: the learner's function, or the class whose `methods` the learner wrote.
    Returns the function or class the rest of the notebook should use, and says which.
    """
    name = getattr(obj, "__name__", repr(obj))
    what = ", ".join(f"{name}.{m}" for m in methods) if methods else name
    if result.passed:
        print(f"✓ your {what} is used from here on.")
        return obj
    library = _library_version(obj, methods)
    if methods:
        for method, function in zip(methods, library):
            setattr(obj, method, function)
        chosen = obj
    else:
        (chosen,) = library
    verb = "pass" if len(methods) > 1 else "passes"
    print(f"… until your {what} {verb} the check, the cells below use scratchnet's own. "
          "Fix your code, then run its cell, the check and this cell again.")
    return chosen


def _library_attribute(name: str) -> Any:
    """The object of that name in scratchnet's own modules (private names included)."""
    import importlib
    import sys
    importlib.import_module("scratchnet")
    for module_name, module in sorted(sys.modules.items()):
        if module_name.startswith("scratchnet.") and not module_name.startswith(("scratchnet.checks",
                                                                                  "scratchnet.widgets")):
            if name in getattr(module, "__dict__", {}):
                return module.__dict__[name]
    raise LookupError(f"scratchnet has no {name!r} to fall back on")


def _library_version(obj: Any, methods: Sequence[str]) -> list:
    """scratchnet's own version of a learner-written function, or of methods of a class."""
    if not methods:
        return [_library_attribute(obj.__name__)]
    found = []
    for method in methods:
        current = obj.__dict__.get(method)
        original = getattr(current, "__replaced__", None)  # set by add_to_class
        if original is None:
            original = _library_attribute(obj.__name__).__dict__[method]
        found.append(original)
    return found
