"""Exercise checks (support code, written by hand, tested by pytest).

Each chapter's checks live in `scratchnet.checks.chNN`. A check runs the learner's function on
several cases, edge cases included, and returns a `CheckResult` whose text says which case
failed, what was expected, what came back, and a hint. A check never raises: a learner's
exception becomes part of the report, and an unfinished stub reads "not yet implemented".
"""

from scratchnet.checks._core import Case, CheckResult, run_check

__all__ = ["Case", "CheckResult", "run_check"]
