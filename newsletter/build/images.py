"""Images for an email, derived from the bytes an article's page links to.

An email shows an image at a fixed width, in a fixed shape, and every mail client must be
able to show it: a JPEG or a PNG in sRGB, or a GIF when it moves. `derive` turns whatever a
site serves (a camera photo turned on its side by EXIF, a CMYK JPEG from a print workflow,
a palette PNG, an animated GIF, a hostile file) into that, or raises `ImageError` with a
sentence an editor can act on.

It is pure: bytes in, bytes out, no files, no network, no clock. The same bytes and
arguments give the same bytes back, so a built issue is reproducible (the Pillow version is
pinned for this reason: its encoders decide the bytes).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from newsletter.build.imagecolour import has_transparency, to_srgb

MAX_PIXELS = 40_000_000
"""The largest image accepted, in pixels (width x height as the file declares it).

40 megapixels is above any camera photo a news site serves; decoding it as RGB takes about
120 MB. Larger files are refused before a pixel is decoded, so a decompression bomb (a few KB
declaring a 50000 x 50000 canvas) costs nothing."""

MAX_ANIMATED_BYTES = 1_000_000
"""An animated GIF stays animated only when the derived GIF is at most this many bytes.

A heavier one is replaced by its first frame: some clients load every image before showing
the message, and a megabyte is already a slow start on a phone."""

JPEG_QUALITY = 82
"""JPEG quality: no visible loss at twice the displayed size, about a third of quality 95."""

ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF")
"""The formats `derive` reads: what sites serve. Others (TIFF, PSD, ...) are refused, which
also keeps Pillow's less travelled decoders away from untrusted bytes."""

Named = Literal["centre", "top", "bottom", "left", "right"]
Focus = Named | tuple[float, float]
"""Where the crop keeps its centre: a named side, or (x, y) as fractions of the width and
height from the top left corner (0.5, 0.5 is the centre)."""

_NAMED: dict[str, tuple[float, float]] = {
    "centre": (0.5, 0.5),
    "top": (0.5, 0.0),
    "bottom": (0.5, 1.0),
    "left": (0.0, 0.5),
    "right": (1.0, 0.5),
}

# EXIF orientations 5 to 8 turn the image a quarter: its stored width is its shown height.
_QUARTER_TURNS = {5, 6, 7, 8}
_ORIENTATION = 0x0112


class ImageError(ValueError):
    """An image that cannot be used, with a sentence saying why (too large, damaged, ...)."""


@dataclass(frozen=True)
class Derived:
    """An image ready for an email: its bytes, their format, and its size in pixels."""

    data: bytes
    format: Literal["jpeg", "png", "gif"]
    width: int
    height: int
    too_small: bool
    """The source (after cropping) was narrower than the width asked for: it was not
    enlarged, so a caller may warn that the image will look soft or small."""

    @property
    def extension(self) -> str:
        """The file name extension for `format`, with its dot: `.jpg`, `.png` or `.gif`."""
        return {"jpeg": ".jpg", "png": ".png", "gif": ".gif"}[self.format]

    @property
    def media_type(self) -> str:
        """The MIME type for `format`, e.g. `image/jpeg`."""
        return f"image/{self.format}"

    @property
    def animated(self) -> bool:
        """Whether the image is an animated GIF."""
        return self.format == "gif"


@dataclass(frozen=True)
class _Plan:
    """The crop (in the upright image's pixels) and the output size."""

    box: tuple[int, int, int, int]
    size: tuple[int, int]
    too_small: bool


