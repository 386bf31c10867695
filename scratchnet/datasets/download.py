"""Verified downloads into a cache folder (support code, written by hand).

`fetch(remote, mirrors, folder)` returns the path of a cached file whose size and SHA-256 match
`remote`, downloading it first when it is missing or damaged:

- it tries each mirror in turn, and goes round the list at most `1 + retries` times, waiting
  `backoff`, then 2 x `backoff`, ... seconds between rounds;
- `timeout` bounds every network wait (the connection, and each read), so a server that accepts the
  connection and never answers costs `timeout` seconds, not forever;
- it streams into a temporary file beside the target, checks size and SHA-256, and only then
  renames it into place (`os.replace`, atomic): the cache never holds half a file under the real name;
- a lock file (`.NAME.lock`, an OS lock that dies with its process) lets one process download while
  another waits for it, then finds the file there and verified;
- a cached file is verified on every use; a corrupt or truncated one is fetched again, with a warning.

The cache folder is `$SCRATCHNET_DATA` when that is set, else `$XDG_CACHE_HOME/scratchnet`, else
`~/.cache/scratchnet`. Cached files that are already there and verified load from a read-only folder.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENV_VAR", "RemoteFile", "DownloadError", "cache_dir", "fetch", "verify"]

ENV_VAR = "SCRATCHNET_DATA"
USER_AGENT = "scratchnet-course (https://github.com/scratchnet-course/deep-learning-from-scratch)"
CHUNK = 1 << 16


@dataclass(frozen=True)
class RemoteFile:
    """A file known by its name, its size in bytes and its SHA-256 (hex)."""
    name: str
    size: int
    sha256: str


class DownloadError(OSError):
    """No mirror gave a file with the pinned size and SHA-256, or the cache cannot be written."""


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The cache folder: `path` if given, else `$SCRATCHNET_DATA`, else `$XDG_CACHE_HOME/scratchnet`,
    else `~/.cache/scratchnet`. It need not exist yet; it must not be a file."""
    if path is None:
        path = os.environ.get(ENV_VAR) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scratchnet"
        where = f"${ENV_VAR}" if os.environ.get(ENV_VAR) else "the default cache folder"
    else:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"cache_dir expected a path (str or os.PathLike), got {type(path).__name__}: {path!r}")
        where = "cache_dir"
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{where} must be a folder, but {folder} is a file; "
                                 f"set {ENV_VAR} (or pass cache_dir=) to a folder")
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, remote: RemoteFile) -> str | None:
    """None when `path` holds `remote` (size, then SHA-256), else what is wrong with it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    if size != remote.size:
        return f"{size:,} bytes instead of {remote.size:,}"
    got = _sha256(path)
    return None if got == remote.sha256 else f"SHA-256 {got} instead of {remote.sha256}"


class _Lock:
    """An exclusive OS lock on a file (flock on POSIX, msvcrt on Windows), waited for at most `wait` s.
    The OS drops it when its process ends, so a crashed download never leaves the cache locked."""

    def __init__(self, path: Path, wait: float):
        self.path, self.wait, self.fd = path, wait, None

    def _try(self) -> bool:
        try:
            if os.name == "nt":
                import msvcrt
                msvcrt.locking(self.fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:  # BlockingIOError on POSIX, PermissionError on Windows: held elsewhere
            return False

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + self.wait
        while not self._try():
            if time.monotonic() > deadline:
                os.close(self.fd)
                raise DownloadError(f"waited {self.wait:g} s for {self.path}, which another process still "
                                    f"holds while it downloads; try again later")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        if os.name == "nt":
            import msvcrt
            msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


class _Progress:
    """A progress bar: tqdm when it is installed, else one line on stderr rewritten every 10%."""

    def __init__(self, name: str, total: int, enabled: bool):
        self.bar, self.name, self.total, self.done, self.shown = None, name, total, 0, -1
        self.enabled = enabled
        if not enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.enabled:
            tenth = 10 * self.done // max(self.total, 1)
            if tenth != self.shown:
                self.shown = tenth
                print(f"\r{self.name}: {self.done / 2**20:.1f} of {self.total / 2**20:.1f} MiB",
                      end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled and self.shown >= 0:
            print(file=sys.stderr, flush=True)


def _download(url: str, remote: RemoteFile, tmp: Path, timeout: float, progress: bool) -> None:
    """One attempt: stream `url` into the file `tmp` and check it; raises what went wrong."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    digest, size, bar = hashlib.sha256(), 0, None
    try:
        with open(tmp, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            if announced is not None and announced.isdigit() and int(announced) != remote.size:
                raise DownloadError(f"the server announces {int(announced):,} bytes, expected {remote.size:,}")
            bar = _Progress(remote.name, remote.size, progress)
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > remote.size:
                    raise DownloadError(f"more than the expected {remote.size:,} bytes")
                digest.update(chunk)
                out.write(chunk)
                bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
    finally:
        if bar is not None:
            bar.close()
    if size != remote.size:
        raise DownloadError(f"truncated: {size:,} bytes of {remote.size:,}")
    if digest.hexdigest() != remote.sha256:
        raise DownloadError(f"checksum mismatch: SHA-256 {digest.hexdigest()}, expected {remote.sha256}")


def _reason(error: BaseException) -> str:
    """A short reason for one failed attempt."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return f"timed out ({type(error).__name__}: {error})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def fetch(remote: RemoteFile, mirrors: list[str] | tuple[str, ...], folder: str | os.PathLike, *,
          timeout: float = 30.0, retries: int = 2, backoff: float = 1.0, lock_wait: float = 900.0,
          progress: bool = True, offline_hint: str = "") -> Path:
    """The path of `folder/remote.name`, verified, downloading it from `mirrors` (base URLs) if needed.

    timeout: seconds for each network wait (connecting, each read); default 30. retries: extra
    rounds over the mirrors after the first (default 2), so at most (1 + retries) x len(mirrors)
    attempts. backoff: seconds before round 2, doubled for each later round (default 1).
    lock_wait: seconds to wait for another process that downloads the same file (default 900).
    progress: show a progress bar (default True). offline_hint: a sentence the error ends with when
    every attempt failed, saying what works without the network.
    Raises DownloadError (an OSError) when no mirror gives the right bytes, or the cache folder
    cannot be written.
    """
    if isinstance(mirrors, str) or not mirrors or not all(isinstance(m, str) for m in mirrors):
        raise ValueError(f"mirrors must be a non-empty list of base URLs, got {mirrors!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be an integer >= 0, got {retries!r}")
    for name, value in (("backoff", backoff), ("lock_wait", lock_wait)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    folder = cache_dir(folder)
    target = folder / remote.name
    try:
        if verify(target, remote) is None:
            return target  # the usual case; works in a read-only cache too
    except OSError as error:
        raise DownloadError(f"cannot read the cached {target} ({error}); "
                            f"set {ENV_VAR} to another folder, or pass cache_dir=") from error
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _Lock(folder / f".{remote.name}.lock", lock_wait):
            return _fetch_locked(remote, mirrors, target, timeout, retries, backoff, progress, offline_hint)
    except DownloadError:
        raise
    except OSError as error:  # the folder, the lock, a temporary file, the rename: all local
        raise DownloadError(f"cannot write to the cache folder {folder} ({error}); "
                            f"set {ENV_VAR} to a writable folder, or pass cache_dir=") from error


def _fetch_locked(remote, mirrors, target, timeout, retries, backoff, progress, offline_hint) -> Path:
    problem = verify(target, remote)  # another process may have fetched it while we waited
    if problem is None:
        return target
    if problem != "missing":
        warnings.warn(f"the cached {target} is damaged ({problem}); fetching it again", stacklevel=4)
    for stale in target.parent.glob(f".{remote.name}.*.part"):  # left by a killed download; we hold the lock
        stale.unlink(missing_ok=True)
    failures, unreachable = {}, True  # url -> the reason of each attempt; unreachable: no server answered
    for round_ in range(retries + 1):
        if round_:
            time.sleep(backoff * 2 ** (round_ - 1))
        for base in mirrors:
            url = base.rstrip("/") + "/" + remote.name
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{remote.name}.", suffix=".part")
            os.close(fd)
            tmp = Path(tmp)
            try:
                _download(url, remote, tmp, timeout, progress)
            except (OSError, ValueError, http.client.HTTPException) as error:  # URLError, timeouts, ...
                tmp.unlink(missing_ok=True)
                failures.setdefault(url, []).append(_reason(error))
                unreachable &= isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError)
                continue
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            os.chmod(tmp, 0o644)  # mkstemp made it private; a shared cache must be readable
            os.replace(tmp, target)
            return target
    tried = "\n".join(f"  {url}: {reasons[0]}" + (f" ({len(reasons)} times)" if len(reasons) > 1 else "")
                      if len(set(reasons)) == 1 else f"  {url}: " + "; ".join(reasons)
                      for url, reasons in failures.items())
    offline = "No mirror could be reached: are you offline? " if unreachable else ""
    raise DownloadError(f"could not download {remote.name} ({remote.size:,} bytes) from any mirror "
                        f"in {retries + 1} round(s):\n{tried}\n{offline}{offline_hint}".rstrip())
