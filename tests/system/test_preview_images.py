"""The preview shows the derived images from itself, before the archive publishes them."""

from __future__ import annotations

import http.client
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from tests.browser import loopback_browser
from tests.cli.test_archive_images import IMAGES, _keep, _large, _with_images
from tests.system.test_preview_browser import TIMEOUT
from tests.system.test_preview_server import WAIT, preview_process

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

# Each article image in the frame, once the email is there: its address and natural width.
PICTURES = """() => {
  const frame = document.querySelector('#email').contentDocument;
  const images = [...(frame?.querySelectorAll('img.picture') ?? [])];
  if (!images.length || !images.every((img) => img.complete)) return null;
  return images.map((img) => [img.src, img.naturalWidth]);
}"""


@pytest.fixture(scope="module")
def context() -> Iterator[BrowserContext]:
    """One headless Chromium for the module that reaches 127.0.0.1 and nothing else."""
    yield from loopback_browser()


@pytest.fixture
def pictured(project: Path) -> Path:
    """The project's issue with kept originals: a large one for the lead, one for the list."""
    lead = _keep(project, _large(IMAGES / "flower.jpg"), "jpg")
    thumb = _keep(project, (IMAGES / "flower.jpg").read_bytes(), "jpg")
    (project / "issues" / "2026-11-30.yaml").write_text(_with_images(project, lead, thumb))
    return project


def _get(url: str) -> tuple[int, str, bytes]:
    """Status, Content-Type and body of GET `url`, the path sent as it is."""
    host, _, path = url.removeprefix("http://").partition("/")
    name, port = host.rsplit(":", 1)
    connection = http.client.HTTPConnection(name, int(port), timeout=WAIT)
    try:
        connection.request("GET", "/" + path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def _pictures(context: BrowserContext, url: str) -> list[tuple[str, int]]:
    """The article images of the email as the preview at `url` shows it."""
    page: Page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_selector("body[data-epoch]", timeout=TIMEOUT)
        found = page.wait_for_function(PICTURES, timeout=TIMEOUT).json_value()
        return [(str(src), int(width)) for src, width in found]
    finally:
        page.close()


def test_the_derived_images_load_from_the_preview(pictured: Path, context: BrowserContext) -> None:
    with preview_process(pictured, "--port", "0") as running:
        (lead, lead_width), (thumb, thumb_width) = _pictures(context, running.url)
        for src in (lead, thumb):
            assert re.fullmatch(rf"{running.url}images/[0-9a-f]{{16}}-[0-9]+\.jpg", src), src
        assert (lead_width, thumb_width) == (1104, 240)
        status, kind, data = _get(thumb)
        assert (status, kind) == (200, "image/jpeg")
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (240, 240)
        # The size the preview reports is the email's as sent, with the published addresses.
        email = _get(running.url + "email.html")[2]
        assert b"https://example.org/weekly/images/" not in email
        local = email.count(b' src="/images/')
        longer = len("https://example.org/weekly/images/") - len("/images/")
        state = json.loads(_get(running.url + "status.json")[2])
        assert local == 2 and state["bytes"] == len(email) + local * longer
        for path in (
            "images/../newsletter.yaml",
            "images/%2e%2e/newsletter.yaml",
            "images/0123456789abcdef-240.jpg",  # well formed, but no image of the build
            "images/" + thumb.rsplit("/", 1)[1].replace(".jpg", ".exe"),
            "images/" + thumb.rsplit("/", 1)[1].upper(),
        ):
            assert _get(running.url + path)[0] == 404, path


def test_without_an_archive_address_the_originals_are_shown(
    pictured: Path, context: BrowserContext
) -> None:
    settings = pictured / "newsletter.yaml"
    text = settings.read_text().replace("archive_url: https://example.org/weekly/\n", "")
    settings.write_text(text)
    with preview_process(pictured, "--port", "0") as running:
        shown = _pictures(context, running.url)
    assert [src for src, _ in shown] == [
        "https://example.org/img/lead.jpg",
        "https://example.org/img/second.jpg",
    ]
    assert all(width > 0 for _, width in shown)  # the placeholder the tests serve for them
