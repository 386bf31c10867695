"""Checks for chapter 3's exercises: the three gradients of a dense layer, and a gradient
flowing back through two stacked layers.

Each check has its own reference implementation (a line of NumPy); it does not import
`scratchnet.layers`, so it works whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, run_check

__all__ = ["check_bias_grad", "check_weight_grad", "check_input_grad", "check_two_layer_input_grad"]


def _close(received, expected) -> bool:
    """True when `received` is an array of exactly `expected`'s shape and values."""
    received = np.asarray(received, dtype=float)
    return received.shape == np.shape(expected) and np.allclose(received, expected)


def _random(rng, *shape):
    return rng.normal(size=shape).round(2)


def check_bias_grad(bias_grad) -> CheckResult:
    """Exercise 3.1: `bias_grad(G)` returns dL/db = G summed over the batch, shape (out,)."""
    rng = np.random.default_rng(31)
    cases = []
    for description, G in {
        "the example worked by hand: G = [[1, 0], [0.5, -1]]": np.array([[1.0, 0.0], [0.5, -1.0]]),
        "a batch of one sample: db is that sample's row of G": np.array([[0.3, -0.7, 2.0]]),
        "a batch of 5 samples, 3 outputs": _random(rng, 5, 3),
        "a square G (4 samples, 4 outputs), where summing over the wrong axis keeps the shape": _random(rng, 4, 4),
    }.items():
        cases.append(Case(
            description, (G,), G.sum(axis=0),
            mistakes=[
                (lambda r, G=G: _close(r, G.mean(axis=0)),
                 "you took the mean over the batch. L already averages over the batch (inside the "
                 "loss, which made G), so here the samples' contributions are simply added: G.sum(axis=0)."),
                (lambda r, G=G: _close(r, G.sum(axis=1)),
                 "you summed over the outputs (axis=1). db has one entry per output feature: sum over "
                 "the batch, axis=0."),
                (lambda r, G=G: _close(r, G),
                 "you returned G itself, of shape (batch, out). b is shared by every sample, so its "
                 "gradient adds up the rows of G: shape (out,)."),
                (lambda r, G=G: _close(r, G.sum(axis=0, keepdims=True)),
                 "right numbers, wrong shape: b has shape (out,), not (1, out); drop keepdims."),
                (lambda r, G=G: np.ndim(r) == 0,
                 "you summed everything into one number; sum over the batch only (axis=0)."),
            ],
            hint="b_j is added to output j of every sample, so dL/db_j = sum over n of G[n, j]."))
    return run_check("3.1", bias_grad, cases)


def check_weight_grad(weight_grad) -> CheckResult:
    """Exercise 3.2: `weight_grad(X, G)` returns dL/dW = X.T @ G, shape (in, out)."""
    rng = np.random.default_rng(32)
    cases = [("the example worked by hand", np.array([[1.0, 2.0], [3.0, -1.0]]),
              np.array([[1.0, 0.0], [0.5, -1.0]]))]
    for description, (batch, n_in, n_out) in {
        "a batch of 4 samples, 3 inputs, 2 outputs": (4, 3, 2),
        "one sample: dW is the outer product of x and g": (1, 3, 2),
        "batch = in_features = 3, where X @ G also has the right shape": (3, 3, 2),
        "in_features = out_features = 2, where G.T @ X also has the right shape": (5, 2, 2),
    }.items():
        cases.append((description, _random(rng, batch, n_in), _random(rng, batch, n_out)))
    result = []
    for description, X, G in cases:
        result.append(Case(
            description, (X, G), X.T @ G,
            mistakes=[
                (lambda r, X=X, G=G: _close(r, G.T @ X) or _close(r, (X.T @ G).T),
                 "you returned dW transposed, shape (out, in). The gradient has W's shape, "
                 "(in, out): X.T @ G is (in, batch) @ (batch, out) -> (in, out)."),
                (lambda r, X=X, G=G: X.shape[0] == X.shape[1] and _close(r, X @ G),
                 "you computed X @ G. Write out the shapes: X is (batch, in), G is (batch, out); "
                 "the batch axis must be summed over, so X goes first and transposed: X.T @ G."),
                (lambda r, X=X, G=G: len(X) > 1 and _close(r, X.T @ G / len(X)),
                 "you divided by the batch size. The loss has already averaged over the batch "
                 "(that is inside G); here the samples' contributions are simply added: X.T @ G."),
            ],
            hint="dL/dW[i, j] = sum over n of X[n, i] * G[n, j], which is (X.T @ G)[i, j]."))
    return run_check("3.2", weight_grad, result)


