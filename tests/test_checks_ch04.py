"""Chapter 4's exercise checks: typical wrong answers draw the hint meant for them.
(The stubs and the notebook's solutions are tested for every chapter in tests/test_exercises.py.)"""

import ast
from pathlib import Path

import numpy as np
import pytest

from scratchnet.checks import ch04


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, g: (x > 0).astype(float), "the slope [x > 0] itself"),
    (lambda x, g: g, "unchanged"),
    (lambda x, g: g * (x >= 0), "x > 0, not x >= 0"),
    (lambda x, g: g * np.maximum(x, 0), "multiplied by ReLU(x)"),
    (lambda x, g: np.maximum(g, 0), "applied ReLU to grad_out"),
])
def test_relu_backward_typical_mistakes(wrong, hint):
    result = ch04.check_relu_backward(wrong)
    assert not result.passed and hint in result.hint
    assert "expected:" in result.message and "received:" in result.message


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("wrong, hint", [
    (lambda s, g: g * s, "not s"),
    (lambda s, g: s * (1 - s), "without grad_out"),
    (lambda s, g: g * _sigmoid(s) * (1 - _sigmoid(s)), "already sigmoid(x)"),
    (lambda s, g: g * (1 - s), "only (1 - s)"),
])
def test_sigmoid_backward_typical_mistakes(wrong, hint):
    result = ch04.check_sigmoid_backward(wrong)
    assert not result.passed and hint in result.hint


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, g: g * (1 - y), "square the output"),
    (lambda y, g: 1 - y ** 2, "without grad_out"),
    (lambda y, g: g * (1 - np.tanh(y) ** 2), "already tanh(x)"),
    (lambda y, g: g * y ** 2, "1 at y = 0"),
])
def test_tanh_backward_typical_mistakes(wrong, hint):
    result = ch04.check_tanh_backward(wrong)
    assert not result.passed and hint in result.hint


def _naive(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def _columns(x):
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _whole_batch(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def _global_max(x):
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)


def _no_keepdims(x):
    e = np.exp(x - x.max(axis=-1))
    return e / e.sum(axis=-1)


@pytest.mark.parametrize("wrong, hint, case", [
    (_naive, "max trick", 4),
    (_columns, "normalised each column", 1),
    (_whole_batch, "sum over the whole batch", 2),
    (_global_max, "each row's own maximum", 5),
    (_no_keepdims, "keepdims=True", 2),
])
def test_softmax_typical_mistakes(wrong, hint, case):
    result = ch04.check_softmax(wrong)  # pytest turns RuntimeWarnings into errors: the check must not warn
    assert not result.passed and hint in result.hint and result.case == case


def test_a_crashing_answer_is_reported_not_raised():
    def crashes(x, grad_out):
        return grad_out @ x  # (1, 4) @ (1, 4) does not fit
    result = ch04.check_relu_backward(crashes)
    assert not result.passed and "raised ValueError" in result.message


def test_passing_something_that_is_not_a_function():
    result = ch04.check_softmax(np.zeros((2, 3)))
    assert not result.passed and "without calling it" in result.hint


def test_checks_do_not_import_chapter_modules():
    """Gating: the checks must work against a package exported only from earlier chapters."""
    tree = ast.parse(Path(ch04.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m and m.split(".")[:2] != ["scratchnet", "checks"] and m.startswith("scratchnet")}
