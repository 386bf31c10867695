"""The offline datasets that ship inside scratchnet: load_mnist() and load_digits(). Their values,
shapes and dtypes, the split, that they look like digits, that the shipped files are the pinned
ones, and that tools/make_datasets.py rebuilds them byte for byte."""

import hashlib
import shutil

import numpy as np
import pytest

from scratchnet.datasets import load_digits, load_mnist, real
from tools import make_datasets

LOADERS = {"mnist": (load_mnist, "mnist_subset.npz", 28, (4000, 1000), (400, 100)),
           "digits": (load_digits, "digits.npz", 8, (1438, 359), None)}


@pytest.fixture(scope="module", params=list(LOADERS))
def data(request):
    loader, name, side, sizes, per_class = LOADERS[request.param]
    return request.param, loader(), side, sizes, per_class


def test_shapes_dtypes_and_ranges(data):
    name, ((x, y), (xt, yt)), side, sizes, _ = data
    assert (len(x), len(xt)) == sizes
    for images, labels in ((x, y), (xt, yt)):
        assert images.dtype == np.float32 and images.shape == (len(labels), side, side)
        assert labels.dtype == np.int64 and labels.shape == (len(images),)
        assert images.min() == 0.0 and images.max() == 1.0
        assert set(np.unique(labels)) == set(range(10))
        assert images.flags.c_contiguous and images.flags.writeable


def test_pixels_are_the_stored_integers_scaled(data):
    name, ((x, _), _), _, _, _ = data
    top = 255 if name == "mnist" else 16
    levels = x * top
    np.testing.assert_array_equal(levels, np.round(levels))  # exactly k / top
    assert len(np.unique(levels)) == top + 1  # every level occurs


def test_the_split_is_stratified_and_disjoint(data):
    name, ((x, y), (xt, yt)), _, _, per_class = data
    if per_class:
        assert np.bincount(y).tolist() == [per_class[0]] * 10 and np.bincount(yt).tolist() == [per_class[1]] * 10
    else:  # digits: 20% of each class, rounded
        total = np.bincount(y) + np.bincount(yt)
        assert np.bincount(yt).tolist() == np.floor(0.2 * total + 0.5).astype(int).tolist()
    train = {image.tobytes() for image in x}
    assert len(train) == len(x) and not train & {image.tobytes() for image in xt}


def test_the_classes_are_mixed_in_both_parts(data):
    _, ((_, y), (_, yt)), _, _, _ = data
    for labels in (y, yt):
        assert (np.diff(labels) != 0).mean() > 0.8  # not sorted by class


def test_each_call_returns_fresh_arrays():
    (x, _), _ = load_mnist()
    x[:] = 0
    (again, _), _ = load_mnist()
    assert again.max() == 1.0


def _centroid_accuracy(x, y, xt, yt):
    x, xt = x.reshape(len(x), -1), xt.reshape(len(xt), -1)
    centroids = np.stack([x[y == k].mean(0) for k in range(10)])
    return np.mean(np.argmin(((xt[:, None] - centroids[None]) ** 2).sum(-1), axis=1) == yt)


