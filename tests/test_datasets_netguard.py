"""The network guard of tests/conftest.py is on for the whole run, blocks the internet at once, and
lets loopback through: so every other test of the run passes without the internet."""

import socket
import urllib.error
import urllib.request

import pytest

from tests import conftest
from tests.conftest import BlockedConnection, is_local
from tests.datasets_server import FileServer, Route


def test_the_guard_is_on_for_the_whole_run():
    assert socket.socket.connect is conftest._connect
    assert socket.getaddrinfo is conftest._getaddrinfo


@pytest.mark.parametrize("address", [("192.0.2.1", 80), ("10.0.0.1", 443), ("2001:db8::1", 443, 0, 0)])
def test_a_connection_outside_is_blocked_at_once(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(30)  # a real attempt at these addresses would hang or fail slowly; the guard is instant
        with pytest.raises(BlockedConnection, match="network guard blocked a connection"):
            s.connect(address)
        with pytest.raises(BlockedConnection):
            s.connect_ex(address)


def test_a_name_lookup_and_a_url_outside_are_blocked():
    with pytest.raises(BlockedConnection, match="name lookup of 'pypi.org'"):
        socket.getaddrinfo("pypi.org", 443)
    with pytest.raises(BlockedConnection):
        socket.gethostbyname("example.com")
    with pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen("https://example.com/", timeout=30)
    assert isinstance(caught.value.reason, BlockedConnection)


def test_a_datagram_outside_is_blocked():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        with pytest.raises(BlockedConnection, match="datagram"):
            s.sendto(b"x", ("8.8.8.8", 53))


def test_loopback_goes_through():
    with FileServer({"/x": Route(b"hello")}) as server:
        assert urllib.request.urlopen(server.url + "/x", timeout=5).read() == b"hello"
        port = server.server_address[1]
        assert urllib.request.urlopen(f"http://localhost:{port}/x", timeout=5).read() == b"hello"
    assert socket.getaddrinfo("127.0.0.1", 80)


@pytest.mark.parametrize("host, local", [
    ("127.0.0.1", True), ("127.5.0.1", True), ("::1", True), ("localhost", True), (b"127.0.0.1", True),
    ("10.0.0.1", False), ("8.8.8.8", False), ("example.com", False), ("", False), (None, False),
])
def test_what_counts_as_local(host, local):
    assert is_local(host) is local


def test_removing_the_guard_restores_the_socket_functions():
    """The guard really replaces the functions (and pytest_unconfigure puts them back)."""
    guarded = socket.socket.connect
    conftest.remove_guard()
    try:
        assert socket.socket.connect is not guarded and socket.getaddrinfo is not conftest._getaddrinfo
    finally:
        conftest.install_guard()
    assert socket.socket.connect is conftest._connect