def derive(
    data: bytes,
    *,
    width: int,
    aspect: tuple[int, int] | None = None,
    focus: Focus = "centre",
    max_pixels: int = MAX_PIXELS,
    max_animated_bytes: int = MAX_ANIMATED_BYTES,
) -> Derived:
    """The image in `data`, upright, in sRGB, cropped to `aspect` and at most `width` wide.

    - `aspect` is width to height, e.g. (2, 1) for a lead image, (1, 1) for a thumbnail;
      None keeps the image's own shape. The crop is as large as the image allows and is
      centred on `focus` as nearly as the image's edges let it.
    - `width` is the width in pixels of the result (twice the displayed width for sharp
      screens is the caller's choice). A smaller image is never enlarged: the result is as
      wide as the crop, and `too_small` says so.
    - The result is a progressive JPEG, or a PNG when transparent pixels remain after the
      crop, with no metadata (no EXIF, GPS or profile: sRGB is what clients assume). An
      animated GIF stays an animated GIF (same frame durations and looping) when the result
      is at most `max_animated_bytes`; otherwise its first frame is used.

    Raises `ImageError` for bytes that are not a JPEG, PNG, GIF, WebP or AVIF image, a damaged or
    truncated file, or an image over `max_pixels` pixels (checked before decoding).
    """
    if width < 1:
        raise ValueError(f"width must be at least 1 pixel, not {width}")
    if aspect is not None and (aspect[0] < 1 or aspect[1] < 1):
        raise ValueError(f"aspect must be two positive whole numbers, not {aspect}")
    centre = _focus_point(focus)
    image = _open(data, max_pixels)
    try:
        upright_size = image.size
        if _orientation(image) in _QUARTER_TURNS:
            upright_size = (image.height, image.width)
        plan = _plan(upright_size, aspect, centre, width)
        if _is_animated(image, max_pixels):
            animated = _derive_gif(image, plan, max_animated_bytes)
            if animated is not None:
                return animated
            image.close()
            image = _open(data, max_pixels)
        return _derive_still(image, plan, upright_size)
    except ImageError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as err:
        raise ImageError(f"the image is damaged or truncated ({err})") from None
    finally:
        image.close()


