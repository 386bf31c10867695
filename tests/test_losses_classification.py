"""The classification losses of chapter 5: CategoricalCrossEntropy, SparseCategoricalCrossEntropy,
BinaryCrossEntropy and SoftmaxCrossEntropy.

Four kinds of test for each: values by hand, a float64 gradient check, a comparison with PyTorch
(values and autograd gradients, float64, rtol=1e-5, extreme inputs included), and
`pytest.raises` for each bad input. RuntimeWarning is an error (pyproject.toml), so every
extreme-input test also proves that no NumPy warning was raised.
"""

import inspect

import numpy as np
import pytest

import scratchnet.losses
from scratchnet import (BinaryCrossEntropy, CategoricalCrossEntropy, SoftmaxCrossEntropy,
                        SparseCategoricalCrossEntropy, gradcheck)

LOSSES = [CategoricalCrossEntropy, SparseCategoricalCrossEntropy, BinaryCrossEntropy, SoftmaxCrossEntropy]
RTOL = 1e-5


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def batch(seed=0, n=6, n_classes=4, dtype=np.float64):
    """Logits, their softmax probabilities, integer labels and one-hot rows."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=(n, n_classes)).astype(dtype)
    labels = rng.integers(0, n_classes, size=n)
    return z, softmax(z), labels, np.eye(n_classes, dtype=dtype)[labels]


def inputs(cls, dtype=np.float64, seed=0):
    """Typical (y_pred, y_true) for each loss."""
    z, p, labels, onehot = batch(seed, dtype=dtype)
    if cls is CategoricalCrossEntropy:
        return p, onehot
    if cls is SparseCategoricalCrossEntropy:
        return p, labels
    if cls is BinaryCrossEntropy:
        rng = np.random.default_rng(seed + 100)
        return rng.uniform(0.05, 0.95, size=(5, 3)).astype(dtype), rng.integers(0, 2, size=(5, 3)).astype(dtype)
    return z, labels


# ---------------------------------------------------------------- values by hand

P_HAND = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]])
LABELS_HAND = np.array([0, 1, 2])
BY_HAND = -(np.log(0.7) + np.log(0.8) + np.log(0.5)) / 3


def test_categorical_by_hand():
    loss = CategoricalCrossEntropy()
    assert loss.forward(P_HAND, np.eye(3)[LABELS_HAND]) == pytest.approx(BY_HAND, rel=1e-12)
    expected = np.zeros((3, 3))
    expected[0, 0], expected[1, 1], expected[2, 2] = -1 / (3 * 0.7), -1 / (3 * 0.8), -1 / (3 * 0.5)
    grad = loss.backward()
    np.testing.assert_allclose(grad, expected, rtol=1e-12)
    assert not np.signbit(grad[expected == 0]).any()  # 0.0, not -0.0


def test_categorical_soft_targets_by_hand():
    y = np.array([[0.5, 0.5, 0.0]])
    p = np.array([[0.5, 0.25, 0.25]])
    assert CategoricalCrossEntropy().forward(p, y) == pytest.approx(-(0.5 * np.log(0.5) + 0.5 * np.log(0.25)))


def test_sparse_by_hand():
    loss = SparseCategoricalCrossEntropy()
    assert loss.forward(P_HAND, LABELS_HAND) == pytest.approx(BY_HAND, rel=1e-12)
    grad = loss.backward()
    assert grad[0, 0] == pytest.approx(-1 / (3 * 0.7)) and grad[2, 2] == pytest.approx(-1 / (3 * 0.5))
    assert np.count_nonzero(grad) == 3


def test_sparse_equals_categorical_on_one_hot():
    _, p, labels, onehot = batch(1)
    sparse, categorical = SparseCategoricalCrossEntropy(), CategoricalCrossEntropy()
    assert sparse.forward(p, labels) == pytest.approx(categorical.forward(p, onehot), rel=1e-12)
    np.testing.assert_allclose(sparse.backward(), categorical.backward(), rtol=1e-12)


def test_binary_by_hand():
    loss = BinaryCrossEntropy()
    p, y = np.array([[0.9], [0.2], [0.6]]), np.array([[1.0], [0.0], [1.0]])
    assert loss.forward(p, y) == pytest.approx(-(np.log(0.9) + np.log(0.8) + np.log(0.6)) / 3, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), (p - y) / (3 * p * (1 - p)), rtol=1e-12)


def test_binary_is_two_class_categorical():
    p = np.array([0.9, 0.2, 0.6])
    y = np.array([1.0, 0.0, 1.0])
    two_class = CategoricalCrossEntropy().forward(np.stack([p, 1 - p], axis=1), np.stack([y, 1 - y], axis=1))
    assert BinaryCrossEntropy().forward(p, y) == pytest.approx(two_class, rel=1e-12)


def test_softmax_cross_entropy_by_hand():
    loss = SoftmaxCrossEntropy()
    z = np.log(np.array([[1.0, 2.0, 5.0], [1.0, 1.0, 2.0]]))  # softmax rows (1, 2, 5)/8 and (1, 1, 2)/4
    assert loss.forward(z, np.array([2, 0])) == pytest.approx(-(np.log(5 / 8) + np.log(1 / 4)) / 2, rel=1e-12)
    expected = (np.array([[1 / 8, 2 / 8, 5 / 8], [1 / 4, 1 / 4, 2 / 4]]) - np.array([[0, 0, 1], [1, 0, 0]])) / 2
    np.testing.assert_allclose(loss.backward(), expected, rtol=1e-12)


def test_softmax_cross_entropy_uniform_logits_cost_log_c():
    assert SoftmaxCrossEntropy().forward(np.zeros((4, 10)), np.arange(4)) == pytest.approx(np.log(10))


def test_softmax_cross_entropy_equals_softmax_then_categorical():
    z, p, labels, onehot = batch(2)
    fused, categorical = SoftmaxCrossEntropy(), CategoricalCrossEntropy()
    assert fused.forward(z, labels) == pytest.approx(categorical.forward(p, onehot), rel=1e-12)
    assert fused.forward(z, onehot) == pytest.approx(categorical.forward(p, onehot), rel=1e-12)
    np.testing.assert_allclose(fused.backward(), (p - onehot) / len(z), rtol=1e-12)


def test_softmax_cross_entropy_naive_fails_where_fused_is_finite():
    z = np.array([[1e4, 0.0]])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        naive = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        assert np.isnan(naive).any()
        assert np.isneginf(np.log(softmax(z))).any()
    loss = SoftmaxCrossEntropy()
    assert loss.forward(z, np.array([1])) == pytest.approx(1e4)
    np.testing.assert_array_equal(loss.backward(), [[1.0, -1.0]])


# ---------------------------------------------------------------- contract: floats, dtypes, shapes

@pytest.mark.parametrize("cls", LOSSES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_result_and_gradient_keeps_dtype_and_shape(cls, dtype):
    y_pred, y_true = inputs(cls, dtype)
    loss = cls()
    value = loss.forward(y_pred, y_true)
    assert type(value) is float and np.isfinite(value)
    grad = loss.backward()
    assert grad.shape == y_pred.shape and grad.dtype == dtype


@pytest.mark.parametrize("cls, y_true", [(CategoricalCrossEntropy, np.eye(2)), (SparseCategoricalCrossEntropy, [0, 1]),
                                         (BinaryCrossEntropy, np.eye(2)), (SoftmaxCrossEntropy, [0, 1])])
def test_integer_predictions_become_float32(cls, y_true):
    loss = cls()
    loss.forward(np.array([[1, 0], [0, 1]]), y_true)
    assert loss.backward().dtype == np.float32


@pytest.mark.parametrize("cls", LOSSES)
def test_call_is_forward_and_repr(cls):
    y_pred, y_true = inputs(cls)
    loss = cls()
    assert loss(y_pred, y_true) == loss.forward(y_pred, y_true)
    assert repr(loss) == f"{cls.__name__}()"


def test_losses_module_does_not_use_chapter_4():
    source = inspect.getsource(scratchnet.losses)
    assert "activations" not in source and "Softmax()" not in source


# ---------------------------------------------------------------- float64 gradient checks

@pytest.mark.parametrize("cls", LOSSES)
@pytest.mark.parametrize("seed", [0, 1])
def test_gradcheck(cls, seed):
    y_pred, y_true = inputs(cls, seed=seed)
    loss = cls()
    loss.forward(y_pred, y_true)
    assert gradcheck(lambda x: loss.forward(x, y_true), y_pred, loss.backward())


def test_gradcheck_softmax_cross_entropy_probability_targets():
    z, _, _, _ = batch(3)
    targets = np.random.default_rng(3).dirichlet(np.ones(z.shape[1]), size=len(z))
    loss = SoftmaxCrossEntropy()
    loss.forward(z, targets)
    assert gradcheck(lambda x: loss.forward(x, targets), z, loss.backward())


def test_gradcheck_binary_soft_targets():
    rng = np.random.default_rng(4)
    p, y = rng.uniform(0.05, 0.95, size=(4, 2)), rng.uniform(size=(4, 2))
    loss = BinaryCrossEntropy()
    loss.forward(p, y)
    assert gradcheck(lambda x: loss.forward(x, y), p, loss.backward())


# ---------------------------------------------------------------- extreme inputs (no warnings)

def test_probability_losses_at_exactly_zero_and_one():
    p = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    labels = np.array([0, 0])  # sample 0 certain and wrong, sample 1 certain and right
    for loss, target in ((CategoricalCrossEntropy(), np.eye(3)[labels]), (SparseCategoricalCrossEntropy(), labels)):
        assert loss.forward(p, target) == pytest.approx(100 / 2)  # log 0 clamped at -100
        grad = loss.backward()
        assert np.isfinite(grad).all()
        assert grad[0, 0] == pytest.approx(-1 / (2 * 1e-12)) and grad[1, 0] == pytest.approx(-0.5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extremes_are_finite(dtype):
    p = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    for cls, target in ((CategoricalCrossEntropy, np.eye(2)[[0, 0]]), (SparseCategoricalCrossEntropy, np.array([0, 0])),
                        (BinaryCrossEntropy, np.array([[1.0, 0.0], [0.0, 1.0]]))):
        loss = cls()
        assert np.isfinite(loss.forward(p, target))
        grad = loss.backward()
        assert np.isfinite(grad).all() and grad.dtype == dtype
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype)
    for target in (np.array([1, 2]), np.eye(3, dtype=dtype)[[1, 2]]):
        loss = SoftmaxCrossEntropy()
        assert np.isfinite(loss.forward(z, target))
        grad = loss.backward()
        assert np.isfinite(grad).all() and grad.dtype == dtype


# ---------------------------------------------------------------- PyTorch

@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _torch_value_and_grad(torch, fn, x):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    value = fn(x)
    value.backward()
    return value.item(), x.grad.numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_categorical_matches_torch(torch, seed):
    F = torch.nn.functional
    _, p, labels, onehot = batch(seed)
    loss = CategoricalCrossEntropy()
    value = loss.forward(p, onehot)
    grad = loss.backward()
    for fn in (lambda x: F.nll_loss(torch.log(x), torch.tensor(labels)),
               lambda x: -(torch.tensor(onehot) * torch.log(x)).sum(1).mean()):
        t_value, t_grad = _torch_value_and_grad(torch, fn, p)
        assert value == pytest.approx(t_value, rel=RTOL)
        np.testing.assert_allclose(grad, t_grad, rtol=RTOL)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_matches_torch(torch, seed):
    F = torch.nn.functional
    _, p, labels, _ = batch(seed)
    loss = SparseCategoricalCrossEntropy()
    value = loss.forward(p, labels)
    t_value, t_grad = _torch_value_and_grad(torch, lambda x: F.nll_loss(torch.log(x), torch.tensor(labels)), p)
    assert value == pytest.approx(t_value, rel=RTOL)
    np.testing.assert_allclose(loss.backward(), t_grad, rtol=RTOL)


def test_probability_losses_match_torch_on_extreme_softmax(torch):
    """Probabilities from logits of +-1e4: exact 0s and 1s off the true class, and a tiny true class."""
    F = torch.nn.functional
    z = np.array([[1e4, -1e4, 0.0], [30.0, 0.0, -1e4], [0.0, 0.0, 0.0]])
    p = softmax(z)
    labels = np.array([0, 1, 2])
    t_value = F.nll_loss(torch.log(torch.tensor(p)), torch.tensor(labels)).item()
    assert SparseCategoricalCrossEntropy().forward(p, labels) == pytest.approx(t_value, rel=RTOL)
    assert CategoricalCrossEntropy().forward(p, np.eye(3)[labels]) == pytest.approx(t_value, rel=RTOL)


@pytest.mark.parametrize("case", ["ordinary", "soft targets", "extremes"])
def test_binary_matches_torch(torch, case):
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    if case == "ordinary":
        p, y = rng.uniform(0.01, 0.99, size=(6, 2)), rng.integers(0, 2, size=(6, 2)).astype(np.float64)
    elif case == "soft targets":
        p, y = rng.uniform(0.01, 0.99, size=(5,)), rng.uniform(size=(5,))
    else:  # probabilities of exactly 0 and 1, right and wrong, and almost 0
        p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.3])
        y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.5])
    loss = BinaryCrossEntropy()
    value = loss.forward(p, y)
    t_value, t_grad = _torch_value_and_grad(torch, lambda x: F.binary_cross_entropy(x, torch.tensor(y)), p)
    assert value == pytest.approx(t_value, rel=RTOL)
    np.testing.assert_allclose(loss.backward(), t_grad, rtol=RTOL)


@pytest.mark.parametrize("targets", ["labels", "one-hot", "probabilities"])
@pytest.mark.parametrize("scale", [1.0, 10.0, 1e4])
def test_softmax_cross_entropy_matches_torch(torch, targets, scale):
    F = torch.nn.functional
    rng = np.random.default_rng(6)
    z = rng.normal(size=(7, 5)) * scale
    z[0] = [1e4, -1e4, 0.0, 1e4, -1e4]  # extreme logits in every case
    labels = rng.integers(0, 5, size=7)
    y = {"labels": labels, "one-hot": np.eye(5)[labels],
         "probabilities": rng.dirichlet(np.ones(5), size=7)}[targets]
    loss = SoftmaxCrossEntropy()
    value = loss.forward(z, y)
    grad = loss.backward()
    t_value, t_grad = _torch_value_and_grad(torch, lambda x: F.cross_entropy(x, torch.tensor(y)), z)
    assert value == pytest.approx(t_value, rel=RTOL)
    np.testing.assert_allclose(grad, t_grad, rtol=RTOL, atol=1e-12)
    assert np.isfinite(value) and np.isfinite(grad).all()


# ---------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("cls", LOSSES)
def test_backward_before_forward(cls):
    with pytest.raises(RuntimeError, match=rf"{cls.__name__}\(\): backward\(\) was called before forward\(\)"):
        cls().backward()


def test_binary_refuses_column_against_flat():
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy\(\): y_pred has shape \(3, 1\) but y_true has shape \(3,\)"):
        BinaryCrossEntropy().forward(np.full((3, 1), 0.5), np.ones(3))
    with pytest.raises(ValueError, match=r"y_pred has shape \(3,\) but y_true has shape \(3, 1\)"):
        BinaryCrossEntropy().forward(np.full(3, 0.5), np.ones((3, 1)))


def test_categorical_shape_mismatches():
    _, p, labels, onehot = batch(0)
    with pytest.raises(ValueError, match=r"y_pred has shape \(6, 4\) but y_true has shape \(6,\).*SparseCategorical"):
        CategoricalCrossEntropy().forward(p, labels)
    with pytest.raises(ValueError, match=r"y_pred has shape \(6, 4\) but y_true has shape \(6, 3\)"):
        CategoricalCrossEntropy().forward(p, onehot[:, :3])
    with pytest.raises(ValueError, match=r"y_pred has shape \(6, 4\) but y_true has shape \(6, 1\)"):
        CategoricalCrossEntropy().forward(p, labels[:, None])
    with pytest.raises(ValueError, match=r"shape \(batch, n_classes\).*got \(4,\)"):
        CategoricalCrossEntropy().forward(p[0], onehot[0])


@pytest.mark.parametrize("cls", [SparseCategoricalCrossEntropy, SoftmaxCrossEntropy])
def test_label_shape_mismatches(cls):
    z, p, labels, _ = batch(0)
    y_pred = p if cls is SparseCategoricalCrossEntropy else z
    with pytest.raises(ValueError, match=r"y_pred has shape \(6, 4\).*\(6,\).*got shape \(6, 1\)"):
        cls().forward(y_pred, labels[:, None])
    with pytest.raises(ValueError, match=r"y_pred has shape \(6, 4\).*\(6,\).*got shape \(5,\)"):
        cls().forward(y_pred, labels[:5])


def test_sparse_refuses_one_hot():
    _, p, _, onehot = batch(0)
    with pytest.raises(ValueError, match=r"got shape \(6, 4\); for one-hot targets use CategoricalCrossEntropy"):
        SparseCategoricalCrossEntropy().forward(p, onehot)


@pytest.mark.parametrize("cls", [SparseCategoricalCrossEntropy, SoftmaxCrossEntropy])
@pytest.mark.parametrize("bad, shown", [(4, r"\[4\]"), (-1, r"\[-1\]"), (7, r"\[7\]")])
def test_labels_out_of_range(cls, bad, shown):
    z, p, labels, _ = batch(0)
    labels[2] = bad
    y_pred = p if cls is SparseCategoricalCrossEntropy else z
    with pytest.raises(ValueError, match=rf"integers in \[0, 4\) for 4 classes, got {shown}"):
        cls().forward(y_pred, labels)


@pytest.mark.parametrize("cls", [SparseCategoricalCrossEntropy, SoftmaxCrossEntropy])
@pytest.mark.parametrize("labels", [np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 2.0]), np.array([True, False, True])])
def test_non_integer_labels(cls, labels):
    y_pred = np.full((3, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"integer class labels, got dtype"):
        cls().forward(y_pred, labels)


def test_softmax_cross_entropy_shape_mismatches():
    z, _, _, onehot = batch(0)
    with pytest.raises(ValueError, match=r"y_pred has shape \(6, 4\).*got shape \(6, 3\)"):
        SoftmaxCrossEntropy().forward(z, onehot[:, :3])
    with pytest.raises(ValueError, match=r"shape \(batch, n_classes\).*got \(4,\)"):
        SoftmaxCrossEntropy().forward(z[0], 1)


@pytest.mark.parametrize("cls", [CategoricalCrossEntropy, SparseCategoricalCrossEntropy, BinaryCrossEntropy])
def test_probabilities_out_of_range(cls):
    z, _, labels, onehot = batch(0)
    target = {CategoricalCrossEntropy: onehot, SparseCategoricalCrossEntropy: labels,
              BinaryCrossEntropy: np.zeros_like(z)}[cls]
    with pytest.raises(ValueError, match=r"y_pred must hold probabilities in \[0, 1\]"):
        cls().forward(z, target)
    with pytest.raises(ValueError, match=r"y_pred must hold probabilities"):
        cls().forward(np.full(z.shape, np.nan), target)


def test_targets_must_be_distributions():
    _, p, _, onehot = batch(0)
    for cls, y_pred in ((CategoricalCrossEntropy, p), (SoftmaxCrossEntropy, np.log(p))):
        two_ones = onehot.copy()
        two_ones[0] = [1.0, 1.0, 0.0, 0.0]
        with pytest.raises(ValueError, match=r"row 0 sums to 2"):
            cls().forward(y_pred, two_ones)
        with pytest.raises(ValueError, match=r"y_true must hold probabilities in \[0, 1\]"):
            cls().forward(y_pred, 2 * onehot - 0.5)
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy\(\): y_true must hold probabilities"):
        BinaryCrossEntropy().forward(np.full(3, 0.5), np.array([0.0, 1.0, 2.0]))


def test_softmax_cross_entropy_refuses_non_finite_logits():
    with pytest.raises(ValueError, match=r"finite logits, got inf"):
        SoftmaxCrossEntropy().forward(np.array([[np.inf, 0.0]]), np.array([0]))


@pytest.mark.parametrize("cls", LOSSES)
def test_empty_batch(cls):
    y_pred = np.zeros((0, 3))
    y_true = np.zeros(0, dtype=int) if cls in (SparseCategoricalCrossEntropy, SoftmaxCrossEntropy) else np.zeros((0, 3))
    with pytest.raises(ValueError, match=cls.__name__):
        cls().forward(y_pred, y_true)
