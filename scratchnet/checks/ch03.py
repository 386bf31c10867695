"""Checks for chapter 3's exercises: building `Dense.backward`, backpropagation through two
layers, and the gradient of an L2 penalty.

Each check has its own reference (a line of NumPy); it does not import `scratchnet.layers`,
so it works whichever chapters have been exported.
"""

from __future__ import annotations

import numpy as np

from scratchnet.checks._core import Case, CheckResult, Mistake, Raises, close, fallback, more_help, run_check

__all__ = ["fallback", "more_help", "check_dense_backward", "check_two_layer_grads", "check_l2_penalty"]

_WHAT_BACKWARD = ("(x,) = self.saved; G = check_grad_out(self, grad_out, (len(x), self.out_features)); "
                  "self.W.grad += x.T @ G; self.b.grad += G.sum(axis=0); return None if not "
                  "self.needs_input_grad, else G @ self.W.value.T.")


def _random(rng, *shape):
    return rng.normal(size=shape).round(2)


def _backward(Dense, X, W, b, G, W_grad=None):
    """Run the learner's Dense forward and backward; return (W.grad, b.grad, dX)."""
    layer = Dense(W.shape[0], W.shape[1], rng=0, dtype=np.float64)
    layer.W.value[...], layer.b.value[...] = W, b
    if W_grad is not None:
        layer.W.grad[...] = W_grad
    layer.forward(X)
    dX = layer.backward(G)
    return layer.W.grad.copy(), layer.b.grad.copy(), dX


def _mistakes(X, W, G) -> list[Mistake]:
    square = W.shape[0] == W.shape[1]
    return [
        Mistake(lambda r: close(r[0], G.T @ X) or close(r[0], (X.T @ G).T),
                "dL/dW comes out transposed, (out, in) instead of W's shape (in, out).",
                "dL/dW = x.T @ G: (in, batch) @ (batch, out) -> (in, out)."),
        Mistake(lambda r: len(X) > 1 and close(r[0], X.T @ G / len(X)),
                f"dL/dW is {len(X)} times too small, the batch size: it averages over the batch.",
                "the loss has already averaged (that is inside G); here the samples add: x.T @ G."),
        Mistake(lambda r: len(X) > 1 and close(r[1], G.mean(axis=0)),
                f"dL/db is {len(X)} times too small, the batch size: it averages over the batch.",
                "b is added to every sample: dL/db = G.sum(axis=0)."),
        Mistake(lambda r: np.shape(r[1]) != (W.shape[1],) and np.size(r[1]) > 0,
                f"dL/db does not have b's shape, ({W.shape[1]},).",
                "sum G over the batch axis: G.sum(axis=0)."),
        Mistake(lambda r: square and r[2] is not None and close(r[2], G @ W),
                "dL/dX has the right shape only because W is square here; its values are wrong.",
                "dL/dX = G @ W.T: input i reaches output j through W[i, j]."),
        Mistake(lambda r: r[2] is None, "backward returned None, not dL/dX.",
                "return G @ self.W.value.T (None only when self.needs_input_grad is False)."),
    ]


