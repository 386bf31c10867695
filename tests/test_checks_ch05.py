"""Chapter 5's exercise checks: typical wrong answers draw the hint meant for them.
(The stubs and the notebook's solutions are tested for every chapter in tests/test_exercises.py.)"""

import numpy as np
import pytest

from scratchnet.checks import ch05


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def one_hot(labels, z):
    return np.eye(z.shape[1])[labels]


@pytest.mark.parametrize("wrong, hint", [
    (lambda z: np.log(np.exp(z).sum(axis=1)), "Subtract each row's max"),  # no max trick: inf
    (lambda z: np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)), "forgot to add it back"),
    (lambda z: z.max() + np.log(np.exp(z - z.max()).sum()), "not over the whole batch"),
    (lambda z: (z.max(axis=1, keepdims=True)
                + np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))), "shape (batch, 1)"),
])
def test_logsumexp_typical_mistakes(wrong, hint):
    result = ch05.check_logsumexp(wrong)  # RuntimeWarning is an error here: the check must silence them
    assert not result.passed and hint in result.hint
    assert "expected:" in result.message and "received:" in result.message


def _true_class(p, labels):
    return p[np.arange(len(p)), labels]


@pytest.mark.parametrize("wrong, hint", [
    (lambda p, labels: np.mean(np.log(_true_class(p, labels))), "sign is wrong"),
    (lambda p, labels: -np.sum(np.log(_true_class(p, labels))), "MEAN over the samples"),
    (lambda p, labels: -np.log(_true_class(p, labels)), "one loss per sample"),
    (lambda p, labels: -np.mean(np.log(p[:, labels])), "p[:, labels] takes whole columns"),
    (lambda p, labels: -np.mean(np.log(p)), "log of every probability"),
    (lambda p, labels: -np.mean(np.sum(np.log(p), axis=1)), "log of every probability"),
    (lambda p, labels: -np.mean(np.sum(one_hot(labels, p) * np.log(p), axis=1)), "0 * log 0"),
])
def test_sparse_cross_entropy_typical_mistakes(wrong, hint):
    result = ch05.check_sparse_cross_entropy(wrong)
    assert not result.passed and hint in result.hint


@pytest.mark.parametrize("wrong, hint", [
    (lambda z, labels: softmax(z) - one_hot(labels, z), "divide by the batch size"),
    (lambda z, labels: (one_hot(labels, z) - softmax(z)) / len(z), "not y - p"),
    (lambda z, labels: (softmax(z) + one_hot(labels, z)) / len(z), "you added the targets"),
    (lambda z, labels: (softmax(z) - labels[:, None]) / len(z), "one-hot rows"),
    (lambda z, labels: (z - one_hot(labels, z)) / len(z), "instead of the probabilities"),
    (lambda z, labels: (np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) - one_hot(labels, z)) / len(z),
     "inf / inf = nan"),
])
def test_softmax_cross_entropy_grad_typical_mistakes(wrong, hint):
    result = ch05.check_softmax_cross_entropy_grad(wrong)
    assert not result.passed and hint in result.hint


def test_a_crashing_answer_is_reported_not_raised():
    def crashes(z):
        return z @ np.ones(2)
    result = ch05.check_logsumexp(crashes)
    assert not result.passed and "raised ValueError" in result.message


def test_passing_something_that_is_not_a_function():
    result = ch05.check_sparse_cross_entropy(0.5)
    assert not result.passed and "without calling it" in result.hint


def test_checks_do_not_import_the_chapters_losses():
    import inspect
    source = inspect.getsource(ch05)
    assert "scratchnet.losses" not in source.replace("does not import\n`scratchnet.losses`", "")
    assert "import scratchnet.losses" not in source and "from scratchnet.losses" not in source
