"""The live preview: a local server handed a build function, rebuilding when files change.

Like MkDocs' livereload server it knows nothing of newsletters: it calls `build` and serves
what that returned. A build epoch behind a condition lets the browser long-poll
`/livereload/<epoch>` and refresh when a newer build is there.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from newsletter.preview.connections import (
    REQUEST_TIME,
    BoundedServer,
    TimedHandler,
    host_name,
    is_loopback,
)

GMAIL_CLIP = 102_000
"""Gmail shows only the first ~102 kB of an email's HTML, then "[Message clipped]"."""

LONG_POLL = 30.0
"""Seconds a `/livereload` request waits for a new build before answering anyway."""

IMAGE = re.compile(r"/images/([0-9a-f]{16}-[0-9]+\.(jpg|png|gif))")
"""The address of a derived image the email shows: its name is a hash of its bytes."""

IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Build:
    """What one build gave: the email's parts, or the problems that stopped it."""

    html: str = ""
    text: str = ""
    mjml: str = ""
    subject: str = ""
    problems: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    seconds: float = 0.0
    images: dict[str, bytes] = field(default_factory=dict)  # the derived images, by name
    size: int | None = None  # bytes of the email's HTML as sent, when `html` is not quite it

    @property
    def ok(self) -> bool:
        """True when the email could be built."""
        return not self.problems


@dataclass
class _State:
    epoch: int = 0
    build: Build = field(default_factory=Build)
    wanted: bool = False  # a change is waiting to be built
    settled: bool = False  # ... and it was debounced already: build it now
    stopped: bool = False


