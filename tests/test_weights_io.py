"""Sequential.save_weights and load_weights (chapter 8): a round trip, names by place, the
architecture checked (naming the layer and both shapes), truncated and pickled files refused, and
atomic writes."""

import os
import zipfile

import numpy as np
import pytest

import scratchnet as sn
from scratchnet import model as model_module


def mlp(hidden=16, seed=0, dropout=False):
    layers = [sn.Dense(4, hidden, init=sn.he_normal, rng=seed), sn.ReLU()]
    if dropout:
        layers.append(sn.Dropout(0.5, rng=seed))
    layers += [sn.Dense(hidden, 3, init=sn.he_normal, rng=seed + 1)]
    return sn.Sequential(layers)


def snapshot(model):
    return [p.value.copy() for p in model.parameters()]


X = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)


# a round trip

def test_round_trip_gives_identical_parameters_and_predictions(tmp_path):
    trained = mlp(seed=0)
    trained.compile(loss="softmax_cross_entropy", optimizer=sn.Adam(lr=0.01))
    trained.fit(X, np.arange(10) % 3, epochs=3, batch_size=5, verbose=0, rng=0)
    path = tmp_path / "w.npz"
    trained.save_weights(path)
    fresh = mlp(seed=7)
    fresh.load_weights(path)
    for a, b in zip(snapshot(fresh), snapshot(trained)):
        assert np.array_equal(a, b) and a.dtype == np.float32
    assert np.array_equal(fresh.predict(X), trained.predict(X))


def test_parameters_are_named_by_place_and_attribute(tmp_path):
    model = mlp(dropout=True)  # Dense, ReLU, Dropout, Dense: places 0 and 3 hold parameters
    path = tmp_path / "w.npz"
    model.save_weights(str(path))
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["0.W", "0.b", "3.W", "3.b"]
        assert data["0.W"].shape == (4, 16) and np.array_equal(data["3.b"], model.layers[3].b.value)


