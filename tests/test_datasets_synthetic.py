"""The seeded synthetic datasets: spiral, vertical, sine. Shapes and dtypes, values from their
formulas, reproducible by seed without touching numpy's global state, and bad input."""

import numpy as np
import pytest

from scratchnet.datasets import sine, spiral, vertical

CLASSIFIERS = [spiral, vertical]


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_classification_shapes_and_labels(make):
    x, y = make(50, 4, rng=0)
    assert x.dtype == np.float32 and x.shape == (200, 2)
    assert y.dtype == np.int64 and y.tolist() == [k for k in range(4) for _ in range(50)]


def test_the_spiral_follows_its_formula():
    x, y = spiral(100, 3, noise=0.0)
    r = np.tile(np.linspace(0, 1, 100), 3)
    np.testing.assert_allclose(np.hypot(x[:, 0], x[:, 1]), r, atol=1e-6)  # radius, whatever the noise
    t = 4 * y + 4 * r  # CS231n's spiral: each arm winds through 4 radians
    np.testing.assert_allclose(x, np.stack([r * np.sin(t), r * np.cos(t)], 1), atol=1e-6)
    wound, _ = spiral(100, 3, noise=0.0, winding=2.5)  # nnfs's spiral_data
    np.testing.assert_allclose(wound, np.stack([r * np.sin(2.5 * t), r * np.cos(2.5 * t)], 1), atol=1e-6)
    noisy, _ = spiral(100, 3, noise=0.2, rng=1)
    np.testing.assert_allclose(np.hypot(noisy[:, 0], noisy[:, 1]), r, atol=1e-6)
    assert np.abs(noisy - x).max() > 0.05 and np.abs(x).max() <= 1.0


def test_vertical_stripes_sit_where_they_should():
    x, y = vertical(2000, 4, noise=0.05, rng=3)
    for k in range(4):
        np.testing.assert_allclose(x[y == k].mean(0), [k / 4, 0.5], atol=0.01)
        np.testing.assert_allclose(x[y == k].std(0), [0.05, 0.05], atol=0.005)


def test_sine_follows_its_formula():
    x, y = sine(400)
    assert x.dtype == y.dtype == np.float32 and x.shape == y.shape == (400, 1)
    np.testing.assert_allclose(x[:, 0], np.arange(400) / 400, atol=1e-7)
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x), atol=1e-6)
    _, noisy = sine(20000, noise=0.1, rng=2)
    x, clean = sine(20000)
    assert abs((noisy - clean).std() - 0.1) < 0.005 and abs((noisy - clean).mean()) < 0.005


def _same(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a, b))


@pytest.mark.parametrize("make", [spiral, vertical, lambda rng=0: sine(100, noise=0.1, rng=rng)],
                         ids=["spiral", "vertical", "sine"])
def test_reproducible_by_seed_and_independent_of_the_global_state(make):
    a = make(rng=7)
    np.random.seed(0)
    b = make(rng=7)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    c = make(rng=7)
    assert _same(a, b) and _same(a, c)
    assert np.array_equal(np.random.get_state()[1], before)  # nothing drawn from the global generator
    assert not _same(make(rng=8), a)
    assert _same(make(), make(rng=0))  # the default seed is 0


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_a_generator_continues_its_stream(make):
    rng = np.random.default_rng(5)
    first, second = make(rng=rng)[0], make(rng=rng)[0]
    assert not np.array_equal(first, second)
    rng = np.random.default_rng(5)
    assert np.array_equal(make(rng=rng)[0], first)
    assert not np.array_equal(make(rng=6)[0], first)


@pytest.mark.parametrize("call, error, match", [
    (lambda: spiral(100, 1), ValueError, "n_classes must be >= 2, got 1"),
    (lambda: vertical(100, 0), ValueError, "n_classes must be >= 2, got 0"),
    (lambda: spiral(0), ValueError, "n_per_class must be >= 1, got 0"),
    (lambda: spiral(10.5), TypeError, "n_per_class must be an int, got float: 10.5"),
    (lambda: spiral(noise=-0.1), ValueError, r"noise must be a number in \[0, 1e\+06\], got -0.1"),
    (lambda: spiral(winding=0), ValueError, r"winding must be a number in \(0, 1e\+06\], got 0"),
    (lambda: spiral(winding=float("nan")), ValueError, r"winding must be a number in \(0, 1e\+06\], got nan"),
    (lambda: spiral(winding="2.5"), TypeError, r"winding must be a number in \(0, 1e\+06\], got str: '2.5'"),
    (lambda: vertical(noise=float("nan")), ValueError, r"noise must be a number in \[0, 1e\+06\], got nan"),
    (lambda: sine(0), ValueError, "n must be >= 1, got 0"),
    (lambda: sine(10, noise="a"), TypeError, r"noise must be a number in \[0, 1e\+06\], got str: 'a'"),
    (lambda: spiral(noise="a"), TypeError, r"noise must be a number in \[0, 1e\+06\], got str: 'a'"),
    (lambda: spiral(rng=None), TypeError, "rng must be a numpy.random.Generator or an int seed >= 0, got NoneType"),
    (lambda: sine(rng=np.random.RandomState(0)), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: vertical(rng=-1), ValueError, "int seed >= 0, got int: -1"),
    (lambda: spiral(n_classes=True), TypeError, "n_classes must be an int, got bool"),
    # a spread that would overflow float32 (or float64) is refused, not warned about
    (lambda: sine(10, noise=1e308), ValueError, r"noise must be a number in \[0, 1e\+06\], got 1e\+308"),
    (lambda: spiral(noise=float("inf")), ValueError, r"noise must be a number in \[0, 1e\+06\], got inf"),
    (lambda: spiral(winding=1e300), ValueError, r"winding must be a number in \(0, 1e\+06\], got 1e\+300"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_largest_spread_is_accepted_and_stays_finite():
    """The companion of the limits above: noise and winding of 1e6 are data, finite in float32."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        for x in (sine(50, noise=1e6)[1], spiral(20, noise=1e6)[0], spiral(20, winding=1e6)[0]):
            assert np.isfinite(x).all()


def test_numpy_integers_are_accepted():
    x, y = spiral(np.int64(10), np.int32(2), noise=np.float32(0.1), rng=np.int64(3))
    assert x.shape == (20, 2) and np.array_equal(x, spiral(10, 2, noise=float(np.float32(0.1)), rng=3)[0])
