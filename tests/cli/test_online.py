"""`newsletter check --online` against a real HTTP server on 127.0.0.1: nothing leaves it."""

from __future__ import annotations

import io
import json
import socket
import struct
import sys
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import Result

from newsletter.checks.online import check_online
from newsletter.cli.exits import progress_bar
from newsletter.project.folder import Project
from tests.conftest import SETTINGS as BASE_SETTINGS
from tests.conftest import RunCli
from tests.httpserver import Site, serving

HTML = "<!DOCTYPE html><html><head><title>A page</title></head><body><p>Hi.</p></body></html>"
FILE = "issues/2026-11-30.yaml"

# Every URL on the test server; the offline checks' warnings about http, a bare IP address
# and an image not kept in the project are expected there, and left out so that the online
# findings stand alone.
SETTINGS = BASE_SETTINGS.replace("https://example.org", "{base}") + (
    "checks:\n  ignore: [link/http, link/ip-address, image/http, image/not-fetched{ignore}]\n"
    "{checks}{brand}"
)

pytestmark = pytest.mark.network

ISSUE = """\
number: 7
date: 2026-11-30
subject: A small issue
preheader: Two stories and a link, for the tests of check --online.
intro: {intro}
sections:
  - title: Lead story
    layout: lead
    articles:
      - title: The lead
        url: {base}/news/lead
        source: example.org
        summary: What happened.
        image: {base}/img/lead.png
        image_alt: A lead picture
  - title: News
    articles:
      - title: Second story
        url: {base}/news/second
        summary: More.
"""
INTRO = "Hello *readers*, read [about us]({base}/about)."
# Where the findings about each URL of ISSUE point: line and column of the value.
LEAD = f"{FILE}:11:14: {{}}: sections[0].articles[0].url: "
IMAGE = f"{FILE}:14:16: {{}}: sections[0].articles[0].image: "
SECOND = f"{FILE}:19:14: {{}}: sections[1].articles[0].url: "


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the environment: every request goes straight to 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def png(width: int, height: int) -> bytes:
    """A real, valid PNG of that size: black, greyscale."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress((b"\0" + b"\0" * width) * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def write_project(
    root: Path,
    base: str,
    *,
    intro: str = INTRO,
    checks: str = "",
    brand: str = "",
    ignore: str = "",
) -> None:
    """Point the project's settings and issue at the server at `base`."""
    settings = SETTINGS.format(base=base, checks=checks, brand=brand, ignore=ignore)
    (root / "newsletter.yaml").write_text(settings, encoding="utf-8")
    issue = ISSUE.format(base=base, intro=intro.format(base=base))
    (root / FILE).write_text(issue, encoding="utf-8")


@pytest.fixture
def online(project: Path, site: Site) -> Site:
    """The project pointed at `site`, where every link and image of the issue answers well."""
    write_project(project, site.base)
    for path in ("/about", "/news/lead", "/news/second", "/weekly/unsubscribe"):
        site.add(path, HTML)
    site.add("/weekly/2026-11-30/", HTML)  # the web version
    site.add("/img/lead.png", png(600, 300), content_type="image/png")
    return site


def found(result: Result) -> list[str]:
    """The online findings printed by `check`."""
    return [line for line in result.stdout.splitlines() if "[online/" in line]


def test_links_and_images_that_answer_give_no_finding(online: Site, run: RunCli) -> None:
    result = run("check", "--online")
    assert found(result) == []
    assert result.stdout.endswith("0 errors, 0 warnings.\n")
    assert result.exit_code == 0
    assert result.stderr == ""  # CliRunner is no terminal: no progress bar
    # One request each: HEAD answered for the links, so no GET followed it.
    assert sorted(online.requests) == [
        "/about",
        "/img/lead.png",
        "/news/lead",
        "/news/second",
        "/weekly/2026-11-30/",
        "/weekly/unsubscribe",
    ]


