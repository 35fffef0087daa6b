"""Hostile web servers on 127.0.0.1 that answer slowly: a deadline over the whole exchange.

Each wait of a request has its timeout, and the whole request three times that, whatever
the server does to reset the timeout: trickling headers or the body a byte at a time,
redirecting slowly from hop to hop, or never finishing the TLS handshake.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsletter.web.client import FetchError
from newsletter.web.pages import fetch_pages
from tests.conftest import RunCli
from tests.system.test_hostile_http import HTML, ISSUE, Answer, Exchange, Hostile, page, point_at

pytestmark = pytest.mark.network

TIMEOUT = 1.0
DEADLINE = 3 * TIMEOUT
BOUND = DEADLINE + 2  # what a run may take: the deadline, and time to start and report


def trickled_headers(every: float = 0.25) -> Answer:
    """A status line, then a header a byte at a time, each well within the timeout."""

    def answer(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        exchange.trickle(b"X-Slow: " + b"a" * 400 + b"\r\n\r\n" + HTML, every)

    return answer


def trickled_body(content_type: str = "text/html", every: float = 0.25) -> Answer:
    """Headers at once, then the body a byte at a time."""

    def answer(exchange: Exchange) -> None:
        body = HTML + b" " * 400
        exchange.send(
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        )
        exchange.trickle(body, every)

    return answer


def slow_hop(to: str, wait: float = 0.9) -> Answer:
    """A redirect to `to` after `wait` seconds: within the timeout, each hop."""

    def answer(exchange: Exchange) -> None:
        if not exchange.stop.wait(wait):
            page(b"", status="302 Found", headers={"Location": to})(exchange)

    return answer


def slow_chain(routes: dict[str, Answer], start: str) -> None:
    """Five slow redirects from `start` to a page: 5.4 s in all."""
    for hop in range(5):
        routes[f"{start}{hop or ''}"] = slow_hop(f"{start}{hop + 1}")
    routes[f"{start}5"] = page()


def routes_for(kind: str, path: str) -> dict[str, Answer]:
    """The answers that make `path` a slow one of `kind`."""
    routes: dict[str, Answer] = {}
    if kind == "trickled headers":
        routes[path] = trickled_headers()
    elif kind == "trickled body":
        routes[path] = trickled_body()
    else:
        slow_chain(routes, path)
    return routes


@pytest.mark.parametrize("kind", ["trickled headers", "trickled body", "slow redirects"])
def test_add_gives_up_at_the_deadline(project: Path, run: RunCli, kind: str) -> None:
    with Hostile(routes_for(kind, "/slow")) as server:
        url = server.url("/slow")
        start = time.monotonic()
        result = run("add", url, "--section", "News", "--timeout", f"{TIMEOUT:g}")
        seconds = time.monotonic() - start
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {url}: no full answer within {DEADLINE:g} s\n"
    assert DEADLINE - 0.5 < seconds < BOUND


def test_check_online_gives_up_at_the_deadline(project: Path, run: RunCli) -> None:
    routes = {
        "/news/lead": trickled_headers(),  # asked for with HEAD: the headers are all it reads
        "/img/lead.jpg": trickled_body("image/png"),
    }
    slow_chain(routes, "/news/second")
    with Hostile(routes) as server:
        point_at(project, server.base)
        start = time.monotonic()
        result = run("check", "--online", "--timeout", f"{TIMEOUT:g}")
        seconds = time.monotonic() - start
    late = f"no full answer within {DEADLINE:g} s"
    assert [line for line in result.stdout.splitlines() if "[online/" in line] == [
        f"{ISSUE}:11:14: error: sections[0].articles[0].url: {late}: {server.url('/news/lead')}"
        " [online/unreachable]",
        f"{ISSUE}:14:16: error: sections[0].articles[0].image: {late}:"
        f" {server.url('/img/lead.jpg')} [online/unreachable]",
        f"{ISSUE}:19:14: error: sections[1].articles[0].url: {late}:"
        f" {server.url('/news/second')} [online/unreachable]",
    ]
    assert (result.exit_code, result.stderr) == (1, "")
    assert seconds < BOUND
    assert server.requests.count("GET /news/lead") == 0  # too slow for HEAD: no GET after


def test_a_tls_handshake_trickled_is_cut_at_the_timeout() -> None:
    # A TLS record header that announces 400 bytes, then the bytes, one at a time.
    handshake = b"\x16\x03\x03\x01\x90" + b"\x00" * 400
    with Hostile({}, greet=lambda exchange: exchange.trickle(handshake, 0.1)) as server:
        start = time.monotonic()
        [error] = fetch_pages([server.url("/").replace("http:", "https:")], timeout=TIMEOUT)
        seconds = time.monotonic() - start
    assert (str(error), getattr(error, "failure", None)) == (
        f"no answer within {TIMEOUT:g} s",
        "no-answer",
    )
    assert seconds < TIMEOUT + 1


@pytest.fixture
def slow_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """slow.example, a host name whose look-up does not end until the test does."""
    real, release = socket.getaddrinfo, threading.Event()

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "slow.example":
            release.wait(30)
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield "slow.example"
    release.set()


def test_a_look_up_that_does_not_end_is_cut_at_the_timeout(slow_dns: str) -> None:
    start = time.monotonic()
    [error] = fetch_pages([f"http://{slow_dns}/"], timeout=TIMEOUT)
    seconds = time.monotonic() - start
    assert isinstance(error, FetchError)
    assert (str(error), error.failure) == (f"no answer within {TIMEOUT:g} s", "no-answer")
    assert seconds < TIMEOUT + 1


@pytest.mark.slow
def test_a_header_byte_every_two_seconds_stops_add_and_check_within_15_s(project: Path) -> None:
    """The case as it was met: `--timeout 5` held both commands past 100 seconds."""
    routes = {"/story": trickled_headers(every=2), "/news/second": trickled_headers(every=2)}
    with Hostile(routes) as server:
        point_at(project, server.base)
        url = server.url("/story")
        commands = [
            ["add", url, "--section", "News", "--timeout", "5"],
            ["check", "--online", "--timeout", "5"],
        ]
        start = time.monotonic()
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "newsletter", *args],
                cwd=project,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in commands
        ]
        try:
            (_, add_err), (check_out, check_err) = (p.communicate(timeout=60) for p in processes)
        finally:
            for process in processes:
                process.kill()  # if a run overstayed: the test fails, and leaves nothing behind
        seconds = time.monotonic() - start
    assert add_err == f"Error: {url}: no full answer within 15 s\n"
    second = server.url("/news/second")
    assert (
        f"{ISSUE}:19:14: error: sections[1].articles[0].url: no full answer within 15 s:"
        f" {second} [online/unreachable]"
    ) in check_out.splitlines()
    assert check_err == ""
    assert [p.returncode for p in processes] == [1, 1]
    assert seconds < 15 + 4  # and a second or two for each process to start
