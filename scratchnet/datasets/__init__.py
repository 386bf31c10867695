"""Datasets for the course (support code, written by hand; see README.md beside this file).

Real images, returned as `(x_train, y_train), (x_test, y_test)` with float32 pixels in [0, 1] of
shape (n, 28, 28) or (n, 8, 8) and int64 labels 0..9 of shape (n,):

- `load_mnist()`: 4,000 / 1,000 real MNIST digits that ship inside the package (no network);
- `load_digits()`: the 1,797 8x8 UCI digits, 1,438 / 359, shipped too;
- `load_mnist(full=True)`, `load_fashion_mnist()`: the full 60,000 / 10,000 sets, downloaded once
  from a list of mirrors, verified by SHA-256 and cached in `$SCRATCHNET_DATA` (default
  `~/.cache/scratchnet`).

Synthetic data, seeded: `spiral`, `vertical` (classification in the plane) and `sine` (regression).

Provenance and licences are in `scratchnet.datasets.real`'s docstring: MNIST (Yann LeCun and
Corinna Cortes) is CC BY-SA 3.0, the UCI digits CC BY 4.0, Fashion-MNIST (Zalando) MIT.
"""

from .download import DownloadError, cache_dir
from .real import FASHION_CLASSES, load_digits, load_fashion_mnist, load_mnist
from .synthetic import sine, spiral, vertical

__all__ = ["load_mnist", "load_digits", "load_fashion_mnist", "FASHION_CLASSES",
           "spiral", "vertical", "sine", "DownloadError", "cache_dir"]
