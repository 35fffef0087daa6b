"""Images kept in the project: `add` and `newsletter images` against a real HTTP server on
127.0.0.1, with real image files and hostile answers."""

from __future__ import annotations

import gzip
import hashlib
import re
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from tests.cli.test_add import _inserted
from tests.conftest import RunCli
from tests.httpserver import Site, serving

pytestmark = pytest.mark.network

IMAGES = Path(__file__).parents[1] / "images"
PAGES = Path(__file__).parents[1] / "pages"
ISSUE = Path("issues") / "2026-11-30.yaml"
JPEG = (IMAGES / "hopper.jpg").read_bytes()
NOT_IMAGE = "the bytes are not an image, though served as"
SVG = "an SVG image (it may carry scripts, and mail clients do not show it): refused"

PAGE = """<!DOCTYPE html><html><head><title>{title}</title>
<meta property="og:title" content="{title}">
<meta property="og:description" content="What happened, in a sentence or two.">
<meta property="og:image" content="{image}">
<meta property="og:image:alt" content="A picture of it">
</head><body><p>Hi.</p></body></html>"""

HAND_WRITTEN = """\
# yaml-language-server: $schema=../issue.schema.json
number: 7
date: 2026-11-30
subject: A small issue
sections:
  - title: Lead story   # the one that matters
    layout: lead
    articles:
      - title: The lead
        url: https://example.org/news/lead
        image: {first}
        # what it shows
        image_alt: A lead picture

  - title: News
    articles:
      - {{title: No image, url: 'https://example.org/news/none'}}
      - title: "Second story"
        url: https://example.org/news/second
        summary: >-
          More.
        image: '{second}'
"""


def _name(body: bytes, extension: str) -> str:
    return f"images/{hashlib.sha256(body).hexdigest()[:20]}.{extension}"


def _kept(project: Path) -> list[str]:
    folder = project / "images"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _article_page(site: Site, path: str, image: str) -> str:
    return site.add(path, PAGE.format(title=f"Story {path}", image=image))


def test_add_keeps_the_image_next_to_its_address(project: Path, run: RunCli, site: Site) -> None:
    image = site.add("/img/hopper.jpg", JPEG, content_type="image/jpeg")
    url = _article_page(site, "/story", image)
    before = (project / ISSUE).read_text()
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    added = "".join(_inserted(before, (project / ISSUE).read_text()))
    assert f"        image: {image}\n        image_file: {_name(JPEG, 'jpg')}\n" in added
    assert (project / _name(JPEG, "jpg")).read_bytes() == JPEG
    assert run("build").exit_code == 0


@pytest.mark.parametrize(
    ("file", "content_type", "extension"),
    [
        ("hopper.png", "image/png", "png"),
        ("hopper.gif", "image/gif", "gif"),
        ("hopper.webp", "image/webp", "webp"),
        ("hopper.png", "image/jpeg", "png"),  # the bytes name the extension, not the header
    ],
)
def test_the_extension_comes_from_the_bytes(
    project: Path, run: RunCli, site: Site, file: str, content_type: str, extension: str
) -> None:
    body = (IMAGES / file).read_bytes()
    image = site.add("/img/picture", body, content_type=content_type)
    result = run("add", _article_page(site, "/story", image), "--section", "News")
    assert result.exit_code == 0, result.output
    assert _kept(project) == [_name(body, extension).removeprefix("images/")]
    assert f"image_file: {_name(body, extension)}\n" in (project / ISSUE).read_text()


def test_the_same_bytes_are_kept_once(project: Path, run: RunCli, site: Site) -> None:
    pixel = (PAGES / "pixel.png").read_bytes()
    first = site.add("/a/pixel.png", pixel, content_type="image/png")
    second = site.add("/b/pixel.png?size=2", pixel, content_type="image/png")
    pages = [_article_page(site, "/one", first), _article_page(site, "/two", second)]
    result = run("add", *pages, "--section", "News")
    assert result.exit_code == 0, result.output
    assert _kept(project) == [_name(pixel, "png").removeprefix("images/")]
    assert (project / ISSUE).read_text().count(f"image_file: {_name(pixel, 'png')}\n") == 2