def test_the_file_is_a_plain_npz_without_objects(tmp_path):
    path = tmp_path / "w.npz"
    mlp().save_weights(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["0.W.npy", "0.b.npy", "2.W.npy", "2.b.npy"]
    with np.load(path, allow_pickle=False) as data:  # would raise on an object array
        assert all(data[name].dtype == np.float32 for name in data.files)


def test_save_overwrites_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "w.npz"
    mlp(seed=0).save_weights(path)
    mlp(seed=5).save_weights(path)
    loaded = mlp(seed=9)
    loaded.load_weights(path)
    assert np.array_equal(loaded.layers[0].W.value, mlp(seed=5).layers[0].W.value)
    assert os.listdir(tmp_path) == ["w.npz"]


def test_a_parameter_not_held_by_an_attribute_is_named_by_its_position(tmp_path):
    class Scale(sn.Layer):
        def __init__(self):
            self.weights = [sn.Parameter(np.ones(2, dtype=np.float32))]

        def forward(self, x):
            return x * self.weights[0].value

        def parameters(self):
            return self.weights

    model = sn.Sequential([sn.Dense(2, 2, rng=0), Scale()])
    model.save_weights(tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as data:
        assert sorted(data.files) == ["0.W", "0.b", "1.0"]


# the architecture checked

def test_wrong_shape_names_the_layer_and_both_shapes(tmp_path):
    path = tmp_path / "w.npz"
    mlp(hidden=16).save_weights(path)
    small = mlp(hidden=8)
    before = snapshot(small)
    with pytest.raises(ValueError, match=r"parameter 0\.W of layer 0, Dense\(in_features=4, out_features=8, "
                                         r"init=he_normal\), has shape \(4, 8\) in the model but \(4, 16\) "
                                         r"in the file"):
        small.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(snapshot(small), before))  # nothing changed


def test_a_mismatch_in_a_later_layer_changes_nothing_before_it(tmp_path):
    path = tmp_path / "w.npz"
    sn.Sequential([sn.Dense(4, 16, rng=0), sn.ReLU(), sn.Dense(16, 3, rng=1)]).save_weights(path)
    other = sn.Sequential([sn.Dense(4, 16, rng=5), sn.ReLU(), sn.Dense(16, 5, rng=6)])
    before = snapshot(other)
    with pytest.raises(ValueError, match=r"parameter 2\.W of layer 2, .* has shape \(16, 5\) in the model "
                                         r"but \(16, 3\) in the file"):
        other.load_weights(path)
    assert np.array_equal(other.layers[0].W.value, before[0])


def test_missing_and_extra_parameters_are_named(tmp_path):
    path = tmp_path / "w.npz"
    mlp().save_weights(path)
    deeper = sn.Sequential([sn.Dense(4, 16, rng=0), sn.ReLU(), sn.Dense(16, 3, rng=1), sn.ReLU(),
                            sn.Dense(3, 3, rng=2)])
    with pytest.raises(ValueError, match=r"parameter 4\.W of layer 4, Dense\(in_features=3, out_features=3\), "
                                         r"shape \(3, 3\), is not in the file \(it holds 0\.W, 0\.b, 2\.W, 2\.b\)"):
        deeper.load_weights(path)
    shallower = sn.Sequential([sn.Dense(4, 16, rng=0)])
    with pytest.raises(ValueError, match=r"it holds 2\.W, 2\.b, which the model has no place for"):
        shallower.load_weights(path)


def test_a_moved_layer_is_caught(tmp_path):
    """The same layers at other places: the names no longer match."""
    path = tmp_path / "w.npz"
    mlp().save_weights(path)
    moved = mlp(dropout=True)  # the second Dense moved from place 2 to place 3
    with pytest.raises(ValueError, match=r"parameter 3\.W of layer 3"):
        moved.load_weights(path)


# bad files

def test_a_truncated_file_is_refused(tmp_path):
    path = tmp_path / "w.npz"
    mlp().save_weights(path)
    data = path.read_bytes()
    for keep in (len(data) // 2, len(data) - 30, 10):
        cut = tmp_path / f"cut{keep}.npz"
        cut.write_bytes(data[:keep])
        with pytest.raises(ValueError, match=r"load_weights: .*cut\d+\.npz is not a complete"):
            mlp().load_weights(cut)


def test_a_pickled_object_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    executed = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return (open, (str(executed), "w"))

    np.savez(path, **{"0.W": np.array([Payload()], dtype=object)})
    with pytest.raises(ValueError, match=r"holds a pickled Python object, not only arrays; refusing"):
        mlp().load_weights(path)
    assert not executed.exists()
    assert np.load(path, allow_pickle=True)["0.W"] is not None and executed.exists()  # it would have run


def test_not_an_npz_and_missing_files(tmp_path):
    npy = tmp_path / "w.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match=r"w\.npy is not an \.npz weights file, as save_weights writes"):
        mlp().load_weights(npy)
    text = tmp_path / "w.txt"  # np.load would call this one "pickled data"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"w\.txt is not an \.npz weights file"):
        mlp().load_weights(text)
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npz is not an \.npz weights file"):
        mlp().load_weights(tmp_path / "empty.npz")
    with pytest.raises(FileNotFoundError, match=r"load_weights: there is no file .*nothing\.npz"):
        mlp().load_weights(tmp_path / "nothing.npz")


def test_non_float_arrays_are_refused(tmp_path):
    path = tmp_path / "w.npz"
    arrays = {"0.W": np.zeros((4, 16), dtype="<U1"), "0.b": np.zeros(16), "2.W": np.zeros((16, 3)),
              "2.b": np.zeros(3)}
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"0\.W holds <U1 values, not floating point"):
        mlp().load_weights(path)


def test_float64_files_are_cast_into_the_model(tmp_path):
    """Companion: a file of the right architecture but another float dtype loads."""
    path = tmp_path / "w.npz"
    arrays = {"0.W": np.full((4, 16), 0.5), "0.b": np.zeros(16), "2.W": np.zeros((16, 3)), "2.b": np.ones(3)}
    np.savez(path, **arrays)
    model = mlp()
    model.load_weights(path)
    assert model.layers[0].W.value.dtype == np.float32 and np.all(model.layers[0].W.value == 0.5)


# atomic writes

def test_a_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "w.npz"
    mlp(seed=0).save_weights(path)
    before = path.read_bytes()

    def half_then_fail(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(model_module.np, "savez", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        mlp(seed=3).save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w.npz"]
    loaded = mlp(seed=9)
    loaded.load_weights(path)
    assert np.array_equal(loaded.layers[0].W.value, mlp(seed=0).layers[0].W.value)


def test_a_write_in_place_would_have_destroyed_it(tmp_path):
    """Companion: the same failure, written straight into the file, leaves a broken file."""
    path = tmp_path / "w.npz"
    mlp().save_weights(path)
    with pytest.raises(OSError):
        with open(path, "wb") as f:
            f.write(b"PK\x03\x04 half a zip")
            raise OSError("disk full")
    with pytest.raises(ValueError, match="is not a complete"):
        mlp().load_weights(path)


def test_saving_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the folder .*nowhere does not exist"):
        mlp().save_weights(tmp_path / "nowhere" / "w.npz")


def test_bad_paths(tmp_path):
    with pytest.raises(TypeError, match="must be a path, got None"):
        mlp().save_weights(None)
    with pytest.raises(TypeError, match="load_weights: path must be a file name, got 3"):
        mlp().load_weights(3)
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        mlp().save_weights(tmp_path)
    with pytest.raises(IsADirectoryError, match=r"^load_weights: .* is a folder; name the .npz file that "
                                                r"save_weights wrote$"):
        mlp().load_weights(tmp_path)
    with pytest.raises(FileNotFoundError, match="^load_weights: there is no file .*missing.npz$"):
        mlp().load_weights(tmp_path / "missing.npz")


# ------------------------------------------------------------------ review B

def test_a_zip_whose_members_are_not_npy_files_is_refused(tmp_path):
    path = tmp_path / "foreign.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for name in ["0.W", "0.b", "2.W", "2.b"]:
            archive.writestr(name, b"\x00" * 8)
    with pytest.raises(ValueError, match=r"^load_weights: .*foreign.npz: 0.W is not a numpy array \(its member in "
                                         r"the zip is not an .npy file\), so this is not a weights file$"):
        mlp().load_weights(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_weights_that_are_not_finite_are_refused(tmp_path, bad):
    model = mlp()
    model.save_weights(tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as data:
        arrays = dict(data)
    arrays["2.b"] = arrays["2.b"].copy()
    arrays["2.b"][1] = bad
    np.savez(tmp_path / "bad.npz", **arrays)
    target = mlp(seed=1)
    before = snapshot(target)
    with pytest.raises(ValueError, match=r"^load_weights: .*bad.npz: 2.b holds NaN or infinite values; refusing "
                                         r"to load them$"):
        target.load_weights(tmp_path / "bad.npz")
    assert all(np.array_equal(a, b) for a, b in zip(snapshot(target), before))  # nothing changed
    target.load_weights(tmp_path / "w.npz")  # the companion: the finite file loads


def test_weights_beyond_the_models_dtype_are_refused(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as data:
        arrays = {name: data[name].astype(np.float64) for name in data.files}
    arrays["0.W"][0, 0] = 1e300
    np.savez(tmp_path / "huge.npz", **arrays)
    with pytest.raises(ValueError, match=r"^load_weights: .*huge.npz: 0.W holds values up to 1e\+300, beyond the "
                                         r"model's float32 \(about ±3.4e\+38\)$"):
        mlp().load_weights(tmp_path / "huge.npz")
    arrays["0.W"][0, 0] = 1e30  # within float32: float64 weights load, cast
    np.savez(tmp_path / "big.npz", **arrays)
    target = mlp()
    target.load_weights(tmp_path / "big.npz")
    assert target.parameters()[0].value[0, 0] == np.float32(1e30)


def test_saved_weights_get_the_permissions_open_would_give(tmp_path):
    old = os.umask(0o022)
    try:
        mlp().save_weights(tmp_path / "w.npz")
    finally:
        os.umask(old)
    assert oct(os.stat(tmp_path / "w.npz").st_mode & 0o777) == oct(0o644)


def test_a_model_without_parameters_has_nothing_to_save(tmp_path):
    with pytest.raises(ValueError, match=r"^save_weights: the model has no parameters to save$"):
        sn.Sequential([sn.ReLU()]).save_weights(tmp_path / "w.npz")
    assert not os.listdir(tmp_path)
