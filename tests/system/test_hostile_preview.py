"""The preview against connections that never finish their request: a time limit for each,
a bound on how many are served at once, and the live reload still working past that limit."""

from __future__ import annotations

import http.client
import queue
import selectors
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsletter.preview import connections
from newsletter.preview import server as preview
from newsletter.preview.connections import MAX_CONNECTIONS, REQUEST_TIME, is_loopback
from newsletter.preview.server import Build, PreviewServer
from tests.system.test_preview_server import (
    WAIT,
    Builder,
    background,
    fetch,
    preview_process,
    rest,
)

pytestmark = pytest.mark.network

STALLED = 200  # connections that send half a request line and then nothing


def threads(pid: int) -> int:
    """The number of threads of process `pid`, as the kernel counts them."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no Threads: line")


def stall(port: int, count: int) -> list[socket.socket]:
    """`count` connections to the preview, each having sent half a request line."""
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        s.sendall(b"GET /status.json HT")
        opened.append(s)
    return opened


def closed_by_server(sockets: list[socket.socket], deadline: float) -> dict[socket.socket, float]:
    """When the server closed each socket (reading to its end), waiting until `deadline`."""
    closed: dict[socket.socket, float] = {}
    with selectors.DefaultSelector() as selector:
        for s in sockets:
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ)
        while len(closed) < len(sockets) and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(timeout=left):
                ready = key.fileobj
                assert isinstance(ready, socket.socket)
                try:
                    ended = ready.recv(4096) == b""
                except ConnectionResetError:
                    ended = True
                if ended:
                    closed[ready] = time.monotonic()
                    selector.unregister(ready)
    return closed


@pytest.mark.slow  # the last stalled connections wait out the time limit, 10 s
def test_half_sent_requests_neither_pile_up_threads_nor_lock_the_preview_out(
    project: Path,
) -> None:
    with preview_process(project, "--port", "0") as running:
        pid, port = running.process.pid, int(running.url.rstrip("/").rsplit(":", 1)[1])
        assert fetch(running.url + "status.json")[0] == 200
        before = threads(pid)
        started = time.monotonic()
        stalled = stall(port, STALLED)
        try:
            most = threads(pid)
            asked = time.monotonic()
            status, body = fetch(running.url + "status.json")
            answered = time.monotonic() - asked
            assert status == 200 and '"ok": true' in body
            most = max(most, threads(pid))
            closed = closed_by_server(stalled, started + REQUEST_TIME + 5)
            most = max(most, threads(pid))
        finally:
            for s in stalled:
                s.close()
        print(
            f"threads: {before} before, at most {most} with {STALLED} stalled connections;"
            f" a request answered in {answered:.3f} s; the last stalled connection closed"
            f" {max(closed.values(), default=started) - started:.1f} s after the first opened"
        )
        assert answered < 2
        assert most <= before + MAX_CONNECTIONS + 2
        assert len(closed) == STALLED, "some stalled connections were never closed"
        assert threads(pid) <= before + 2  # all gone again
        assert running.interrupt() == 0
        assert rest(running.stderr) == []  # no traceback, no warning


class Quick(PreviewServer):
    """A preview server on 127.0.0.1 that says when a request starts waiting for a build."""

    def __init__(self, request_time: float) -> None:
        super().__init__(("127.0.0.1", 0), Builder(), request_time=request_time)
        self.waiting: queue.Queue[int] = queue.Queue()

    def latest(self, after: int = -1, timeout: float = 0.0) -> tuple[int, Build]:
        if timeout and threading.current_thread() is not threading.main_thread():
            self.waiting.put(after)
        return super().latest(after, timeout)


@contextmanager
def quick(request_time: float) -> Iterator[Quick]:
    """The server, serving from a thread, its first build done."""
    server = Quick(request_time)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    server.start()
    try:
        assert server.latest(0, WAIT)[0] == 1
        yield server
    finally:
        server.stop()
        thread.join(WAIT)


def test_a_long_poll_outlives_the_request_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # The limit is for sending the request: waiting for a build is not the client's doing.
    monkeypatch.setattr(preview, "LONG_POLL", 1.0)
    with quick(0.2) as server:
        started = time.monotonic()
        answered, bodies = background(server, "/livereload/1")
        assert answered.wait(WAIT)
        assert bodies == ['{"epoch": 1}']
        assert time.monotonic() - started >= 1.0


def test_a_build_that_ends_after_the_limit_still_reaches_a_long_poll() -> None:
    with quick(0.2) as server:
        builder = server.builder
        assert isinstance(builder, Builder)
        builder.hold()
        builder.started.clear()
        server.changed()
        assert builder.started.wait(WAIT)
        answered, bodies = background(server, "/livereload/1")
        assert not answered.wait(0.6)  # three times the limit, and the poll is still open
        builder.release.set()
        assert answered.wait(WAIT)
        assert bodies == ['{"epoch": 2}']


def test_past_the_limit_the_oldest_stalled_connection_makes_room(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connections, "MAX_CONNECTIONS", 4)
    with quick(REQUEST_TIME) as server:
        port = server.server_address[1]
        stalled = stall(port, 10)
        try:
            # The first six made room for the last four at once; the limit has not passed.
            closed = closed_by_server(stalled[:6], time.monotonic() + WAIT)
            assert len(closed) == 6
            assert fetch(server.url + "status.json")[0] == 200
            # ... and the request just answered took the place of the oldest again.
            assert len(closed_by_server(stalled[6:7], time.monotonic() + WAIT)) == 1
        finally:
            for s in stalled:
                s.close()


def test_when_every_connection_is_busy_answering_a_new_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connections, "MAX_CONNECTIONS", 2)
    with quick(REQUEST_TIME) as server:
        polls = [background(server, "/livereload/1") for _ in range(2)]
        for _ in polls:
            assert server.waiting.get(timeout=WAIT) == 1  # both polls have their place
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=WAIT)
        try:
            connection.request("GET", "/status.json")
            assert connection.getresponse().status == 503
        except (ConnectionResetError, BrokenPipeError):
            pass  # refused before the request was even read: also a refusal
        finally:
            connection.close()
        server.changed()  # a build answers the polls, which frees their places
        for answered, _ in polls:
            assert answered.wait(WAIT)
        assert fetch(server.url + "status.json")[0] == 200


def test_a_stalled_connection_is_closed_after_the_limit() -> None:
    with quick(0.3) as server:
        [stalled] = stall(server.server_address[1], 1)
        started = time.monotonic()
        closed = closed_by_server([stalled], started + WAIT)
        stalled.close()
        assert 0.25 <= closed[stalled] - started < 2


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost.", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("128.0.0.1", False),
        ("localhost.example", False),
        ("", False),
    ],
)
def test_loopback_is_every_name_of_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