def check_input_grad(input_grad) -> CheckResult:
    """Exercise 3.3: `input_grad(G, W)` returns dL/dX = G @ W.T, shape (batch, in)."""
    rng = np.random.default_rng(33)
    cases = [("the example worked by hand", np.array([[1.0, 0.0], [0.5, -1.0]]),
              np.array([[0.5, -1.0], [2.0, 0.0]]))]
    for description, (batch, n_in, n_out) in {
        "a batch of 4 samples, 3 inputs, 2 outputs": (4, 3, 2),
        "a square W (3 inputs, 3 outputs), where G @ W also has the right shape": (2, 3, 3),
        "one sample, 5 inputs, 1 output": (1, 5, 1),
    }.items():
        cases.append((description, _random(rng, batch, n_out), _random(rng, n_in, n_out)))
    result = []
    for description, G, W in cases:
        result.append(Case(
            description, (G, W), G @ W.T,
            mistakes=[
                (lambda r, G=G, W=W: _close(r, W @ G.T),
                 "you returned dX transposed, shape (in, batch). dX has X's shape, (batch, in): "
                 "G @ W.T is (batch, out) @ (out, in) -> (batch, in)."),
                (lambda r, G=G, W=W: W.shape[0] == W.shape[1] and _close(r, G @ W),
                 "you computed G @ W, which only has the right shape because W is square here. "
                 "Input i reaches output j through W[i, j], so dX[n, i] = sum_j G[n, j] * W[i, j]: G @ W.T."),
                (lambda r, G=G, W=W: len(G) > 1 and _close(r, (G @ W.T).sum(axis=0)),
                 "you summed over the batch. Each sample has its own input, so dX keeps the batch "
                 "axis: shape (batch, in)."),
            ],
            hint="dL/dX[n, i] = sum over j of G[n, j] * W[i, j], which is (G @ W.T)[n, i]."))
    return run_check("3.3", input_grad, result)


def check_two_layer_input_grad(two_layer_input_grad) -> CheckResult:
    """Exercise 3.4: `two_layer_input_grad(G, W1, W2)` returns dL/dX = G @ W2.T @ W1.T for
    H = X @ W1 + b1, Z = H @ W2 + b2 and G = dL/dZ."""
    rng = np.random.default_rng(34)
    result = []
    for description, (batch, n_in, n_hidden, n_out) in {
        "4 samples, 3 inputs, 5 hidden, 2 outputs": (4, 3, 5, 2),
        "one sample, 2 inputs, 3 hidden, 1 output": (1, 2, 3, 1),
        "all sizes 3, where the factors also fit in the wrong order": (2, 3, 3, 3),
    }.items():
        G = _random(rng, batch, n_out)
        W1, W2 = _random(rng, n_in, n_hidden), _random(rng, n_hidden, n_out)
        result.append(Case(
            description, (G, W1, W2), G @ W2.T @ W1.T,
            mistakes=[
                (lambda r, G=G, W1=W1, W2=W2: _close(r, G @ W2.T),
                 "this is dL/dH, the gradient at the hidden layer. Go one layer further back: "
                 "multiply by W1.T."),
                (lambda r, G=G, W1=W1, W2=W2: W1.shape == W2.shape and W1.shape[0] == W1.shape[1]
                 and _close(r, G @ W1.T @ W2.T),
                 "the layers are in the wrong order. The gradient meets the last layer first: "
                 "dL/dH = G @ W2.T, then dL/dX = dL/dH @ W1.T."),
                (lambda r, G=G, W1=W1, W2=W2: W1.shape == W2.shape and W1.shape[0] == W1.shape[1]
                 and _close(r, G @ W2 @ W1),
                 "you multiplied by W2 and W1 without transposing them. Each step back is "
                 "(batch, out) @ (out, in): G @ W2.T, then @ W1.T."),
            ],
            hint="apply the input-gradient rule twice, last layer first: dL/dH = G @ W2.T, "
                 "then dL/dX = dL/dH @ W1.T. The biases do not appear."))
    return run_check("3.4", two_layer_input_grad, result)
