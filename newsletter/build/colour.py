"""Colours the theme can rely on: WCAG contrast, and brand colours made readable."""

from __future__ import annotations


def _rgb(colour: str) -> tuple[int, int, int]:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    return int(hex_digits[0:2], 16), int(hex_digits[2:4], 16), int(hex_digits[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a `#rrggbb` or `#rgb` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(colour: str, *backgrounds: str, minimum: float = 4.5) -> str:
    """`colour`, mixed towards black or white just enough to reach `minimum` on every one of
    `backgrounds` (a card, a shaded box inside it), which must be all light or all dark.

    A brand colour chosen for a white page can vanish on a dark one, and the other way round.
    """
    if not backgrounds:
        raise TypeError("readable_on: give at least one background colour")
    light = [b for b in backgrounds if luminance(b) > 0.18]
    if light and len(light) < len(backgrounds):
        dark = next(b for b in backgrounds if b not in light)
        raise ValueError(
            f"readable_on: no colour reads on both {dark} and {light[0]}:"
            " use backgrounds that are all light or all dark"
        )
    target = (0, 0, 0) if light else (255, 255, 255)
    rgb = _rgb(colour)
    for step in range(21):
        t = step / 20
        mixed = "#" + "".join(
            f"{round(c + (d - c) * t):02x}" for c, d in zip(rgb, target, strict=True)
        )
        if all(contrast(mixed, background) >= minimum for background in backgrounds):
            return mixed
    return "#000000" if target == (0, 0, 0) else "#ffffff"