def original_size(data: bytes, *, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """The width and height of the image in `data` as it is shown: upright, after EXIF
    orientation. Only its header is read. Raises `ImageError` as `derive` does."""
    image = _open(data, max_pixels)
    try:
        turned = _orientation(image) in _QUARTER_TURNS
        return (image.height, image.width) if turned else image.size
    finally:
        image.close()


def _focus_point(focus: Focus) -> tuple[float, float]:
    if isinstance(focus, str):
        if focus not in _NAMED:
            names = ", ".join(_NAMED)
            raise ValueError(f"focus must be one of {names} or (x, y), not {focus!r}")
        return _NAMED[focus]
    x, y = focus
    return min(max(float(x), 0.0), 1.0), min(max(float(y), 0.0), 1.0)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """The image, opened lazily (only the header is read), or ImageError."""
    try:
        # Pillow warns about, then refuses, images over its own limits (89 and 179 Mpx);
        # ours is lower and comes with a better message. It also warns of files it reads
        # anyway (a malformed MPO header, say): to an editor, only noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise ImageError("not an image: expected a JPEG, PNG, GIF, WebP or AVIF file") from None
    except Image.DecompressionBombError:
        pillow_limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise ImageError(
            f"the image declares more than {pillow_limit / 1e6:.0f} megapixels, too large: "
            f"the limit is {max_pixels / 1e6:.0f} megapixels"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        raise ImageError(f"the image is damaged or truncated ({err})") from None
    w, h = image.size
    if w < 1 or h < 1:
        image.close()
        raise ImageError(f"the image is {w} x {h} px: it has no pixels")
    if w * h > max_pixels:
        image.close()
        raise ImageError(
            f"the image is {w} x {h} px ({w * h / 1e6:.0f} megapixels), too large: "
            f"the limit is {max_pixels / 1e6:.0f} megapixels"
        )
    return image


def _orientation(image: Image.Image) -> int:
    value = image.getexif().get(_ORIENTATION, 1)
    return value if isinstance(value, int) else 1


def _plan(
    size: tuple[int, int], aspect: tuple[int, int] | None, focus: tuple[float, float], width: int
) -> _Plan:
    """The largest crop of `size` with `aspect`, centred on `focus` within the edges."""
    w, h = size
    if aspect is None:
        cw, ch = w, h
    else:
        a, b = aspect
        if w * b > h * a:  # wider than the aspect: keep the height
            cw, ch = max(1, min(w, round(h * a / b))), h
        else:
            cw, ch = w, max(1, min(h, round(w * b / a)))
    left = _place(focus[0] * w, cw, w)
    top = _place(focus[1] * h, ch, h)
    out_w = min(width, cw)
    if aspect is None:
        out_h = max(1, round(ch * out_w / cw))
    else:
        out_h = max(1, round(out_w * aspect[1] / aspect[0]))
    return _Plan((left, top, left + cw, top + ch), (out_w, out_h), cw < width)


def _place(centre: float, length: int, total: int) -> int:
    """The start of a span of `length` centred on `centre`, kept inside 0..`total`."""
    return min(max(round(centre - length / 2), 0), total - length)


def _derive_still(image: Image.Image, plan: _Plan, upright_size: tuple[int, int]) -> Derived:
    if image.format == "JPEG":
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that is still larger than what
        # the result needs: a 24-megapixel photo then costs a sixteenth of the memory.
        scale = plan.size[0] / (plan.box[2] - plan.box[0])
        if scale < 1:
            image.draft(None, (int(image.width * scale) + 1, int(image.height * scale) + 1))
    image.load()
    upright = ImageOps.exif_transpose(image)
    rgb = to_srgb(upright)
    # The crop in the decoded pixels (fewer after draft); int products keep the edges exact.
    (w, h), (dw, dh) = upright_size, rgb.size
    left, top, right, bottom = plan.box
    box = (left * dw / w, top * dh / h, right * dw / w, bottom * dh / h)
    result = rgb.resize(plan.size, Image.Resampling.LANCZOS, box=box)
    return _encode_still(result, plan.too_small)


def _encode_still(image: Image.Image, too_small: bool) -> Derived:
    out = io.BytesIO()
    if image.mode == "RGBA" and has_transparency(image):
        _bare(image).save(out, "PNG", optimize=True)
        fmt: Literal["jpeg", "png"] = "png"
    else:
        flat = image.convert("RGB") if image.mode != "RGB" else image
        _bare(flat).save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
        fmt = "jpeg"
    return Derived(out.getvalue(), fmt, image.width, image.height, too_small)


def _bare(image: Image.Image) -> Image.Image:
    """`image` with no metadata, which some encoders (PNG) would otherwise copy over."""
    image.info = {}
    return image


def _is_animated(image: Image.Image, max_pixels: int) -> bool:
    """Whether `image` is an animated GIF small enough to decode every frame of."""
    if image.format != "GIF" or not getattr(image, "is_animated", False):
        return False
    frames: int = getattr(image, "n_frames", 1)
    return frames * image.width * image.height <= max_pixels


def _derive_gif(image: Image.Image, plan: _Plan, max_bytes: int) -> Derived | None:
    """The animated GIF cropped and resized frame by frame, or None when it is too heavy
    or a later frame is damaged (browsers show the frames they could read; we show one)."""
    loop = image.info.get("loop")
    frames: list[Image.Image] = []
    durations: list[int] = []
    try:
        for frame in ImageSequence.Iterator(image):
            rgba = frame.convert("RGBA")
            frames.append(rgba.resize(plan.size, Image.Resampling.LANCZOS, box=plan.box))
            durations.append(int(frame.info.get("duration", 0)))
    except (OSError, ValueError, SyntaxError, EOFError):
        return None
    options: dict[str, object] = {"duration": durations}
    if any(has_transparency(frame) for frame in frames):
        # Each frame is whole, so clear the last one first or it shows through the holes.
        options["disposal"] = 2
    if loop is not None:  # without it a GIF plays once
        options["loop"] = loop
    out = io.BytesIO()
    first, *rest = (_bare(frame) for frame in frames)
    first.save(out, "GIF", save_all=True, append_images=rest, **options)
    if out.tell() > max_bytes:
        return None
    return Derived(out.getvalue(), "gif", plan.size[0], plan.size[1], plan.too_small)
