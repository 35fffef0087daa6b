"""Hostile DNS against the redirect guard: a redirect's host is looked up once, and the
request goes to the address that was checked.

A host name that DNS gives a public address when the guard asks and a private one when the
connection is made (rebinding) must not lead a request from the web into this machine's
network. Loopback has no public address, so 127.0.0.2 plays one here; 127.0.0.1 is private.
"""

from __future__ import annotations

import collections
import http.server
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from newsletter.web import addresses
from newsletter.web.client import FetchError
from newsletter.web.pages import FetchedPage, fetch_pages
from tests.conftest import self_signed
from tests.system.test_hostile_http import Hostile, page

pytestmark = pytest.mark.network

PUBLIC, PRIVATE = "127.0.0.2", "127.0.0.1"


class FakeDns:
    """Answers for some host names, one list of addresses per look-up (the last one again
    once they run out), and how many times each name was looked up."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: collections.Counter[str] = collections.Counter()

    def getaddrinfo(self, real: Any, host: Any, *args: Any, **kwargs: Any) -> Any:
        """socket.getaddrinfo, but for the names given answers."""
        if host not in self.answers:
            return real(host, *args, **kwargs)
        self.lookups[host] += 1
        answers = self.answers[host]
        found = answers.pop(0) if len(answers) > 1 else answers[0]
        return [info for address in found for info in real(address, *args, **kwargs)]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """A resolver for made-up names, and 127.0.0.2 counted as a public address."""
    fake, real = FakeDns(), socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: fake.getaddrinfo(real, *a, **k))
    is_public = addresses._is_public
    monkeypatch.setattr(
        addresses, "_is_public", lambda address: str(address) == PUBLIC or is_public(address)
    )
    return fake


@pytest.fixture
def twins() -> Iterator[tuple[Hostile, Hostile]]:
    """Two servers on one port: a public one (127.0.0.2) and a private one (127.0.0.1), each
    with a page /admin that says which it is."""
    for _ in range(20):  # the port free on 127.0.0.2 may be taken on 127.0.0.1: try another
        try:
            public = Hostile({"/admin": page(b"<title>public</title>")}, host=PUBLIC)
        except OSError:
            pytest.skip("127.0.0.2 is not on the loopback interface here")
        try:
            private = Hostile({"/admin": page(b"<title>secret</title>")}, port=public.port)
        except OSError:
            public.__exit__()
            continue
        with public, private:
            yield public, private
        return
    pytest.fail("no port free on both 127.0.0.1 and 127.0.0.2")


def start_at_a_public_name(dns: FakeDns, private: Hostile, target: str) -> str:
    """news.example/story, on the private server but looked up as public, redirects to
    `target`; its address."""
    dns.answers["news.example"] = [[PRIVATE]]
    private.routes["/story"] = page(b"", status="302 Found", headers={"Location": target})
    return f"http://news.example:{private.port}/story"


def test_a_name_that_rebinds_after_the_check_is_connected_to_as_checked(
    dns: FakeDns, twins: tuple[Hostile, Hostile]
) -> None:
    public, private = twins
    dns.answers["rebind.example"] = [[PUBLIC], [PRIVATE]]  # checked, then connected to
    url = start_at_a_public_name(dns, private, f"http://rebind.example:{public.port}/admin")
    [result] = fetch_pages([url])
    assert isinstance(result, FetchedPage), result
    assert result.body == b"<title>public</title>"
    assert (private.requests, public.requests) == (["GET /story"], ["GET /admin"])
    assert dns.lookups["rebind.example"] == 1


@pytest.mark.parametrize(
    "answers", [[[PRIVATE], [PUBLIC]], [[PUBLIC, PRIVATE]], [[PRIVATE, PUBLIC]]]
)
def test_a_name_with_a_private_address_is_refused_at_its_one_look_up(
    dns: FakeDns, twins: tuple[Hostile, Hostile], answers: list[list[str]]
) -> None:
    public, private = twins
    dns.answers["rebind.example"] = answers
    url = start_at_a_public_name(dns, private, f"http://rebind.example:{public.port}/admin")
    [error] = fetch_pages([url])
    assert isinstance(error, FetchError)
    message = f"the server redirected to a private address (rebind.example, at {PRIVATE}): refused"
    assert (str(error), error.failure) == (message, "bad-redirect")
    assert (private.requests, public.requests) == (["GET /story"], [])
    assert dns.lookups["rebind.example"] == 1


def test_a_private_origin_may_redirect_to_a_private_name(
    dns: FakeDns, twins: tuple[Hostile, Hostile]
) -> None:
    _, private = twins
    dns.answers["intranet.example"] = [[PRIVATE]]
    private.routes["/start"] = page(
        b"",
        status="302 Found",
        headers={"Location": f"http://intranet.example:{private.port}/admin"},
    )
    [result] = fetch_pages([f"http://{PRIVATE}:{private.port}/start"])
    assert isinstance(result, FetchedPage), result
    assert result.body == b"<title>secret</title>"


@contextmanager
def serving(server: http.server.ThreadingHTTPServer) -> Iterator[int]:
    """`server` answering, on its port, until the block ends or a minute has passed."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    timer = threading.Timer(60, server.shutdown)
    timer.start()
    try:
        yield server.server_address[1]
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join(5)


