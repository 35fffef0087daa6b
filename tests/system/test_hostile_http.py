"""Hostile web servers on 127.0.0.1 against `add` and `check --online`: compression bombs.

The server here answers as badly as it is told to: bombs, trickles, slow redirects. It stops
by itself after a minute or 200 connections, and every answer it trickles is bounded.
"""

from __future__ import annotations

import functools
import gzip
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.web.client import FetchError
from newsletter.web.pages import fetch_pages
from tests.conftest import RunCli

pytestmark = pytest.mark.network

HTML = b"<!DOCTYPE html><html><head><title>A page</title></head><body><p>Hi.</p></body></html>"
ISSUE = Path("issues") / "2026-11-30.yaml"


class Exchange:
    """One request to the hostile server, and the means to answer it."""

    def __init__(self, sock: socket.socket, method: str, path: str, stop: threading.Event) -> None:
        self.sock, self.method, self.path, self.stop = sock, method, path, stop

    def send(self, data: bytes) -> bool:
        """Send `data`; False once the client has gone."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def trickle(self, data: bytes, every: float) -> None:
        """Send `data` a byte at a time, one every `every` seconds, until the client goes."""
        for byte in data:
            if self.stop.wait(every) or not self.send(bytes([byte])):
                return


Answer = Callable[[Exchange], None]


def page(
    body: bytes = HTML, *, status: str = "200 OK", headers: dict[str, str] | None = None
) -> Answer:
    """An answer in one piece."""
    fields = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
    fields.update(headers or {})

    def answer(exchange: Exchange) -> None:
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        exchange.send(head.encode() + b"Connection: close\r\n\r\n")
        if exchange.method != "HEAD":
            exchange.send(body)

    return answer


class Hostile:
    """A server on 127.0.0.1 (or `host`) that answers each path as `routes` says, others with
    a small page, or greets each connection with `greet` before any request; it stops by
    itself after `lifetime` seconds or `most` connections."""

    def __init__(
        self,
        routes: dict[str, Answer],
        *,
        greet: Answer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        lifetime: float = 60.0,
        most: int = 200,
    ) -> None:
        self.routes, self.greet, self.lifetime, self.most = routes, greet, lifetime, most
        self.requests: list[str] = []  # "GET /path"
        self.heads: list[str] = []  # each request's line and headers, as they came
        self.stop = threading.Event()
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str) -> str:
        """The address of `path` on this server."""
        return self.base + path

    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        end = time.monotonic() + self.lifetime
        for _ in range(self.most):
            while not self.stop.is_set() and time.monotonic() < end:
                try:
                    sock, _ = self._listener.accept()
                except TimeoutError:
                    continue
                threading.Thread(target=self._answer, args=(sock,), daemon=True).start()
                break
            else:
                return

    def _answer(self, sock: socket.socket) -> None:
        with sock:
            sock.settimeout(5)
            if self.greet is not None:
                self.greet(Exchange(sock, "", "", self.stop))
                return
            head = b""
            try:
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    data = sock.recv(4096)
                    if not data:
                        return
                    head += data
            except OSError:
                return
            text = head.decode("latin-1")
            method, path, *_ = [*text.split(" ", 2), "", ""]
            self.requests.append(f"{method} {path}")
            self.heads.append(text)
            self.routes.get(path, page())(Exchange(sock, method, path, self.stop))


@functools.cache
def zeros(encoding: str, megabytes: int) -> bytes:
    """`megabytes` MB of zero bytes as gzip or deflate, made without holding them: zlib's
    output for 1 MB of zeros after a full flush is the same every time."""
    zero = bytes(1 << 20)
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    blocks = (raw.compress(zero) + raw.flush(zlib.Z_FULL_FLUSH)) * megabytes + raw.flush()
    if encoding == "deflate":
        adler = 1
        for _ in range(megabytes):
            adler = zlib.adler32(zero, adler)
        return b"\x78\xda" + blocks + struct.pack(">I", adler)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(zero, crc)
    size = (megabytes << 20) & 0xFFFFFFFF
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + blocks + struct.pack("<II", crc, size)


def bomb(encodings: str, megabytes: int) -> bytes:
    """Zero bytes compressed as the Content-Encoding `encodings` says (applied in its order)."""
    names = [name.strip().lower() for name in encodings.split(",")]
    body = zeros("deflate" if names[0] == "deflate" else "gzip", megabytes)
    for name in names[1:]:
        body = zlib.compress(body, 9) if name == "deflate" else gzip.compress(body, 9)
    return body


@pytest.mark.parametrize(
    "encodings",
    ["gzip, gzip", "x-gzip, gzip", "deflate, deflate", "gzip, deflate, x-gzip", "GZIP, Gzip"],
)
def test_stacked_compression_unpacks_only_up_to_the_limit(encodings: str) -> None:
    body = bomb(encodings, 200)
    assert len(body) < 300_000  # 200 MB of zeros
    with Hostile({"/bomb": page(body, headers={"Content-Encoding": encodings})}) as server:
        tracemalloc.start()
        try:
            start = time.monotonic()
            [error] = fetch_pages([server.url("/bomb")], max_bytes=1_000_000)
            seconds = time.monotonic() - start
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert isinstance(error, FetchError)
    assert (str(error), error.failure) == ("the page is larger than 1 MB", "too-large")
    assert peak < 20_000_000, f"{peak / 1e6:.0f} MB held while unpacking"
    assert seconds < 5


def test_encodings_in_several_headers_are_all_undone() -> None:
    body = bomb("gzip, gzip", 50)
    answer = page(body, headers={"Content-Encoding": "gzip", "content-encoding": "gzip"})
    with Hostile({"/bomb": answer}) as server:
        [error] = fetch_pages([server.url("/bomb")], max_bytes=1_000_000)
    assert str(error) == "the page is larger than 1 MB"


UNSUPPORTED = "the server compressed the answer as {}, which is not supported"


@pytest.mark.parametrize(
    ("encodings", "message"),
    [
        ("br", UNSUPPORTED.format("br")),
        ("zstd", UNSUPPORTED.format("zstd")),
        ("gzip, br", UNSUPPORTED.format("br")),
        ("compress", UNSUPPORTED.format("compress")),
        (", ".join(["gzip"] * 4), "the server compressed the answer 4 times"),
        (", ".join(["gzip"] * 5000), "the server compressed the answer 5000 times"),
    ],
)
def test_a_compression_that_cannot_be_undone_in_bounds_is_refused(
    encodings: str, message: str
) -> None:
    body = gzip.compress(HTML)
    with Hostile({"/odd": page(body, headers={"Content-Encoding": encodings})}) as server:
        [error] = fetch_pages([server.url("/odd")])
    assert isinstance(error, FetchError)
    assert (str(error), error.failure) == (message, "bad-answer")


@pytest.mark.parametrize("encodings", ["gzip", "gzip, gzip", "deflate"])
def test_damaged_compression_is_one_line(encodings: str) -> None:
    body = bomb(encodings, 1)[:-2000] + b"\x00not compressed data\xff" * 100
    with Hostile({"/damaged": page(body, headers={"Content-Encoding": encodings})}) as server:
        [error] = fetch_pages([server.url("/damaged")])
    assert (str(error), getattr(error, "failure", None)) == (
        "the compressed data is damaged",
        "bad-answer",
    )


def test_compressed_pages_still_arrive_whole(run: RunCli, project: Path) -> None:
    once = gzip.compress(HTML)
    routes = {
        "/gzip": page(once, headers={"Content-Encoding": "gzip"}),
        "/twice": page(zlib.compress(once), headers={"Content-Encoding": "gzip, deflate"}),
    }
    with Hostile(routes) as server:
        [one, two] = fetch_pages([server.url("/gzip"), server.url("/twice")])
        result = run("add", server.url("/twice"), "--section", "News")
    assert not isinstance(one, FetchError) and not isinstance(two, FetchError)
    assert one.body == two.body == HTML
    assert result.exit_code == 0, result.output
    # Asked for by name: what httpx would ask for depends on the packages installed.
    assert all("\r\nAccept-Encoding: gzip, deflate\r\n" in head for head in server.heads)
    assert "title: A page\n" in (project / ISSUE).read_text()


# A parent of its own for the run: a child's peak memory counts what it shared with its
# parent before it started the program, and pytest's process is large.
MEASURE = """
import resource, subprocess, sys
code = subprocess.call([sys.executable, "-m", "newsletter", *sys.argv[2:]])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_measured(args: list[str], cwd: Path, seconds: float) -> tuple[int, str, str, float]:
    """Run `newsletter ARGS` in a process of its own: its exit status, output, error output and
    the most memory it held (MB); killed, and the test failed, past `seconds`."""
    out, err, peak = cwd / "out.txt", cwd / "err.txt", cwd / "peak.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", MEASURE, str(peak), *args],
            cwd=cwd,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # a group of its own: both processes go if it overruns
        )
    try:
        code = process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"newsletter {' '.join(args)}: still running after {seconds} s")
    return code, out.read_text(), err.read_text(), int(peak.read_text()) / 1024


