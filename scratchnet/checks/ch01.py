"""Checks for chapter 1's exercises: building `Dense.forward`, folding the bias into the weights,
and counting parameters.

The checks have their own reference answers (a line of NumPy each); they do not import
`scratchnet.layers`, so they work whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, Mistake, Raises, close, fallback, more_help, run_check

__all__ = ["fallback", "more_help", "check_dense_forward", "check_fold_bias", "check_count_parameters"]

_WHAT_FORWARD = ("x = _check_features(self, x, self.in_features), then "
                 "self.save_for_backward(x), then return x @ self.W.value + self.b.value.")


def _layer(Dense, W, b):
    """A learner's Dense with the given W and b (float64, so the numbers are exact)."""
    layer = Dense(W.shape[0], W.shape[1], rng=0, dtype=np.float64)
    layer.W.value[...] = W
    layer.b.value[...] = b
    return layer


def _forward(Dense, W, b, x):
    return _layer(Dense, W, b).forward(x)


def _output_mistakes(x, W, b) -> list[Mistake]:
    return [
        Mistake(lambda r: close(r, x @ W),
                "every output is off by exactly the bias of its column: b is missing.",
                "add self.b.value; NumPy broadcasts it over the batch."),
        Mistake(lambda r: W.shape[0] == W.shape[1] and close(r, x @ W.T + b),
                "the weights are used the wrong way round (W here is square, so the shapes fit "
                "either way).",
                "W has shape (in_features, out_features): x @ self.W.value."),
    ]


