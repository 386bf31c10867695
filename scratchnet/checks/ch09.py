"""Checks for chapter 9's exercises: building `confusion_matrix` and `shift_images`, then per-class
precision and recall, and the learning rate at which training diverges.

Each check computes its expected values itself, with a few lines of NumPy, and runs the learner's
code on small cases worked by hand and on stand-ins (a "model" that is one number on a parabola,
and one that replays given noisy losses); it does not import chapter-exported modules, so it works
whichever chapters have been exported. Answers that must be arrays are required to be NumPy arrays
of the right kind (a list of the right numbers fails), and the arguments the learner's code gets
are checked to be unchanged afterwards.
"""

from __future__ import annotations

import math

import numpy as np

from scratchnet._reference import shifted
from scratchnet.checks._core import (Case, CheckResult, Mistake, Raises, close, fallback, more_help,
                                     not_an_array, quietly, run_check)

__all__ = ["fallback", "more_help", "check_confusion_matrix", "check_shift_images",
           "check_precision_recall", "check_divergence_lr"]


# ------------------------------------------------------------------ 9.1 confusion_matrix

def _confusion(true, predicted, k):
    """The reference: C[i, j] counts the samples of class i predicted as j."""
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (np.asarray(true), np.asarray(predicted)), 1)
    return C


def _once_per_pair(true, predicted, k):
    """What C[true, predicted] += 1 gives: a pair that repeats is counted once."""
    C = np.zeros((k, k), dtype=np.int64)
    C[np.asarray(true), np.asarray(predicted)] += 1
    return C


def check_confusion_matrix(confusion_matrix) -> CheckResult:
    """Exercise 9.1: `confusion_matrix(y_pred, y_true, num_classes=None)`, C[i, j] = the number of
    samples of true class i predicted as class j."""
    what = ('predicted, labels, k = _class_labels("confusion_matrix", y_pred, y_true, num_classes); '
            "counts = np.bincount(labels * k + predicted, minlength=k * k); return "
            "counts.reshape(k, k).")
    pred = np.array([0, 1, 1, 2, 2, 2])
    true = np.array([0, 1, 2, 2, 2, 0])
    by_hand = _confusion(true, pred, 3)
    rng = np.random.default_rng(9)
    scores = rng.normal(size=(40, 10)).astype(np.float32)
    labels = rng.integers(0, 10, size=40)
    big = _confusion(labels, scores.argmax(axis=1), 10)
    cases = [
        Case("y_pred = [0, 1, 1, 2, 2, 2], y_true = [0, 1, 2, 2, 2, 0]: rows are true classes",
             args=(pred, true), expected=by_hand,
             mistakes=[Mistake(lambda r: close(r, by_hand.T),
                               "the matrix is transposed: row i must be the true class i, column j the "
                               "predicted class j.", "count at [true, predicted], not [predicted, "
                               "true]."),
                       Mistake(lambda r: close(r, _once_per_pair(true, pred, 3)),
                               "the pair (true 2, predicted 2) occurs twice but was counted once: "
                               "C[labels, predicted] += 1 with fancy indexing adds 1 once per distinct "
                               "pair, however often it repeats.", what),
                       Mistake(lambda r: close(r, np.diag(np.bincount(true, minlength=3))),
                               "only the diagonal is filled: every sample counts once, in the row of "
                               "its true class and the column of its predicted class.", what)],
             where="entry [i, j] counts the samples whose true class is i and predicted class is j.",
             what=what),
        Case("scores of shape (40, 10): the predicted class is each row's argmax",
             args=(scores, labels), expected=big,
             mistakes=[Mistake(lambda r: close(r, big.T), "the matrix is transposed: rows are true "
                               "classes, columns predicted ones.", what)],
             where="with scores, the predicted class of a sample is the argmax of its row.", what=what),
        Case("the answer is an array of integer counts that add up to the number of samples",
             call=lambda f: quietly(f, scores, labels), compare=_integer_counts,
             mistakes=[Mistake(lambda r: isinstance(r, (list, tuple)),
                               "confusion_matrix must return a NumPy array, not a list: return the "
                               "array itself (no .tolist()).", what),
                       Mistake(lambda r: isinstance(r, np.ndarray) and r.dtype.kind == "f",
                               "counts are integers, but the matrix has a float dtype: np.bincount "
                               "gives integer counts; np.zeros makes float64 unless given "
                               "dtype=int.", what)],
             where="np.bincount gives integer counts; counts that do not add up to the batch mean a "
                   "sample was lost or counted twice.", what=what),
        Case("num_classes = 5 with labels 0..2 only: a 5 x 5 matrix, the last two rows and columns 0",
             args=(pred, true, 5), expected=_confusion(true, pred, 5),
             mistakes=[Mistake(lambda r: np.shape(r) == (3, 3), "num_classes was ignored: the matrix "
                               "must be num_classes x num_classes, even for classes that never occur.",
                               what)],
             where="num_classes fixes the size of the matrix.", what=what),
        Case("y_true given as one-hot rows", args=(np.eye(3)[pred], np.eye(3)[true]), expected=by_hand,
             where="_class_labels turns one-hot rows into labels; use what it returns.", what=what),
        Case("y_pred and y_true are left as they were", call=_inputs_unchanged, expected=True,
             where="return a new matrix; never write into y_pred or y_true.", what=what),
        Case("y_pred with 3 samples and y_true with 4", args=(np.array([0, 1, 2]), np.array([0, 1, 2, 2])),
             expected=Raises(ValueError, ["y_pred", "y_true"]),
             where="samples that do not match must be refused, naming both arguments.", what=what),
        Case("the label 3 with num_classes = 3", args=(np.array([0, 1, 2]), np.array([0, 3, 1]), 3),
             expected=Raises(ValueError, ["y_true", "num_classes"]),
             where="a class outside 0..num_classes - 1 must be refused, not counted elsewhere.",
             what=what),
    ]
    return run_check("9.1", confusion_matrix, cases)


