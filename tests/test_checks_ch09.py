"""Chapter 9's exercise checks: typical wrong answers draw the first-tier hint meant for them.
(Stubs and solutions: tests/test_exercises.py.)"""

import math

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.augment import _checked_shifts
from scratchnet.checks import _core, ch09
from scratchnet.metrics import _class_labels


@pytest.fixture(autouse=True)
def fresh_history():
    _core._LAST.clear()


def assert_hint(result, where):
    assert not result.passed, repr(result)
    assert where in result.where + result.message, repr(result)


# ------------------------------------------------------------------ 9.1 confusion_matrix

def test_confusion_matrix_library_version_passes():
    assert ch09.check_confusion_matrix(sn.confusion_matrix).passed


def confusion(count):
    def confusion_matrix(y_pred, y_true, num_classes=None):
        predicted, labels, k = _class_labels("confusion_matrix", y_pred, y_true, num_classes)
        return count(predicted, labels, k)
    return confusion_matrix


def transposed(predicted, labels, k):
    return np.bincount(predicted * k + labels, minlength=k * k).reshape(k, k)


def fancy_increment(predicted, labels, k):
    C = np.zeros((k, k), dtype=np.int64)
    C[labels, predicted] += 1
    return C


def diagonal_only(predicted, labels, k):
    return np.diag(np.bincount(labels, minlength=k))


def floats(predicted, labels, k):
    C = np.zeros((k, k))
    np.add.at(C, (labels, predicted), 1)
    return C


def as_list(predicted, labels, k):
    return np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k).tolist()


@pytest.mark.parametrize("count, where", [
    (transposed, "the matrix is transposed"),
    (fancy_increment, "counted once"),
    (diagonal_only, "only the diagonal is filled"),
    (floats, "returned an array of dtype float64"),                              # review 3: item 0: expected True
    (floats, "counts are integers"),
    (as_list, "returned a list"),                                                # review 3: passed
    (as_list, "return the array itself"),
])
def test_confusion_matrix_typical_mistakes(count, where):
    assert_hint(ch09.check_confusion_matrix(confusion(count)), where)


def test_confusion_matrix_that_ignores_num_classes_or_skips_the_checks():
    def ignores(y_pred, y_true, num_classes=None):
        predicted, labels, _ = _class_labels("confusion_matrix", y_pred, y_true)
        k = int(max(predicted.max(), labels.max())) + 1
        return np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)

    def unchecked(y_pred, y_true, num_classes=None):
        y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
        predicted = y_pred.argmax(axis=1) if y_pred.ndim == 2 else y_pred
        labels = y_true.argmax(axis=1) if y_true.ndim == 2 else y_true
        k = num_classes or (y_pred.shape[1] if y_pred.ndim == 2 else int(max(predicted.max(), labels.max())) + 1)
        C = np.zeros((k, k), dtype=np.int64)
        np.add.at(C, (labels[:len(predicted)], predicted[:len(labels)]), 1)
        return C

    assert_hint(ch09.check_confusion_matrix(ignores), "num_classes was ignored")
    assert_hint(ch09.check_confusion_matrix(unchecked), "must be refused")


def test_confusion_matrix_that_writes_into_its_input():
    """Review 6: the other cases hand the answer copies, so only this case sees the change."""
    def one_hot_in_place(y_pred, y_true, num_classes=None):
        C = sn.confusion_matrix(y_pred, y_true, num_classes)
        if y_pred.ndim == 2:
            y_pred[...] = y_pred == y_pred.max(axis=1, keepdims=True)  # scores made one-hot, in place
        return C

    assert_hint(ch09.check_confusion_matrix(one_hot_in_place), "never write into y_pred or y_true")


def test_not_an_array_names_what_came_instead():
    assert _core.not_an_array(np.zeros(2, np.int32), "f returned", "iu") is None
    assert _core.not_an_array(np.zeros(2), "f returned", "iu", "integers") == \
        "f returned an array of dtype float64, expected integers"
    assert _core.not_an_array([1, 2], "f returned") == "f returned a list, expected a NumPy array of numbers"
    assert _core.not_an_array((1, 2), "f returned").startswith("f returned a tuple")
    assert _core.not_an_array(np.int64(3), "f returned").startswith("f returned an int64")
    assert _core.not_an_array(None, "f returned").startswith("f returned None")


def test_confusion_matrix_second_failure_shows_what_to_write():
    ch09.check_confusion_matrix(confusion(transposed))
    again = ch09.check_confusion_matrix(confusion(transposed))
    assert again.show_what and "what: count at [true, predicted]" in repr(again)


# ------------------------------------------------------------------ 9.2 shift_images

def shifter(move):
    def shift_images(images, dy, dx):
        images, dy, dx = _checked_shifts("shift_images", images, dy, dx)
        return move(images, dy, dx)
    return shift_images


def rolled(images, dy, dx):
    return np.stack([np.roll(images[b], (dy[b], dx[b]), axis=(0, 1)) for b in range(len(images))])


