"""The example issue as a reader's browser shows it: contrast, tap targets, one column."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import lxml.html
import pytest

from newsletter.build.render import Rendition
from newsletter.project.folder import Project
from tests.browser import (
    EVERY_LAYOUT,
    EXAMPLE,
    REPO,
    Scheme,
    browser,
    open_page,
    render_repository_issue,
    render_with_brand,
)

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text
MIN_TAP = 44  # CSS pixels: Apple's and WCAG 2.5.5's minimum touch target
PHONE = 375
BRANDS = ("#0b5394", "#ffd966", "#888888", "#990000", "#ffffff", "#000000")
"""The default brand colour, then pale, mid-grey, dark and extreme ones."""

# Shared by the scripts below: is an element painted at all? The hidden preheader is not.
RENDERED_JS = """
const rendered = (element) => {
  const box = element.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return false;
  if (getComputedStyle(element).visibility !== 'visible') return false;
  for (let e = element; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (style.display === 'none' || Number(style.opacity) === 0) return false;
    const b = e.getBoundingClientRect();
    if (style.overflow !== 'visible' && (b.width === 0 || b.height === 0)) return false;
  }
  return true;
};
const ownText = (element) => Array.from(element.childNodes)
  .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
"""

# Every rendered element with text of its own: its colour and the background colours from it
# up to the root, then the canvas (white in light mode; dark when the page opts into dark).
TEXT_COLOURS_JS = (
    "() => {"
    + RENDERED_JS
    + """
  const probe = document.createElement('div');
  probe.style.backgroundColor = 'Canvas';
  document.documentElement.appendChild(probe);
  const canvas = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return Array.from(document.body.querySelectorAll('*'))
    .filter((element) => ownText(element) && rendered(element))
    .map((element) => {
      const backgrounds = [];
      for (let e = element; e; e = e.parentElement) {
        backgrounds.push(getComputedStyle(e).backgroundColor);
      }
      backgrounds.push(canvas);
      return {tag: element.tagName.toLowerCase(), cls: element.className,
              text: ownText(element).slice(0, 40), color: getComputedStyle(element).color,
              backgrounds};
    });
}"""
)

# Each rendered link that is not inline in running text, with the height of what can be
# tapped: its own boxes and those of what it contains (an image inside a link counts).
TAP_TARGETS_JS = (
    "() => {"
    + RENDERED_JS
    + """
  return Array.from(document.querySelectorAll('a[href]'))
    .filter((a) => rendered(a))
    .filter((a) => !a.closest('.intro p, .intro li, .summary p, .summary li'))
    .map((a) => {
      const boxes = [...a.getClientRects(),
                     ...Array.from(a.querySelectorAll('*')).map((e) => e.getBoundingClientRect())]
        .filter((b) => b.width > 0 && b.height > 0);
      const top = Math.min(...boxes.map((b) => b.top));
      const bottom = Math.max(...boxes.map((b) => b.bottom));
      return {text: (a.textContent.trim() || a.querySelector('img')?.alt || '').slice(0, 40),
              cls: a.className, height: bottom - top};
    });
}"""
)

# Width of the page and its images, and the boxes that make up the reading order: images and
# block-level elements with text of their own.
LAYOUT_JS = (
    "() => {"
    + RENDERED_JS
    + """
  const blocks = Array.from(document.body.querySelectorAll('*'))
    .filter((e) => rendered(e))
    .filter((e) => e.tagName === 'IMG' ||
      (ownText(e) && /^(block|list-item|table-cell|flow-root|flex|grid)$/.test(
        getComputedStyle(e).display)));
  const box = (e) => {
    const b = e.getBoundingClientRect();
    return {left: b.left, right: b.right, top: b.top, bottom: b.bottom};
  };
  const pairs = [];
  blocks.forEach((a, i) => blocks.slice(i + 1).forEach((b) => {
    if (a.contains(b) || b.contains(a)) return;
    const [p, q] = [box(a), box(b)];
    const sameRow = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1;
    const apart = p.right <= q.left + 1 || q.right <= p.left + 1;
    if (sameRow && apart) pairs.push([
      `${a.tagName.toLowerCase()}.${a.className} "${(ownText(a) || a.alt || '').slice(0, 30)}"`,
      `${b.tagName.toLowerCase()}.${b.className} "${(ownText(b) || b.alt || '').slice(0, 30)}"`]);
  }));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    images: Array.from(document.images).filter((i) => rendered(i))
      .map((i) => ({src: i.src, width: i.getBoundingClientRect().width})),
    thumbnails: Array.from(document.querySelectorAll('td.thumb img')).filter((i) => rendered(i))
      .map((i) => ({width: i.getBoundingClientRect().width,
                    text: i.closest('tr').querySelector('td.text').getBoundingClientRect().width})),
    sideBySide: pairs,
  };
}"""
)

_RGBA = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)")

Colour = tuple[float, float, float, float]


def parse_colour(css: str) -> Colour:
    """A computed CSS colour, `rgb(...)` or `rgba(...)`, as (r, g, b, alpha)."""
    match = _RGBA.fullmatch(css.strip())
    assert match, f"unexpected computed colour {css!r}"
    r, g, b, a = match.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def over(top: Colour, below: Colour) -> Colour:
    """`top` painted over the opaque colour `below`."""
    a = top[3]
    r, g, b = (t * a + u * (1 - a) for t, u in zip(top[:3], below[:3], strict=True))
    return r, g, b, 1.0


def luminance(colour: Colour) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: Colour, background: Colour) -> float:
    """WCAG 2 contrast ratio between two opaque colours, from 1 to 21."""
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class TextContrast:
    """One element's text: its colours as painted and their contrast."""

    tag: str
    cls: str
    text: str
    colour: Colour
    background: Colour
    ratio: float

    def __str__(self) -> str:
        def hex_(c: Colour) -> str:
            return "#" + "".join(f"{round(v):02x}" for v in c[:3])

        return (
            f"<{self.tag} class={self.cls!r}> {self.text!r}: {hex_(self.colour)} on "
            f"{hex_(self.background)} = {self.ratio:.2f}"
        )


