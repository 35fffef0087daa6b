"""Colour for email images: any Pillow mode in, sRGB (RGB, or RGBA when it has alpha) out.

Mail clients do not colour-manage: they show pixel values as sRGB and ignore an embedded
profile. A photo saved in Adobe RGB or a CMYK JPEG from a print workflow shows dull or
garish unless its pixels are converted, through its own profile, to sRGB before encoding.
"""

from __future__ import annotations

import io

from PIL import Image, ImageCms

# The profile's colour space (from its header) that each decoded mode must match; a file
# whose profile does not match its pixels is converted without it.
_SPACES = {"RGB": "RGB", "RGBA": "RGB", "CMYK": "CMYK", "L": "GRAY", "LA": "GRAY"}


def to_srgb(image: Image.Image) -> Image.Image:
    """`image` as sRGB pixels: mode RGB, or RGBA when it has an alpha channel or a
    transparent palette colour. Uses the embedded ICC profile when there is a usable one."""
    alpha = _alpha(image)
    colour = _through_profile(image) or _plain(image)
    if alpha is None:
        return colour
    colour.putalpha(alpha)
    return colour


def has_transparency(image: Image.Image) -> bool:
    """Whether an RGBA image has a pixel that is not fully opaque."""
    low, _ = image.getchannel("A").getextrema()
    return isinstance(low, int | float) and low < 255


def _alpha(image: Image.Image) -> Image.Image | None:
    """The image's alpha channel, or None when it has none."""
    if image.mode in ("RGBA", "LA", "PA"):
        return image.getchannel("A")
    if "transparency" in image.info:
        return image.convert("RGBA").getchannel("A")
    return None


def _through_profile(image: Image.Image) -> Image.Image | None:
    """The colours converted to sRGB through the embedded profile, or None when there is
    none, or it does not fit the pixels, or littleCMS refuses it."""
    icc = image.info.get("icc_profile")
    space = _SPACES.get(image.mode)
    if not icc or space is None:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if profile.profile.xcolor_space.strip() != space:
            return None
        base = {"RGBA": "RGB", "LA": "L"}.get(image.mode, image.mode)
        pixels = image.convert(base) if base != image.mode else image
        srgb = ImageCms.createProfile("sRGB")
        # Perceptual: a CMYK or wide-gamut profile's table maps the colours sRGB cannot show
        # into it smoothly; matrix profiles (Adobe RGB, Display P3) treat it as colorimetric.
        converted = ImageCms.profileToProfile(
            pixels,
            profile,
            srgb,
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
    return converted


def _plain(image: Image.Image) -> Image.Image:
    """The colours as RGB by Pillow's own conversion (sRGB assumed, as clients do)."""
    if image.mode == "RGB":
        return image.copy()
    if image.mode.startswith("I;16"):
        # 16-bit grey: scale to 8 bits as a browser shows it (Pillow's "L" clips instead).
        return image.convert("I").point(lambda v: v / 257).convert("L").convert("RGB")
    if image.mode == "P":
        return image.convert("RGBA").convert("RGB")
    return image.convert("RGB")
