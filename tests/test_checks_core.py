"""The machinery of the exercise checks: two tiers of hints, the learner's line in a report,
reports that never raise, and the fixes a learner's walk-through asked for."""

import numpy as np
import pytest

from scratchnet.checks import _core
from scratchnet.checks._core import Case, Mistake, Raises, describe_mismatch, fallback, more_help, run_check


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()
    yield
    _core._LAST.clear()


def _square_cases():
    return [Case("x = 3", (3.0,), 9.0,
                 mistakes=[Mistake(lambda r: r == 6.0, "your result is twice x.", "return x ** 2.")],
                 where="square x.", what="x ** 2")]


def test_the_first_failure_says_where_and_only_a_repeat_says_what():
    first = run_check("9.1", lambda x: 2 * x, _square_cases())
    assert "where: your result is twice x." in repr(first)
    assert "what:" not in repr(first) and 'checks.more_help("9.1")' in repr(first)
    second = run_check("9.1", lambda x: 2 * x, _square_cases())
    assert "what: return x ** 2." in repr(second)


def test_a_pass_in_between_resets_the_tiers():
    run_check("9.1", lambda x: 2 * x, _square_cases())
    assert run_check("9.1", lambda x: x ** 2, _square_cases()).passed
    assert "what:" not in repr(run_check("9.1", lambda x: 2 * x, _square_cases()))


def test_more_help_gives_the_second_tier_on_request(capsys):
    assert "run its check first" in more_help("9.1")
    run_check("9.1", lambda x: 2 * x, _square_cases())
    assert more_help("9.1") == "Exercise 9.1: return x ** 2."
    assert "return x ** 2." in capsys.readouterr().out
    run_check("9.1", lambda x: x ** 2, _square_cases())
    assert "nothing to fix" in more_help("9.1")


def test_the_report_shows_the_line_of_the_learners_code_that_raised():
    source = "def learner(x):\n    y = x + 1\n    return y.shape[7]\n"
    namespace = {}
    exec(compile(source, "/tmp/ipykernel_1/123.py", "exec"), namespace)
    import linecache
    linecache.cache["/tmp/ipykernel_1/123.py"] = (len(source), None, source.splitlines(True), "/tmp/ipykernel_1/123.py")
    result = run_check("9.2", namespace["learner"], [Case("x = 3", (np.float64(3.0),), 9.0)])
    assert "raised AttributeError" in repr(result) or "raised IndexError" in repr(result)
    assert "at line 3 of your code (in learner): return y.shape[7]" in repr(result)


def test_a_wrong_exception_or_a_silent_return_on_bad_input_is_a_finding():
    case = [Case("bad input", (None,), Raises(ValueError, ["x"]), where="refuse it.")]
    returned = run_check("9.3", lambda x: 0.0, case)
    assert "without raising" in repr(returned) and not returned.passed
    wrong_kind = run_check("9.3", lambda x: 1 / 0, case)
    assert "expected a ValueError" in repr(wrong_kind) and "ZeroDivisionError" in repr(wrong_kind)

    def vague(x):
        raise ValueError("bad")
    assert "does not mention 'x'" in repr(run_check("9.3", vague, case))

    def good(x):
        raise ValueError("x must be a number")
    assert run_check("9.3", good, case).passed


@pytest.mark.parametrize("received, expected, says", [
    ("0.5", 0.5, "the text '0.5'"),                       # walk-through: 1.1 and 1.3 accepted text
    (np.array(["1", "2"]), np.array([1.0, 2.0]), "dtype <U1"),
    (np.complex128(0.5 + 0j), 0.5, "complex"),            # walk-through: 3.1 accepted complex
    (np.array([1 + 0j, 2 + 0j]), np.array([1.0, 2.0]), "complex"),
    (None, np.ones(2), "forget to `return`"),
    ([1.0, 2.0], 1.5, "a single number"),
])
def test_text_complex_and_missing_answers_are_not_accepted(received, expected, says):
    assert says in describe_mismatch(received, expected)


def test_a_pair_may_come_as_an_array():
    """Walk-through: exercise 2.2 (now 2.3) rejected a correct np.array([dw, db])."""
    assert describe_mismatch(np.array([1.0, 2.0]), (1.0, 2.0)) is None
    assert describe_mismatch([1.0, 2.0], (1.0, 2.0)) is None
    assert "item 1" in describe_mismatch(np.array([1.0, 3.0]), (1.0, 2.0))


def test_a_check_never_raises_on_a_learners_exception_nor_warns_on_overflow():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_check("9.4", lambda x: np.exp(x * 1e4), [Case("x = 1", (1.0,), 1.0)])
    assert not result.passed and "inf" in repr(result)


