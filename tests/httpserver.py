"""A real HTTP server on 127.0.0.1 serving pages the tests write: nothing reaches the internet."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Response:
    """What the server answers for one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering: a slow server


class Site:
    """The pages, by path; `url(path)` is their address on the running server."""

    def __init__(self) -> None:
        self.pages: dict[str, Response] = {}
        self.requests: list[str] = []
        self.base = ""
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests the server was answering at one time
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", **kwargs: object) -> str:
        """Serve `body` at `path`; return its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = Response(data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        """Redirect `path` to `to` (a path on this server or a URL)."""
        target = to if "://" in to else self.url(to)
        return self.add(path, status=status, headers={"Location": target})


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with site.lock:
                site.requests.append(self.path)
            self._answer()

        def _answer(self) -> None:
            page = site.pages.get(self.path)
            if page is None:
                page = Response(b"<h1>Not found</h1>", status=404)
            # In flight while the server works on it: counted down before the answer is sent,
            # since the client may send its next request as soon as it has it.
            with site.lock:
                site.in_flight += 1
                site.most_in_flight = max(site.most_in_flight, site.in_flight)
            try:
                if page.delay:
                    time.sleep(page.delay)
            finally:
                with site.lock:
                    site.in_flight -= 1
            try:
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to do

        def do_HEAD(self) -> None:
            self.do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A server on 127.0.0.1 answering with `handler`, while in the block: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    """A running HTTP server on 127.0.0.1 with no pages yet; stopped after the test."""
    pages = Site()
    with serving(_handler(pages)) as base:
        pages.base = base
        yield pages


@pytest.fixture
def public(site: Site, monkeypatch: pytest.MonkeyPatch) -> str:
    """`site` under a public-looking name: `http://news.example:PORT`, which resolves to
    127.0.0.1 (the address guard then sees a public name that leads to a private address)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "news.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return f"http://news.example:{site.base.rpartition(':')[2]}"