def _integer_counts(received):
    """None when received is an integer array whose counts add up to the 40 samples, else why not."""
    why = not_an_array(received, "confusion_matrix returned", "iu", "a NumPy array of integer counts")
    if why:
        return why
    total = int(received.sum())
    return None if total == 40 else f"the counts add up to {total}, expected 40, one per sample"


def _inputs_unchanged(f):
    """True when f left its arguments as they were: scores and labels, then scores and one-hot
    rows (the check's other cases hand f copies, so only this one can see a change)."""
    rng = np.random.default_rng(19)
    pairs = [(rng.normal(size=(12, 4)), rng.integers(0, 4, size=12)),
             (rng.normal(size=(12, 4)), np.eye(4)[rng.integers(0, 4, size=12)])]
    for y_pred, y_true in pairs:
        kept = y_pred.copy(), y_true.copy()
        with np.errstate(all="ignore"):
            f(y_pred, y_true)
        if not (np.array_equal(y_pred, kept[0]) and np.array_equal(y_true, kept[1])):
            return False
    return True


# ------------------------------------------------------------------ 9.2 shift_images

def _rolled(images, dy, dx):
    """What np.roll gives: the pixels pushed out come back on the other side."""
    images = np.asarray(images)
    n = len(images)
    dy, dx = np.broadcast_to(dy, (n,)), np.broadcast_to(dx, (n,))
    return np.stack([np.roll(images[b], (dy[b], dx[b]), axis=(0, 1)) for b in range(n)])


def _unchanged_input(f):
    images = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    kept = images.copy()
    f(images, np.array([1, -1]), np.array([2, 0]))
    return bool(np.array_equal(images, kept))