def text_contrasts(found: list[dict[str, Any]]) -> list[TextContrast]:
    """The contrast of each element TEXT_COLOURS_JS found, its background composited as painted."""
    result = []
    for element in found:
        layers = [parse_colour(c) for c in element["backgrounds"]]
        # From the first opaque layer upwards, paint the translucent ones over it.
        opaque = next(i for i, layer in enumerate(layers) if layer[3] >= 1)
        background = layers[opaque]
        for layer in reversed(layers[:opaque]):
            background = over(layer, background)
        colour = over(parse_colour(element["color"]), background)
        ratio = contrast(colour, background)
        result.append(
            TextContrast(element["tag"], element["cls"], element["text"], colour, background, ratio)
        )
    return result


@pytest.fixture(scope="module")
def rendition() -> Rendition:
    """The example issue, through our whole pipeline."""
    return render_repository_issue(EXAMPLE)


@pytest.fixture(scope="module")
def context() -> Iterator[BrowserContext]:
    """One offline Chromium for the module: images are placeholders."""
    yield from browser()


def _evaluate(context: BrowserContext, html: str, width: int, scheme: Scheme, script: str) -> Any:
    page = open_page(context, html, width, scheme)
    try:
        return page.evaluate(script)
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [PHONE, 600])
def test_text_contrast_is_at_least_4_5_to_1(
    context: BrowserContext, rendition: Rendition, width: int, scheme: Scheme
) -> None:
    found = _evaluate(context, rendition.html, width, scheme, TEXT_COLOURS_JS)
    measured = text_contrasts(found)
    assert len(measured) > 20, "too few text elements found: is the page rendered?"
    assert not any("preheader" in m.text.lower() for m in measured)
    _assert_readable(measured, f"at {width} px, {scheme}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("brand", BRANDS)
def test_every_layout_reads_at_4_5_to_1_whatever_the_brand_colour(
    context: BrowserContext, brand: str, scheme: Scheme
) -> None:
    html = render_with_brand(EVERY_LAYOUT, brand).html
    measured = text_contrasts(_evaluate(context, html, 600, scheme, TEXT_COLOURS_JS))
    # Text on each background: the sponsored box (a link in its summary), a compact section,
    # the footer's band.
    for start in ("the offer", "Sponsored", "Ten years of the Southern", "You are receiving"):
        assert any(m.text.startswith(start) for m in measured), f"{start!r} not measured"
    _assert_readable(measured, f"with brand colour {brand}, {scheme}")


def _assert_readable(measured: list[TextContrast], where: str) -> None:
    low = [m for m in measured if m.ratio < MIN_CONTRAST]
    assert not low, (
        f"{len(low)} of {len(measured)} text elements below {MIN_CONTRAST}:1 {where}:\n"
        + "\n".join(f"  {m}" for m in sorted(low, key=lambda m: m.ratio))
    )


def test_the_hidden_preheader_is_not_counted(context: BrowserContext, rendition: Rendition) -> None:
    found = _evaluate(context, rendition.html, PHONE, "light", TEXT_COLOURS_JS)
    start = rendition.preheader[:30]
    assert start and start in rendition.html
    assert not [f for f in found if f["text"].startswith(start[:20])]


def test_links_outside_running_text_are_44_px_tap_targets(
    context: BrowserContext, rendition: Rendition
) -> None:
    targets = _evaluate(context, rendition.html, PHONE, "light", TAP_TARGETS_JS)
    assert len(targets) >= 10, targets
    small = [t for t in targets if t["height"] < MIN_TAP]
    assert not small, (
        f"{len(small)} of {len(targets)} links are under {MIN_TAP} px high at {PHONE} px:\n"
        + "\n".join(f"  {t['height']:.1f} px: {t['text']!r} (class {t['cls']!r})" for t in small)
    )


def test_one_column_but_thumbnails_and_nothing_wider_than_a_phone(
    context: BrowserContext, rendition: Rendition
) -> None:
    layout = _evaluate(context, rendition.html, PHONE, "light", LAYOUT_JS)
    assert layout["scrollWidth"] <= PHONE, f"the page scrolls sideways: {layout['scrollWidth']}"
    assert layout["images"], "no image rendered"
    wide = [i for i in layout["images"] if i["width"] > PHONE]
    assert not wide, f"images wider than {PHONE} px: {wide}"
    # A list's thumbnails stay small beside their text, the text keeping most of the width;
    # nothing else is side by side.
    assert layout["thumbnails"], "no thumbnail rendered"
    for thumbnail in layout["thumbnails"]:
        assert thumbnail["width"] <= 96 and thumbnail["text"] >= 200, thumbnail
    others = [pair for pair in layout["sideBySide"] if not pair[0].startswith("img.picture")]
    assert not others, "side by side at 375 px:\n" + "\n".join(f"  {a}  |  {b}" for a, b in others)


def test_the_structure_is_accessible(rendition: Rendition) -> None:
    page = lxml.html.document_fromstring(rendition.html)
    assert page.get("lang"), "<html> has no lang"
    assert page.get("dir") in ("ltr", "rtl"), "<html> has no dir"

    def texts(xpath: str) -> list[str]:
        elements = cast(list[Any], page.xpath(xpath))
        return [" ".join(e.text_content().split()) for e in elements]

    assert len(texts("//h1")) == 1, texts("//h1")
    issue = Project(REPO, REPO).load_issue(EXAMPLE)
    titles = [section.title for section in issue.sections]
    assert [t for t in titles if t not in texts("//h2")] == [], texts("//h2")
    images = cast(list[Any], page.xpath("//img"))
    assert images
    assert [i.get("src") for i in images if i.get("alt") is None] == []