def test_an_image_that_cannot_be_had_does_not_stop_the_article(
    project: Path, run: RunCli, site: Site
) -> None:
    image = site.url("/img/gone.jpg")
    url = _article_page(site, "/story", image)
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added to News: Story /story")
    assert result.stderr == f"Warning: {url}: image not kept: HTTP 404 Not Found: {image}\n"
    text = (project / ISSUE).read_text()
    assert f"image: {image}\n" in text
    assert "image_file" not in text
    assert _kept(project) == []


def test_a_dry_run_fetches_no_image(project: Path, run: RunCli, site: Site) -> None:
    image = site.add("/img/hopper.jpg", JPEG, content_type="image/jpeg")
    result = run("add", _article_page(site, "/story", image), "--section", "News", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "/img/hopper.jpg" not in site.requests
    assert _kept(project) == []


def _hand_written(project: Path, first: str, second: str) -> str:
    text = HAND_WRITTEN.format(first=first, second=second)
    (project / ISSUE).write_text(text)
    return text


def test_images_fills_in_what_is_missing_keeping_every_other_byte(
    project: Path, run: RunCli, site: Site
) -> None:
    gif = (IMAGES / "hopper.gif").read_bytes()
    first = site.add("/img/hopper.jpg", JPEG, content_type="image/jpeg")
    second = site.add("/img/hopper.gif", gif, content_type="image/gif")
    before = _hand_written(project, first, second)
    result = run("images")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        f"Kept {_name(JPEG, 'jpg')} for The lead (issues/2026-11-30.yaml)\n"
        f"Kept {_name(gif, 'gif')} for Second story (issues/2026-11-30.yaml)\n"
    )
    after = (project / ISSUE).read_text()
    assert _inserted(before, after) == [
        f"        image_file: {_name(JPEG, 'jpg')}\n",
        f"        image_file: {_name(gif, 'gif')}\n",
    ]
    assert after.index("image_file: images/") < after.index("# what it shows")
    assert after.endswith(f"        image: '{second}'\n        image_file: {_name(gif, 'gif')}\n")
    # Idempotent: nothing is fetched again, nothing changes.
    requests = len(site.requests)
    again = run("images")
    assert again.exit_code == 0, again.output
    assert again.stdout == "issues/2026-11-30.yaml: every image is kept.\n"
    assert (project / ISSUE).read_text() == after
    assert len(site.requests) == requests
    assert run("build").exit_code == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        (b"<html><body>Not here</body></html>", "image/jpeg", 200, f"{NOT_IMAGE} image/jpeg"),
        (b"\x00\x01\x02\x03" * 64, "image/png", 200, f"{NOT_IMAGE} image/png"),
        (JPEG, "text/html", 200, "not a JPEG, PNG, GIF, WebP or AVIF image but text/html"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 200, SVG),
        (b"<h1>Gone</h1>", "text/html", 404, "HTTP 404 Not Found"),
    ],
)  # fmt: skip
def test_images_reports_each_image_it_could_not_have(
    project: Path, run: RunCli, site: Site, body: bytes, content_type: str, status: int, reason: str
) -> None:
    good = site.add("/img/hopper.jpg", JPEG, content_type="image/jpeg")
    bad = site.add("/img/bad", body, content_type=content_type, status=status)
    before = _hand_written(project, bad, good)
    result = run("images")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: {reason} (issues/2026-11-30.yaml: The lead)\n"
    assert _inserted(before, (project / ISSUE).read_text()) == [
        f"        image_file: {_name(JPEG, 'jpg')}\n"
    ]
    assert _kept(project) == [_name(JPEG, "jpg").removeprefix("images/")]


def test_a_redirect_to_a_private_address_is_refused(
    project: Path, run: RunCli, site: Site, public: str
) -> None:
    site.add("/admin/secret.jpg", JPEG, content_type="image/jpeg")
    site.redirect("/img/lead.jpg", "/admin/secret.jpg")
    image = f"{public}/img/lead.jpg"
    _hand_written(project, image, image)
    result = run("images")
    assert result.exit_code == 1
    assert "the server redirected to a private address (127.0.0.1): refused" in result.stderr
    assert site.requests.count("/admin/secret.jpg") == 0
    assert _kept(project) == []


