"""Checks for chapter 1's exercises: a neuron, a layer on a batch, and counting parameters."""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, run_check

__all__ = ["check_neuron", "check_layer_forward", "check_count_parameters"]


def check_neuron(neuron) -> CheckResult:
    """Exercise 1.1: `neuron(x, w, b)` returns the number w·x + b for 1-D arrays x and w."""
    x = np.array([1.0, 2.0, 3.0])
    w = np.array([0.2, -0.5, 0.1])
    cases = []
    for description, (xi, wi, b) in {
        "three inputs, by hand: 0.2 - 1.0 + 0.3 + 1.0": (x, w, 1.0),
        "a single input": (np.array([4.0]), np.array([0.5]), -1.0),
        "all-zero weights give the bias": (x, np.zeros(3), 2.5),
        "a hundred random inputs": (np.random.default_rng(1).normal(size=100),
                                   np.random.default_rng(2).normal(size=100), 0.3),
    }.items():
        expected = float(np.dot(wi, xi) + b)
        cases.append(Case(
            description, (xi, wi, b), expected,
            mistakes=[
                (lambda r, xi=xi, wi=wi: np.ndim(r) == 1 and np.shape(r) == np.shape(xi),
                 "you returned one number per input; add the products up with np.dot(w, x) or (w * x).sum()."),
                (lambda r, xi=xi, wi=wi: np.isclose(float(r), float(np.dot(wi, xi))),
                 "this is w·x without the bias; add b."),
            ],
            hint="the neuron computes z = w1*x1 + ... + wn*xn + b: np.dot(w, x) + b."))
    return run_check("1.1", neuron, cases)


def check_layer_forward(layer_forward) -> CheckResult:
    """Exercise 1.2: `layer_forward(X, W, b)` returns X @ W + b for a batch X (batch, in)."""
    rng = np.random.default_rng(3)
    cases = []
    for description, (batch, n_in, n_out) in {
        "a batch of 16 samples, 5 inputs, 5 outputs": (16, 5, 5),
        "one sample, two inputs, three outputs": (1, 2, 3),
        "a batch of 4 samples, 3 inputs, 2 outputs": (4, 3, 2),
    }.items():
        X = rng.normal(size=(batch, n_in))
        W = rng.normal(size=(n_in, n_out))
        b = rng.normal(size=n_out)
        cases.append(Case(
            description, (X, W, b), X @ W + b,
            mistakes=[
                (lambda r, X=X, W=W: np.allclose(r, X @ W),
                 "this is X @ W without the bias; add b (NumPy broadcasts it over the batch)."),
                (lambda r, X=X, W=W, b=b: W.shape[0] == W.shape[1] and np.allclose(r, X @ W.T + b),
                 "you used W transposed. Here W has shape (in_features, out_features), so it is X @ W."),
            ],
            hint="one matrix product does the whole batch: X (batch, in) @ W (in, out) -> (batch, out), then + b."))
    return run_check("1.2", layer_forward, cases)


def check_count_parameters(count_parameters) -> CheckResult:
    """Exercise 1.3: `count_parameters(sizes)` for a stack of Dense layers, e.g. [784, 128, 10]."""
    cases = []
    for sizes in ([2, 3], [784, 128, 10], [3, 1], [10, 20, 30, 40]):
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        biases = sum(sizes[1:])
        cases.append(Case(
            f"layer sizes {sizes}", (list(sizes),), weights + biases,
            mistakes=[
                (lambda r, w=weights: r == w, "you counted the weights only; each layer also has one bias per output."),
                (lambda r, w=weights, s=sizes: r == w + sum(s),
                 "you gave the input a bias too; only layers have biases, one per output feature."),
            ],
            hint="a Dense(in, out) layer has in*out weights and out biases; add them up over consecutive pairs of sizes."))
    return run_check("1.3", count_parameters, cases)
