"""The test run has no internet: from the moment pytest starts until it ends, this process may open
network connections and look up host names only on the loopback interface (127.0.0.0/8, ::1,
localhost). Anything else raises `BlockedConnection` at once, so a test that would reach the
network fails (or, for code that copes with being offline, sees what offline looks like).
Subprocesses (kernels, pip, the browser) are not affected. tests/test_datasets_netguard.py shows
that the guard blocks and lets loopback through."""

import ipaddress
import os
import socket

import pytest

from tests.browser import Chromium, chromium_missing

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class BlockedConnection(ConnectionError):
    """Raised by the tests' network guard for anything but loopback."""


def is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None or not isinstance(host, str):
        return False
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_original = {}


def _check(address, what):
    if isinstance(address, tuple) and address and not is_local(address[0]):
        raise BlockedConnection(f"the tests' network guard blocked {what} to {address[0]!r} "
                                f"(only loopback is allowed during the tests)")


def _connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address, "a connection")
    return _original["connect"](self, address)


def _connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address, "a connection")
    return _original["connect_ex"](self, address)


def _sendto(self, data, *args):
    if self.family in (socket.AF_INET, socket.AF_INET6) and args:
        _check(args[-1], "a datagram")
    return _original["sendto"](self, data, *args)


def _getaddrinfo(host, *args, **kwargs):
    if host is not None and not is_local(host):
        raise BlockedConnection(f"the tests' network guard blocked a name lookup of {host!r} "
                                f"(only loopback is allowed during the tests)")
    return _original["getaddrinfo"](host, *args, **kwargs)


def _gethostbyname(host):
    if not is_local(host):
        raise BlockedConnection(f"the tests' network guard blocked a name lookup of {host!r}")
    return _original["gethostbyname"](host)


def install_guard():
    if _original:
        return
    _original.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                     sendto=socket.socket.sendto, getaddrinfo=socket.getaddrinfo,
                     gethostbyname=socket.gethostbyname)
    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = _connect, _connect_ex, _sendto
    socket.getaddrinfo, socket.gethostbyname = _getaddrinfo, _gethostbyname


def remove_guard():
    if not _original:
        return
    socket.socket.connect, socket.socket.connect_ex = _original["connect"], _original["connect_ex"]
    socket.socket.sendto = _original["sendto"]
    socket.getaddrinfo, socket.gethostbyname = _original["getaddrinfo"], _original["gethostbyname"]
    _original.clear()


def pytest_configure(config):
    install_guard()


def pytest_unconfigure(config):
    remove_guard()


# Shared fixture: `chromium`, one headless Chromium for the whole session (tests/browser/).
# Without Chromium the browser tests skip, saying how to get it; with SCRATCHNET_REQUIRE_BROWSER=1
# (set by .ci/run) they fail instead, so CI cannot pass without having run them.


@pytest.fixture(scope="session")
def chromium():
    reason = chromium_missing()
    if reason:
        if os.environ.get("SCRATCHNET_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with Chromium() as browser:
        yield browser
