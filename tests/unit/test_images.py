"""Deriving email images from real files: shape, size, orientation, colour, animation,
reproducibility, and hostile input (bombs, truncated files, not images)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageStat

from newsletter.build.images import Derived, derive

IMAGES = Path(__file__).parent.parent / "images"


def read(name: str) -> bytes:
    return (IMAGES / name).read_bytes()


def decoded(result: Derived) -> Image.Image:
    image = Image.open(io.BytesIO(result.data))
    assert image.size == (result.width, result.height)
    assert image.format == result.format.upper()
    return image


def distance(a: Image.Image, b: Image.Image) -> float:
    """Mean difference per channel of two images of one size, from 0 to 255."""
    stat = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB")))
    return sum(stat.mean) / 3


@pytest.mark.parametrize(
    ("name", "aspect", "width", "size", "too_small"),
    [
        ("flower.jpg", None, 240, (240, 180), False),
        ("flower.jpg", (2, 1), 240, (240, 120), False),
        ("flower.jpg", (1, 1), 100, (100, 100), False),
        ("flower.jpg", (2, 1), 1200, (480, 240), True),  # never enlarged
        ("rotation-1.jpg", (2, 1), 300, (300, 150), False),
        ("rotation-1.jpg", (1, 1), 600, (308, 308), True),
        ("hopper.jpg", None, 128, (128, 128), False),
        ("orientation_rectangle.jpg", None, 600, (1, 2), True),
        ("orientation_rectangle.jpg", (2, 1), 600, (1, 1), True),
    ],
)
def test_crops_to_the_aspect_and_resizes_without_enlarging(
    name: str, aspect: tuple[int, int] | None, width: int, size: tuple[int, int], too_small: bool
) -> None:
    result = derive(read(name), aspect=aspect, width=width)
    assert (result.width, result.height) == size
    assert result.too_small is too_small
    assert result.format == "jpeg"
    assert decoded(result).size == size


def test_a_jpeg_is_progressive_and_carries_no_metadata() -> None:
    source = Image.open(IMAGES / "flower.jpg")
    assert source.getexif()  # the camera's EXIF, which must not travel on
    result = derive(read("flower.jpg"), aspect=(2, 1), width=240)
    image = decoded(result)
    assert (result.extension, result.media_type) == (".jpg", "image/jpeg")
    assert image.info.get("progressive") == 1
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert not image.getexif()
    assert b"Exif" not in result.data[:200]


@pytest.mark.parametrize("name", ["hopper_orientation_3.jpg", "hopper_orientation_6.jpg"])
def test_exif_orientation_is_applied(name: str) -> None:
    upright = decoded(derive(read("hopper.jpg"), width=128))
    result = decoded(derive(read(name), width=128))
    as_stored = Image.open(IMAGES / name).convert("RGB")
    assert distance(result, upright) < 10
    assert distance(as_stored, upright) > 50
    # Upright, the top right corner is the light blue background; as stored, it is not.
    assert result.getpixel((120, 8))[2] > 150  # type: ignore[index]
    assert as_stored.getpixel((120, 8))[2] < 60  # type: ignore[index]


def test_a_real_photo_stored_on_its_side_comes_out_upright() -> None:
    upright = derive(read("rotation-1.jpg"), aspect=(1, 1), width=200)
    turned = derive(read("rotation-6.jpg"), aspect=(1, 1), width=200)
    assert (turned.width, turned.height) == (200, 200)
    assert distance(decoded(turned), decoded(upright)) < 10


def test_a_cmyk_jpeg_becomes_rgb_with_the_right_colours() -> None:
    cmyk = derive(read("pil_sample_cmyk.jpg"), width=100)
    rgb = derive(read("pil_sample_rgb.jpg"), width=100)
    image = decoded(cmyk)
    assert image.mode == "RGB"
    assert distance(image, decoded(rgb)) < 8


def test_an_embedded_profile_is_converted_to_srgb() -> None:
    raw = Image.open(IMAGES / "sample.jpg")
    profile = ImageCms.ImageCmsProfile(io.BytesIO(raw.info["icc_profile"]))
    assert "A98" in ImageCms.getProfileDescription(profile)
    expected = ImageCms.profileToProfile(raw, profile, ImageCms.createProfile("sRGB"))
    assert expected is not None
    result = decoded(derive(read("sample.jpg"), width=290))
    assert distance(result, expected) < 2
    assert distance(result, raw) > 2 * distance(result, expected)


def test_an_xyb_jpeg_shows_its_true_colours() -> None:
    # XYB pixels are not RGB at all: only the profile makes them a photo again.
    reference = decoded(derive(read("sample.jpg"), width=290))
    result = decoded(derive(read("sample-xyb.jpg"), width=290))
    raw = Image.open(IMAGES / "sample-xyb.jpg")
    assert distance(result, reference) < 4
    assert distance(raw, reference) > 15


@pytest.mark.parametrize("name", ["pil123rgba.png", "trans-x.png", "p_trns_single.png"])
def test_transparency_is_kept_as_png(name: str) -> None:
    result = derive(read(name), width=600)
    assert (result.format, result.extension) == ("png", ".png")
    image = decoded(result)
    assert image.mode == "RGBA"
    assert image.getchannel("A").getextrema()[0] == 0


def test_a_16_bit_grey_png_with_a_transparent_value() -> None:
    result = derive(read("i_trns.png"), width=64)
    assert result.format == "png"
    alpha = decoded(result).getchannel("A")
    assert alpha.getextrema() == (0, 255)


def test_alpha_with_no_transparent_pixel_left_is_a_jpeg() -> None:
    image = Image.new("RGBA", (200, 100), (255, 255, 255, 0))
    image.paste((200, 30, 30, 255), (100, 0, 200, 100))
    data = io.BytesIO()
    image.save(data, "PNG")
    assert derive(data.getvalue(), aspect=(1, 1), width=100, focus="left").format == "png"
    opaque = derive(data.getvalue(), aspect=(1, 1), width=100, focus="right")
    assert opaque.format == "jpeg"
    assert decoded(opaque).mode == "RGB"


def timeline(image: Image.Image) -> list[tuple[int, Image.Image]]:
    """Each frame of an animation with the time it starts, in milliseconds."""
    frames, start = [], 0
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append((start, image.convert("RGBA")))
        start += int(image.info["duration"])
    return frames


def test_an_animated_gif_stays_animated() -> None:
    source = Image.open(IMAGES / "chi.gif")
    result = derive(read("chi.gif"), width=200)
    assert (result.format, result.extension, result.animated) == ("gif", ".gif", True)
    assert (result.width, result.height) == (200, 150)
    image = decoded(result)
    assert image.info.get("loop") == source.info.get("loop") == 0
    ours, theirs = timeline(image), timeline(source)
    # Pillow's encoder merges frames that came out identical, adding up their durations.
    assert 1 < len(ours) <= len(theirs) == 31
    starts = {start for start, _ in ours}
    assert starts <= {start for start, _ in theirs}
    for start, frame in theirs:
        shown = next(f for s, f in reversed(ours) if s <= start)
        assert distance(shown, frame.resize((200, 150), Image.Resampling.LANCZOS)) < 6


def test_an_animated_gif_cropped_to_2_to_1() -> None:
    result = derive(read("chi.gif"), aspect=(2, 1), width=200)
    image = decoded(result)
    assert (image.size, result.animated) == ((200, 100), True)
    assert getattr(image, "n_frames", 1) > 1
    image.seek(getattr(image, "n_frames", 1) - 1)
    assert timeline(image)[-1][0] + int(image.info["duration"]) == 3100


def test_an_animated_gif_keeps_its_loop_count_and_its_frames() -> None:
    source = Image.open(IMAGES / "cogs.gif")
    result = derive(read("cogs.gif"), width=85)
    image = decoded(result)
    assert image.info.get("loop") == source.info["loop"] == 32760
    for index in range(5):
        image.seek(index)
        source.seek(index)
        ours, theirs = image.convert("RGBA"), source.convert("RGBA")
        assert distance(ours, theirs) < 6
        assert ours.getchannel("A").getextrema() == theirs.getchannel("A").getextrema()


def test_a_transparent_animation_clears_each_frame() -> None:
    source = Image.open(IMAGES / "dispose_bgnd_transparency.gif")
    image = decoded(derive(read("dispose_bgnd_transparency.gif"), width=38))
    assert getattr(image, "n_frames", 1) == 10
    for index in range(10):
        image.seek(index)
        source.seek(index)
        ours, theirs = image.convert("RGBA"), source.convert("RGBA")
        assert ImageChops.difference(ours.getchannel("A"), theirs.getchannel("A")).getbbox() is None


def test_a_heavy_animation_becomes_its_first_frame() -> None:
    result = derive(read("chi.gif"), width=200, max_animated_bytes=10_000)
    assert result.format in ("jpeg", "png")
    assert not result.animated
    first = (
        Image.open(IMAGES / "chi.gif").convert("RGB").resize((200, 150), Image.Resampling.LANCZOS)
    )
    assert distance(decoded(result), first) < 6


@pytest.mark.parametrize(
    ("focus", "colour"),
    [
        ("left", (255, 0, 0)),
        ("right", (0, 0, 255)),
        ((0.0, 0.5), (255, 0, 0)),
        ((-3.0, 9.0), (255, 0, 0)),  # clamped to the left edge
        ((0.9, 0.5), (0, 0, 255)),
    ],
)
def test_the_crop_keeps_the_focus(
    focus: str | tuple[float, float], colour: tuple[int, ...]
) -> None:
    image = Image.new("RGB", (400, 100), (255, 0, 0))
    image.paste((0, 0, 255), (200, 0, 400, 100))
    data = io.BytesIO()
    image.save(data, "PNG")
    result = decoded(derive(data.getvalue(), aspect=(1, 1), width=100, focus=focus))  # type: ignore[arg-type]
    assert result.size == (100, 100)
    assert all(abs(a - b) < 8 for a, b in zip(result.getpixel((50, 50)), colour, strict=True))  # type: ignore[arg-type]


def test_a_tall_image_cropped_to_the_top_or_bottom() -> None:
    image = Image.new("RGB", (100, 400), (0, 128, 0))
    image.paste((255, 255, 0), (0, 0, 100, 100))
    data = io.BytesIO()
    image.save(data, "PNG")
    top = decoded(derive(data.getvalue(), aspect=(2, 1), width=100, focus="top"))
    bottom = decoded(derive(data.getvalue(), aspect=(2, 1), width=100, focus="bottom"))
    assert top.getpixel((50, 25))[:2] > (200, 200)  # type: ignore[index]
    assert bottom.getpixel((50, 25))[0] < 40  # type: ignore[index]


def test_one_pixel_is_enough() -> None:
    data = io.BytesIO()
    Image.new("RGB", (1, 1), (10, 20, 30)).save(data, "PNG")
    result = derive(data.getvalue(), aspect=(2, 1), width=600)
    assert (result.width, result.height, result.too_small) == (1, 1, True)
