"""Local servers on 127.0.0.1 for the download tests, and IDX files built from the offline subset.

`FileServer` serves bytes by path and can misbehave on purpose: a wrong Content-Length, a
connection cut after some bytes, a stall in the middle, a slow trickle, an error status.
`SilentServer` accepts connections and never answers. Both record what they saw.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import os
import socket
import threading
import time
from dataclasses import dataclass

import numpy as np

from scratchnet.datasets.download import RemoteFile

IDX_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes, gzipped with a fixed header time (the same bytes every run)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes(), mtime=0)


def subset_idx_files() -> dict[str, bytes]:
    """The offline MNIST subset as the four canonical IDX files (4,000 + 1,000 digits)."""
    from scratchnet.datasets import load_mnist
    (x_train, y_train), (x_test, y_test) = load_mnist()
    as_bytes = [np.rint(x_train * 255), y_train, np.rint(x_test * 255), y_test]
    return {name: idx_bytes(a) for name, a in zip(IDX_NAMES, as_bytes)}


def remote(name: str, data: bytes) -> RemoteFile:
    return RemoteFile(name, len(data), hashlib.sha256(data).hexdigest())


@dataclass
class Route:
    body: bytes
    status: int = 200
    length: int | None = None     # the Content-Length to announce (None: the true one; -1: none)
    cut_after: int | None = None  # close the connection after this many body bytes
    stall_after: int | None = None  # send this many body bytes, then nothing until the server stops
    chunk_delay: float = 0.0      # seconds between 16 KiB chunks


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        server = self.server
        path = self.path.split("?")[0]
        with server.lock:
            server.requests.append(path)
        route = server.routes.get(path)
        if route is None:
            self.send_error(404, "not here")
            return
        body = route.body
        self.send_response(route.status)
        length = len(body) if route.length is None else route.length
        if length >= 0:
            self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()
        limit = len(body)
        for stop in (route.cut_after, route.stall_after):
            if stop is not None:
                limit = min(limit, stop)
        for start in range(0, limit, 1 << 14):
            self.wfile.write(body[start:min(start + (1 << 14), limit)])
            self.wfile.flush()
            if route.chunk_delay:
                time.sleep(route.chunk_delay)
        if route.stall_after is not None:
            server.stopping.wait(60)
        self.close_connection = True


class FileServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: dict[str, Route]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes, self.requests, self.lock = routes, [], threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.shutdown()
        self.server_close()


class SilentServer:
    """Listens on 127.0.0.1, accepts every connection, reads nothing and never answers."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.accepted, self.stopping = [], threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self):
        self.sock.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted.append(conn)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def dead_url() -> str:
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def read_only(folder):
    """`folder` read-only for this process while inside. root ignores permission bits, so as root the
    process acts as user `nobody` meanwhile (the folder's parents must let `nobody` through)."""
    os.chmod(folder, 0o555)
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    try:
        if as_root:
            os.setegid(65534)
            os.seteuid(65534)
        yield
    finally:
        if as_root:
            os.seteuid(0)
            os.setegid(0)
        os.chmod(folder, 0o755)