def test_a_redirect_names_its_target_and_is_a_warning(online: Site, run: RunCli) -> None:
    online.add("/news/moved", HTML)
    online.redirect("/news/hop", "/news/moved", status=302)
    start = online.redirect("/news/lead", "/news/hop")
    result = run("check", "--online")
    final = online.url("/news/moved")
    assert found(result) == [
        LEAD.format("warning")
        + f"{start} redirects to {final}: link to it directly [online/redirect]"
    ]
    assert result.stdout.endswith("0 errors, 1 warning.\n")
    assert result.exit_code == 0
    assert run("check", "--online", "--strict").exit_code == 1


@pytest.mark.parametrize(
    ("status", "text"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_an_http_error_is_an_error_on_the_line_of_the_link(
    online: Site, run: RunCli, status: int, text: str
) -> None:
    url = online.add("/news/second", "<h1>Oops</h1>", status=status)
    result = run("check", "--online")
    assert found(result) == [SECOND.format("error") + f"{text}: {url} [online/broken]"]
    assert result.exit_code == 1


def test_a_broken_link_in_markdown_is_located_at_its_field(
    online: Site, project: Path, run: RunCli
) -> None:
    write_project(project, online.base, intro="Read [about us]({base}/gone).")
    result = run("check", "--online")
    url = online.url("/gone")
    assert found(result) == [f"{FILE}:5:8: error: intro: HTTP 404 Not Found: {url} [online/broken]"]


def test_a_broken_redirect_says_where_it_ended(online: Site, run: RunCli) -> None:
    start = online.redirect("/news/second", "/nowhere")
    result = run("check", "--online")
    final = online.url("/nowhere")
    message = f"HTTP 404 Not Found: {start} (redirected to {final}) [online/broken]"
    assert found(result) == [SECOND.format("error") + message]


def test_a_redirect_loop_is_broken(online: Site, run: RunCli) -> None:
    online.redirect("/news/second", "/loop")
    online.redirect("/loop", "/news/second")
    result = run("check", "--online")
    url = online.url("/news/second")
    message = f"more than 5 redirects (a redirect loop?): {url} [online/broken]"
    assert found(result) == [SECOND.format("error") + message]


def test_a_slow_server_is_unreachable(online: Site, run: RunCli) -> None:
    url = online.add("/news/second", HTML, delay=2.0)
    result = run("check", "--online", "--timeout", "0.5")
    assert online.requests.count("/news/second") == 1  # the HEAD timed out: no GET after it
    assert found(result) == [
        SECOND.format("error") + f"no answer within 0.5 s: {url} [online/unreachable]"
    ]
    assert result.exit_code == 1


def test_a_refused_connection_is_unreachable(project: Path, online: Site, run: RunCli) -> None:

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    write_project(project, online.base, intro=f"See [this site]({closed}/).")
    result = run("check", "--online")
    message = f"the server refused the connection: {closed}/ [online/unreachable]"
    assert found(result) == [f"{FILE}:5:8: error: intro: {message}"]


class _Picky(BaseHTTPRequestHandler):
    """GET is 200 everywhere; HEAD is refused (405, 403, 501) or hung up on, as the path says."""

    def do_GET(self) -> None:  # the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(HTML)))
        self.end_headers()
        self.wfile.write(HTML.encode())

    def do_HEAD(self) -> None:
        if self.path == "/hangs-up":
            return  # no answer at all: the connection closes
        self.send_response(int(self.path.strip("/")))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def picky() -> Iterator[str]:
    """The address of a server on 127.0.0.1 that answers GET but not HEAD."""
    with serving(_Picky) as base:
        yield base


@pytest.mark.parametrize("path", ["/405", "/403", "/501", "/hangs-up"])
def test_a_server_refusing_head_is_asked_with_get(
    project: Path, online: Site, picky: str, run: RunCli, path: str
) -> None:
    write_project(project, online.base, intro=f"A [picky server]({picky}{path}).")
    result = run("check", "--online")
    assert found(result) == []
    assert result.exit_code == 0


def test_a_head_error_other_than_a_refusal_is_believed(
    project: Path, online: Site, picky: str, run: RunCli
) -> None:
    write_project(project, online.base, intro=f"A [gone page]({picky}/410).")
    result = run("check", "--online")
    message = f"HTTP 410 Gone: {picky}/410 [online/broken]"
    assert found(result) == [f"{FILE}:5:8: error: intro: {message}"]


def test_a_heavy_image_is_a_warning_with_its_size(project: Path, online: Site, run: RunCli) -> None:
    write_project(project, online.base, checks="  image_bytes: 10000\n")
    heavy = png(600, 300) + b"\0" * 20_000  # decoders stop at IEND: trailing bytes are weight
    url = online.add("/img/lead.png", heavy, content_type="image/png")
    result = run("check", "--online")
    size = f"{round(len(heavy) / 1000, 1):g} kB"
    message = f"the image is {size}, heavier than 10 kB: {url} [online/image-heavy]"
    assert found(result) == [IMAGE.format("warning") + message]
    assert result.exit_code == 0


def test_a_wide_image_is_a_warning(online: Site, run: RunCli) -> None:
    url = online.add("/img/lead.png", png(1600, 10), content_type="image/png")
    result = run("check", "--online")
    message = f"the image is 1600 px wide, wider than 1200 px: {url} [online/image-wide]"
    assert found(result) == [IMAGE.format("warning") + message]
    assert result.exit_code == 0
    assert run("check", "--online", "--strict").exit_code == 1


def test_a_web_page_served_as_the_image_is_an_error(online: Site, run: RunCli) -> None:
    url = online.add("/img/lead.png", HTML)
    result = run("check", "--online")
    message = f"not an image but text/html: {url} [online/not-an-image]"
    assert found(result) == [IMAGE.format("error") + message]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("body", "findings"),
    [
        (png(20, 20), 0),  # a misconfigured server: the bytes are an image all the same
        (HTML.encode(), 1),
    ],
)
def test_an_image_without_a_type_is_judged_by_its_bytes(
    online: Site, run: RunCli, body: bytes, findings: int
) -> None:
    url = online.add("/img/lead.png", body, content_type="application/octet-stream")
    result = run("check", "--online")
    message = (
        "not an image: the server did not say what it is (application/octet-stream): "
        f"{url} [online/not-an-image]"
    )
    assert found(result) == [IMAGE.format("error") + message][:findings]


def test_the_footer_and_logo_are_checked_in_the_email(
    project: Path, online: Site, run: RunCli
) -> None:
    logo = online.add("/logo.png", png(2400, 200), content_type="image/png")
    write_project(project, online.base, brand=f"brand:\n  logo: {logo}\n")
    online.pages.pop("/weekly/unsubscribe")
    online.pages.pop("/weekly/2026-11-30/")
    result = run("check", "--online")
    unsubscribe, web = online.url("/weekly/unsubscribe"), online.url("/weekly/2026-11-30/")
    assert found(result) == [
        f"{FILE}: error: email.html: HTTP 404 Not Found: {unsubscribe}"
        " (settings: links.unsubscribe) [online/broken]",
        f"{FILE}: warning: email.html: the image is 2400 px wide, wider than 1200 px: {logo}"
        " (settings: brand.logo) [online/image-wide]",
        f"{FILE}: warning: email.html: the web version is not published yet"
        f" (HTTP 404 Not Found): {web} (settings: archive_url) [online/unpublished]",
    ]


def test_a_redirected_image_is_a_warning(online: Site, run: RunCli) -> None:
    final = online.add("/img/lead-2x.png", png(600, 300), content_type="image/png")
    start = online.redirect("/img/lead.png", "/img/lead-2x.png")
    result = run("check", "--online")
    message = f"{start} redirects to {final}: use that address [online/redirect]"
    assert found(result) == [IMAGE.format("warning") + message]


def test_links_the_theme_adds_are_checked_too(project: Path, online: Site, run: RunCli) -> None:
    template = project / "templates" / "issue.mjml.j2"
    social = online.url("/social")
    text = template.read_text(encoding="utf-8")
    unsubscribe = 'Unsubscribe") }}</a>'
    text = text.replace(unsubscribe, unsubscribe + f' · <a href="{social}">Follow us</a>')
    template.write_text(text, encoding="utf-8")
    result = run("check", "--online")
    assert found(result) == [
        f"{FILE}: error: email.html: HTTP 404 Not Found: {social} (the theme) [online/broken]"
    ]


def test_a_url_used_twice_is_requested_once_and_reported_at_both(
    project: Path, online: Site, run: RunCli
) -> None:
    write_project(project, online.base, intro="Read [the second story]({base}/news/second).")
    url = online.add("/news/second", status=404)
    result = run("check", "--online")
    message = f"HTTP 404 Not Found: {url} [online/broken]"
    assert found(result) == [
        f"{FILE}:5:8: error: intro: {message}",
        SECOND.format("error") + message,
    ]
    assert online.requests.count("/news/second") == 1


def test_ignored_codes_are_left_out(project: Path, online: Site, run: RunCli) -> None:
    write_project(project, online.base, ignore=", online/redirect")
    online.redirect("/news/lead", "/news/second")
    url = online.add("/img/lead.png", png(1600, 10), content_type="image/png")
    result = run("check", "--online")
    message = f"the image is 1600 px wide, wider than 1200 px: {url} [online/image-wide]"
    assert found(result) == [IMAGE.format("warning") + message]


def test_json_has_the_online_findings_with_their_place(online: Site, run: RunCli) -> None:
    url = online.add("/news/second", status=404)
    result = run("check", "--online", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["errors"] == 1
    assert [f for f in report["findings"] if f["code"].startswith("online/")] == [
        {
            "code": "online/broken",
            "severity": "error",
            "message": f"HTTP 404 Not Found: {url}",
            "file": FILE,
            "line": 19,
            "column": 14,
            "where": "sections[1].articles[0].url",
        }
    ]


class _Terminal(io.StringIO):
    """Standard error as a terminal would be."""

    def isatty(self) -> bool:
        return True


def test_a_progress_bar_shows_on_a_terminal_only(
    project: Path, online: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    inspection = Project.find(project).inspect(project / FILE)
    label = "Requesting links and images"
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(label) as advance:
        assert check_online(inspection, timeout=5, progress=advance) == []
    assert label in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    with progress_bar(label, shown=False) as advance:
        check_online(inspection, timeout=5, progress=advance)
    assert terminal.getvalue() == ""
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with progress_bar(label) as advance:
        check_online(inspection, timeout=5, progress=advance)
    assert pipe.getvalue() == ""


def test_requests_go_side_by_side_within_the_bound(project: Path, online: Site) -> None:
    links = ", ".join(f"[{i}]({online.base}/slow/{i})" for i in range(6))
    write_project(project, online.base, intro=f"Read {links}.")
    for i in range(6):
        online.add(f"/slow/{i}", HTML, delay=0.5)
    inspection = Project.find(project).inspect(project / FILE)
    assert check_online(inspection, timeout=5, concurrency=3) == []
    assert online.most_in_flight == 3  # side by side, never more than the bound


def test_mailto_links_are_not_requested(project: Path, online: Site) -> None:
    write_project(project, online.base, intro="Write to [us](mailto:weekly@example.org).")
    inspection = Project.find(project).inspect(project / FILE)
    assert check_online(inspection, timeout=5) == []


def test_a_redirect_from_a_public_address_to_a_private_one_is_not_followed(
    project: Path, site: Site, public: str, run: RunCli
) -> None:
    port = site.base.rpartition(":")[2]
    write_project(project, public)
    for path in ("/about", "/news/lead", "/weekly/unsubscribe", "/weekly/2026-11-30/", "/admin"):
        site.add(path, HTML)
    site.add("/img/lead.png", png(600, 300), content_type="image/png")
    site.redirect("/news/second", f"http://127.0.0.1:{port}/admin")
    result = run("check", "--online")
    assert "/admin" not in site.requests
    assert [line for line in found(result) if "private" in line] == [
        SECOND.format("error") + "the server redirected to a private address (127.0.0.1): refused:"
        f" http://news.example:{port}/news/second [online/broken]"
    ]