def check_shift_images(shift_images) -> CheckResult:
    """Exercise 9.2: `shift_images(images, dy, dx)`, each image of the batch moved down by dy[b]
    and right by dx[b] pixels, zeros where nothing came in; vectorised over the batch."""
    what = ("images, dy, dx = _checked_shifts(...); m = the largest |shift|; padded = np.pad(images, "
            "((0, 0), (m, m), (m, m))); windows = sliding_window_view(padded, (height, width), "
            "axis=(1, 2)); return windows[np.arange(batch), m - dy, m - dx].")
    one = np.arange(1, 13, dtype=np.float32).reshape(1, 3, 4)
    down = shifted(one, 1, 0)
    left = shifted(one, 0, -1)
    rng = np.random.default_rng(0)
    three = rng.random((3, 4, 5)).astype(np.float32)
    dy3, dx3 = np.array([1, 0, -2]), np.array([0, 2, -1])
    many = rng.random((30, 28, 28)).astype(np.float32)
    dy30, dx30 = rng.integers(-2, 3, 30), rng.integers(-2, 3, 30)
    cases = [
        Case("one 3 x 4 image, dy = 1, dx = 0: down by one row, zeros in the top row",
             args=(one, np.array([1]), np.array([0])), expected=down,
             mistakes=[Mistake(lambda r: close(r, _rolled(one, 1, 0)),
                               "the bottom row came back at the top: np.roll wraps around, but a pixel "
                               "pushed over the edge must be lost and the uncovered row must be 0.", what),
                       Mistake(lambda r: close(r, shifted(one, -1, 0)),
                               "the image moved up: a positive dy moves it down, out[i] = images[i - dy].",
                               "take the window that starts at m - dy, not m + dy."),
                       Mistake(lambda r: close(r, shifted(one, 0, 1)),
                               "the image moved right: dy moves along the rows (axis 1), dx along the "
                               "columns (axis 2).", what)],
             where="the output pixel [i, j] is the input pixel [i - dy, j - dx], or 0 where that is "
                   "outside the image.", what=what),
        Case("the same image, dy = 0, dx = -1: left by one column, zeros in the last column",
             args=(one, np.array([0]), np.array([-1])), expected=left,
             mistakes=[Mistake(lambda r: close(r, shifted(one, 0, 1)),
                               "the image moved right: a negative dx moves it left.", what),
                       Mistake(lambda r: close(r, _rolled(one, 0, -1)),
                               "the first column came back on the right: the uncovered column must be 0.",
                               what),
                       Mistake(lambda r: close(r, shifted(one, 0, -1 % 4)),
                               "the image moved right by 3 = -1 % 4: a shift taken modulo the image's "
                               "size wraps around. A shift is never wrapped: pixels shifted out are "
                               "lost, zeros come in, and a negative dx moves the image left.", what)],
             where="a negative dx moves the image left.", what=what),
        Case("a batch of 3 images of 4 x 5, each with its own shift: dy = [1, 0, -2], dx = [0, 2, -1]",
             args=(three, dy3, dx3), expected=shifted(three, dy3, dx3),
             mistakes=[Mistake(lambda r: close(r, shifted(three, dy3[0], dx3[0])),
                               "every image got the shift of the first: each image b has its own "
                               "(dy[b], dx[b]).", what),
                       Mistake(lambda r: close(r, _rolled(three, dy3, dx3)),
                               "pixels pushed over the edge came back on the other side (np.roll); "
                               "they must be lost, and zeros fill what is uncovered.", what),
                       Mistake(lambda r: close(r, shifted(three, dy3 % 4, dx3 % 5)),
                               "the negative shifts were taken modulo the image's size (-2 % 4 = 2): "
                               "a shift never wraps around; pixels shifted out are lost, zeros come "
                               "in.", what)],
             where="each image b is shifted by its own (dy[b], dx[b]).", what=what),
        Case("one integer for every image: dy = 2, dx = -1", args=(three, 2, -1),
             expected=shifted(three, 2, -1), where="a single integer shifts every image by it.", what=what),
        Case("a shift larger than the image: dy = 5 on 3 rows gives zeros", args=(one, np.array([5]),
             np.array([0])), expected=np.zeros_like(one),
             where="an image shifted by its whole height or more leaves nothing behind.", what=what),
        Case("30 images of 28 x 28, shifts in -2..2, as in training", args=(many, dy30, dx30),
             expected=shifted(many, dy30, dx30),
             where="compare image by image with the rule out[b, i, j] = images[b, i - dy[b], j - dx[b]].",
             what=what),
        Case("float32 in, a float32 array out", call=lambda f: quietly(f, three, dy3, dx3),
             compare=lambda r: not_an_array(r, "shift_images returned", "f", "a NumPy array of float32")
             or (None if r.dtype == np.float32 else f"shift_images returned an array of dtype {r.dtype}, "
                 "expected float32, the dtype of the images"),
             mistakes=[Mistake(lambda r: isinstance(r, (list, tuple)),
                               "shift_images must return a NumPy array, not a list: return the array "
                               "itself (no .tolist()).", what)],
             where="keep the dtype of the images; do not make float64.", what=what),
        Case("the input images are left as they were", call=_unchanged_input, expected=True,
             where="return a new array; never write into `images`.", what=what),
        Case("flat rows of shape (2, 784) instead of images",
             args=(np.zeros((2, 784), np.float32), np.array([0, 1]), np.array([1, 0])),
             expected=Raises(ValueError, ["images", "(batch, height, width)"]),
             where="refuse what is not a batch of images; _checked_shifts does, with a message.",
             what=what),
        Case("a shift of 0.5 pixels", args=(one, np.array([0.5]), np.array([0])),
             expected=Raises(TypeError, ["dy"]),
             where="shifts are whole numbers of pixels; _checked_shifts refuses others.", what=what),
    ]
    return run_check("9.2", shift_images, cases)


