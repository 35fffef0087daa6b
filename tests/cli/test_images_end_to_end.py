"""Images of every kind a site serves, from 127.0.0.1 to the built email: `add` keeps the
original, `build` derives the thumbnail, `check` says what became of it. Real files from
Pillow's and libvips' test data (tests/images/ORIGIN.md)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageSequence

from tests.conftest import RunCli
from tests.httpserver import Site
from tests.unit.test_images_hostile import png_declaring

pytestmark = pytest.mark.network

IMAGES = Path(__file__).parents[1] / "images"
PAGE = """<!DOCTYPE html><html><head><title>A story</title>
<meta property="og:title" content="A story">
<meta property="og:description" content="What happened, in a sentence or two.">
<meta property="og:image" content="{image}">
<meta property="og:image:alt" content="A picture of it">
</head><body><p>Hi.</p></body></html>"""


def add_and_build(
    run: RunCli, site: Site, body: bytes, content_type: str
) -> tuple[dict[str, str], list[dict[str, Any]], str]:
    """Serve an article whose image is `body`, add it to News, build and check: the
    thumbnail's <img> attributes, the image findings of `check`, and add's warnings."""
    image = site.add("/img/picture", body, content_type=content_type)
    added = run("add", site.add("/story", PAGE.format(image=image)), "--section", "News")
    assert added.exit_code == 0, added.output
    assert run("build").exit_code == 0
    html = Path("dist/2026-11-30/email.html").read_text(encoding="utf-8")
    tag = next(t for t in re.findall(r"<img\b[^>]*>", html) if 'alt="A picture of it"' in t)
    report = json.loads(run("check", "--format", "json").stdout)
    found = [f for f in report["findings"] if f["code"].startswith("image/")]
    return dict(re.findall(r'(\w+)="([^"]*)"', tag)), found, added.stderr


def derived(attributes: dict[str, str]) -> Image.Image:
    """The derived image an <img> points at, from the build's images/ folder."""
    name = attributes["src"].removeprefix("https://example.org/weekly/images/")
    return Image.open(io.BytesIO(Path("dist/2026-11-30/images", name).read_bytes()))


def codes(found: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in found if f["line"] > 20]  # the added article's, not the lead's


def test_a_photo_stored_on_its_side_is_shown_upright(
    project: Path, run: RunCli, site: Site
) -> None:
    body = (IMAGES / "rotation-6.jpg").read_bytes()
    attributes, found, _ = add_and_build(run, site, body, "image/jpeg")
    assert (attributes["width"], attributes["height"]) == ("120", "120")
    with derived(attributes) as image, Image.open(IMAGES / "rotation-1.jpg") as upright:
        # Stored 308 x 231 on its side: upright 231 x 308, its square 231 px (not enlarged).
        assert (image.format, image.size) == ("JPEG", (231, 231))
        assert not image.info.get("exif")  # no metadata leaves the project
        side = min(upright.size)
        top = (upright.height - side) // 2
        square = upright.crop((0, top, side, top + side)).resize(image.size).convert("L")
        histogram = ImageChops.difference(image.convert("L"), square).histogram()
        mean = sum(v * n for v, n in enumerate(histogram)) / (image.width * image.height)
        assert mean < 20, mean  # the same picture, upright
    assert codes(found) == ["image/too-small"]


def test_transparency_stays_a_png(project: Path, run: RunCli, site: Site) -> None:
    body = (IMAGES / "pil123rgba.png").read_bytes()
    attributes, found, _ = add_and_build(run, site, body, "image/png")
    assert attributes["src"].endswith("-150.png")  # 150 px square: smaller than 240
    with derived(attributes) as image:
        assert image.mode == "RGBA"
        assert any(image.getchannel("A").histogram()[:255])  # some pixels are not opaque
    assert codes(found) == ["image/too-small"]


def test_an_animated_gif_stays_animated(project: Path, run: RunCli, site: Site) -> None:
    body = (IMAGES / "chi.gif").read_bytes()
    attributes, found, _ = add_and_build(run, site, body, "image/gif")
    with derived(attributes) as image:
        assert image.format == "GIF" and image.size == (240, 240)
        # Frames that came out alike are merged, their times added: it plays as long.
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
        assert len(durations) > 10 and sum(durations) == 3100
        assert image.info.get("loop") == 0  # forever, as the original
    assert codes(found) == []


def test_a_cmyk_jpeg_is_shown_in_rgb(project: Path, run: RunCli, site: Site) -> None:
    body = (IMAGES / "pil_sample_cmyk.jpg").read_bytes()
    attributes, _, _ = add_and_build(run, site, body, "image/jpeg")
    with derived(attributes) as image, Image.open(IMAGES / "pil_sample_rgb.jpg") as reference:
        assert image.mode == "RGB"
        side = min(reference.size)
        left = (reference.width - side) // 2
        square = reference.crop((left, 0, left + side, side)).resize(image.size)
        histogram = ImageChops.difference(image, square.convert("RGB")).convert("L").histogram()
        mean = sum(v * n for v, n in enumerate(histogram)) / (image.width * image.height)
        assert mean < 25, mean  # the colours of its RGB twin, not inverted or washed out


@pytest.mark.parametrize(
    ("body", "kept", "reason"),
    [
        (png_declaring(12000, 12000), True, "megapixels"),
        ((IMAGES / "truncated.jpg").read_bytes(), True, "damaged or truncated"),
        (b"<html><body>Not found</body></html>", False, "not an image"),
    ],
    ids=["bomb", "truncated", "not-an-image"],
)
def test_what_cannot_be_shown_falls_back_on_the_original_and_says_why(
    project: Path, run: RunCli, site: Site, body: bytes, kept: bool, reason: str
) -> None:
    attributes, found, warnings = add_and_build(run, site, body, "image/jpeg")
    assert attributes["src"] == site.url("/img/picture")  # the original address, as before
    assert "height" not in attributes
    if kept:  # its bytes start as an image's: kept, and refused when derived
        [finding] = [f for f in found if f["code"] == "image/unusable"]
        assert reason in finding["message"]
    else:  # refused by add already
        assert "image not kept" in warnings and reason in warnings
        assert "image/not-fetched" in codes(found)
