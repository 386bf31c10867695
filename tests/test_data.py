"""DataLoader (chapter 6): batches by hand, shuffling, read-only batches, the mini-batch gradient,
PyTorch's batch counts, and bad inputs. (A loader has no backward pass; its gradient test is
that the batch gradients of an epoch average to the full gradient.)"""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.core import _frozen
from scratchnet.data import DataLoader


def numbered(n):
    """x (n, 2) with row i = [i, -i], y = 10 i: each sample says which one it is."""
    i = np.arange(n)
    return np.stack([i, -i], axis=1).astype(np.float32), i * 10


def samples(loader):
    return [xb[:, 0].astype(int).tolist() for xb, _ in loader]


# values by hand

def test_batches_in_order_with_a_smaller_last_one():
    x, y = numbered(10)
    loader = DataLoader(x, y, batch_size=4)
    assert len(loader) == 3
    assert samples(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    for xb, yb in loader:
        assert np.array_equal(yb, xb[:, 0].astype(int) * 10) and xb.dtype == np.float32


def test_drop_last_and_a_batch_larger_than_the_data():
    x, y = numbered(10)
    assert samples(DataLoader(x, y, batch_size=4, drop_last=True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(x, y, batch_size=4, drop_last=True)) == 2
    assert samples(DataLoader(x, y, batch_size=16)) == [list(range(10))]
    assert list(DataLoader(x, y, batch_size=16, drop_last=True)) == []
    assert samples(DataLoader(x, y, batch_size=5, drop_last=True)) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_inputs_alone_when_there_are_no_targets():
    x, _ = numbered(5)
    batches = list(DataLoader(x, batch_size=2))
    assert all(isinstance(b, np.ndarray) for b in batches)
    assert [b[:, 0].tolist() for b in batches] == [[0, 1], [2, 3], [4]]


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True), (64, 16, False),
                                                      (65, 16, True), (1, 1, False), (7, 7, True)])
def test_every_sample_once_per_epoch_shuffled_anew_each_epoch(n, batch_size, drop_last):
    x, y = numbered(n)
    loader = DataLoader(x, y, batch_size=batch_size, shuffle=True, drop_last=drop_last, rng=3)
    epochs = [samples(loader) for _ in range(4)]
    full = n // batch_size if drop_last else -(-n // batch_size)
    for epoch in epochs:
        flat = [s for batch in epoch for s in batch]
        assert len(epoch) == full == len(loader)
        assert all(len(b) == batch_size for b in epoch[:-1]) and len(epoch[-1]) <= batch_size
        assert len(set(flat)) == len(flat)                   # no sample twice
        if not drop_last:
            assert sorted(flat) == list(range(n))           # every sample once
    if n > 5:
        orders = {tuple(s for b in epoch for s in b) for epoch in epochs}
        assert len(orders) == 4                              # a new order each epoch
        assert tuple(range(n)) not in orders or drop_last


def test_x_and_y_are_shuffled_together():
    x, y = numbered(50)
    for xb, yb in DataLoader(x, y, batch_size=8, shuffle=True, rng=0):
        assert np.array_equal(yb, xb[:, 0].astype(int) * 10)
        assert np.array_equal(xb[:, 1], -xb[:, 0])


def test_a_seed_gives_the_same_epochs_and_another_seed_others():
    x, y = numbered(40)
    a = DataLoader(x, y, batch_size=8, shuffle=True, rng=5)
    b = DataLoader(x, y, batch_size=8, shuffle=True, rng=5)
    c = DataLoader(x, y, batch_size=8, shuffle=True, rng=6)
    first = [samples(a) for _ in range(3)]
    assert first == [samples(b) for _ in range(3)]
    assert first != [samples(c) for _ in range(3)]


def test_a_generator_is_used_as_it_is():
    x, y = numbered(20)
    rng = np.random.default_rng(0)
    loader = DataLoader(x, y, batch_size=20, shuffle=True, rng=rng)
    assert loader.rng is rng
    expected = np.random.default_rng(0).permutation(20)
    assert samples(loader)[0] == expected.tolist()


def test_batches_are_read_only_and_frozen_so_a_layer_keeps_them_uncopied():
    x, y = numbered(12)
    for shuffle in (False, True):
        for xb, yb in DataLoader(x, y, batch_size=5, shuffle=shuffle, rng=0):
            assert not xb.flags.writeable and not yb.flags.writeable
            assert _frozen(xb) and _frozen(yb)
            with pytest.raises(ValueError, match="read-only"):
                xb[0, 0] = 1.0
            layer = sn.Dense(2, 3, rng=0)
            layer(xb)
            assert layer.saved[0] is xb


def test_the_data_is_not_copied_and_unshuffled_batches_are_views_of_it():
    x, y = numbered(6)
    loader = DataLoader(x, y, batch_size=3)
    assert loader.x is x and loader.y is y             # no copy of the data set, as in PyTorch
    xb, yb = next(iter(loader))
    assert np.shares_memory(xb, x) and not xb.flags.writeable
    assert x.flags.writeable                            # the caller's array is left as it was


