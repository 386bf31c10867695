"""The confusion matrix (chapter 9): counts by hand, from labels, scores and one-hot rows, agreement
with `accuracy`, PyTorch where installed, and bad input. (It has no backward pass to check.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.metrics import confusion_matrix


def test_by_hand():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 2, 1, 2, 1, 2])
    C = confusion_matrix(y_pred, y_true)
    assert C.dtype == np.int64
    assert C.tolist() == [[1, 0, 1], [0, 1, 0], [0, 1, 2]]


def test_repeated_pairs_are_all_counted():
    """The trap of C[t, p] += 1 with fancy indexing: each (t, p) pair here occurs many times."""
    y_true = np.array([1] * 5 + [0] * 3)
    y_pred = np.array([1] * 4 + [0] * 4)
    assert confusion_matrix(y_pred, y_true).tolist() == [[3, 0], [1, 4]]


def test_scores_one_hot_rows_and_a_column_of_labels_give_the_same_matrix():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(50, 4))
    labels = rng.integers(0, 4, size=50)
    expected = confusion_matrix(scores.argmax(axis=1), labels, 4)
    assert np.array_equal(confusion_matrix(scores, labels), expected)
    assert np.array_equal(confusion_matrix(scores, np.eye(4)[labels]), expected)
    assert np.array_equal(confusion_matrix(scores, labels.reshape(-1, 1)), expected)
    assert np.array_equal(confusion_matrix(scores.argmax(axis=1).astype(float), labels, 4), expected)


def test_rows_add_up_to_the_classes_and_the_trace_to_the_right_answers():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(300, 10)).astype(np.float32)
    labels = rng.integers(0, 10, size=300)
    C = confusion_matrix(scores, labels)
    assert C.shape == (10, 10) and C.sum() == 300
    assert np.array_equal(C.sum(axis=1), np.bincount(labels, minlength=10))
    assert np.array_equal(C.sum(axis=0), np.bincount(scores.argmax(axis=1), minlength=10))
    assert np.trace(C) / 300 == pytest.approx(sn.accuracy(scores, labels))


def test_num_classes_sets_the_size_and_the_default_comes_from_the_data():
    assert confusion_matrix(np.array([0, 1]), np.array([1, 1])).shape == (2, 2)
    C = confusion_matrix(np.array([0, 1]), np.array([1, 1]), num_classes=5)
    assert C.shape == (5, 5) and C[1].tolist() == [1, 1, 0, 0, 0] and C[2:].sum() == 0
    assert confusion_matrix(np.zeros((3, 7)), np.array([0, 1, 2])).shape == (7, 7)  # the scores' width


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    scores = rng.normal(size=(500, 10)).astype(np.float32)
    labels = rng.integers(0, 10, size=500)
    t_pred = torch.tensor(scores).argmax(dim=1)
    t_true = torch.tensor(labels)
    expected = torch.zeros(10, 10, dtype=torch.int64).index_put_(
        (t_true, t_pred), torch.ones(500, dtype=torch.int64), accumulate=True)
    assert np.array_equal(confusion_matrix(scores, labels), expected.numpy())


@pytest.mark.parametrize("y_pred, y_true, kwargs, error, match", [
    (np.array([0, 1, 2]), np.array([0, 1]), {}, ValueError,
     r"y_pred of shape \(3,\) and y_true of shape \(2,\) do not describe the same samples"),
    (np.zeros((3, 4)), np.zeros((3, 5)), {}, ValueError, "do not describe the same samples"),
    (np.array([], dtype=int), np.array([], dtype=int), {}, ValueError, "do not describe the same samples"),
    (np.array([0, 1, 2]), np.array([0, 3, 1]), {"num_classes": 3}, ValueError,
     r"y_true holds the class 3, outside 0..2 \(num_classes = 3\)"),
    (np.array([0, -1]), np.array([0, 1]), {}, ValueError, "y_pred holds the class -1, outside 0..1"),
    (np.array([0, 1.5]), np.array([0, 1]), {}, ValueError,
     "y_pred must hold class labels, whole numbers, got 1.5"),
    (np.array([0, 1]), np.array([0, 1]), {"num_classes": 0}, ValueError,
     "num_classes must be a positive integer up to 10,000, got 0"),
    (np.array([0, 1]), np.array([0, 1]), {"num_classes": 2.0}, TypeError, "got 2.0"),
    (np.array([0, 1]), np.array([0, 1]), {"num_classes": True}, TypeError, "got True"),
    (np.array([0, 1]), np.array([0, 1]), {"num_classes": "3"}, TypeError, "num_classes must be a positive integer, got '3'"),
    (np.array([0, 1]), np.array([0, 1]), {"num_classes": 10**9}, ValueError, "up to 10,000, got 1000000000"),
    (np.array([0, 1]), np.array([0, 2**32]), {}, ValueError, r"y_true holds the class 4\.29497e\+09; class labels go up to 9,999"),
    (np.array([0.0, 1e20]), np.array([0, 1]), {}, ValueError, r"y_pred holds the class 1e\+20"),
    (np.array([[np.nan, 1.0], [0.2, 0.8]]), np.array([0, 1]), {}, ValueError, "y_pred holds NaN or infinite values"),
    (np.array([0, 1]), np.array([0.0, np.inf]), {}, ValueError, "y_true holds NaN or infinite values"),
    (np.eye(3), np.full((3, 3), 1 / 3), {}, ValueError, r"y_true of shape \(3, 3\) must be one-hot rows, a single 1 in each"),
    (np.eye(2), np.array([[1, 1], [0, 1]]), {}, ValueError, "must be one-hot rows"),
    (np.array(["a", "b"]), np.array([0, 1]), {}, TypeError, "y_pred must hold numbers"),
])
def test_bad_input_is_refused_with_a_message(y_pred, y_true, kwargs, error, match):
    with pytest.raises(error, match=match):
        confusion_matrix(y_pred, y_true, **kwargs)