# ------------------------------------------------------------------ 9.3 precision and recall

def _precision_recall(C):
    C = np.asarray(C, dtype=float)
    hits = np.diag(C)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / C.sum(axis=0), hits / C.sum(axis=1)


def _same_pair(received, expected):
    """True when received is a pair of arrays equal to expected's (NaN where NaN)."""
    try:
        p, r = received
        return all(np.shape(a) == np.shape(b) and np.allclose(a, b, equal_nan=True)
                   for a, b in zip((p, r), expected))
    except (TypeError, ValueError):
        return False


def _matrix_unchanged(f):
    """True when f left its argument as it was (the other cases hand f a copy)."""
    C = np.array([[5.0, 1.0, 0.0], [2.0, 3.0, 1.0], [0.0, 0.0, 4.0]])
    kept = C.copy()
    with np.errstate(all="ignore"):
        f(C)
    return bool(np.array_equal(C, kept))


def check_precision_recall(precision_recall) -> CheckResult:
    """Exercise 9.3: `precision_recall(C)` returns (precision, recall), one entry per class, from a
    confusion matrix C whose rows are true classes."""
    what = ("hits = np.diag(C); precision = hits / C.sum(axis=0) (columns: everything predicted as the "
            "class); recall = hits / C.sum(axis=1) (rows: every sample of the class); with "
            "np.errstate(invalid='ignore') 0 / 0 gives nan. Refuse a C that is not square.")
    C = np.array([[5, 1, 0], [2, 3, 1], [0, 0, 4]])
    expected = _precision_recall(C)
    never = np.array([[3, 0, 1], [1, 0, 2], [0, 0, 5]])  # class 1 is never predicted
    never_expected = _precision_recall(never)
    empty = np.array([[4, 1], [0, 0]])  # class 1 has no samples

    def compare(expected_pair):
        def check(received):
            try:
                p, r = received
            except (TypeError, ValueError):
                return "expected a pair (precision, recall)"
            for name, got, want in (("precision", p, expected_pair[0]), ("recall", r, expected_pair[1])):
                got = np.asarray(got, dtype=float)
                if got.shape != want.shape:
                    return f"{name} has shape {got.shape}, expected {want.shape}: one entry per class"
                if not np.allclose(got, want, equal_nan=True):
                    return (f"{name} is {np.round(got, 4).tolist()}, expected "
                            f"{np.round(want, 4).tolist()}")
            for name, got in (("precision", p), ("recall", r)):  # the right numbers, of the right kind?
                why = not_an_array(got, f"the {name} is", "f", "a NumPy array of floats")
                if why:
                    return why
            return None
        return check

    totals = C.sum()
    cases = [
        Case("C = [[5, 1, 0], [2, 3, 1], [0, 0, 4]], rows true classes, columns predicted",
             args=(C,), compare=compare(expected),
             mistakes=[Mistake(lambda r: _same_pair(r, expected[::-1]),
                               "precision and recall are swapped: recall divides by a row sum (every "
                               "sample of the class), precision by a column sum (every prediction of it).",
                               what),
                       Mistake(lambda r: _same_pair(r, (np.diag(C) / totals, np.diag(C) / totals)),
                               "both divide by the total number of samples; precision divides by the "
                               "column's sum, recall by the row's.", what),
                       Mistake(lambda r: _same_pair(r, (np.diag(C) // C.sum(axis=0),
                                                        np.diag(C) // C.sum(axis=1))),
                               "the results were rounded down to whole numbers: // is integer "
                               "division; use /.", what),
                       Mistake(lambda r: any(isinstance(a, (list, tuple)) for a in r),
                               "precision and recall must be NumPy arrays, not lists: return the "
                               "arrays themselves (no .tolist()).", what)],
             where="precision of class k: of everything predicted as k, the fraction that is k; recall: "
                   "of every sample of class k, the fraction predicted as k.", what=what),
        Case("a class that is never predicted: its precision is undefined (nan), its recall 0",
             args=(never,), compare=compare(never_expected),
             mistakes=[Mistake(lambda r: _same_pair(r, (np.nan_to_num(never_expected[0]),
                                                        never_expected[1])),
                               "a class that was never predicted got precision 0; 0 / 0 is undefined: "
                               "return nan there, so that it cannot pass for a measured value.", what)],
             where="0 / 0 is nan: let NumPy divide, with np.errstate(invalid='ignore').", what=what),
        Case("a class without samples: its recall is nan", args=(empty,),
             compare=compare(_precision_recall(empty)),
             where="a row that sums to 0 has no recall: nan.", what=what),
        Case("C is left as it was (a float matrix, which np.asarray(C, dtype=float) does not copy)",
             call=_matrix_unchanged, expected=True,
             where="compute new arrays; never write into C (C /= C.sum(...) changes the caller's "
                   "matrix).", what=what),
        Case("a matrix of shape (2, 3)", args=(np.ones((2, 3), dtype=int),),
             expected=Raises(ValueError, ["square"]),
             where="a confusion matrix is square, classes x classes; refuse others, saying so.",
             what=what),
    ]
    return run_check("9.3", precision_recall, cases)


# ------------------------------------------------------------------ 9.4 the learning rate where training diverges

class _Parabola:
    """A stand-in model: one weight w on the parabola L(w) = c (w - 1)^2, started at w = 0, stepped
    by gradient descent with the learning rate it was made with. Gradient descent there multiplies
    w - 1 by (1 - 2 c lr) at every step, so it diverges exactly when lr > 1 / c."""

    made = 0

    def __init__(self, lr, c=1.0, nan_after=None):
        type(self).made += 1
        self.lr, self.c, self.w, self.nan_after = float(lr), c, 0.0, nan_after
        self.batches = []

    def train_on_batch(self, x, y):
        self.batches.append((int(np.asarray(x)[0, 0]), len(x), len(y)))
        loss = self.c * (self.w - 1.0) ** 2
        if self.nan_after is not None and len(self.batches) > self.nan_after:
            return float("nan")
        self.w -= self.lr * 2 * self.c * (self.w - 1.0)
        return loss


def _reference_divergence(lrs, c=1.0, nan_from=None):
    """The first lr at which gradient descent on c (w - 1)^2 grows: |1 - 2 c lr| > 1 (or the
    stand-in turns NaN)."""
    for lr in lrs:
        if nan_from is not None and lr >= nan_from:
            return lr
        factor = abs(1 - 2 * c * lr)
        if factor > 1:
            return lr
    return None


def _run_divergence(f, lrs, c=1.0, steps=10, batch_size=4, nan_from=None, keep=None):
    x = np.arange(60, dtype=np.float32).reshape(60, 1)
    y = np.arange(60)
    made = []

    def make_model(lr):
        model = _Parabola(lr, c, nan_after=2 if nan_from is not None and lr >= nan_from else None)
        made.append(model)
        return model

    with np.errstate(all="ignore"):
        found = f(make_model, x, y, lrs, steps=steps, batch_size=batch_size)
    if keep is not None:
        keep.extend(made)
    return found


class _Replay:
    """A stand-in model whose losses are given: step k returns losses[k] (the last one after that)."""

    def __init__(self, losses):
        self.losses, self.steps = list(losses), 0

    def train_on_batch(self, x, y):
        self.steps += 1
        return self.losses[min(self.steps, len(self.losses)) - 1]


# Noisy losses over 10 steps, as mini-batches give. The first run rises on some steps (once even
# above its start), its lowest loss (0.8) is below its end, its second (1.0) too, yet it ends below
# where it started: not diverged. The second ends above its start: diverged.
_NOISY = [2.0, 1.0, 2.3, 0.8, 1.2, 0.9, 1.3, 1.1, 1.4, 1.2]
_ENDS_UP = [1.0, 0.7, 0.9, 0.6, 1.1, 0.8, 1.2, 1.0, 1.3, 1.5]


def _run_replay(f, runs):
    """What f returns for the lrs of `runs` (lr -> its losses), in that order, 10 steps each."""
    x = np.arange(60, dtype=np.float32).reshape(60, 1)
    y = np.arange(60)
    with np.errstate(all="ignore"):
        return f(lambda lr: _Replay(runs[lr]), x, y, list(runs), steps=10, batch_size=4)


def _found_and_models(f, lrs, **kwargs):
    """(what f returned, how many models it made)."""
    made = []
    found = _run_divergence(f, lrs, keep=made, **kwargs)
    return found, len(made)


def _batches_seen(f):
    made = []
    _run_divergence(f, [0.1, 0.2], steps=5, batch_size=8, keep=made)
    return [m.batches for m in made]


def check_divergence_lr(divergence_lr) -> CheckResult:
    """Exercise 9.4: `divergence_lr(make_model, x, y, lrs, steps=20, batch_size=64)`, the first
    learning rate in lrs at which `steps` steps of training end with a loss that is not finite or
    is larger than the first step's."""
    what = ("for lr in lrs: model = make_model(lr); losses = [model.train_on_batch(x[k * batch_size:"
            "(k + 1) * batch_size], y[...]) for k in range(steps)]; if not np.isfinite(losses[-1]) or "
            "losses[-1] > losses[0]: return lr. After the loop, return None.")
    lrs = [0.1, 0.5, 0.9, 1.2, 3.0]
    first = _reference_divergence(lrs)

    def found(expected):
        return lambda r: None if r[0] == expected else f"expected {expected!r}, got {r[0]!r}"

    def returns(expected):
        return lambda r: None if r == expected else f"expected {expected!r}, got {r!r}"

    cases = [
        Case("a parabola with curvature 1: gradient descent diverges for lr > 1; lrs = "
             "[0.1, 0.5, 0.9, 1.2, 3.0]", call=lambda f: _found_and_models(f, lrs), compare=found(first),
             mistakes=[Mistake(lambda r: r[1] == 1, "only one model was made: call make_model(lr) for "
                               "every lr, and train each new model from the start.", what),
                       Mistake(lambda r: r[0] == 0.9 or r[0] == 3.0,
                               "that is not the first learning rate that diverged: return the first "
                               "lr, in the order given, whose last loss is not finite or larger than "
                               "its first.", what),
                       Mistake(lambda r: r[0] is None, "nothing was found to diverge; compare the "
                               "last loss of each run with its first.", what)],
             where="for each lr in order, train a new model and compare its last loss with its first.",
             what=what),
        Case("lr = 1.0 exactly: the loss stays at its first value, bounded; lrs = [0.5, 1.0, 2.0]",
             call=lambda f: _run_divergence(f, [0.5, 1.0, 2.0]),
             compare=returns(_reference_divergence([0.5, 1.0, 2.0])),
             mistakes=[Mistake(lambda r: r == 1.0, "1.0 was taken for diverging; there the loss "
                               "stays at its first value (w jumps between 0 and 2): bounded, not "
                               "growing. Diverging means larger than the first loss.",
                               "compare with >, not >=.")],
             where="diverging means a last loss larger than the first, or not finite.", what=what),
        Case("the same with curvature 4: diverges for lr > 0.25; lrs = [0.1, 0.2, 0.3, 0.4]",
             call=lambda f: _run_divergence(f, [0.1, 0.2, 0.3, 0.4], c=4.0),
             compare=returns(_reference_divergence([0.1, 0.2, 0.3, 0.4], c=4.0)),
             where="the answer depends on the model: always train one made by make_model(lr).",
             what=what),
        Case("a model whose loss becomes NaN from lr = 0.3: lrs = [0.01, 0.1, 0.3, 0.5]",
             call=lambda f: _run_divergence(f, [0.01, 0.1, 0.3, 0.5], nan_from=0.3),
             compare=returns(_reference_divergence([0.01, 0.1, 0.3, 0.5], nan_from=0.3)),
             mistakes=[Mistake(lambda r: r is None or r == 0.5,
                               "a NaN loss was not caught: nan > anything is False. Test "
                               "np.isfinite(loss) too.", what)],
             where="a loss that is NaN or infinite counts as diverged.", what=what),
        Case("noisy losses: at lr = 0.1 the loss goes up and down, its minimum below its end, but it "
             "ends below its start; at lr = 0.2 it ends above its start",
             call=lambda f: _run_replay(f, {0.1: _NOISY, 0.2: _ENDS_UP}), compare=returns(0.2),
             mistakes=[Mistake(lambda r: r == 0.1,
                               f"0.1 was taken for diverging; its losses {_NOISY} are noisy (they rise "
                               "on some steps, and the lowest is below the last), but the last loss is "
                               "below the first: not diverged. Diverging means the last loss is larger "
                               "than the first, or not finite.",
                               "compare losses[-1] with losses[0], not with min(losses), losses[1] or "
                               "the step before."),
                       Mistake(lambda r: r is None,
                               f"0.2 was not found to diverge; its last loss, {_ENDS_UP[-1]}, is larger "
                               f"than its first, {_ENDS_UP[0]}.", what)],
             where="diverging means a last loss larger than the first, or not finite; compare those two "
                   "only.", what=what),
        Case("lrs out of order: lrs = [0.5, 3.0, 0.1, 1.2] on the parabola with curvature 1",
             call=lambda f: _run_divergence(f, [0.5, 3.0, 0.1, 1.2]),
             compare=returns(_reference_divergence([0.5, 3.0, 0.1, 1.2])),
             mistakes=[Mistake(lambda r: r == 1.2,
                               "1.2 is the smallest rate that diverges, but the exercise asks for the "
                               "first in the order given: 3.0 comes before it in lrs.",
                               "loop over lrs as given: for lr in lrs, not sorted(lrs).")],
             where="go through lrs in the order given, and return the first that diverges.", what=what),
        Case("no learning rate diverges: lrs = [0.01, 0.1]", call=lambda f: _run_divergence(f, [0.01, 0.1]),
             compare=returns(None),
             where="when no run diverges, return None.", what=what),
        Case("steps = 5, batch_size = 8: each model trains on x[0:8], x[8:16], ..., x[32:40]",
             call=_batches_seen, expected=[[(0, 8, 8), (8, 8, 8), (16, 8, 8), (24, 8, 8), (32, 8, 8)]] * 2,
             compare=lambda r: None if r == [[(0, 8, 8), (8, 8, 8), (16, 8, 8), (24, 8, 8), (32, 8, 8)]] * 2
             else ("each model should get 5 calls of train_on_batch, on the consecutive batches "
                   f"starting at rows 0, 8, ..., 32, of 8 rows of x and 8 of y; got (first row, len x, "
                   f"len y) = {r!r}"),
             mistakes=[Mistake(lambda r: isinstance(r, list) and len(r) == 1,
                               "only one model was made: call make_model(lr) for every lr, and train "
                               "each new model from the start.", what)],
             where="train each model with model.train_on_batch, `steps` times, on consecutive batches.",
             what=what),
    ]
    return run_check("9.4", divergence_lr, cases)