def windows(images, dy, dx, sign=1, swap=False, first_only=False):
    """The chapter's method, with a typical slip."""
    n, h, w = images.shape
    if swap:
        dy, dx = dx, dy
    if first_only:
        dy, dx = np.full(n, dy[0]), np.full(n, dx[0])
    m = int(max(np.abs(dy).max(), np.abs(dx).max(), 0))
    padded = np.pad(images, ((0, 0), (m, m), (m, m)))
    view = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))
    return view[np.arange(n), m - sign * dy, m - sign * dx]


def loop_over_images(images, dy, dx):  # right, but slow: passes, as the check cannot see speed
    out = np.zeros_like(images)
    for b in range(len(images)):
        out[b] = windows(images[b:b + 1], dy[b:b + 1], dx[b:b + 1])[0]
    return out


def in_place(images, dy, dx):
    images[...] = windows(images, dy, dx)
    return images


def as_float64(images, dy, dx):
    return windows(images, dy, dx).astype(np.float64)


def modulo(images, dy, dx):  # a negative shift wraps: -1 becomes width - 1
    return windows(images, dy % images.shape[1], dx % images.shape[2])


def test_shift_images_library_version_and_a_loop_pass():
    assert ch09.check_shift_images(sn.shift_images).passed
    assert ch09.check_shift_images(shifter(loop_over_images)).passed


@pytest.mark.parametrize("move, where", [
    (rolled, "np.roll wraps around"),
    (lambda i, dy, dx: windows(i, dy, dx, sign=-1), "the image moved up"),
    (lambda i, dy, dx: windows(i, dy, dx, swap=True), "dy moves along the rows"),
    (lambda i, dy, dx: windows(i, dy, dx, first_only=True), "every image got the shift of the first"),
    (as_float64, "keep the dtype"),
    (in_place, "never write into `images`"),
    (lambda i, dy, dx: windows(i, dy, dx).tolist(), "shift_images returned a list"),   # review 5: "keep the dtype"
    (modulo, "pixels shifted out are lost, zeros come in"),                           # review 5: "a negative dx"
])
def test_shift_images_typical_mistakes(move, where):
    assert_hint(ch09.check_shift_images(shifter(move)), where)


def test_shift_images_without_the_argument_checks():
    def unchecked(images, dy, dx):
        images = np.asarray(images)
        n = len(images)
        return windows(images, np.broadcast_to(np.asarray(dy).astype(int), (n,)),
                       np.broadcast_to(np.asarray(dx).astype(int), (n,)))

    assert_hint(ch09.check_shift_images(unchecked), "refuse what is not a batch of images")


# ------------------------------------------------------------------ 9.3 precision and recall

def pr(compute):
    def precision_recall(C):
        C = np.asarray(C)
        if C.ndim != 2 or C.shape[0] != C.shape[1]:
            raise ValueError(f"C must be square, got {C.shape}")
        return compute(C)
    return precision_recall


def right(C):
    C = C.astype(float)
    with np.errstate(all="ignore"):
        return np.diag(C) / C.sum(axis=0), np.diag(C) / C.sum(axis=1)


def test_precision_recall_solution_passes():
    assert ch09.check_precision_recall(pr(right)).passed