def test_fallback_keeps_a_passing_function_and_replaces_a_failing_one(capsys):
    import scratchnet as sn
    passed = _core.CheckResult("9.5", _core.PASSED, "ok")
    failed = _core.CheckResult("9.5", _core.FAILED, "no")

    def numerical_gradient(f, x, eps=1e-6):
        raise NotImplementedError("Exercise 9.5: ...")

    assert fallback(passed, numerical_gradient) is numerical_gradient
    assert fallback(failed, numerical_gradient) is sn.numerical_gradient
    out = capsys.readouterr().out
    assert "your numerical_gradient is used" in out and "scratchnet's own" in out


def test_fallback_puts_the_librarys_methods_on_a_learners_class():
    import scratchnet as sn

    class Dense(sn.Layer):  # a learner's class, as in chapter 1's exercise notebook
        def forward(self, x):
            raise NotImplementedError("Exercise 1.1: ...")

    failed = _core.CheckResult("1.1", _core.FAILED, "no")
    assert fallback(failed, Dense, "forward") is Dense
    assert Dense.forward is sn.Dense.__dict__["forward"]


def test_fallback_restores_a_method_patched_over_the_library():
    import scratchnet as sn
    from scratchnet.utils import add_to_class
    original = sn.Dense.__dict__["backward"]
    try:
        @add_to_class(sn.Dense)
        def backward(self, grad_out):
            raise NotImplementedError("Exercise 3.1: ...")

        @add_to_class(sn.Dense)
        def backward(self, grad_out):  # noqa: F811  (run twice, as a learner does)
            raise NotImplementedError("Exercise 3.1: ...")
        fallback(_core.CheckResult("3.1", _core.FAILED, "no"), sn.Dense, "backward")
        assert sn.Dense.__dict__["backward"] is original
    finally:
        sn.Dense.backward = original


# Review of chapters 6-8's checks: a check never crashes on a learner's answer, and says what
# is wrong with it in words that fit.

def test_a_comparison_that_cannot_read_the_answer_is_a_finding_not_a_crash():
    """Review A1: 6.5 crashed with `truth value of an array` when grad_norm was a list."""
    def compare(r):
        return None if r[0] > 0.5 else "too small"     # raises on a list of numbers
    cases = [Case("a value", expected=(0.6,), call=lambda f: (f(),), compare=compare)]
    result = run_check("9.6", lambda: [0.6, 0.7], cases)
    assert not result.passed and "got ([0.6, 0.7],), expected (0.6,)" in result.message, repr(result)
    assert run_check("9.6", lambda: 0.6, cases).passed


def test_the_checks_own_code_choking_on_an_answer_is_not_blamed_on_the_learner():
    """Review A3: when 8.2's `forward` returned None, the check's own `y * 2.0` raised, and the
    report said that the learner's code raised it."""
    import functools

    from scratchnet.checks.ch06 import _grad_norm_of      # a check's helper: it reads dicts

    class Answer(list):                 # what the learner gave: logs that are not dicts
        def __call__(self):
            return self
    result = run_check("9.6", Answer([None]), [Case("a value", call=functools.partial(_grad_norm_of),
                                                    expected=(2.0,))])
    assert not result.passed and " raised " not in result.message, repr(result)
    assert "the check could not use what your code returned (AttributeError" in result.message

    def learner():
        return None * 2.0                # the learner's own line raises: that is theirs
    assert "raised TypeError" in run_check("9.6", learner, [Case("a value", expected=2.0)]).message


def test_an_unusable_answer_is_reported_as_what_is_wrong():
    def call(f):
        if f() is None:
            raise _core.Unusable("forward returned None")
        return f()
    result = run_check("9.7", lambda: None, [Case("a value", call=call, expected=1.0)])
    assert result.message.endswith("is wrong: forward returned None."), repr(result)


def test_none_inside_an_answer_is_not_a_missing_return():
    """Review A3: 8.3 reported `item 0: got None; did you forget to return the result?` for an
    attribute that was None."""
    why = describe_mismatch((None, 1.0), (3, 1.0))
    assert why == "item 0: expected a number, got None", why
    assert describe_mismatch((4, 1.0), (3, 1.0)) == "item 0: expected 3, got 4"
    assert "forget to `return`" in describe_mismatch(None, 3.0)


def test_numbers_given_as_text_or_none_in_a_list_are_named():
    assert "holding None" in describe_mismatch([0.1, None], np.array([0.1, 0.2]))
    assert "holding '0.2'" in describe_mismatch([0.1, "0.2"], np.array([0.1, 0.2]))


def test_a_report_shows_only_the_item_of_a_tuple_that_differs():
    """Review, cosmetic: 6.2's case 4 printed all three expected and received arrays."""
    expected = (np.zeros(2), np.ones(2), np.full(2, 2.0))
    result = run_check("9.8", lambda: (np.zeros(2), np.ones(2), np.full(2, 3.0)),
                       [Case("three arrays", expected=expected)])
    assert "expected item 2: [2. 2.]" in result.message and "received item 2: [3. 3.]" in result.message
    assert "expected:" not in result.message, repr(result)