def test_lists_become_arrays_and_labels_stay_integers():
    loader = DataLoader([[1, 2], [3, 4], [5, 6]], [0, 1, 1], batch_size=2)
    xb, yb = next(iter(loader))
    assert xb.dtype == np.float32 and yb.dtype.kind == "i"
    xb, yb = next(iter(DataLoader([[1.0], [2.0]], [0.5, 1.5], batch_size=2)))
    assert yb.dtype == np.float32


def test_repr():
    x, y = numbered(10)
    assert repr(DataLoader(x, y, batch_size=4, shuffle=True)) == \
        "DataLoader(10 samples, batch_size=4, shuffle=True, drop_last=False)"


# gradients: the mini-batch gradients of an epoch average to the full-batch gradient

def test_mean_of_the_batch_gradients_is_the_full_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    t = rng.normal(size=(60, 2))
    layer, mse = sn.Dense(3, 2, rng=1, dtype=np.float64), sn.MSE()

    def grad_of(xb, tb):
        layer.W.zero_grad()
        mse(layer.forward(xb), tb)
        layer.backward(mse.backward())
        return layer.W.grad.copy()

    full = grad_of(x, t)
    batches = [grad_of(xb, tb) for xb, tb in DataLoader(x, t, batch_size=12, shuffle=True, rng=0)]
    assert len(batches) == 5
    assert np.allclose(np.mean(batches, axis=0), full)
    assert not np.allclose(batches[0], full)                 # each one alone is only an estimate


# PyTorch: the same number and sizes of batches

@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 4, False), (10, 4, True), (128, 32, False),
                                                      (3, 8, False), (3, 8, True), (100, 7, True)])
def test_batch_counts_and_sizes_match_torch(n, batch_size, drop_last):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader, TensorDataset
    x, y = numbered(n)
    ours = DataLoader(x, y, batch_size=batch_size, drop_last=drop_last)
    theirs = TorchLoader(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=batch_size,
                         drop_last=drop_last)
    assert len(ours) == len(theirs)
    ours_batches = list(ours)
    theirs_batches = list(theirs)
    assert [len(xb) for xb, _ in ours_batches] == [len(xb) for xb, _ in theirs_batches]
    for (xb, yb), (txb, tyb) in zip(ours_batches, theirs_batches):
        assert np.array_equal(xb, txb.numpy()) and np.array_equal(yb, tyb.numpy())


# bad inputs

@pytest.mark.parametrize("batch_size, kind", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                              ("32", TypeError), (True, TypeError), (None, TypeError)])
def test_bad_batch_sizes_are_refused(batch_size, kind):
    x, y = numbered(4)
    shown = repr(batch_size) if kind is ValueError else f"{type(batch_size).__name__}: {batch_size!r}"
    with pytest.raises(kind, match=rf"^DataLoader: batch_size must be a positive integer, got {shown}$"):
        DataLoader(x, y, batch_size=batch_size)


def test_a_good_batch_size_passes_as_the_companion_of_the_guard():
    x, y = numbered(4)
    assert len(DataLoader(x, y, batch_size=np.int64(2))) == 2


def test_mismatched_lengths_are_refused():
    x, y = numbered(10)
    with pytest.raises(ValueError, match="one entry per sample, got 10 inputs and 9 targets"):
        DataLoader(x, y[:9])
    with pytest.raises(ValueError, match="got 10 inputs and a single number targets"):
        DataLoader(x, 3)


def test_a_single_number_is_not_data():
    with pytest.raises(ValueError, match="^DataLoader: x must hold at least one sample along axis 0, got a single "
                                         "number$"):
        DataLoader(3.0)


def test_no_samples_is_not_data():
    with pytest.raises(ValueError, match=r"^DataLoader: x must hold at least one sample along axis 0, got shape "
                                         r"\(0, 2\)$"):
        DataLoader(np.zeros((0, 2)))
    assert len(DataLoader(np.zeros((1, 2)))) == 1  # the companion: one sample is one batch


def test_non_numeric_data_is_refused():
    with pytest.raises(TypeError, match="DataLoader: x must be an array of numbers, got a list holding text"):
        DataLoader([["a", "b"]])
    with pytest.raises(TypeError, match="DataLoader: y must be an array of numbers, got a list holding text"):
        DataLoader([[1.0], [2.0]], ["cat", "dog"])
    with pytest.raises(TypeError, match="DataLoader: x must be an array of numbers"):
        DataLoader(np.array([["a"], ["b"]], dtype=object))


@pytest.mark.parametrize("name, kwargs", [("shuffle", dict(shuffle="yes")), ("drop_last", dict(drop_last=1))])
def test_flags_must_be_booleans(name, kwargs):
    x, y = numbered(4)
    with pytest.raises(TypeError, match=f"^DataLoader: {name} must be True or False, got"):
        DataLoader(x, y, **kwargs)
    assert DataLoader(x, y, **{name: np.bool_(True)}).shuffle is (name == "shuffle")  # numpy's bool is a bool


@pytest.mark.parametrize("rng, kind", [("seed", TypeError), (-1, ValueError), (1.5, TypeError)])
def test_a_bad_rng_is_refused(rng, kind):
    x, y = numbered(4)
    with pytest.raises(kind, match=f"DataLoader: rng must be a numpy Generator or an integer seed >= 0, "
                                        f"got {rng!r}"):
        DataLoader(x, y, rng=rng)