def test_add_holds_little_memory_against_a_gigabyte_bomb(project: Path) -> None:
    body = bomb("gzip, gzip", 1024)
    assert len(body) < 3000  # 1 GB unpacked
    routes = {"/bomb": page(body, headers={"Content-Encoding": "gzip, gzip"})}
    with Hostile(routes) as server:
        url = server.url("/bomb")
        code, out, err, megabytes = run_measured(["add", url, "-s", "News"], project, 60)
    assert (code, out, err) == (1, "", f"Error: {url}: the page is larger than 5 MB\n")
    assert megabytes < 200, f"{megabytes:.0f} MB held"


def test_check_online_holds_little_memory_against_a_gigabyte_image(project: Path) -> None:
    body = bomb("gzip, gzip", 1024)
    answer = page(body, headers={"Content-Type": "image/png", "Content-Encoding": "gzip, gzip"})
    with Hostile({"/img/lead.jpg": answer}) as server:
        point_at(project, server.base)
        code, out, err, megabytes = run_measured(["check", "--online"], project, 60)
    image = server.url("/img/lead.jpg")
    assert [line for line in out.splitlines() if "[online/" in line] == [
        f"{ISSUE}:14:16: warning: sections[0].articles[0].image: the image is heavier than"
        f" 1 MB: {image} [online/image-heavy]"
    ]
    assert (code, err) == (0, "")
    assert megabytes < 200, f"{megabytes:.0f} MB held"


def point_at(project: Path, base: str) -> None:
    """Every link and image of the project's issue and settings on the server at `base`."""
    for path in (project / "newsletter.yaml", project / ISSUE):
        path.write_text(path.read_text().replace("https://example.org", base))
    with (project / "newsletter.yaml").open("a") as settings:
        settings.write("checks:\n  ignore: [link/http, link/ip-address, image/http]\n")
