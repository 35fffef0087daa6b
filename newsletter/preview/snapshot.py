"""Screenshots of an email's HTML in headless Chromium, the system's own, driven by Playwright."""

from __future__ import annotations

import functools
import os
import shutil
import struct
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Literal

from newsletter.model.problems import UserError

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Route

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ENV = "NEWSLETTER_CHROMIUM"
VIEWPORT_HEIGHT = 800
# Root on CI and in containers cannot use Chromium's sandbox; the rest keeps the browser from
# calling home (updates, sync, field trials) so a snapshot stays private and repeatable.
LAUNCH_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Offline, even a DNS lookup (link prefetching, a request that slips past the router) fails.
OFFLINE_FLAGS = ("--dns-prefetch-disable", "--host-resolver-rules=MAP * ~NOTFOUND")


def find_chromium() -> str:
    """The Chromium to run: $NEWSLETTER_CHROMIUM, or the first one found on the PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
            raise UserError(f"{CHROMIUM_ENV} is {chosen!r}, which is not an executable file")
        return chosen
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise UserError(
        "Chromium is needed for snapshots: install it with `sudo apt-get install chromium`"
        f" (Debian/Ubuntu) or set {CHROMIUM_ENV} to its path"
    )


@functools.cache
def placeholder_png(width: int = 1200, height: int = 675) -> bytes:
    """A plain light-grey PNG, built without Pillow: the stand-in for every image offline."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\xdd\xdd\xdd" * width  # filter type 0, then RGB pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def _fulfil(body: bytes, route: Route) -> None:
    route.fulfill(status=200, content_type=_media_type(body), body=body)


def _media_type(body: bytes) -> str:
    if body.startswith(b"\x89PNG"):
        return "image/png"
    return "image/gif" if body.startswith(b"GIF8") else "image/jpeg"


def _offline(route: Route) -> None:
    """Images get the placeholder; anything else that would leave the machine is refused."""
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=placeholder_png())
    else:
        route.abort("blockedbyclient")


@contextmanager
def chromium(*, offline: bool) -> Iterator[BrowserContext]:
    """A headless Chromium context with a fresh profile, 1 CSS pixel to 1 device pixel."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise UserError(
            "Playwright is needed for snapshots: pip install 'newsletter[snapshot]'"
        ) from None
    executable = find_chromium()
    flags = LAUNCH_FLAGS + (OFFLINE_FLAGS if offline else ())
    with (
        tempfile.TemporaryDirectory(prefix="newsletter-chromium-") as profile,
        sync_playwright() as p,
    ):
        try:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                args=list(flags),
                headless=True,
                viewport={"width": 600, "height": VIEWPORT_HEIGHT},
                device_scale_factor=1,
            )
        except Error as e:
            raise UserError(f"Chromium ({executable}) did not start: {_first_line(e)}") from None
        try:
            if offline:
                context.route("**/*", _offline)
            yield context
        except Error as e:  # a page that never finishes loading, a browser that crashed
            raise UserError(f"Chromium failed: {_first_line(e)}") from None
        finally:
            context.close()


def _first_line(error: Exception) -> str:
    """Playwright's message in one line: its first, and what the browser itself said first."""
    # The rest is a long call log with every launch flag: noise to someone taking screenshots.
    lines = str(error).strip().splitlines() or [type(error).__name__]
    said = next((line.split("[err] ", 1)[1] for line in lines if "[err] " in line), "")
    return f"{lines[0]} ({said.strip()})" if said.strip() else lines[0]


def screenshots(
    html: str,
    widths: Sequence[int],
    *,
    dark: bool,
    offline: bool,
    images: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """Full-page PNGs of `html`: email-WIDTH.png per width, and email-WIDTH-dark.png if `dark`.
    `images` are the bytes of image addresses not to fetch: derived images not yet published."""
    schemes: tuple[Literal["light", "dark"], ...] = ("light", "dark") if dark else ("light",)
    shots: dict[str, bytes] = {}
    with chromium(offline=offline) as context:
        for url, body in (images or {}).items():
            # Registered after the offline route, so they are asked first.
            context.route(url, partial(_fulfil, body))
        for width in widths:
            for scheme in schemes:
                # A new page for each shot: nothing (scroll, layout) carries over between them.
                page = context.new_page()
                page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
                page.emulate_media(color_scheme=scheme)
                page.set_content(html, wait_until="load")
                suffix = "-dark" if scheme == "dark" else ""
                shots[f"email-{width}{suffix}.png"] = page.screenshot(
                    full_page=True, animations="disabled", caret="hide"
                )
                page.close()
    return shots