def test_they_look_like_digits(data):
    """Labels belong to their images: the mean image of each class classifies the test part far
    above chance (10%); the class means all differ; ink sits in the middle, not at the border."""
    name, ((x, y), (xt, yt)), side, _, _ = data
    assert _centroid_accuracy(x, y, xt, yt) > 0.75  # measured: 0.81 (MNIST), 0.90 (digits)
    means = np.stack([x[y == k].mean(0) for k in range(10)]).reshape(10, -1)
    distances = np.sqrt(((means[:, None] - means[None]) ** 2).sum(-1))[np.triu_indices(10, 1)]
    assert distances.min() > 0.1 * np.sqrt(side * side) * means.mean()
    centre = x[:, side // 4: -side // 4, side // 4: -side // 4].mean()
    border = np.concatenate([x[:, 0].ravel(), x[:, -1].ravel(), x[:, :, 0].ravel(), x[:, :, -1].ravel()]).mean()
    assert centre > (100 if name == "mnist" else 2) * border  # measured: 1500x (MNIST's empty frame), 3.5x
    one, zero = x[y == 1].mean(0), x[y == 0].mean(0)  # a 0 has a hole where a 1 has its stroke
    assert one[side // 2, side // 2] > 0.5 > 0.05 > zero[side // 2, side // 2]


def test_the_digits_check_fails_on_shuffled_labels(data):
    """The companion of the test above: with the labels shuffled, the class means classify at chance."""
    _, ((x, y), (xt, yt)), _, _, _ = data
    rng = np.random.default_rng(0)
    assert _centroid_accuracy(x, rng.permutation(y), xt, yt) < 0.3


# ---- the shipped files ----------------------------------------------------------------------

@pytest.mark.parametrize("name", list(real.SHIPPED))
def test_the_shipped_files_are_the_pinned_ones_and_small(name):
    data = (real.HERE / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == real.SHIPPED[name][0]
    assert len(data) < 2_000_000


def test_a_damaged_shipped_file_is_refused(tmp_path, monkeypatch):
    shutil.copy(real.HERE / "digits.npz", tmp_path / "digits.npz")
    data = bytearray((tmp_path / "digits.npz").read_bytes())
    data[1000] ^= 1
    (tmp_path / "digits.npz").write_bytes(bytes(data))
    monkeypatch.setattr(real, "HERE", tmp_path)
    with pytest.raises(OSError, match="the shipped .*digits.npz is damaged.*reinstall scratchnet-course"):
        load_digits()


def _stored(name):
    with np.load(real.HERE / name, allow_pickle=False) as f:
        return {key: f[key] for key in ("x_train", "y_train", "x_test", "y_test")}


@pytest.mark.parametrize("name", list(real.SHIPPED))
def test_the_rebuild_reproduces_the_shipped_file_byte_for_byte(name):
    """tools/make_datasets.py without the download: its split of the shipped images gives the
    shipped split again, and its writer the shipped bytes (made on another day, so timestamps
    would show). The arrays' digest matches the pin too."""
    stored = _stored(name)
    assert all(a.dtype == np.uint8 for a in stored.values())
    x = np.concatenate([stored["x_train"], stored["x_test"]])
    y = np.concatenate([stored["y_train"], stored["y_test"]])
    order = np.random.default_rng(1).permutation(len(x))  # the split does not depend on the input order
    again = make_datasets.split(x[order], y[order])
    for key in stored:
        np.testing.assert_array_equal(again[key], stored[key])
    assert make_datasets.arrays_sha256(again) == real.SHIPPED[name][1]
    assert make_datasets.npz_bytes(again) == (real.HERE / name).read_bytes()


def test_the_writer_does_not_depend_on_the_clock(monkeypatch):
    import time
    stored = _stored("digits.npz")
    made = []
    for now in (1_700_000_000.0, 1_800_000_000.0):
        monkeypatch.setattr(time, "time", lambda: now)
        monkeypatch.setattr(time, "localtime", lambda *a: time.gmtime(now))
        made.append(make_datasets.npz_bytes(stored))
    assert made[0] == made[1] == (real.HERE / "digits.npz").read_bytes()


def test_the_source_check_refuses_other_bytes(tmp_path):
    import zipfile
    source = make_datasets.SOURCES["digits.npz"]
    with zipfile.ZipFile(tmp_path / "scikit_learn-1.9.1-py3-none-any.whl", "w") as wheel:
        wheel.writestr(source.member, b"not the digits")
    with pytest.raises(SystemExit, match="has SHA-256 .*, expected 09f66e6d"):
        make_datasets.source_bytes(source, tmp_path)


def test_parse_csv_checks_its_input():
    import gzip
    source = make_datasets.SOURCES["digits.npz"]
    rows = "\n".join(",".join(["1"] * 64 + [str(k)]) for k in range(10))
    x, y = make_datasets.parse_csv(gzip.compress(rows.encode()), source)
    assert x.shape == (10, 8, 8) and x.dtype == np.uint8 and y.tolist() == list(range(10))
    with pytest.raises(ValueError, match="expected rows of 64 pixels and a label"):
        make_datasets.parse_csv(gzip.compress(b"1,2,3\n4,5,6\n"), source)
    with pytest.raises(ValueError, match="pixels outside 0..16"):
        make_datasets.parse_csv(gzip.compress(rows.replace("1,", "17,", 1).encode()), source)