class _Hostile(BaseHTTPRequestHandler):
    """An image that never ends (/endless) and one sent a byte at a time (/trickle)."""

    sent: ClassVar[dict[str, int]] = {}

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        try:
            if self.path == "/endless":
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"\xff\xd8\xff" + b"\0" * 65533
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.sent["/endless"] = self.sent.get("/endless", 0) + len(chunk)
            else:
                self.send_header("Content-Length", str(len(JPEG)))
                self.end_headers()
                for byte in JPEG:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
        except OSError:
            pass  # the client gave up, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hostile() -> Iterator[str]:
    """The base URL of a server of hostile images on 127.0.0.1."""
    _Hostile.sent = {}
    with serving(_Hostile) as base:
        yield base


def test_an_endless_image_is_refused_as_it_streams_in(
    project: Path, run: RunCli, hostile: str
) -> None:
    _hand_written(project, f"{hostile}/endless", f"{hostile}/endless")
    result = run("images")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 2  # one line for each of the two articles
    assert result.stderr.count("the image is larger than 10 MB") == 2
    assert _kept(project) == []
    assert _Hostile.sent["/endless"] < 40_000_000  # refused soon after the limit


def test_a_trickling_image_stops_at_the_deadline(project: Path, run: RunCli, hostile: str) -> None:
    _hand_written(project, f"{hostile}/trickle", f"{hostile}/trickle")
    start = time.monotonic()
    result = run("images", "--timeout", "0.3")
    assert time.monotonic() - start < 3
    assert result.exit_code == 1
    assert "no full answer within 0.9 s" in result.stderr
    assert "image_file" not in (project / ISSUE).read_text()


def test_images_all_goes_through_every_issue(project: Path, run: RunCli, site: Site) -> None:
    image = site.add("/img/hopper.jpg", JPEG, content_type="image/jpeg")
    _hand_written(project, image, image)
    other = (project / ISSUE).read_text().replace("number: 7", "number: 6")
    (project / "issues" / "2026-11-23.yaml").write_text(other.replace("2026-11-30", "2026-11-23"))
    result = run("images", "--all")
    assert result.exit_code == 0, result.output
    for name in ("2026-11-23", "2026-11-30"):
        text = (project / "issues" / f"{name}.yaml").read_text()
        assert text.count(f"image_file: {_name(JPEG, 'jpg')}\n") == 2
    assert _kept(project) == [_name(JPEG, "jpg").removeprefix("images/")]
    assert run("images", "--all", "--issue", "2026-11-30").exit_code == 2


def test_an_image_file_that_is_not_a_kept_image_is_refused(project: Path, run: RunCli) -> None:
    text = (project / ISSUE).read_text()
    (project / ISSUE).write_text(
        text.replace("image_alt:", "image_file: ../../etc/passwd.jpg\n        image_alt:")
    )
    result = run("build")
    assert result.exit_code == 1
    assert "image_file" in result.stderr


def test_a_real_page_added_then_built_shows_its_image_derived_and_published(
    project: Path, run: RunCli, site: Site
) -> None:
    # DW's page (tests/pages/real/ORIGIN.md), its image served from here: a real photo.
    photo = (IMAGES / "flower.jpg").read_bytes()
    image = site.add("/image/16864611_304.jpg", photo, content_type="image/jpeg")
    page = gzip.decompress((PAGES / "real" / "dw-fruehburgunder.html.gz").read_bytes()).decode()
    assert page.count("https://www.dw.com/image/16864611_304.jpg") >= 1
    url = site.add(
        "/en/fruehburgunder", page.replace("https://www.dw.com/image/16864611_304.jpg", image)
    )
    assert run("add", url, "--section", "News").exit_code == 0
    assert run("build").exit_code == 0
    html = (project / "dist" / "2026-11-30" / "email.html").read_text(encoding="utf-8")
    thumbnail = next(
        tag for tag in re.findall(r"<img\b[^>]*>", html) if "Vineyards near the village" in tag
    )
    src = re.search(r'src="https://example.org/weekly/images/([0-9a-f]{16}-240\.jpg)"', thumbnail)
    assert src and 'width="120" height="120"' in thumbnail, thumbnail
    published = project / "dist" / "2026-11-30" / "images" / src[1]
    assert published.read_bytes()[:2] == b"\xff\xd8"
    # The thumbnail links to the article (at its canonical address).
    article = "https://www.dw.com/en/uncork-the-mystery-of-germanys-fr%C3%BChburgunder/a-16863843"
    assert html[: html.index(thumbnail)].endswith(f'<a href="{article}" style="color:#0b5394">')
