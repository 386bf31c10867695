"""The initialisers (chapter 8): their formulas in mean, variance and bounds over a large layer,
PyTorch's nn.init, reproducibility by seed, use in Dense, and bad shapes and stds."""

import math

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.init import he_normal, he_uniform, normal, xavier_normal, xavier_uniform

SHAPE = (600, 300)  # 180,000 weights: sample std within about 0.2% of the true one
FAN_IN, FAN_OUT = SHAPE

# name -> (initialiser, the variance it must have, the bound of a uniform one or None)
FORMULAS = {
    "xavier_uniform": (xavier_uniform, 2 / (FAN_IN + FAN_OUT), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "xavier_normal": (xavier_normal, 2 / (FAN_IN + FAN_OUT), None),
    "he_uniform": (he_uniform, 2 / FAN_IN, math.sqrt(6 / FAN_IN)),
    "he_normal": (he_normal, 2 / FAN_IN, None),
    "normal(0.05)": (normal(0.05), 0.05 ** 2, None),
}


# values against the formulas

@pytest.mark.parametrize("name", FORMULAS)
def test_mean_and_variance_match_the_formula(name):
    init, variance, _ = FORMULAS[name]
    W = init(SHAPE, rng=0)
    assert W.shape == SHAPE and W.dtype == np.float64
    std = math.sqrt(variance)
    assert abs(W.mean()) < 4 * std / math.sqrt(W.size)           # 4 standard errors
    assert W.var() == pytest.approx(variance, rel=0.015)


@pytest.mark.parametrize("name", [n for n in FORMULAS if FORMULAS[n][2] is not None])
def test_uniform_ones_fill_their_bounds(name):
    init, _, a = FORMULAS[name]
    W = init(SHAPE, rng=1)
    assert np.abs(W).max() <= a and np.abs(W).max() > 0.999 * a
    # a uniform distribution: a tenth of the weights in each tenth of [-a, a]
    counts, _ = np.histogram(W, bins=10, range=(-a, a))
    assert np.allclose(counts / W.size, 0.1, atol=0.005)


@pytest.mark.parametrize("name", [n for n in FORMULAS if FORMULAS[n][2] is None])
def test_normal_ones_are_gaussian(name):
    init, variance, _ = FORMULAS[name]
    W = init(SHAPE, rng=2) / math.sqrt(variance)
    assert np.mean(np.abs(W) > 1) == pytest.approx(0.3173, abs=0.005)
    assert np.mean(np.abs(W) > 2) == pytest.approx(0.0455, abs=0.002)


def test_he_uses_fan_in_and_xavier_both_fans():
    """A very unequal layer tells fan_in from fan_out."""
    tall, wide = (20, 2000), (2000, 20)
    assert he_normal(tall, rng=0).std() == pytest.approx(math.sqrt(2 / 20), rel=0.02)
    assert he_normal(wide, rng=0).std() == pytest.approx(math.sqrt(2 / 2000), rel=0.02)
    assert xavier_normal(tall, rng=0).std() == pytest.approx(math.sqrt(2 / 2020), rel=0.02)
    assert xavier_normal(wide, rng=0).std() == pytest.approx(math.sqrt(2 / 2020), rel=0.02)


def test_he_keeps_a_deep_relu_stack_steady_and_small_std_does_not():
    """The point of the chapter, in numbers: the std of the signal after 20 ReLU layers."""
    def final_std(init):
        rng = np.random.default_rng(0)
        h = rng.normal(size=(256, 256))
        for _ in range(20):
            h = np.maximum(h @ init((256, 256), rng), 0)
        return h.std()
    assert 0.5 < final_std(he_normal) < 2
    assert final_std(normal(0.01)) < 1e-15
    assert final_std(xavier_normal) < 0.01


# reproducibility

@pytest.mark.parametrize("name", FORMULAS)
def test_a_seed_gives_the_same_weights_and_another_seed_others(name):
    init = FORMULAS[name][0]
    assert np.array_equal(init((30, 20), rng=5), init((30, 20), rng=5))
    assert not np.array_equal(init((30, 20), rng=5), init((30, 20), rng=6))


@pytest.mark.parametrize("name", FORMULAS)
def test_a_generator_is_drawn_from_in_turn(name):
    init = FORMULAS[name][0]
    rng = np.random.default_rng(3)
    first, second = init((30, 20), rng), init((30, 20), rng)
    assert not np.array_equal(first, second)
    again = np.random.default_rng(3)
    assert np.array_equal(init((30, 20), again), first)


def test_no_global_random_state_is_used():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    he_normal((10, 10), rng=1), xavier_uniform((10, 10)), normal(0.1)((3, 3))
    assert np.array_equal(np.random.get_state()[1], before)


# in a Dense layer

def test_dense_with_an_initialiser_and_reset_parameters():
    layer = sn.Dense(400, 300, init=he_normal, rng=0)
    assert layer.W.value.dtype == np.float32 and not layer.b.value.any()
    assert np.allclose(layer.W.value, he_normal((400, 300), rng=0).astype(np.float32))
    assert layer.W.value.std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    first = layer.W.value.copy()
    layer.reset_parameters(rng=1)
    assert not np.array_equal(layer.W.value, first)
    layer.reset_parameters(rng=0)
    assert np.array_equal(layer.W.value, first)
    assert "init=he_normal" in repr(layer)
    assert "init=normal(std=0.01)" in repr(sn.Dense(2, 3, init=normal(0.01), rng=0))


def test_layers_sharing_a_generator_get_different_weights():
    rng = np.random.default_rng(0)
    a, b = sn.Dense(5, 5, init=he_normal, rng=rng), sn.Dense(5, 5, init=he_normal, rng=rng)
    assert not np.array_equal(a.W.value, b.W.value)


# PyTorch's nn.init, where torch is installed

@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _torch_weight(torch, fill, seed=0):
    """A torch weight of shape (out, in) = SHAPE reversed, filled by nn.init's `fill`, as (in, out)."""
    torch.manual_seed(seed)
    w = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    fill(w)
    return w.numpy().T


def test_xavier_and_he_bounds_and_stds_match_torch(torch):
    init = torch.nn.init
    pairs = [
        (xavier_uniform, init.xavier_uniform_, True),
        (xavier_normal, init.xavier_normal_, False),
        (he_uniform, lambda w: init.kaiming_uniform_(w, nonlinearity="relu"), True),
        (he_normal, lambda w: init.kaiming_normal_(w, nonlinearity="relu"), False),
    ]
    for ours, theirs, uniform in pairs:
        W, T = ours(SHAPE, rng=0), _torch_weight(torch, theirs)
        assert W.shape == T.shape == SHAPE
        assert W.std() == pytest.approx(T.std(), rel=0.02), ours.__name__
        if uniform:  # the same bound, reached by both
            assert np.abs(W).max() == pytest.approx(np.abs(T).max(), rel=1e-3), ours.__name__


def test_normal_matches_torch_normal(torch):
    T = _torch_weight(torch, lambda w: torch.nn.init.normal_(w, 0.0, 0.05))
    assert normal(0.05)(SHAPE, rng=0).std() == pytest.approx(T.std(), rel=0.02)


def test_kaiming_default_mode_is_fan_in_as_ours(torch):
    """torch's weight is (out, in): fan_in is its second axis, our first."""
    torch.manual_seed(0)
    w = torch.empty(2000, 20, dtype=torch.float64)   # in = 20
    torch.nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert w.std().item() == pytest.approx(he_normal((20, 2000), rng=0).std(), rel=0.03)


# bad input

@pytest.mark.parametrize("shape, kind", [
    ((784,), ValueError), ((2, 3, 4), ValueError), ((0, 5), ValueError), ((5, -1), ValueError),
    ((2.5, 3), TypeError), ((True, 3), TypeError), ("ab", TypeError), (None, TypeError), (7, TypeError),
    ((3.5, 2), TypeError), (("3", 2), TypeError)])
@pytest.mark.parametrize("name", FORMULAS)
def test_bad_shapes_are_refused_naming_the_initialiser(name, shape, kind):
    """A wrong type is a TypeError, a pair of the wrong length or sign a ValueError."""
    init = FORMULAS[name][0]
    label = "normal" if name.startswith("normal") else name
    with pytest.raises(kind, match=rf"{label}.*shape must be \(in_features, out_features\).*got"):
        init(shape, rng=0)
    assert init(np.array([3, 4]), rng=0).shape == (3, 4)  # the companion: an array of two ints is a shape


def test_a_refused_shape_shows_what_came_in():
    with pytest.raises(ValueError, match=r"got \(784,\)"):
        he_normal((784,))


@pytest.mark.parametrize("std, kind", [(0, ValueError), (-1, ValueError), (float("nan"), ValueError),
                                       (float("inf"), ValueError), ("0.1", TypeError), (None, TypeError),
                                       (True, TypeError)])
def test_bad_std_is_refused(std, kind):
    with pytest.raises(kind, match=r"^normal: std must be a positive number, got"):
        normal(std)


def test_normal_passed_without_calling_it_says_call_it():
    with pytest.raises(TypeError, match=r"^normal\(std\) makes an initialiser, it is not one: call it, "
                                        r"init=normal\(0.01\), not init=normal \(it was called with \(2, 3\)\)$"):
        sn.Dense(2, 3, init=normal)
    assert sn.Dense(2, 3, init=normal(0.01), rng=0).W.value.shape == (2, 3)  # the companion: called, it works


@pytest.mark.parametrize("init", [xavier_uniform, xavier_normal, he_uniform, he_normal])
@pytest.mark.parametrize("rng, kind", [("a", TypeError), (1.5, TypeError), (True, TypeError), (-1, ValueError)])
def test_a_bad_seed_is_refused_naming_rng(init, rng, kind):
    with pytest.raises(kind, match=rf"^{init.__name__}: rng must be a numpy Generator or an integer seed >= 0, "
                                   rf"got {rng!r}$"):
        init((3, 4), rng)
    with pytest.raises(kind, match=r"^normal\(std=0.01\): rng must be"):
        normal(0.01)((3, 4), rng)


def test_the_guards_accept_what_they_should():
    """Companion of the guard tests: numpy integers and floats are fine."""
    assert he_normal((np.int64(4), np.int32(3)), rng=0).shape == (4, 3)
    assert normal(np.float32(0.5))((2, 2), rng=0).shape == (2, 2)
    assert xavier_uniform([3, 2], rng=0).shape == (3, 2)


def test_a_bad_initialiser_in_dense_is_caught():
    with pytest.raises(ValueError, match=r"init returned shape \(3, 2\), expected \(2, 3\)"):
        sn.Dense(2, 3, init=lambda shape, rng: np.zeros(shape[::-1]))
    with pytest.raises(TypeError, match="init must be a function"):
        sn.Dense(2, 3, init="he_normal")


@pytest.mark.parametrize("init, kind, match", [
    (lambda shape, rng: np.full(shape, np.nan), ValueError, r"^Dense\(in_features=2, out_features=3, init=<lambda>\): init returned NaN or infinite weights$"),
    (lambda shape, rng: np.full(shape, np.inf), ValueError, r"init returned NaN or infinite weights"),
    (lambda shape: np.zeros(shape), TypeError,
     r"^Dense\(.*init=<lambda>\): init must take \(shape, rng\) and return an array; calling it raised TypeError: "),
    (lambda shape, rng: [["a"] * 3] * 2, TypeError, r"the array init returned must be an array of numbers, got a list "
                                                    r"holding text"),
    (lambda shape, rng: None, TypeError, r"the array init returned must be an array of numbers"),
])
def test_dense_names_an_initialiser_that_cannot_be_used(init, kind, match):
    """An init taking one argument, or returning NaN, text or nothing, is named as the culprit;
    before, NaN weights were accepted and the rest gave NumPy's or Python's own errors."""
    with pytest.raises(kind, match=match):
        sn.Dense(2, 3, init=init)
    layer = sn.Dense(2, 3, init=lambda shape, rng: np.ones(shape))  # the companion: a good one is used
    assert np.array_equal(layer.W.value, np.ones((2, 3)))