def check_dense_backward(Dense) -> CheckResult:
    """Exercise 3.1: `Dense.backward(grad_out)` adds dL/dW and dL/db to the grads and returns dL/dX."""
    rng = np.random.default_rng(31)
    hand = (np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[0.5, -1.0], [2.0, 0.0]]),
            np.array([0.1, 0.2]), np.array([[1.0, 0.0], [0.5, -1.0]]))
    sets = {"the example worked by hand (X, W, b, G of the chapter)": hand}
    for description, (batch, n_in, n_out) in {
        "a batch of 4 samples, 3 inputs, 2 outputs": (4, 3, 2),
        "a square W: 2 samples, 3 inputs, 3 outputs": (2, 3, 3),
        "batch = in_features = 3, where X @ G also has the right shape": (3, 3, 2),
        "one sample: dW is the outer product of x and g": (1, 3, 2),
    }.items():
        sets[description] = (_random(rng, batch, n_in), _random(rng, n_in, n_out), _random(rng, n_out),
                             _random(rng, batch, n_out))
    cases = []
    for description, (X, W, b, G) in sets.items():
        cases.append(Case(description, expected=(X.T @ G, G.sum(axis=0), G @ W.T),
                          call=lambda D, X=X, W=W, b=b, G=G: _backward(D, X, W, b, G),
                          mistakes=_mistakes(X, W, G),
                          where="item 0 is W.grad, item 1 b.grad and item 2 the returned dL/dX; "
                                "each has the shape of what it is the gradient of.",
                          what=_WHAT_BACKWARD))
    X, W, b, G = hand
    cases.append(Case("the gradient rule: W.grad held ones before, backward adds to them",
                      call=lambda D: _backward(D, X, W, b, G, W_grad=np.ones((2, 2)))[0],
                      expected=1 + X.T @ G,
                      mistakes=[Mistake(lambda r: close(r, X.T @ G),
                                        "W.grad lost what it held before the call: backward replaced it.",
                                        "add to it: self.W.grad += x.T @ G (and the same for b).")],
                      where="backward adds this batch's gradient to what W.grad already holds.",
                      what="self.W.grad += x.T @ G."))

    def without_input_grad(D):
        layer = D(2, 2, rng=0, dtype=np.float64)
        layer.needs_input_grad = False
        layer.forward(X)
        dX = layer.backward(G)
        return "None" if dX is None else "an array"

    cases.append(Case("needs_input_grad = False: nothing below needs dL/dX", call=without_input_grad,
                      expected="None", compare=lambda r: None if r == "None" else "backward returned an array",
                      where="when self.needs_input_grad is False, backward skips dL/dX and returns None.",
                      what="if not self.needs_input_grad: return None, after filling the grads."))
    cases.append(Case("backward before any forward", call=lambda D: D(3, 2, rng=0).backward(np.ones((1, 2))),
                      expected=Raises(RuntimeError, ["before forward"]),
                      where="backward must say that forward has not run.",
                      what="read the input back with (x,) = self.saved: saved raises that error."))

    def wrong_shape(D):
        layer = D(3, 2, rng=0)
        layer.forward(np.ones((5, 3), dtype=np.float32))
        return layer.backward(np.ones(2))

    cases.append(Case("grad_out of shape (2,) after a forward pass on a batch of 5", call=wrong_shape,
                      expected=Raises(ValueError, ["(5, 2)", "(2,)"]),
                      where="a grad_out of the wrong shape must be refused, naming both shapes.",
                      what="G = check_grad_out(self, grad_out, (len(x), self.out_features))."))

    def dtypes(D):
        layer = D(4, 3, rng=0)
        layer.forward(np.ones((5, 4), dtype=np.float32))
        dX = layer.backward(np.ones((5, 3), dtype=np.float32))
        return f"{layer.W.grad.dtype} {layer.b.grad.dtype} {dX.dtype}"

    cases.append(Case("a float32 layer gets float32 gradients", call=dtypes, expected="float32 float32 float32",
                      compare=lambda r: None if r == "float32 float32 float32" else
                      f"W.grad, b.grad and dL/dX have dtypes {r}",
                      where="a gradient keeps the dtype of what it is the gradient of.",
                      what="adding into self.W.grad keeps its dtype; G @ self.W.value.T keeps float32."))
    return run_check("3.1", Dense, cases)


