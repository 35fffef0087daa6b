"""The sockets under the client: one deadline over every wait of a request, and host names
resolved once, checked, and connected to as checked.

httpx gives each read its own timeout, which a server sending a byte a second never meets;
here every wait (resolving, connecting, the TLS handshake, each read and write, on every
redirect hop and the body) is cut short at the deadline of the request under way in this
thread. And a redirect's host name is checked at the address the socket then connects to,
so DNS that answers one address to a check and another to the connection (rebinding) cannot
lead a request into this machine's network.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import httpcore

from newsletter.web.addresses import private_address

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

_request = threading.local()  # the deadline of the request this thread is making


class DeadlinePassed(Exception):
    """The request, all of it, took longer than its deadline."""


class AddressRefused(Exception):
    """A redirect's host is on this machine or a private network; the message says which."""


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Every wait of the requests made in this thread, inside the block, ends by `at`
    (time.monotonic)."""
    _request.deadline = at
    try:
        yield
    finally:
        _request.deadline = None


def transport(
    *, limits: httpx.Limits, context: ssl.SSLContext, public_only: bool
) -> httpx.HTTPTransport:
    """An httpx transport whose connections keep the deadline; with `public_only`, one that
    connects only to public addresses (for redirects that must not lead inward)."""
    import httpx

    made = httpx.HTTPTransport(verify=context, limits=limits)
    # httpx takes no network backend: its pool is replaced by one alike but for the backend.
    made._pool = httpcore.ConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_Backend(public_only=public_only),
    )
    return made


def _wait(io: Callable[[float | None], T], timeout: float | None) -> T:
    """`io(timeout)`, its timeout cut to the time left before the deadline, if there is one."""
    at: float | None = getattr(_request, "deadline", None)
    if at is None:
        return io(timeout)
    left = at - time.monotonic()
    if left <= 0:
        raise DeadlinePassed
    if timeout is not None and timeout < left:
        return io(timeout)
    try:
        return io(left)
    except httpcore.TimeoutException:
        raise DeadlinePassed from None


class _Stream(httpcore.NetworkStream):
    """A connection whose every wait keeps the deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _wait(lambda t: self._stream.read(max_bytes, t), timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _wait(lambda t: self._stream.write(buffer, t), timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # The certificate is checked for the host name, whatever address was connected to.
        secure = _wait(lambda t: self._stream.start_tls(ssl_context, server_hostname, t), timeout)
        return _Stream(secure)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """Connects to the addresses its own look-up found, keeping the deadline; with
    `public_only`, refuses a host that has any private address."""

    def __init__(self, *, public_only: bool) -> None:
        self._public_only = public_only
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _wait(lambda t: _resolve(host, port, t), timeout)
        if self._public_only:
            for address in addresses:
                if problem := private_address(host, address):
                    raise AddressRefused(problem)
        failure: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            # To the address checked, by number: no second look-up may answer another.
            connect = partial(
                self._sockets.connect_tcp,
                address,
                port,
                local_address=local_address,
                socket_options=socket_options,
            )
            try:
                stream = _wait(connect, timeout)
            except httpcore.ConnectError as error:
                failure = error  # the next address may answer
                continue
            return _Stream(stream)
        raise failure


def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of `host`, looked up once; within `timeout`, which the system's
    resolver does not keep (it runs in a thread left behind if it overruns)."""
    found: list[str] = []
    failed: list[BaseException] = []

    def look_up() -> None:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            failed.append(error)
            return
        for *_, sockaddr in answers:
            if str(sockaddr[0]) not in found:
                found.append(str(sockaddr[0]))

    worker = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise httpcore.ConnectTimeout(f"no address for {host} within {timeout} s")
    if failed:
        raise failed[0]  # as socket.create_connection would: the client names the host
    return found