class _KeepAlive(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: /page is a page, /story redirects to the Location header
    the server was given."""

    protocol_version = "HTTP/1.1"
    timeout = 5  # an idle connection is closed after that
    location = ""
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # the name http.server calls
        self.paths.append(self.path)
        body = b"<title>intranet</title>" if self.path == "/page" else b""
        self.send_response(200 if self.path == "/page" else 302)
        if self.path != "/page":
            self.send_header("Location", self.location)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_connection_left_open_to_a_private_host_serves_no_redirect_from_a_public_one(
    dns: FakeDns,
) -> None:
    dns.answers["intranet.example"] = [[PRIVATE]]
    dns.answers["news.example"] = [[PRIVATE]]
    server = http.server.ThreadingHTTPServer((PRIVATE, 0), _KeepAlive)
    _KeepAlive.paths.clear()
    with serving(server) as port:
        _KeepAlive.location = f"http://intranet.example:{port}/page"
        # In turn: the editor's own intranet page first, left open for more requests.
        first, second = fetch_pages(
            [f"http://intranet.example:{port}/page", f"http://news.example:{port}/story"],
            concurrency=1,
        )
    assert isinstance(first, FetchedPage), first
    assert str(second) == (
        f"the server redirected to a private address (intranet.example, at {PRIVATE}): refused"
    )
    assert _KeepAlive.paths == ["/page", "/story"]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for news.example and other.example, and its key."""
    return self_signed(
        tmp_path_factory.mktemp("tls"), "news.example", "DNS:news.example,DNS:other.example"
    )


class _Secure(http.server.BaseHTTPRequestHandler):
    """/story redirects to https://other.example (same port); /page shows the Host header."""

    timeout = 5

    def do_GET(self) -> None:  # the name http.server calls
        host = self.headers.get("Host", "")
        if self.path == "/story":
            self.send_response(302)
            self.send_header("Location", f"https://other.example:{host.rpartition(':')[2]}/page")
            body = b""
        else:
            self.send_response(200)
            body = f"<title>{host}</title>".encode()
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_tls_and_the_host_header_name_the_host_not_the_address_connected_to(
    dns: FakeDns, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    dns.answers["news.example"] = [[PUBLIC]]
    dns.answers["other.example"] = [[PUBLIC]]
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the only certificate trusted
    names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)

    def server_name(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
        names.append(name)

    context.sni_callback = server_name
    try:
        server = http.server.ThreadingHTTPServer((PUBLIC, 0), _Secure)
    except OSError:
        pytest.skip("127.0.0.2 is not on the loopback interface here")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving(server) as port:
        [result] = fetch_pages([f"https://news.example:{port}/story"])
    assert isinstance(result, FetchedPage), result
    assert result.final_url == f"https://other.example:{port}/page"
    assert result.body == f"<title>other.example:{port}</title>".encode()
    assert names == ["news.example", "other.example"]
    assert dns.lookups == {"news.example": 1, "other.example": 1}