class PreviewServer(BoundedServer):
    """Serves the preview page and the latest build; rebuilds on `changed()`."""

    def __init__(
        self,
        address: tuple[str, int],
        build: Callable[[], Build],
        *,
        debounce: float = 0.05,
        request_time: float = REQUEST_TIME,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6  # `--host ::1`
        super().__init__(address, _Handler, request_time=request_time)
        self.builder = build
        self.debounce = debounce
        self.state = _State()
        self.condition = threading.Condition()
        self.page = files("newsletter.preview").joinpath("page.html").read_text(encoding="utf-8")
        # Not `_threads`: ThreadingMixIn keeps its request threads under that name.
        self._workers: list[threading.Thread] = []
        self._stop = threading.Event()
        self._serving = threading.Event()

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"

    def start(self) -> None:
        """Build once, then keep building whenever `changed()` is called."""
        self._run(self._build_loop)
        self.changed()

    def changed(self) -> None:
        """Something changed: build again soon (several changes in a row give one build)."""
        with self.condition:
            self.state.wanted = True
            self.condition.notify_all()

    def latest(self, after: int = -1, timeout: float = 0.0) -> tuple[int, Build]:
        """The latest epoch and build, waiting up to `timeout` for an epoch other than `after`."""
        # "Other", not "newer": a page left open from an earlier run of the server asks about
        # an epoch this one has not reached, and must get this server's build at once.
        with self.condition:
            self.condition.wait_for(
                lambda: self.state.epoch != after or self.state.stopped, timeout=timeout
            )
            return self.state.epoch, self.state.build

    def watch(
        self, paths: Iterable[Path], *, recursive: bool, accept: Callable[[Path], bool]
    ) -> None:
        """Build when a file that `accept` accepts changes under `paths`; return once watching."""
        from watchfiles import watch

        # watchfiles refuses the whole list for one missing folder, in a thread nobody sees.
        folders = sorted({str(p) for p in paths if p.is_dir()})
        if not folders:
            return
        # `step`: the folder must stay quiet this long, so the writes of one save come as one
        # batch, and the build need not wait its own `debounce` on top. The first answer (a
        # timeout at the latest) means the watch is in place: returning only then, a save made
        # right after is never missed.
        batches = watch(
            *folders,
            debounce=1000,
            step=10,
            rust_timeout=50,
            yield_on_timeout=True,
            stop_event=self._stop,
            recursive=recursive,
            raise_interrupt=True,  # Ctrl-C while it starts (in the main thread) stops all
        )
        first = next(batches, set())

        def loop() -> None:
            for changes in itertools.chain([first], batches):
                if any(accept(Path(path)) for _, path in changes):
                    self._changed_now()

        self._run(loop)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Answer requests until `stop()` is called."""
        self._serving.set()
        if not self._stop.is_set():
            super().serve_forever(poll_interval)

    def stop(self) -> None:
        """Stop serving, building and watching."""
        self._stop.set()
        with self.condition:
            self.state.stopped = True
            self.condition.notify_all()
        if self._serving.is_set():
            self.shutdown()  # waits for serve_forever to return; it would hang without one
        self.drop_receiving()  # server_close() waits for every connection's thread
        self.server_close()
        for thread in self._workers:
            thread.join(timeout=5)

    def _changed_now(self) -> None:
        """A change that is already debounced (by the file watcher): build without waiting."""
        with self.condition:
            self.state.wanted = self.state.settled = True
            self.condition.notify_all()

    def _run(self, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, daemon=True)
        self._workers.append(thread)
        thread.start()

    def _build_loop(self) -> None:
        state = self.state
        while True:
            with self.condition:
                self.condition.wait_for(lambda: state.wanted or state.stopped)
                # Wait until no change came for `debounce`: `changed()` may come in bursts.
                while not (state.stopped or state.settled):
                    state.wanted = False
                    if not self.condition.wait_for(
                        lambda: state.wanted or state.stopped or state.settled,
                        timeout=self.debounce,
                    ):
                        break
                if state.stopped:
                    return
                state.wanted = state.settled = False
            try:
                result = self.builder()
            except Exception as e:  # a bug in a build must not take the preview down
                logger.exception("the build failed")
                result = Build(problems=(f"the build failed: {type(e).__name__}: {e}",))
            with self.condition:
                state.build = result
                state.epoch += 1
                self.condition.notify_all()


_DARK = re.compile(r"\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.IGNORECASE)
_LIGHT = re.compile(r"\(\s*prefers-color-scheme\s*:\s*light\s*\)", re.IGNORECASE)


def _dark(email: str) -> str:
    """The email with its dark-mode rules applied whatever the browser prefers."""
    # Swap the feature, not the whole query, so `screen and (prefers-color-scheme: dark)`
    # works too: (min-width: 0px) always holds, (max-width: 0px) never does in a frame.
    return _LIGHT.sub("(max-width: 0px)", _DARK.sub("(min-width: 0px)", email))


def error_page(build: Build) -> str:
    """The page shown in place of the email when the build failed."""
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in build.problems)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="newsletter-preview" content="error"><title>Build failed</title>'
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1f2328}"
        "h1{font-size:20px;color:#b42318}li{margin:0 0 8px}code{white-space:pre-wrap}</style>"
        f'</head><body><h1>The email could not be built</h1><ul id="problems">{items}</ul>'
        "<p>Fix the file and save it: this page will update by itself.</p></body></html>"
    )


class _Handler(TimedHandler):
    server: PreviewServer

    def do_GET(self) -> None:  # the name http.server calls
        if not self._host_allowed():
            self._send(403, "text/plain", "forbidden: not a name of this preview's address")
            return
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/":
            self._send(200, "text/html", self.server.page)
            return
        if path.startswith("/livereload/"):
            number = path.removeprefix("/livereload/")
            if not number.isascii() or not number.lstrip("-").isdigit():
                self._send(404, "text/plain", "not found")
                return
            epoch, _ = self.server.latest(int(number), timeout=LONG_POLL)
            self._send(200, "application/json", json.dumps({"epoch": epoch}))
            return
        image = IMAGE.fullmatch(path)
        if path not in ("/email.html", "/email.txt", "/email.mjml", "/status.json") and not image:
            # Only the routes above: never a file from disk, so no path can reach one.
            self._send(404, "text/plain", "not found")
            return
        # Before the first build there is nothing to show: wait for it rather than serve a blank.
        epoch, build = self.server.latest(0, timeout=LONG_POLL)
        if image:
            data = build.images.get(image[1])  # from memory, as the build derived it
            if data is None:
                self._send(404, "text/plain", "not found")
            else:
                self._send(200, IMAGE_TYPES[image[2]], data)
        elif path == "/email.html":
            page = build.html if build.ok else error_page(build)
            self._send(200, "text/html", _dark(page) if query.get("dark") == ["1"] else page)
        elif path == "/email.txt":
            self._send(200, "text/plain", build.text if build.ok else "\n".join(build.problems))
        elif path == "/email.mjml":
            self._send(200, "text/plain", build.mjml)
        else:
            status = {
                "epoch": epoch,
                "ok": build.ok,
                "subject": build.subject,
                "problems": build.problems,
                "checks": build.checks,
                "bytes": len(build.html.encode()) if build.size is None else build.size,
                "clip": GMAIL_CLIP,
                "seconds": round(build.seconds, 3),
            }
            self._send(200, "application/json", json.dumps(status))

    def _host_allowed(self) -> bool:
        """On loopback, only loopback names (localhost, 127.0.0.0/8, ::1): a web page elsewhere
        that points its own host name at 127.0.0.1 (DNS rebinding) cannot read the preview."""
        if not self.server.local:
            return True  # shared on purpose with --host
        return is_loopback(host_name(self.headers.get("Host") or ""))

    def _send(self, status: int, kind: str, body: str | bytes) -> None:
        data = body.encode() if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header(
                "Content-Type", f"{kind}; charset=utf-8" if isinstance(body, str) else kind
            )
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload): nothing to answer

    def log_message(self, format: str, *args: object) -> None:
        pass  # a request log would drown the build messages
