"""The download code of scratchnet.datasets, for real, against local servers on 127.0.0.1 that serve
IDX files built from the offline MNIST subset: a good download, a checksum mismatch, truncated
files, dead mirrors, a server that never answers, a read-only cache, two processes at once, a
damaged cache. The network guard (tests/conftest.py) blocks everything else."""

import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from scratchnet.datasets import DownloadError, load_fashion_mnist, load_mnist, real
from scratchnet.datasets import download as dl
from scratchnet.datasets.download import RemoteFile, fetch, verify
from tests.datasets_server import (IDX_NAMES, FileServer, Route, SilentServer, dead_url, idx_bytes, read_only,
                                   remote, subset_idx_files)

QUICK = dict(timeout=5.0, retries=0, backoff=0.0, progress=False)


@pytest.fixture(scope="module")
def idx():
    return subset_idx_files()


@pytest.fixture
def local_mnist(monkeypatch, idx):
    """load_mnist(full=True) pointed at a local server that serves the subset as the four IDX files."""
    with FileServer({f"/mnist/{n}": Route(b) for n, b in idx.items()}) as server:
        monkeypatch.setattr(real, "MNIST_FILES", tuple(remote(n, b) for n, b in idx.items()))
        monkeypatch.setattr(real, "MNIST_MIRRORS", (server.url + "/mnist/",))
        yield server


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.part"))


# ---- a good download ------------------------------------------------------------------------

def test_a_good_download_gives_the_same_digits_as_the_subset(local_mnist, tmp_path):
    (x_train, y_train), (x_test, y_test) = load_mnist(full=True, cache_dir=tmp_path, progress=False)
    (sx_train, sy_train), (sx_test, sy_test) = load_mnist()
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    np.testing.assert_array_equal(x_train, sx_train)
    np.testing.assert_array_equal(y_test, sy_test)
    assert sorted(local_mnist.requests) == sorted(f"/mnist/{n}" for n in IDX_NAMES)
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir() if not p.name.startswith(".")) == sorted(IDX_NAMES)
    assert _leftovers(tmp_path) == []
    # cached: the second call asks the server for nothing
    load_mnist(full=True, cache_dir=tmp_path, progress=False)
    assert len(local_mnist.requests) == 4


def test_the_environment_variable_chooses_the_cache(local_mnist, tmp_path, monkeypatch):
    monkeypatch.setenv("SCRATCHNET_DATA", str(tmp_path / "data"))
    load_mnist(full=True, progress=False)
    assert all(verify(tmp_path / "data" / "mnist" / r.name, r) is None for r in real.MNIST_FILES)


def test_fashion_mnist_downloads_the_same_way(monkeypatch, idx, tmp_path):
    with FileServer({f"/f/{n}": Route(b) for n, b in idx.items()}) as server:
        monkeypatch.setattr(real, "FASHION_MNIST_FILES", tuple(remote(n, b) for n, b in idx.items()))
        monkeypatch.setattr(real, "FASHION_MNIST_MIRRORS", (dead_url(), server.url + "/f"))
        (x, y), (xt, yt) = load_fashion_mnist(cache_dir=tmp_path, progress=False)
    assert x.shape == (4000, 28, 28) and yt.shape == (1000,) and (tmp_path / "fashion-mnist").is_dir()
    assert len(real.FASHION_CLASSES) == 10


# ---- bad bytes --------------------------------------------------------------------------------

def test_a_checksum_mismatch_is_refused_and_nothing_is_cached(tmp_path, idx):
    name = "train-labels-idx1-ubyte.gz"
    good = idx[name]
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0xFF  # same size, one byte changed
    with FileServer({f"/{name}": Route(bytes(bad))}) as server:
        with pytest.raises(DownloadError, match="checksum mismatch") as caught:
            fetch(remote(name, good), [server.url], tmp_path, **QUICK)
    assert server.url in str(caught.value)
    assert not (tmp_path / name).exists() and _leftovers(tmp_path) == []


