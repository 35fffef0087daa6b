"""`newsletter snapshot`: screenshots of the email in headless Chromium, through the real CLI."""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from newsletter.preview.snapshot import placeholder_png
from tests.browser import image, require_chromium
from tests.conftest import RunCli

pytestmark = pytest.mark.browser

SHOTS = ["email-600.png", "email-600-dark.png", "email-375.png", "email-375-dark.png"]
GREY = (0xDD, 0xDD, 0xDD)
RED = (255, 0, 0)


def _colours(png: Image.Image) -> set[object]:
    """The distinct colours of an RGB image, as (r, g, b) tuples."""
    return {colour for _, colour in png.getcolors(maxcolors=1 << 20) or []}


def test_snapshot_writes_a_png_per_width_and_mode(project: Path, run: RunCli) -> None:
    require_chromium()
    result = run("snapshot", "--width", "600,375", "--dark", "--offline", "-o", "shots")
    assert result.exit_code == 0, result.output
    assert result.stdout == "".join(f"shots/{name}\n" for name in SHOTS)
    assert result.stderr == ""
    assert sorted(p.name for p in (project / "shots").iterdir()) == sorted(SHOTS)
    shots = {name: image((project / "shots" / name).read_bytes()) for name in SHOTS}
    for name, png in shots.items():
        width = int(name.split("-")[1].removesuffix(".png"))
        assert png.width == width, name
        assert png.height > 800, name  # the whole page, not the viewport
        assert GREY in _colours(png), f"{name}: the offline placeholder is not drawn"
    for width in (600, 375):
        light, dark = shots[f"email-{width}.png"], shots[f"email-{width}-dark.png"]
        assert light.getpixel((5, 5)) != dark.getpixel((5, 5)), "dark mode looks like light mode"


def test_snapshot_defaults_to_the_build_folder_without_dark_mode(
    project: Path, run: RunCli
) -> None:
    require_chromium()
    result = run("snapshot", "--width", "320", "--offline")
    assert result.exit_code == 0, result.output
    assert result.stdout == "dist/2026-11-30/email-320.png\n"
    assert image((project / "dist" / "2026-11-30" / "email-320.png").read_bytes()).width == 320


class _ImageServer(ThreadingHTTPServer):
    """A web server on loopback that serves a red PNG and remembers every path asked for."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ImageHandler)
        self.paths: list[str] = []
        buffer = io.BytesIO()
        Image.new("RGB", (400, 225), RED).save(buffer, "PNG")
        self.png = buffer.getvalue()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ImageHandler(BaseHTTPRequestHandler):
    server: _ImageServer

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.server.png)))
        self.end_headers()
        self.wfile.write(self.server.png)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


@pytest.fixture
def image_server(project: Path) -> Iterator[_ImageServer]:
    """The issue's lead image served from loopback."""
    server = _ImageServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    issue = project / "issues" / "2026-11-30.yaml"
    text = issue.read_text(encoding="utf-8")
    issue.write_text(
        text.replace("https://example.org/img/lead.jpg", f"{server.url}/lead.png"), "utf-8"
    )
    yield server
    server.shutdown()
    server.server_close()


def test_offline_sends_no_request_and_draws_the_placeholder(
    image_server: _ImageServer, project: Path, run: RunCli
) -> None:
    require_chromium()
    result = run("snapshot", "--width", "600", "--offline", "-o", "offline")
    assert result.exit_code == 0, result.output
    assert image_server.paths == []
    colours = _colours(image((project / "offline" / "email-600.png").read_bytes()))
    assert GREY in colours and RED not in colours


def test_online_loads_the_real_images(
    image_server: _ImageServer, project: Path, run: RunCli
) -> None:
    require_chromium()
    result = run("snapshot", "--width", "600", "-o", "online")
    assert result.exit_code == 0, result.output
    assert image_server.paths == ["/lead.png"]
    assert RED in _colours(image((project / "online" / "email-600.png").read_bytes()))


@pytest.mark.parametrize(
    ("widths", "message"),
    [
        ("600,abc", "Invalid value for --width: not a list of numbers: '600,abc'"),
        ("600,100", "Invalid value for --width: widths must be between 200 and 4000"),
        ("", "Invalid value for --width: not a list of numbers: ''"),
    ],
)
def test_a_bad_width_is_a_usage_error(
    project: Path, run: RunCli, widths: str, message: str
) -> None:
    result = run("snapshot", "--width", widths)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert not (project / "dist").exists()


def test_a_missing_chromium_named_by_the_variable_is_one_clear_line(
    project: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(project / "no-such-chromium")
    monkeypatch.setenv("NEWSLETTER_CHROMIUM", missing)
    result = run("snapshot", "--offline")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr
        == f"Error: NEWSLETTER_CHROMIUM is {missing!r}, which is not an executable file\n"
    )


def test_a_chromium_that_does_not_start_is_one_clear_line(
    project: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    fake = project / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("NEWSLETTER_CHROMIUM", str(fake))
    result = run("snapshot", "--offline")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"Error: Chromium ({fake}) did not start: ")
    assert result.stderr.endswith(" (cannot open display)\n")


def test_no_chromium_on_the_path_says_how_to_install_it(
    project: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSLETTER_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(project / "empty"))
    result = run("snapshot", "--offline")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Chromium is needed for snapshots: install it with `sudo apt-get install chromium`"
        " (Debian/Ubuntu) or set NEWSLETTER_CHROMIUM to its path\n"
    )


def test_no_playwright_says_how_to_install_it(
    project: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes the import fail, as it does when the package is not installed.
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    result = run("snapshot", "--offline")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Playwright is needed for snapshots: pip install 'newsletter[snapshot]'\n"
    )


def test_the_placeholder_is_a_valid_deterministic_png() -> None:
    png = placeholder_png()
    assert png == placeholder_png()
    placeholder = Image.open(io.BytesIO(png))
    assert placeholder.format == "PNG" and placeholder.size == (1200, 675)
    assert placeholder.convert("RGB").getcolors() == [(1200 * 675, GREY)]


def test_derived_images_are_shown_before_they_are_published(project: Path, run: RunCli) -> None:
    require_chromium()
    # A pure blue original, kept; the archive's address answers nothing (offline).
    blue = io.BytesIO()
    Image.new("RGB", (1200, 800), (0, 0, 255)).save(blue, "PNG")
    (project / "images").mkdir()
    (project / "images" / "0123456789abcdef0123.png").write_bytes(blue.getvalue())
    issue = project / "issues" / "2026-11-30.yaml"
    text = issue.read_text(encoding="utf-8")
    issue.write_text(
        text.replace(
            "image_alt: A lead picture",
            "image_alt: A lead picture\n        image_file: images/0123456789abcdef0123.png",
        ),
        encoding="utf-8",
    )
    result = run("snapshot", "--width", "600", "--offline", "-o", "derived")
    assert result.exit_code == 0, result.output
    shot = image((project / "derived" / "email-600.png").read_bytes())
    # The lead is shown 552 x 276 from x = 24: blue, as JPEG makes it, where it is drawn.
    blues = [
        (x, y)
        for x in range(0, 600, 4)
        for y in range(0, shot.height, 4)
        if shot.getpixel((x, y))[2] > 200 > shot.getpixel((x, y))[0] + 150  # type: ignore[index]
    ]
    assert blues, "the derived image is not shown"
    xs, ys = [x for x, _ in blues], [y for _, y in blues]
    assert min(xs) <= 28 and max(xs) >= 572 and 268 <= max(ys) - min(ys) <= 276