def check_dense_forward(Dense) -> CheckResult:
    """Exercise 1.1: `Dense.forward(x)` checks x, keeps it for backward, returns x @ W + b."""
    rng = np.random.default_rng(11)
    hand = (np.array([[1.0, 2.0]]), np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([0.1, 0.2]))
    cases = [Case("by hand: x = [[1, 2]], W = [[0.5, -1], [2, 0]], b = [0.1, 0.2]",
                  expected=hand[0] @ hand[1] + hand[2],
                  call=lambda D, h=hand: _forward(D, h[1], h[2], h[0]),
                  mistakes=_output_mistakes(*hand),
                  where="compare your output with 1*0.5 + 2*2 + 0.1 = 4.6 and 1*(-1) + 2*0 + 0.2 = -0.8.",
                  what=_WHAT_FORWARD)]
    for description, (batch, n_in, n_out) in {
        "a batch of 4 samples, 3 inputs, 2 outputs": (4, 3, 2),
        "a batch of one sample, 5 inputs, 3 outputs": (1, 5, 3),
        "a square W: 3 samples, 3 inputs, 3 outputs": (3, 3, 3),
    }.items():
        x, W, b = rng.normal(size=(batch, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
        cases.append(Case(description, expected=x @ W + b,
                          call=lambda D, x=x, W=W, b=b: _forward(D, W, b, x),
                          mistakes=_output_mistakes(x, W, b),
                          where="the output should be (batch, out_features), one row per sample.",
                          what=_WHAT_FORWARD))

    def dtype_of(D):
        layer = D(3, 2, rng=0)  # float32 layer
        return str(layer.forward(np.ones((2, 3), dtype=np.float32)).dtype)

    cases.append(Case("a float32 layer on float32 input gives float32", expected="float32", call=dtype_of,
                      compare=lambda r: None if r == "float32" else f"the output has dtype {r}, not float32",
                      where="something in forward turns the float32 numbers into float64.",
                      what="use the arrays as they are: x @ self.W.value + self.b.value keeps float32."))
    cases.append(Case("a 1-D input of 3 numbers, without its batch axis",
                      expected=Raises(ValueError, ["(batch, 3)"]),
                      call=lambda D: D(3, 2, rng=0).forward(np.array([1.0, 2.0, 3.0])),
                      where="forward must refuse an input of the wrong shape, with a message naming the "
                            "shape it expected.",
                      what="start forward with x = _check_features(self, x, self.in_features)."))
    cases.append(Case("an input holding None", expected=Raises(TypeError, ["None"]),
                      call=lambda D: D(3, 2, rng=0).forward([[1.0, None, 3.0]]),
                      where="forward must refuse what is not numbers before NumPy turns None into NaN.",
                      what="start forward with x = _check_features(self, x, self.in_features); it calls "
                           "as_array."))

    def snapshot(D):
        layer = D(3, 2, rng=0)
        x = np.ones((2, 3), dtype=np.float32)
        layer.forward(x)
        x[...] = 99.0  # the caller edits its array after the forward pass
        kept = layer._saved
        if not kept:
            return "nothing"
        return np.asarray(kept[0])

    def kept_ok(received):
        if isinstance(received, str):
            return "forward kept nothing for the backward pass"
        if not close(received, np.ones((2, 3))):
            return "what forward kept changed when the caller edited its input afterwards"
        return None

    cases.append(Case("the input is kept for backward, safe from later edits", call=snapshot, compare=kept_ok,
                      where="after forward, layer.saved must hold the input as it was during forward.",
                      what="call self.save_for_backward(x): it keeps a snapshot (a copy, unless x is "
                           "read-only)."))
    return run_check("1.1", Dense, cases)


def check_fold_bias(fold_bias) -> CheckResult:
    """Exercise 1.2: `fold_bias(X, W, b)` returns (X with a column of ones appended,
    W with b appended as a last row)."""
    rng = np.random.default_rng(12)
    cases = []
    shapes = {"by hand: X = [[1, 2]], W = [[3], [4]], b = [5]": None,
              "a batch of 4 samples, 3 inputs, 2 outputs": (4, 3, 2),
              "one sample, one input, one output": (1, 1, 1),
              "2 samples, 3 inputs, 3 outputs": (2, 3, 3)}
    for description, shape in shapes.items():
        if shape is None:
            X, W, b = np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), np.array([5.0])
        else:
            batch, n_in, n_out = shape
            X, W, b = rng.normal(size=(batch, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
        X1 = np.hstack([X, np.ones((len(X), 1))])
        W1 = np.vstack([W, b])
        cases.append(Case(
            description, (X, W, b), (X1, W1),
            mistakes=[
                Mistake(lambda r, X=X, W=W, b=b: close(r[0], np.hstack([np.ones((len(X), 1)), X])),
                        "X1 has its column of ones on the left; the exercise puts it on the right, "
                        "after the inputs.",
                        "np.hstack([X, ones]) with ones of shape (batch, 1)."),
                Mistake(lambda r, X=X: np.shape(r[0]) == (len(X) + 1, X.shape[1]),
                        "X1 got an extra row, not an extra column: the ones belong to every sample.",
                        "np.hstack([X, np.ones((len(X), 1))]) adds a column."),
                Mistake(lambda r, W=W: np.shape(r[1]) == (W.shape[0], W.shape[1] + 1),
                        "W1 got an extra column; b belongs in an extra row, the weights of the "
                        "always-1 input.",
                        "np.vstack([W, b]) appends b as a last row."),
            ],
            where="X1 is (batch, in + 1) and W1 is (in + 1, out); X1 @ W1 must equal X @ W + b.",
            what="X1 = np.hstack([X, np.ones((len(X), 1))]) and W1 = np.vstack([W, b])."))
    return run_check("1.2", fold_bias, cases)


def check_count_parameters(count_parameters) -> CheckResult:
    """Exercise 1.3: `count_parameters(sizes)` for a stack of Dense layers, e.g. [784, 128, 10]."""
    cases = []
    for sizes in ([2, 3], [784, 128, 10], [3, 1], [10, 20, 30, 40]):
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        biases = sum(sizes[1:])
        cases.append(Case(
            f"layer sizes {sizes}", (list(sizes),), weights + biases,
            mistakes=[
                Mistake(lambda r, w=weights: r == w,
                        "your count is exactly the number of weights: something is missing.",
                        "each Dense(in, out) also has one bias per output: in * out + out."),
                Mistake(lambda r, w=weights, s=sizes: r == w + sum(s),
                        "your count has sizes[0] too many biases: the input is not a layer.",
                        "only layers have biases, one per output feature: add sizes[1:], not all sizes."),
                Mistake(lambda r, s=sizes: len(s) > 2 and r == s[0] * s[1] + s[1],
                        "your count is right for the first layer only.",
                        "add up in * out + out over every consecutive pair of sizes."),
            ],
            where="a network with sizes [a, b, c] is Dense(a, b) followed by Dense(b, c).",
            what="sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))."))
    return run_check("1.3", count_parameters, cases)
