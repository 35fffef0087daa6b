"""The preview server, in the style of MkDocs' livereload tests: an injected builder, real HTTP.

Nothing here sleeps: the tests wait on events, on `server.latest(after, timeout)` and on
queues, each with a timeout, so a slow machine only makes them slower, never wrong.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsletter.preview import server as preview
from newsletter.preview.server import Build, PreviewServer
from tests.conftest import RunCli

pytestmark = pytest.mark.network

WAIT = 10.0  # seconds: the most any single wait here may take before the test fails

PAGE = """<!doctype html><html><head><title>{v}</title><style>
body {{ background: #ffffff; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #111111; }} }}
@media screen and (prefers-color-scheme: dark) {{ h1 {{ color: #eeeeee; }} }}
@media (prefers-color-scheme: light) {{ h1 {{ color: #222222; }} }}
</style></head><body><h1>Issue {v}</h1></body></html>"""


class Builder:
    """The injected build function: counts its calls, can hold a build, fail, or raise."""

    def __init__(self) -> None:
        self.calls = 0
        self.source = "v1"  # what the next build reads, as a build reads the issue file
        self.file: Path | None = None  # ... or the file it reads it from
        self.built: list[str] = []
        self.problems: tuple[str, ...] = ()
        self.error: Exception | None = None
        self.started = threading.Event()  # set when a build starts
        self.release = threading.Event()  # a build finishes only once this is set
        self.release.set()

    def hold(self) -> None:
        """Keep the next builds from finishing until `release` is set."""
        self.release.clear()

    def __call__(self) -> Build:
        self.calls += 1
        source = self.file.read_text(encoding="utf-8") if self.file else self.source
        self.started.set()
        assert self.release.wait(WAIT), "the test never released the build"
        self.built.append(source)
        if self.error is not None:
            raise self.error
        return Build(
            html=PAGE.format(v=source),
            text=f"Issue {source}\n",
            mjml=f"<mjml><mj-body><mj-text>Issue {source}</mj-text></mj-body></mjml>",
            subject=f"Issue {source}",
            problems=self.problems,
            checks=("a check <b>",),
            seconds=0.012,
        )


class ObservedServer(PreviewServer):
    """A PreviewServer that says when a request starts waiting for a build."""

    def __init__(self, build: Callable[[], Build], *, debounce: float) -> None:
        super().__init__(("127.0.0.1", 0), build, debounce=debounce)
        self.waiting: queue.Queue[int] = queue.Queue()

    def latest(self, after: int = -1, timeout: float = 0.0) -> tuple[int, Build]:
        if timeout and threading.current_thread() is not threading.main_thread():
            self.waiting.put(after)  # a request, not the test itself
        return super().latest(after, timeout)


@contextmanager
def serving(builder: Builder, *, debounce: float = 0.05) -> Iterator[ObservedServer]:
    """The real server on a free port of 127.0.0.1, started, serving from a thread."""
    server = ObservedServer(builder, debounce=debounce)
    # A short poll interval: stop() waits for serve_forever to notice, up to one interval.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(WAIT)
        assert not thread.is_alive(), "serve_forever did not return"


@pytest.fixture
def builder() -> Builder:
    """A builder whose first build succeeds at once."""
    return Builder()


@pytest.fixture
def server(builder: Builder) -> Iterator[ObservedServer]:
    """The server with `builder`, its first build done."""
    with serving(builder) as running:
        epoch, _ = running.latest(0, WAIT)
        assert epoch == 1
        yield running


def get(server: PreviewServer, target: str) -> tuple[int, str, str]:
    """Status, content type and body of GET `target`, sent exactly as written."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=WAIT)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        connection.close()


def raw(server: PreviewServer, target: str) -> tuple[str, bytes]:
    """The status line and body the server answers to a request line sent byte for byte."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=WAIT) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


def background(server: PreviewServer, target: str) -> tuple[threading.Event, list[str]]:
    """GET `target` from a thread: an event set once it is answered, and the answer's body."""
    answered = threading.Event()
    bodies: list[str] = []

    def request() -> None:
        bodies.append(get(server, target)[2])
        answered.set()

    threading.Thread(target=request, daemon=True).start()
    return answered, bodies


def test_the_first_build_happens_on_start(builder: Builder) -> None:
    with serving(builder) as server:
        epoch, build = server.latest(0, WAIT)
        assert (epoch, builder.calls, build.subject) == (1, 1, "Issue v1")
        assert get(server, "/email.html") == (200, "text/html; charset=utf-8", PAGE.format(v="v1"))


def test_data_routes_wait_for_the_first_build_instead_of_serving_a_blank(
    builder: Builder,
) -> None:
    builder.hold()
    with serving(builder) as server:
        assert builder.started.wait(WAIT)
        answered, bodies = background(server, "/status.json")
        assert server.waiting.get(timeout=WAIT) == 0  # the request waits for epoch 1
        assert not answered.is_set()
        builder.release.set()
        assert answered.wait(WAIT)
        assert json.loads(bodies[0])["epoch"] == 1
        assert json.loads(bodies[0])["subject"] == "Issue v1"


def test_changed_rebuilds_and_bumps_the_epoch_livereload_returns(
    server: PreviewServer, builder: Builder
) -> None:
    builder.source = "v2"
    server.changed()
    epoch, build = server.latest(1, WAIT)
    assert (epoch, builder.calls, build.subject) == (2, 2, "Issue v2")
    assert get(server, "/livereload/1") == (200, "application/json; charset=utf-8", '{"epoch": 2}')
    assert get(server, "/livereload/0")[2] == '{"epoch": 2}'
    assert "Issue v2" in get(server, "/email.html")[2]


def test_a_long_poll_waits_and_returns_as_soon_as_a_build_finishes(
    server: ObservedServer, builder: Builder
) -> None:
    builder.hold()
    builder.started.clear()
    server.changed()
    assert builder.started.wait(WAIT)  # build 2 has started and is held
    answered, bodies = background(server, "/livereload/1")
    assert server.waiting.get(timeout=WAIT) == 1
    assert not answered.wait(0.2), "the long poll answered while nothing new was built"
    released = time.monotonic()
    builder.release.set()
    assert answered.wait(WAIT)
    assert time.monotonic() - released < 2  # the build's end, not the poll's 30 s timeout
    assert bodies == ['{"epoch": 2}']


def test_a_long_poll_answers_with_the_same_epoch_when_nothing_changes(
    server: PreviewServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "LONG_POLL", 0.2)
    started = time.monotonic()
    assert get(server, "/livereload/1")[2] == '{"epoch": 1}'
    assert time.monotonic() - started >= 0.2


def test_a_page_from_an_earlier_server_run_is_answered_at_once(server: PreviewServer) -> None:
    # Its epoch is ahead of this server's, which started counting again: it must not wait.
    started = time.monotonic()
    assert get(server, "/livereload/57")[2] == '{"epoch": 1}'
    assert time.monotonic() - started < preview.LONG_POLL / 2


def test_two_quick_changes_give_one_build(builder: Builder) -> None:
    with serving(builder, debounce=0.3) as server:
        assert server.latest(0, WAIT)[0] == 1
        builder.source = "v2"
        for _ in range(5):
            server.changed()
        epoch, build = server.latest(1, WAIT)
        assert (epoch, builder.calls, build.subject) == (2, 2, "Issue v2")
        with server.condition:
            assert not server.state.wanted, "another build is still to come"
        # The next change is build 3: the quick ones left nothing behind.
        builder.source = "v3"
        server.changed()
        assert server.latest(2, WAIT)[0] == 3
        assert builder.built == ["v1", "v2", "v3"]


def test_a_change_during_a_build_gives_exactly_one_more_build(
    server: PreviewServer, builder: Builder
) -> None:
    builder.hold()
    builder.started.clear()
    builder.source = "v2"
    server.changed()
    assert builder.started.wait(WAIT)  # build 2 reads v2 and is held
    builder.source = "v3"  # the file changes while it builds
    server.changed()
    server.changed()
    builder.release.set()
    assert server.latest(1, WAIT)[0] == 2
    epoch, build = server.latest(2, WAIT)
    assert (epoch, build.subject) == (3, "Issue v3")  # the final state is what is shown
    with server.condition:
        assert not server.state.wanted
    assert builder.built == ["v1", "v2", "v3"]
    assert "Issue v3" in get(server, "/email.html")[2]


def test_a_builder_that_raises_shows_an_error_page_and_the_next_build_recovers(
    server: PreviewServer, builder: Builder, caplog: pytest.LogCaptureFixture
) -> None:
    builder.error = RuntimeError("templates <gone>")
    server.changed()
    epoch, build = server.latest(1, WAIT)
    assert epoch == 2 and build.problems == ("the build failed: RuntimeError: templates <gone>",)
    status, _, page = get(server, "/email.html")
    assert status == 200
    assert "The email could not be built" in page
    assert "the build failed: RuntimeError: templates &lt;gone&gt;" in page
    assert json.loads(get(server, "/status.json")[2])["ok"] is False
    # A bug: the traceback goes to the log, for the terminal.
    assert [r.exc_info is not None for r in caplog.records] == [True]
    builder.error = None
    builder.source = "v3"
    server.changed()
    assert server.latest(2, WAIT)[0] == 3
    assert get(server, "/email.html")[2] == PAGE.format(v="v3")
    assert json.loads(get(server, "/status.json")[2])["ok"] is True


class _Elements(HTMLParser):
    """The tags of a page and the text of each <li>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.items: list[str] = []
        self._in_item = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "li":
            self._in_item = True
            self.items.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_item = self._in_item and tag != "li"

    def handle_data(self, data: str) -> None:
        if self._in_item:
            self.items[-1] += data


def test_a_failed_build_lists_each_problem_escaped(server: PreviewServer, builder: Builder) -> None:
    problems = (
        "issues/2026-11-30.yaml:3:10: subject: <script>alert('x')</script> & more",
        "issues/2026-11-30.yaml:14:9: sections[0].articles[0].url: not an http(s) URL",
    )
    builder.problems = problems
    server.changed()
    assert server.latest(1, WAIT)[0] == 2
    status, kind, page = get(server, "/email.html")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    parsed = _Elements()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert parsed.items == list(problems)
    state = json.loads(get(server, "/status.json")[2])
    assert state["ok"] is False
    assert state["problems"] == list(problems)
    assert get(server, "/email.txt")[2] == "\n".join(problems)


def test_status_json_describes_the_build(server: PreviewServer) -> None:
    status, kind, body = get(server, "/status.json")
    assert (status, kind) == (200, "application/json; charset=utf-8")
    assert json.loads(body) == {
        "epoch": 1,
        "ok": True,
        "subject": "Issue v1",
        "problems": [],
        "checks": ["a check <b>"],
        "bytes": len(PAGE.format(v="v1").encode()),
        "clip": 102_000,
        "seconds": 0.012,
    }


def test_dark_makes_the_dark_rules_always_apply(server: PreviewServer) -> None:
    light = get(server, "/email.html")[2]
    dark = get(server, "/email.html?dark=1")[2]
    assert light == PAGE.format(v="v1")
    assert "prefers-color-scheme" not in dark
    assert "@media (min-width: 0px) { body { background: #111111; } }" in dark
    assert "@media screen and (min-width: 0px) { h1 { color: #eeeeee; } }" in dark
    assert "@media (max-width: 0px) { h1 { color: #222222; } }" in dark  # light-only: off
    assert get(server, "/email.html?dark=0")[2] == light


def test_the_text_and_the_mjml_are_served(server: PreviewServer) -> None:
    assert get(server, "/email.txt") == (200, "text/plain; charset=utf-8", "Issue v1\n")
    assert get(server, "/email.mjml") == (
        200,
        "text/plain; charset=utf-8",
        "<mjml><mj-body><mj-text>Issue v1</mj-text></mj-body></mjml>",
    )


def test_the_reload_script_is_only_in_the_preview_page(server: PreviewServer) -> None:
    status, kind, page = get(server, "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert "/livereload/" in page and "<script>" in page
    assert '<iframe id="email"' in page
    for target in ("/email.html", "/email.html?dark=1"):
        email = get(server, target)[2]
        assert "livereload" not in email and "<script" not in email


def test_files_written_by_build_and_export_have_no_reload_script(
    project: Path, run: RunCli
) -> None:
    assert run("build").exit_code == 0
    assert run("export", "--to", "html", "-o", "exported").exit_code == 0
    written = [
        *(project / "dist" / "2026-11-30").glob("email.*"),
        *(project / "exported").glob("email.*"),
    ]
    assert {p.name for p in written} >= {"email.html", "email.txt"}
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert "livereload" not in text and "<script" not in text, path


@pytest.mark.parametrize(
    "target",
    [
        "/../newsletter.yaml",
        "/%2e%2e/newsletter.yaml",
        "/%2E%2E/%2E%2E/newsletter.yaml",
        "/..%2fnewsletter.yaml",
        "/..%5cnewsletter.yaml",
        "//etc/passwd",
        "/email.html/../../newsletter.yaml",
        "/livereload/../../newsletter.yaml",
        "/livereload/1_0",
        "/livereload/%31",
        "/newsletter.yaml",
        "/issues/2026-11-30.yaml",
        "/templates/issue.mjml.j2",
        "/preview.html",
        "/email.html/",
        "/index.html",
        "http://127.0.0.1/../newsletter.yaml",
    ],
)
def test_nothing_but_the_routes_is_served(project: Path, builder: Builder, target: str) -> None:
    # Served from inside a project, with files a traversal would reach in the folder.
    with serving(builder) as server:
        assert server.latest(0, WAIT)[0] == 1
        status, body = raw(server, target)
    assert status == "HTTP/1.0 404 Not Found"
    assert body == b"not found"


def test_other_methods_are_refused(server: PreviewServer) -> None:
    for method in ("POST", "PUT", "DELETE", "HEAD"):
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=WAIT)
        connection.request(method, "/email.html", body=b"x")
        assert connection.getresponse().status == 501, method
        connection.close()


class Accepted:
    """An `accept` filter for the watcher that also says which paths it was asked about."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: queue.Queue[str] = queue.Queue()

    def __call__(self, path: Path) -> bool:
        self.seen.put(path.name)
        return path.name == self.name

    def wait_for(self, name: str) -> None:
        """Return once the watcher has reported a change to `name`."""
        deadline = time.monotonic() + WAIT
        while self.seen.get(timeout=max(0.0, deadline - time.monotonic())) != name:
            pass


def overwrite(path: Path, text: str) -> None:
    """Write `text` over the start of the file in place, in one write: `write_text` empties
    the file first, and a watcher may catch it empty, which is a build of its own."""
    with path.open("r+", encoding="utf-8") as f:
        f.write(text)


@pytest.fixture
def watched(tmp_path: Path, builder: Builder) -> Iterator[tuple[ObservedServer, Path, Accepted]]:
    """A server watching `tmp_path` for `issue.yaml`; its builds read that file."""
    issue = tmp_path / "issue.yaml"
    issue.write_text("v1", encoding="utf-8")
    builder.file = issue
    accept = Accepted("issue.yaml")
    with serving(builder) as server:
        assert server.latest(0, WAIT)[0] == 1
        server.watch([tmp_path], recursive=False, accept=accept)
        yield server, issue, accept


def test_writing_a_watched_file_builds(
    watched: tuple[ObservedServer, Path, Accepted], builder: Builder
) -> None:
    server, issue, _ = watched
    overwrite(issue, "v2")
    epoch, build = server.latest(1, WAIT)
    assert (epoch, build.subject) == (2, "Issue v2")


def test_an_atomic_save_builds(
    watched: tuple[ObservedServer, Path, Accepted], builder: Builder
) -> None:
    server, issue, _ = watched
    temporary = issue.with_name(".issue.yaml.tmp")  # as editors save: write aside, rename over
    temporary.write_text("v2", encoding="utf-8")
    os.replace(temporary, issue)
    epoch, build = server.latest(1, WAIT)
    assert (epoch, build.subject) == (2, "Issue v2")
    assert builder.built[-1] == "v2"


def test_a_file_the_filter_rejects_does_not_build(
    watched: tuple[ObservedServer, Path, Accepted], builder: Builder
) -> None:
    server, issue, accept = watched
    (issue.parent / "notes.md").write_text("not part of the email", encoding="utf-8")
    accept.wait_for("notes.md")  # the watcher saw it and asked the filter
    overwrite(issue, "v2")
    epoch, build = server.latest(1, WAIT)
    assert (epoch, build.subject) == (2, "Issue v2")
    # Had notes.md built, a build of the unchanged v1 would sit between the two.
    assert builder.built == ["v1", "v2"]
    with server.condition:
        assert server.state.epoch == 2


def test_a_missing_folder_is_not_watched(builder: Builder, tmp_path: Path) -> None:
    with serving(builder) as server:
        server.watch([tmp_path / "gone"], recursive=True, accept=lambda path: True)
        assert server.latest(0, WAIT)[0] == 1


def test_stop_ends_every_thread(builder: Builder, tmp_path: Path) -> None:
    before = set(threading.enumerate())
    with serving(builder) as server:
        assert server.latest(0, WAIT)[0] == 1
        server.watch([tmp_path], recursive=True, accept=lambda path: True)
        answered, bodies = background(server, "/livereload/1")
        assert server.waiting.get(timeout=WAIT) == 1
    # Leaving `serving` stopped the server: the long poll was answered, all threads ended.
    assert answered.wait(WAIT) and bodies == ['{"epoch": 1}']
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    for thread in left:  # the poll's client thread may still be on its way out
        thread.join(WAIT)
    assert not any(t.is_alive() for t in left)


def test_stop_without_serving_does_not_hang(builder: Builder) -> None:
    server = PreviewServer(("127.0.0.1", 0), builder)
    server.start()
    stopper = threading.Thread(target=server.stop, daemon=True)
    stopper.start()
    stopper.join(WAIT)
    assert not stopper.is_alive()


def test_the_url_of_an_ipv6_address_has_brackets(builder: Builder) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        with pytest.raises(OSError):  # no IPv6 here: the CLI turns this into a clear error
            PreviewServer(("::1", 0), builder)
        return
    server = PreviewServer(("::1", 0), builder)
    try:
        assert server.url == f"http://[::1]:{server.server_address[1]}/"
    finally:
        server.server_close()


# The command, as a user runs it: a real process, stopped with Ctrl-C.


@dataclass
class Running:
    """`newsletter preview` in a subprocess: its address and what it prints, line by line."""

    process: subprocess.Popen[str]
    first: str
    url: str
    stdout: queue.Queue[str | None]
    stderr: queue.Queue[str | None]

    def interrupt(self) -> int:
        """Press Ctrl-C and wait for the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT)


def _lines(stream: object, into: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line.rstrip("\n"))
    into.put(None)


def rest(lines: queue.Queue[str | None]) -> list[str]:
    """Every line still to come, up to the end of the stream."""
    found: list[str] = []
    while (line := lines.get(timeout=WAIT)) is not None:
        found.append(line)
    return found


def so_far(lines: queue.Queue[str | None]) -> list[str | None]:
    """The lines already read, without waiting for more."""
    found: list[str | None] = []
    while not lines.empty():
        found.append(lines.get_nowait())
    return found


@contextmanager
def preview_process(folder: Path, *args: str) -> Iterator[Running]:
    """`newsletter preview ARGS` running in `folder`, once it has said where it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newsletter", "preview", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
    )
    stdout: queue.Queue[str | None] = queue.Queue()
    stderr: queue.Queue[str | None] = queue.Queue()
    readers = [
        threading.Thread(target=_lines, args=(process.stdout, stdout), daemon=True),
        threading.Thread(target=_lines, args=(process.stderr, stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        first = stdout.get(timeout=30)
        assert first is not None and first.startswith("Previewing "), (first, so_far(stderr))
        yield Running(process, first, first.split(" at ")[1].split(" ")[0], stdout, stderr)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for reader in readers:
            reader.join(WAIT)


def fetch(url: str) -> tuple[int, str]:
    """Status and body of GET `url`."""
    parts = url.removeprefix("http://").split("/", 1)
    host, port = parts[0].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=WAIT)
    try:
        connection.request("GET", "/" + parts[1])
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_the_command_serves_the_preview_and_stops_on_ctrl_c(project: Path) -> None:
    with preview_process(project, "--port", "0") as running:
        port = int(running.url.removeprefix("http://127.0.0.1:").rstrip("/"))
        assert running.first == (
            f"Previewing issues/2026-11-30.yaml at http://127.0.0.1:{port}/ (Ctrl-C to stop)"
        )
        status, page = fetch(running.url)
        assert status == 200 and '<iframe id="email"' in page
        state = json.loads(fetch(running.url + "status.json")[1])
        assert (state["ok"], state["subject"]) == (True, "A small issue")
        assert "The lead" in fetch(running.url + "email.html")[1]
        assert fetch(running.url + "../newsletter.yaml")[0] == 404
        assert running.interrupt() == 0
        out, err = rest(running.stdout), rest(running.stderr)
    assert out[-1] == "Stopped."
    assert all(" built issues/2026-11-30.yaml in " in line for line in out[:-1]), out
    assert err == []  # no traceback, no warning


def test_ctrl_c_while_it_starts_stops_it_too(project: Path) -> None:
    # A Ctrl-C that lands while the watchers start used to stop one watcher and not the rest:
    # the preview went on serving. No moment of the start can be aimed at, so try many.
    for tenths in range(1, 9):
        process = subprocess.Popen(
            [sys.executable, "-m", "newsletter", "preview", "--port", "0"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(tenths / 10)
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"Ctrl-C {tenths / 10} s after the start did not stop the preview")
        assert "KeyboardInterrupt caught" not in err


def test_a_port_in_use_is_one_clear_line(project: Path, run: RunCli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("preview", "--port", str(port))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
        " (--port 0 picks a free port)\n"
    )


def host_get(url: str, host: str) -> int:
    """The status of GET `url` sent with `host` as its Host header."""
    parts = url.removeprefix("http://").split("/", 1)
    address, port = parts[0].rsplit(":", 1)
    connection = http.client.HTTPConnection(address.strip("[]"), int(port), timeout=WAIT)
    try:
        connection.request("GET", "/status.json", headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_another_loopback_address_is_this_machine(project: Path) -> None:
    # 127.0.0.2 is loopback: nothing is shared, so no warning, and the Host check stays on.
    with preview_process(project, "--host", "127.0.0.2", "--port", "0") as running:
        assert running.url.startswith("http://127.0.0.2:")
        port = running.url.removeprefix("http://127.0.0.2:").rstrip("/")
        assert fetch(running.url)[0] == 200
        assert host_get(running.url, f"127.0.0.2:{port}") == 200
        assert host_get(running.url, "localhost") == 200
        assert host_get(running.url, f"evil.example:{port}") == 403
        assert running.interrupt() == 0
        err = rest(running.stderr)
    assert err == []


def test_ipv6_loopback_gives_no_warning_and_checks_the_host(project: Path) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return  # no IPv6 on this machine: nothing to test (a skip would fail CI)
    with preview_process(project, "--host", "::1", "--port", "0") as running:
        assert running.url.startswith("http://[::1]:")
        assert host_get(running.url, "[::1]") == 200
        assert host_get(running.url, "rebound.example") == 403
        assert running.interrupt() == 0
        assert rest(running.stderr) == []


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1", 200),
        ("localhost:8000", 200),
        ("LOCALHOST.", 200),
        ("[::1]:8000", 200),
        ("[::1]", 200),
        ("127.0.0.2:8000", 200),
        ("127.255.255.254", 200),
        ("evil.example", 403),
        ("127.0.0.1.evil.example", 403),
        ("localhost.evil.example:8000", 403),
        ("10.0.0.1", 403),
        ("", 403),
    ],
)
def test_only_loopback_host_names_are_answered(
    server: PreviewServer, host: str, status: int
) -> None:
    # A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) gets nothing.
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=WAIT)
    try:
        connection.request("GET", "/status.json", headers={"Host": host})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == status
    assert (b"subject" in body) == (status == 200)