def test_a_mismatch_on_one_mirror_falls_through_to_the_next(tmp_path, idx):
    name = "t10k-labels-idx1-ubyte.gz"
    with FileServer({f"/bad/{name}": Route(idx[name][::-1]), f"/good/{name}": Route(idx[name])}) as server:
        path = fetch(remote(name, idx[name]), [server.url + "/bad", server.url + "/good"], tmp_path, **QUICK)
    assert path.read_bytes() == idx[name]
    assert server.requests == [f"/bad/{name}", f"/good/{name}"]


@pytest.mark.parametrize("route, reason", [
    (lambda b: Route(b, cut_after=len(b) // 2), "truncated"),                    # says n bytes, sends n/2
    (lambda b: Route(b[: len(b) // 2]), "announces"),                            # honest about n/2
    (lambda b: Route(b[: len(b) // 2], length=-1), "truncated"),                 # no length, n/2
    (lambda b: Route(b + b"more", length=-1), "more than the expected"),         # too long
], ids=["cut", "short", "short-no-length", "long-no-length"])
def test_a_truncated_or_overlong_file_is_refused(tmp_path, idx, route, reason):
    name = "t10k-images-idx3-ubyte.gz"
    with FileServer({f"/{name}": route(idx[name])}) as server:
        with pytest.raises(DownloadError, match=reason):
            fetch(remote(name, idx[name]), [server.url], tmp_path, **QUICK)
    assert not (tmp_path / name).exists() and _leftovers(tmp_path) == []


def test_a_damaged_cached_file_is_fetched_again(tmp_path, idx):
    name = "train-labels-idx1-ubyte.gz"
    want = remote(name, idx[name])
    with FileServer({f"/{name}": Route(idx[name])}) as server:
        fetch(want, [server.url], tmp_path, **QUICK)
        for damage in (idx[name][:100], bytes(len(idx[name]))):  # truncated; right size, wrong bytes
            (tmp_path / name).write_bytes(damage)
            assert verify(tmp_path / name, want) is not None
            with pytest.warns(UserWarning, match="damaged"):
                fetch(want, [server.url], tmp_path, **QUICK)
            assert verify(tmp_path / name, want) is None
    assert len(server.requests) == 3


def test_parts_left_by_a_killed_download_are_cleaned_up(tmp_path, idx):
    name = "t10k-labels-idx1-ubyte.gz"
    (tmp_path / f".{name}.abc123.part").write_bytes(b"half")
    with FileServer({f"/{name}": Route(idx[name])}) as server:
        fetch(remote(name, idx[name]), [server.url], tmp_path, **QUICK)
    assert _leftovers(tmp_path) == []


# ---- dead and silent mirrors ----------------------------------------------------------------

def test_a_dead_first_mirror_and_a_good_second(local_mnist, tmp_path, monkeypatch):
    monkeypatch.setattr(real, "MNIST_MIRRORS", (dead_url(), local_mnist.url + "/missing/", *real.MNIST_MIRRORS))
    (x_train, _), _ = load_mnist(full=True, cache_dir=tmp_path, progress=False)
    assert x_train.shape == (4000, 28, 28)
    assert sum(r.startswith("/missing/") for r in local_mnist.requests) == 4  # 404s, then the good one


def test_every_mirror_dead_names_each_failure_and_retries_a_bounded_number_of_times(tmp_path, idx, monkeypatch):
    sleeps = []
    monkeypatch.setattr(dl.time, "sleep", sleeps.append)
    name = "t10k-labels-idx1-ubyte.gz"
    with FileServer({}) as server:  # every path is a 404
        with pytest.raises(DownloadError) as caught:
            fetch(remote(name, idx[name]), [dead_url(), server.url], tmp_path, timeout=5, retries=2,
                  backoff=1.0, progress=False, offline_hint="Try load_mnist().")
    message = str(caught.value)
    assert len(server.requests) == 3 and sleeps == [1.0, 2.0]  # 3 rounds, backoff doubling
    assert f"{server.url}/{name}: HTTP 404 not here (3 times)" in message
    assert "Connection refused (3 times)" in message
    assert "in 3 round(s)" in message and message.endswith("Try load_mnist().")
    assert "offline" not in message  # a server did answer (404), so the network is there


def test_a_server_that_never_answers_costs_the_timeout_not_forever(tmp_path, idx):
    name = "t10k-labels-idx1-ubyte.gz"
    with SilentServer() as silent:
        start = time.monotonic()
        with pytest.raises(DownloadError, match="timed out"):
            fetch(remote(name, idx[name]), [silent.url], tmp_path, timeout=0.5, retries=1, backoff=0.0,
                  progress=False)
        elapsed = time.monotonic() - start
    assert len(silent.accepted) == 2  # it did accept both attempts
    assert elapsed < 10  # 2 attempts x 0.5 s, with room for a loaded machine; unbounded would hang


def test_a_download_that_stalls_midway_times_out(tmp_path, idx):
    name = "t10k-images-idx3-ubyte.gz"
    with FileServer({f"/{name}": Route(idx[name], stall_after=50_000)}) as server:
        with pytest.raises(DownloadError, match="timed out"):
            fetch(remote(name, idx[name]), [server.url], tmp_path, timeout=0.5, retries=0, progress=False)
    assert _leftovers(tmp_path) == []


# ---- offline -------------------------------------------------------------------------------

def test_offline_the_error_says_so_and_names_the_offline_default(tmp_path, monkeypatch):
    """The real mirrors, with the tests' network guard in the way: what a user without network sees."""
    monkeypatch.setattr(dl.time, "sleep", lambda s: None)
    with pytest.raises(DownloadError) as caught:
        load_mnist(full=True, cache_dir=tmp_path, progress=False)
    message = str(caught.value)
    assert "No mirror could be reached: are you offline?" in message
    assert "load_mnist() (no arguments)" in message and "load_digits()" in message
    assert str(tmp_path / "mnist") in message  # where to put the files by hand
    for mirror in real.MNIST_MIRRORS:
        assert mirror in message
    assert message.count("network guard blocked") == len(real.MNIST_MIRRORS)  # stopped here, not out there
    assert message.count("(3 times)") == len(real.MNIST_MIRRORS)
    assert "copy train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images" in message


def test_fashion_mnist_offline_also_points_to_the_offline_sets(tmp_path, monkeypatch):
    monkeypatch.setattr(dl.time, "sleep", lambda s: None)
    with pytest.raises(DownloadError, match=r"load_mnist\(\) \(no arguments\)"):
        load_fashion_mnist(cache_dir=tmp_path, progress=False)


# ---- the cache folder ----------------------------------------------------------------------

@pytest.fixture
def shared_tmp():
    """A temporary folder that user `nobody` can reach (pytest's tmp_path lies in a private folder)."""
    folder = Path(tempfile.mkdtemp(prefix="scratchnet-ro-"))
    folder.chmod(0o755)
    yield folder
    for p in [folder, *folder.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)
    shutil.rmtree(folder)


def _enter_read_only(folder):
    context = read_only(folder)
    try:
        context.__enter__()
    except PermissionError:
        pytest.skip("cannot act as an unprivileged user here, and root ignores read-only folders")
    return context


def test_a_read_only_cache_gives_a_clear_error_and_asks_nothing_of_the_network(local_mnist, shared_tmp):
    context = _enter_read_only(shared_tmp)
    try:
        with pytest.raises(PermissionError):  # the premise: this folder really is read-only now
            (shared_tmp / "probe").write_text("x")
        with pytest.raises(DownloadError, match="cannot write to the cache folder") as caught:
            load_mnist(full=True, cache_dir=shared_tmp, progress=False)
    finally:
        context.__exit__(None, None, None)
    assert "SCRATCHNET_DATA" in str(caught.value) and str(shared_tmp) in str(caught.value)
    assert local_mnist.requests == []


def test_a_read_only_cache_that_holds_the_files_still_loads(local_mnist, shared_tmp):
    load_mnist(full=True, cache_dir=shared_tmp, progress=False)
    (shared_tmp / "mnist").chmod(0o555)
    context = _enter_read_only(shared_tmp)
    try:
        with pytest.raises(PermissionError):
            (shared_tmp / "mnist" / "probe").write_text("x")
        (x_train, _), _ = load_mnist(full=True, cache_dir=shared_tmp, progress=False)
    finally:
        context.__exit__(None, None, None)
    assert x_train.shape == (4000, 28, 28) and len(local_mnist.requests) == 4


def test_a_cache_dir_that_is_a_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="cache_dir must be a folder.*is a file"):
        load_mnist(full=True, cache_dir=tmp_path / "file")
    monkeypatch.setenv("SCRATCHNET_DATA", str(tmp_path / "file"))
    with pytest.raises(NotADirectoryError, match=r"\$SCRATCHNET_DATA must be a folder"):
        load_fashion_mnist()


def test_the_default_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SCRATCHNET_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert dl.cache_dir() == tmp_path / ".cache" / "scratchnet"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert dl.cache_dir() == tmp_path / "xdg" / "scratchnet"
    monkeypatch.setenv("SCRATCHNET_DATA", str(tmp_path / "mine"))
    assert dl.cache_dir() == tmp_path / "mine"
    assert dl.cache_dir(tmp_path / "given") == tmp_path / "given"


# ---- two at once ---------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from scratchnet.datasets.download import RemoteFile, fetch
    remotes, mirror, folder, sync = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
    (sync / f"ready-{sys.argv[5]}").touch()
    deadline = time.time() + 60
    while not (sync / "go").exists() and time.time() < deadline:  # start together
        time.sleep(0.005)
    start = time.time()
    for r in remotes:
        fetch(RemoteFile(*r), [mirror], folder, timeout=10, retries=0, progress=False)
    print(json.dumps([start, time.time()]))
""")


def test_two_processes_downloading_into_the_same_cache(tmp_path, idx):
    """Both get verified files; the lock makes the second wait and then find them, so each file is
    requested once. The downloads are slowed down so that the two processes overlap."""
    names = ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
    routes = {f"/{n}": Route(idx[n], chunk_delay=0.15) for n in names}  # t10k-images: ~0.7 s
    remotes = [remote(n, idx[n]) for n in names]
    cache, sync = tmp_path / "cache", tmp_path / "sync"
    sync.mkdir()
    with FileServer(routes) as server:
        args = [json.dumps([[r.name, r.size, r.sha256] for r in remotes]), server.url, str(cache), str(sync)]
        children = [subprocess.Popen([sys.executable, "-c", CHILD, *args, str(i)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for i in range(2)]
        deadline = time.monotonic() + 60
        while len(list(sync.glob("ready-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        (sync / "go").touch()
        outputs = [child.communicate(timeout=120) for child in children]
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, err
    (a_start, a_end), (b_start, b_end) = (json.loads(out) for out, _ in outputs)
    assert a_start < b_end and b_start < a_end  # they did run at the same time
    assert all(verify(cache / r.name, r) is None for r in remotes)
    assert sorted(server.requests) == sorted(routes)  # once each
    assert _leftovers(cache) == []


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "lock-disabled"])
def test_the_lock_is_what_saves_the_second_download(tmp_path, idx, monkeypatch, locked):
    """The companion of the test above, with threads: with the lock, one waits and then downloads
    nothing; without it, both download."""
    if not locked:
        class NoLock:
            def __init__(self, *args): pass
            def __enter__(self): return self
            def __exit__(self, *exc): pass
        monkeypatch.setattr(dl, "_Lock", NoLock)
    name = "t10k-images-idx3-ubyte.gz"
    want = remote(name, idx[name])
    errors = []
    with FileServer({f"/{name}": Route(idx[name], chunk_delay=0.1)}) as server:
        def worker():
            try:
                fetch(want, [server.url], tmp_path, **QUICK)
            except Exception as error:  # reported below
                errors.append(error)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    if locked:
        assert not errors and len(server.requests) == 1
        assert verify(tmp_path / name, want) is None and _leftovers(tmp_path) == []
    else:  # both download; and each may sweep away the other's temporary file as a stale one
        assert len(server.requests) == 2


def test_waiting_for_another_downloader_is_bounded(tmp_path, idx):
    name = "t10k-labels-idx1-ubyte.gz"
    with dl._Lock(tmp_path / f".{name}.lock", wait=1):  # someone else is downloading it
        start = time.monotonic()
        with pytest.raises(DownloadError, match="waited 0.3 s"):
            fetch(remote(name, idx[name]), [dead_url()], tmp_path, lock_wait=0.3, **QUICK)
        assert time.monotonic() - start < 10


# ---- progress, bad input, the IDX reader ------------------------------------------------------

def test_a_progress_bar_shows_while_downloading(tmp_path, idx, capsys, monkeypatch):
    name = "t10k-images-idx3-ubyte.gz"
    with FileServer({f"/{name}": Route(idx[name])}) as server:
        fetch(remote(name, idx[name]), [server.url], tmp_path / "a", timeout=5, retries=0, progress=True)
        with_tqdm = capsys.readouterr().err
        monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # as if tqdm were not installed
        fetch(remote(name, idx[name]), [server.url], tmp_path / "b", timeout=5, retries=0, progress=True)
        fallback = capsys.readouterr().err
        fetch(remote(name, idx[name]), [server.url], tmp_path / "c", timeout=5, retries=0, progress=False)
        quiet = capsys.readouterr().err
    assert name in with_tqdm and "100%" in with_tqdm
    size = f"{len(idx[name]) / 2**20:.1f} of {len(idx[name]) / 2**20:.1f} MiB"
    assert fallback.startswith(f"\r{name}: ") and fallback.endswith(f"{size}\n") and fallback.count("\r") <= 11
    assert quiet == ""


@pytest.mark.parametrize("kwargs, match", [
    (dict(mirrors=[]), "mirrors must be a non-empty list of base URLs"),
    (dict(mirrors="http://127.0.0.1/"), "mirrors must be a non-empty list"),
    (dict(timeout=0), "timeout must be a positive number of seconds, got 0"),
    (dict(timeout=None), "timeout must be a positive number"),
    (dict(retries=-1), "retries must be an integer >= 0, got -1"),
    (dict(retries=1.5), "retries must be an integer"),
    (dict(backoff=-1), "backoff must be a number of seconds >= 0, got -1"),
    (dict(lock_wait=float("nan")), "lock_wait must be a number of seconds >= 0, got nan"),
])
def test_bad_arguments_to_fetch_name_the_argument(tmp_path, kwargs, match):
    args = dict(remote=RemoteFile("x.gz", 1, "0" * 64), mirrors=[dead_url()], folder=tmp_path) | kwargs
    with pytest.raises(ValueError, match=match):
        fetch(**args)


def test_bad_arguments_to_the_loaders(tmp_path):
    with pytest.raises(TypeError, match=r"load_mnist\(full=...\) expected True or False, got str"):
        load_mnist(full="yes")
    with pytest.raises(TypeError, match="cache_dir expected a path"):
        load_mnist(full=True, cache_dir=3)


def test_read_idx_checks_the_header(tmp_path):
    good = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "good.gz").write_bytes(idx_bytes(good))
    np.testing.assert_array_equal(real.read_idx(tmp_path / "good.gz"), good)
    header = bytes([0, 0, 0x08, 3]) + b"".join(d.to_bytes(4, "big") for d in (2, 3, 4))
    (tmp_path / "short.gz").write_bytes(gzip.compress(header + bytes(23)))
    with pytest.raises(ValueError, match=r"header says shape \(2, 3, 4\), which needs 24 bytes"):
        real.read_idx(tmp_path / "short.gz")
    (tmp_path / "float.gz").write_bytes(gzip.compress(bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + bytes(4)))
    with pytest.raises(ValueError, match="not an IDX file of unsigned bytes"):
        real.read_idx(tmp_path / "float.gz")