def check_two_layer_grads(two_layer_grads) -> CheckResult:
    """Exercise 3.2: `two_layer_grads(X, W1, b1, W2, G)` returns (dW1, db1, dW2, db2, dX) for
    H = X @ W1 + b1, Z = H @ W2 + b2 and G = dL/dZ."""
    rng = np.random.default_rng(32)
    cases = []
    for description, (batch, n_in, n_hidden, n_out) in {
        "4 samples, 3 inputs, 5 hidden, 2 outputs": (4, 3, 5, 2),
        "one sample, 2 inputs, 3 hidden, 1 output": (1, 2, 3, 1),
        "all sizes 3, where the factors also fit in the wrong order": (3, 3, 3, 3),
    }.items():
        X, W1, b1 = _random(rng, batch, n_in), _random(rng, n_in, n_hidden), _random(rng, n_hidden)
        W2, G = _random(rng, n_hidden, n_out), _random(rng, batch, n_out)
        H = X @ W1 + b1
        dH = G @ W2.T
        expected = (X.T @ dH, dH.sum(axis=0), H.T @ G, G.sum(axis=0), dH @ W1.T)
        cases.append(Case(
            description, (X, W1, b1, W2, G), expected,
            mistakes=[
                Mistake(lambda r, X=X, W1=W1, G=G: close(r[2], (X @ W1).T @ G),
                        "item 2, dW2, misses the first layer's bias.",
                        "the second layer's input is H = X @ W1 + b1, bias included: dW2 = H.T @ G."),
                Mistake(lambda r, X=X, G=G: close(r[0], X.T @ G) if X.shape[1] == G.shape[1] else False,
                        "item 0, dW1, uses G directly; the first layer's upstream gradient is dL/dH.",
                        "dH = G @ W2.T, then dW1 = X.T @ dH."),
                Mistake(lambda r, dH=dH: close(r[4], dH),
                        "item 4 is dL/dH, the gradient at the hidden layer, not at the input.",
                        "go one layer further back: dX = dH @ W1.T."),
                Mistake(lambda r, W1=W1, W2=W2, G=G: W1.shape == W2.shape and close(r[4], G @ W1.T @ W2.T),
                        "item 4, dX, applies the layers in the wrong order.",
                        "the gradient meets the last layer first: G @ W2.T, then @ W1.T."),
            ],
            where="items are (dW1, db1, dW2, db2, dX); each has the shape of its variable.",
            what="H = X @ W1 + b1; dW2 = H.T @ G; db2 = G.sum(0); dH = G @ W2.T; dW1 = X.T @ dH; "
                 "db1 = dH.sum(0); dX = dH @ W1.T."))
    return run_check("3.2", two_layer_grads, cases)


def check_l2_penalty(l2_penalty) -> CheckResult:
    """Exercise 3.3: `l2_penalty(W, lam)` returns (lam / 2 * sum(W**2), lam * W)."""
    rng = np.random.default_rng(33)
    cases = []
    for description, (W, lam) in {
        "by hand: W = [[1, -2], [0.5, 3]], lam = 0.1: P = 0.05 * 14.25 = 0.7125": (
            np.array([[1.0, -2.0], [0.5, 3.0]]), 0.1),
        "a random 4 x 3 W, lam = 0.01": (_random(rng, 4, 3), 0.01),
        "lam = 0: no penalty, no gradient": (_random(rng, 2, 2), 0.0),
        "a bias vector of 5 entries, lam = 1": (_random(rng, 5), 1.0),
    }.items():
        cases.append(Case(
            description, (W, lam), (0.5 * lam * float(np.sum(W ** 2)), lam * W),
            mistakes=[
                Mistake(lambda r, W=W, lam=lam: lam > 0 and close(r[1], 2 * lam * W),
                        "the gradient is twice too large.",
                        "the 1/2 in front of the penalty cancels the 2 of the square: dP/dW = lam * W."),
                Mistake(lambda r, W=W, lam=lam: lam > 0 and np.ndim(r[1]) == 0,
                        "the gradient is one number; it needs one entry per weight.",
                        "dP/dW_ij = lam * W_ij: return lam * W, of W's shape."),
                Mistake(lambda r, W=W, lam=lam: lam > 0 and _close_number(r[0], lam * float(np.sum(W ** 2))),
                        "the penalty value is twice too large.", "P = lam / 2 * np.sum(W ** 2)."),
            ],
            where="item 0 is the penalty, a number; item 1 its gradient, of W's shape.",
            what="return 0.5 * lam * np.sum(W ** 2), lam * W."))
    return run_check("3.3", l2_penalty, cases)


def _close_number(received, value) -> bool:
    try:
        return bool(np.isclose(float(received), value))
    except (TypeError, ValueError):
        return False
