"""What mail clients other than browsers need of the theme: Outlook's fonts, Apple Mail's
data detectors and reformatting, screen readers' order, through the real pipeline."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, cast

import lxml.html
import pytest
from PIL import Image

from newsletter.preview.snapshot import screenshots
from newsletter.project.folder import Project
from tests.browser import image, require_chromium
from tests.cli.test_build_images import keep

ISSUE = Path("issues") / "2026-11-30.yaml"

SPONSORED = """\
      - title: A word from our sponsor
        url: https://sponsor.example.com/offer
        summary: Paid for, and labelled so.
        image: https://sponsor.example.com/banner.jpg
        image_alt: The sponsor's product
        image_file: {kept}
        sponsored: true
"""


def html_of(project: Path) -> str:
    return Project.find(project).inspect(project / ISSUE).rendition.html


def elements(html: str, xpath: str) -> list[Any]:
    """The elements of `html` that `xpath` selects."""
    return cast(list[Any], lxml.html.document_fromstring(html).xpath(xpath))


def test_outlook_gets_fonts_where_it_does_not_pass_them_down(project: Path) -> None:
    (project / ISSUE).write_text(
        (project / ISSUE)
        .read_text()
        .replace(
            "        summary: More.\n",
            "        summary: More.\n        image: https://example.org/img/b.jpg\n"
            f"        image_alt: A picture\n        image_file: {keep(project, 'flower.jpg')}\n",
        )
    )
    html = html_of(project)
    # Outlook for Windows does not pass fonts into tables: the cells carry their own...
    cell = re.search(r"<td class=\"text\"[^>]*style=(['\"])(.*?)\1", html)
    assert cell and "font-family:" in cell[2] and "Arial, sans-serif" in cell[2]
    # ...and what it falls back on is Arial, not Times New Roman, where a font is unknown.
    assert re.search(
        r"<!--\[if mso\]><style>[^<]*font-family: Arial, sans-serif !important;[^<]*</style>"
        r"<!\[endif\]-->",
        html,
    )


def test_apple_mail_neither_reformats_nor_links_dates_and_addresses(project: Path) -> None:
    html = html_of(project)
    meta = {m.get("name"): m.get("content") for m in elements(html, "//head/meta")}
    assert "x-apple-disable-message-reformatting" in meta
    assert meta["format-detection"] == "telephone=no, date=no, address=no, email=no, url=no"
    styles = " ".join(s.text or "" for s in elements(html, "//head/style"))
    assert "a[x-apple-data-detectors]" in styles and "color: inherit !important" in styles


def test_the_logo_is_not_announced_as_a_second_name(project: Path) -> None:
    settings = project / "newsletter.yaml"
    text = settings.read_text()
    settings.write_text(text + "brand:\n  logo: https://example.org/weekly/logo.png\n")
    logo = elements(html_of(project), "//img")[0]
    assert logo.get("alt") == ""  # the heading beside it says the name
    settings.write_text(
        text + "brand:\n  logo: https://example.org/weekly/logo.png\n"
        "  logo_alt: Test Weekly, since 1998\n"
    )
    logo = elements(html_of(project), "//img")[0]
    assert logo.get("alt") == "Test Weekly, since 1998"  # it says more than the name


def test_a_sponsor_label_is_read_before_the_sponsors_image(project: Path) -> None:
    kept = keep(project, "flower.jpg")
    issue = (project / ISSUE).read_text()
    issue = issue.replace(
        "  - title: News\n    articles:\n",
        "  - title: News\n    articles:\n" + SPONSORED.format(kept=kept),
    )
    issue = issue.replace(
        "        image_alt: A lead picture\n",
        f"        image_alt: A lead picture\n        image_file: {kept}\n        sponsored: true\n",
    )
    (project / ISSUE).write_text(issue)
    html = html_of(project)
    order = [
        e.get("alt") if e.tag == "img" else "Sponsored"
        for e in elements(html, "//img | //p[text()='Sponsored']")
    ]
    assert order == ["Sponsored", "A lead picture", "Sponsored", "The sponsor's product"], order
    assert len(elements(html, "//p[text()='Sponsored']")) == 2  # not again by the headline


@pytest.mark.browser
def test_a_dark_logo_is_shown_in_dark_mode_only(project: Path) -> None:
    require_chromium()
    settings = project / "newsletter.yaml"
    light, dark = _png((255, 255, 255)), _png((0, 0, 0))
    settings.write_text(
        settings.read_text()
        + "brand:\n  logo: https://example.org/light.png\n"
        + "  logo_dark: https://example.org/dark.png\n"
    )
    html = html_of(project)
    shown = {}
    for scheme in ("light", "dark"):
        png = screenshots(
            html,
            [600],
            dark=scheme == "dark",
            offline=True,
            images={"https://example.org/light.png": light, "https://example.org/dark.png": dark},
        )
        shown[scheme] = image(png[f"email-600{'-dark' if scheme == 'dark' else ''}.png"])
    # The logo's place: 120 px wide from x = 24, below the 4 px brand rule and 24 px padding.
    assert cast(tuple[int, ...], shown["light"].getpixel((84, 60)))[:3] == (255, 255, 255)
    assert cast(tuple[int, ...], shown["dark"].getpixel((84, 60)))[:3] == (0, 0, 0)
    # Where no mail client reads the media query (Outlook for Windows), only the light logo.
    hidden = re.search(r'<td[^>]*class="logo-dark"[^>]*style="([^"]*)"', html)
    assert hidden and "display:none" in hidden[1].replace(" ", "") and "mso-hide:all" in hidden[1]


def test_without_a_dark_logo_the_logo_stays_in_dark_mode(project: Path) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(settings.read_text() + "brand:\n  logo: https://example.org/light.png\n")
    html = html_of(project)
    assert "logo-dark" not in html and ".logo {" not in html


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 80), colour).save(out, "PNG")
    return out.getvalue()


def test_outlook_keeps_the_spacing_of_articles_and_headlines(project: Path) -> None:
    html = html_of(project)
    # Padding on a div or a link is lost in Outlook for Windows; on a table cell it is kept.
    boxes = elements(html, "//*[contains(concat(' ', @class, ' '), ' article ')]")
    assert boxes and {box.tag for box in boxes} == {"td"}
    assert all("padding:" in (box.get("style") or "") for box in boxes)
    # A headline's own spacing, where its link's padding is ignored.
    assert re.search(r"<!--\[if mso\]><style>[^<]*h3 \{ margin: 10px 0 !important; \}", html)
