"""Metrics (chapter 6): values by hand, PyTorch, bad inputs. Metrics have no backward pass, so
there is no gradient check; the fourth kind here checks that the metrics `fit` logs are the
batch-size-weighted means of these functions."""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.metrics import METRICS, accuracy, get_metric, mean_absolute_error

SCORES = np.array([[0.1, 2.0, -1.0],
                   [1.5, 0.3, 0.9],
                   [0.2, -0.4, 0.7],
                   [-2.0, 1.0, 0.5]])      # argmax: 1, 0, 2, 1
LABELS = np.array([1, 2, 2, 0])           # right, wrong, right, wrong


# values by hand

def test_accuracy_by_hand_with_labels_one_hot_rows_and_a_column():
    assert accuracy(SCORES, LABELS) == 0.5
    assert accuracy(SCORES, np.eye(3)[LABELS]) == 0.5
    assert accuracy(SCORES, LABELS.reshape(4, 1)) == 0.5
    assert accuracy(SCORES, np.array([1, 0, 2, 1])) == 1.0
    assert isinstance(accuracy(SCORES, LABELS), float)


def test_accuracy_of_yes_no_probabilities():
    p = np.array([0.9, 0.2, 0.6, 0.4])
    assert accuracy(p, np.array([1, 0, 0, 0])) == 0.75
    assert accuracy(p.reshape(4, 1), np.array([[1.0], [0.0], [1.0], [1.0]])) == 0.75


def test_accuracy_takes_scores_not_only_probabilities():
    """The argmax of logits is the argmax of their softmax."""
    probs = sn.Softmax().forward(SCORES)
    assert accuracy(probs, LABELS) == accuracy(SCORES, LABELS)


def test_mean_absolute_error_by_hand():
    assert mean_absolute_error(np.array([1.0, 2.0]), np.array([1.5, 1.0])) == 0.75
    assert mean_absolute_error(np.array([[0.0], [3.0]]), np.array([[1.0], [1.0]])) == 1.5
    assert isinstance(mean_absolute_error(np.ones(2), np.ones(2)), float)


def test_get_metric_by_name_and_by_function():
    assert get_metric("accuracy") == ("accuracy", accuracy)
    assert get_metric("acc") == ("accuracy", accuracy)
    assert get_metric("mae") == ("mae", mean_absolute_error)
    assert get_metric("mean_absolute_error") == ("mae", mean_absolute_error)

    def top_2(y_pred, y_true):
        return 1.0
    assert get_metric(top_2) == ("top_2", top_2)
    assert set(METRICS) == {"accuracy", "acc", "mae", "mean_absolute_error"}


# the logs of fit: batch-size-weighted means of the metric over the epoch

def test_fit_logs_the_weighted_mean_of_the_batch_metrics():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 2)).astype(np.float32)
    y = rng.integers(0, 3, size=10)
    model = sn.Sequential([sn.Dense(2, 3, rng=0)])
    model.compile(sn.SoftmaxCrossEntropy(), sn.SGD(lr=1e-9), metrics=["accuracy"])  # lr ~ 0: fixed
    history = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    scores = model.predict(x)
    per_batch = [accuracy(scores[s:s + 4], y[s:s + 4]) * len(y[s:s + 4]) for s in (0, 4, 8)]
    assert np.isclose(history.history["accuracy"][0], sum(per_batch) / 10)
    assert np.isclose(history.history["accuracy"][0], accuracy(scores, y))


# PyTorch

def test_metrics_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    scores, labels = rng.normal(size=(50, 7)), rng.integers(0, 7, size=50)
    expected = (torch.tensor(scores).argmax(dim=1) == torch.tensor(labels)).float().mean().item()
    assert np.isclose(accuracy(scores, labels), expected)
    a, b = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    expected = torch.nn.functional.l1_loss(torch.tensor(a), torch.tensor(b)).item()
    assert np.isclose(mean_absolute_error(a, b), expected)


# bad inputs

@pytest.mark.parametrize("y_pred, y_true", [
    (SCORES, LABELS[:3]),                      # one label short
    (SCORES, np.eye(4)),                       # one-hot rows of another width
    (SCORES[0], 1),                            # one sample without its batch axis
    (np.zeros((0, 3)), np.zeros(0)),           # nothing at all
    (np.zeros((2, 2, 2)), np.zeros(2)),        # images, not scores
])
def test_accuracy_refuses_shapes_that_do_not_match(y_pred, y_true):
    with pytest.raises(ValueError, match=r"accuracy: y_pred of shape .* and y_true of shape .* do not "
                                         r"describe the same samples"):
        accuracy(y_pred, y_true)


def test_mean_absolute_error_refuses_silent_broadcasting():
    with pytest.raises(ValueError, match=r"y_pred has shape \(4, 1\) and y_true has shape \(4,\)"):
        mean_absolute_error(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="not empty"):
        mean_absolute_error(np.zeros(0), np.zeros(0))


@pytest.mark.parametrize("metric, kind", [("acuracy", ValueError), ("", ValueError), (3, TypeError),
                                          (None, TypeError)])
def test_unknown_metrics_are_refused_with_the_known_names(metric, kind):
    with pytest.raises(kind, match=rf"^get_metric: unknown metric {metric!r}; use one of acc, accuracy, mae, "
                                   "mean_absolute_error, or a function"):
        get_metric(metric)


def test_metric_names_ignore_case_as_loss_names_do():
    assert get_metric("Accuracy") == ("accuracy", accuracy) and get_metric("MAE") == ("mae", mean_absolute_error)


@pytest.mark.parametrize("y_pred, y_true, message", [
    ([[0.2], [0.9], [0.7]], [0, 1, 2], r"y_true must hold labels 0 or 1 for y_pred of shape \(3, 1\), got 2 at index 2"),
    ([0.2, 0.9], [0.3, 1.0], r"y_true must hold labels 0 or 1 for y_pred of shape \(2,\), got 0.3 at index 0"),
    ([[1.0, 0.0], [0.0, 1.0]], [0.7, 1.0], r"y_true must hold class labels 0 to 1 for y_pred of shape \(2, 2\), "
                                           r"got 0.7 at index 0"),
    ([[1.0, 0.0, 0.0]], [3], r"y_true must hold class labels 0 to 2 for y_pred of shape \(1, 3\), got 3 at index 0"),
    ([[1.0, 0.0, 0.0]], [-1], r"y_true must hold class labels 0 to 2 .*got -1 at index 0"),
])
def test_accuracy_refuses_labels_that_are_not_classes(y_pred, y_true, message):
    with pytest.raises(ValueError, match=rf"^accuracy: {message} \(for a regression, use mean_absolute_error\)$"):
        accuracy(y_pred, y_true)


def test_accuracy_accepts_whole_labels_of_any_dtype_as_the_companion():
    assert accuracy([[0.2], [0.9], [0.7]], [0, 1, 0]) == pytest.approx(2 / 3)
    assert accuracy([[0.2], [0.9]], np.array([0.0, 1.0], np.float32)) == 1.0
    assert accuracy([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [0.0, 2.0]) == 1.0


def test_metrics_refuse_text():
    with pytest.raises(TypeError, match="mean_absolute_error: y_pred must hold numbers, got dtype <U1"):
        mean_absolute_error(["a"], ["b"])
    with pytest.raises(TypeError, match="accuracy: y_pred must hold numbers"):
        accuracy(np.array([["a", "b"]]), np.array([0]))
    with pytest.raises(TypeError, match="accuracy: y_true must hold numbers"):
        accuracy(SCORES, np.array(["x", "y", "z", "w"]))