@pytest.mark.parametrize("compute, where", [
    (lambda C: right(C)[::-1], "precision and recall are swapped"),
    (lambda C: (np.diag(C) / C.sum(), np.diag(C) / C.sum()), "divide by the total"),
    (lambda C: (np.diag(C) // np.maximum(C.sum(axis=0), 1), np.diag(C) // np.maximum(C.sum(axis=1), 1)),
     "integer division"),
    (lambda C: tuple(np.nan_to_num(a) for a in right(C)), "got precision 0"),
])
def test_precision_recall_typical_mistakes(compute, where):
    assert_hint(ch09.check_precision_recall(pr(compute)), where)


def normalises_in_place(C):
    """Right values, but C /= ... divides the caller's float matrix (np.asarray does not copy it)."""
    C = np.asarray(C, dtype=float)
    with np.errstate(all="ignore"):
        recall = np.diag(C) / C.sum(axis=1)
        C /= C.sum(axis=0)
    return np.diag(C), recall


@pytest.mark.parametrize("compute, where", [
    (lambda C: tuple(a.tolist() for a in right(C)), "the precision is a list"),       # review 4: passed
    (lambda C: tuple(a.tolist() for a in right(C)), "return the arrays themselves"),
    (lambda C: (right(C)[0], right(C)[1].tolist()), "the recall is a list"),
    (normalises_in_place, "never write into C"),                                      # review 6: passed
])
def test_precision_recall_lists_and_changed_input(compute, where):
    assert_hint(ch09.check_precision_recall(pr(compute)), where)


def test_precision_recall_that_accepts_any_shape():
    def any_shape(C):
        return right(np.asarray(C)[:, :min(np.shape(C))])
    assert_hint(ch09.check_precision_recall(any_shape), "refuse others")


# ------------------------------------------------------------------ 9.4 divergence_lr

def divergence(rule, fresh=True, nan_safe=True):
    def divergence_lr(make_model, x, y, lrs, steps=20, batch_size=64):
        model = None if fresh else make_model(lrs[0])
        for lr in lrs:
            if fresh:
                model = make_model(lr)
            losses = [model.train_on_batch(x[k * batch_size:(k + 1) * batch_size],
                                           y[k * batch_size:(k + 1) * batch_size]) for k in range(steps)]
            bad = rule(losses[-1], losses[0])
            if nan_safe:
                bad = bad or not math.isfinite(losses[-1])
            if bad:
                return lr
        return None
    return divergence_lr


def test_divergence_lr_solution_passes():
    assert ch09.check_divergence_lr(divergence(lambda last, first: last > first)).passed


@pytest.mark.parametrize("wrong, where", [
    (divergence(lambda last, first: last >= first), "bounded, not growing"),
    (divergence(lambda last, first: last > first, nan_safe=False), "a NaN loss was not caught"),
    (divergence(lambda last, first: last > first, fresh=False), "only one model was made"),
    (divergence(lambda last, first: False), "nothing was found to diverge"),
])
def test_divergence_lr_typical_mistakes(wrong, where):
    assert_hint(ch09.check_divergence_lr(wrong), where)


@pytest.mark.parametrize("rule", [
    lambda losses: losses[-1] > min(losses),
    lambda losses: losses[-1] > losses[1],
    lambda losses: bool(np.any(np.diff(losses) > 0)),
    lambda losses: max(losses) > losses[0],
], ids=["last above the minimum", "last above the second", "any step up", "any loss above the first"])
def test_divergence_lr_with_a_wrong_test_for_noisy_losses(rule):
    """Review 1: each passed while every stand-in's loss fell or rose smoothly."""
    def wrong(make_model, x, y, lrs, steps=20, batch_size=64):
        for lr in lrs:
            model = make_model(lr)
            losses = [model.train_on_batch(x[k * batch_size:(k + 1) * batch_size],
                                           y[k * batch_size:(k + 1) * batch_size]) for k in range(steps)]
            if not math.isfinite(losses[-1]) or rule(losses):
                return lr
        return None

    result = ch09.check_divergence_lr(wrong)
    assert_hint(result, "the last loss is below the first: not diverged")
    assert "noisy losses" in result.message


def test_divergence_lr_that_sorts_the_rates():
    """Review 2: every lrs was ascending, so sorting them passed."""
    solution = divergence(lambda last, first: last > first)

    def sorts(make_model, x, y, lrs, steps=20, batch_size=64):
        return solution(make_model, x, y, sorted(lrs), steps, batch_size)

    assert_hint(ch09.check_divergence_lr(sorts), "the first in the order given")


def test_the_noisy_stand_in_ends_where_the_check_says():
    assert ch09._NOISY[-1] < ch09._NOISY[0] and min(ch09._NOISY) < ch09._NOISY[-1]
    assert ch09._NOISY[1] < ch09._NOISY[-1] and max(ch09._NOISY) > ch09._NOISY[0]
    assert ch09._ENDS_UP[-1] > ch09._ENDS_UP[0] and len(ch09._NOISY) == len(ch09._ENDS_UP) == 10


def test_divergence_lr_that_returns_the_last_stable_rate():
    def last_stable(make_model, x, y, lrs, steps=20, batch_size=64):
        stable = None
        for lr in lrs:
            model = make_model(lr)
            losses = [model.train_on_batch(x[k * batch_size:(k + 1) * batch_size],
                                           y[k * batch_size:(k + 1) * batch_size]) for k in range(steps)]
            if not (losses[-1] <= losses[0]):
                return stable
            stable = lr
        return None
    assert_hint(ch09.check_divergence_lr(last_stable), "not the first learning rate that diverged")


def test_divergence_lr_on_whole_data_instead_of_batches():
    def whole(make_model, x, y, lrs, steps=20, batch_size=64):
        for lr in lrs:
            model = make_model(lr)
            losses = [model.train_on_batch(x, y) for _ in range(steps)]
            if not math.isfinite(losses[-1]) or losses[-1] > losses[0]:
                return lr
        return None
    assert_hint(ch09.check_divergence_lr(whole), "each model should get 5 calls")


def test_the_parabola_diverges_where_the_theory_says():
    """The stand-in multiplies w - 1 by 1 - 2 c lr at each step: diverging exactly for lr > 1 / c."""
    for c in (1.0, 4.0):
        for lr, grows in [(0.9 / c, False), (1.0 / c, False), (1.1 / c, True)]:
            model = ch09._Parabola(lr, c)
            losses = [model.train_on_batch(np.zeros((1, 1)), [0]) for _ in range(30)]
            assert (losses[-1] > losses[0]) == grows, (c, lr)
