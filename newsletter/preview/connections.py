"""The preview's connections: how many at once, how long each may take to send its request,
and which host names a loopback preview answers."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import math
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REQUEST_TIME = 10.0
"""Seconds a connection has to send its request, and any one read or write after it."""

MAX_CONNECTIONS = 64
"""Connections served at once, a thread each; past it, one still sending its request makes
room for the next."""

logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True for a name or an address of this machine alone: localhost, 127.0.0.0/8, ::1."""
    name = host.strip().strip("[]").lower().removesuffix(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a Host header, without its port: `[::1]:8000` is `::1`."""
    host = header.strip()
    name = host[1:].partition("]")[0] if host.startswith("[") else host
    return name.partition(":")[0] if name.count(":") == 1 else name


class BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most MAX_CONNECTIONS of them, each given `request_time`
    seconds to send its request: connections left half-sent cannot pile up threads."""

    daemon_threads = True
    # A burst of connections waits in the kernel's queue until accepted: with socketserver's
    # 5, the sixth connection of a burst is dropped and its client tries again a second later.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        request_time: float = REQUEST_TIME,
    ) -> None:
        super().__init__(address, handler)
        self.request_time = request_time
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        # The connections still sending their request, oldest first, and since when.
        self._receiving: dict[socket.socket, float] = {}
        self._receiving_lock = threading.Lock()

    @property
    def local(self) -> bool:
        """True when it listens on a loopback address: only this machine can reach it."""
        return is_loopback(str(self.server_address[0]))

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection on a thread of its own, if there is room."""
        if not self._slots.acquire(blocking=False):
            # The connection that has waited longest without sending its request makes room:
            # stalled or idle connections must not lock the browser out.
            self.drop_receiving(count=1)
            if not self._slots.acquire(timeout=1.0):
                with contextlib.suppress(OSError):  # every one is busy answering: refused
                    request.setblocking(False)
                    request.send(b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
                self.shutdown_request(request)
                return
        with self._receiving_lock:
            self._receiving[request] = time.monotonic()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._finished(request)  # no thread started that would do it
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Answer the connection, then give its place to the next."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._finished(request)

    def received(self, request: socket.socket) -> None:
        """The connection has sent its request: it is no longer closed for taking too long."""
        with self._receiving_lock:
            self._receiving.pop(request, None)

    def service_actions(self) -> None:
        """Close the connections that did not send their request in time."""
        # serve_forever calls this after every request and every poll interval.
        self.drop_receiving(before=time.monotonic() - self.request_time)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection failed: nothing when the browser went away, else a bug, logged."""
        if not isinstance(sys.exc_info()[1], OSError):
            logger.exception("answering a request failed")

    def drop_receiving(self, *, before: float = math.inf, count: int | None = None) -> None:
        """Close the connections still sending their request that started before `before`,
        oldest first, at most `count` of them."""
        with self._receiving_lock:
            chosen = [s for s, since in self._receiving.items() if since < before][:count]
            for request in chosen:
                del self._receiving[request]
        for request in chosen:
            # shutdown, not close: its thread wakes from its read and closes the socket itself.
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)

    def _finished(self, request: socket.socket) -> None:
        self.received(request)
        self._slots.release()


class TimedHandler(BaseHTTPRequestHandler):
    """A request handler whose reads and writes each take `request_time` at most."""

    server: BoundedServer

    def setup(self) -> None:
        """Put the time limit on the connection."""
        super().setup()
        self.connection.settimeout(self.server.request_time)

    def parse_request(self) -> bool:
        """Read the request's headers: then it has arrived, whatever it asks."""
        parsed = super().parse_request()
        self.server.received(self.request)
        return parsed
