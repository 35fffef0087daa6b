"""The default theme: lean, accessible HTML and a plain-text twin that reads well."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, cast

import lxml.html
import pytest

from newsletter.build import colour
from newsletter.build.colour import readable_on
from newsletter.build.render import Rendition
from newsletter.build.theme import BUILTIN
from newsletter.model.problems import ProblemsError
from newsletter.project.folder import Project
from tests.conftest import RunCli, located

ROOT = Path(__file__).parents[2]
SUMMARY = (
    "Ministers from the region met for two days of talks on transport, energy and trade, "
    "and agreed to meet again in the spring. Observers called the *tone* constructive, "
    "though no [joint statement](https://example.org/statement) was published."
)


def _issue(articles: int) -> str:
    """A realistic issue: a lead with an image, then lists, half the articles with a thumbnail."""
    lines = [
        "number: 20",
        "date: 2026-12-07",
        "subject: A full week",
        "preheader: Twenty stories from the South Caucasus and beyond, for the size budget.",
        "intro: |",
        "  Good morning. A *busy* week: talks, trade and a [new archive](https://example.org/a).",
        "sections:",
        "  - title: Lead story",
        "    layout: lead",
        "    articles:",
    ]
    for n in range(articles):
        if n == 1:
            lines += ["  - title: News", "    articles:"]
        lines += [
            f"      - title: Headline number {n} about regional talks on trade and transport",
            f"        url: https://www.example.org/news/2026/12/headline-number-{n}-talks",
            "        source: commonspace.eu",
            f"        summary: {SUMMARY}",
        ]
        if n % 2 == 0:
            lines += [
                f"        image: https://www.example.org/images/2026/12/picture-{n}.jpg",
                f"        image_alt: A picture for headline number {n}",
            ]
    return "\n".join(lines) + "\n"


def _render(project: Path, text: str) -> Rendition:
    path = project / "issues" / "2026-12-07.yaml"
    path.write_text(text, encoding="utf-8")
    return Project.find(project).inspect(path).rendition


def test_a_20_article_issue_stays_well_under_gmails_clip(project: Path) -> None:
    size = _render(project, _issue(20)).sizes["html"]
    assert size < 80_000, f"{size:,} bytes of HTML for 20 articles"


def test_the_html_is_accessible(project: Path) -> None:
    page = lxml.html.fromstring(_render(project, _issue(4)).html)
    root = page.getroottree().getroot()
    assert root.get("lang") == "en" and root.get("dir") == "ltr"
    assert len(page.findall(".//h1")) == 1
    assert [str(h.xpath("string()")) for h in page.findall(".//h2")] == ["Lead story", "News"]
    images = page.findall(".//img")
    assert images and all(img.get("alt") is not None for img in images)
    assert all(img.get("width") for img in images)  # Outlook needs a width


def test_an_issue_can_set_its_own_language_and_direction(project: Path) -> None:
    text = _issue(2).replace("number: 20", "number: 20\nlanguage: ar\ndirection: rtl")
    root = lxml.html.fromstring(_render(project, text).html).getroottree().getroot()
    assert (root.get("lang"), root.get("dir")) == ("ar", "rtl")


def test_sponsored_articles_are_labelled_in_html_and_text(project: Path) -> None:
    text = _issue(3).replace(
        "        source: commonspace.eu\n",
        "        source: commonspace.eu\n        sponsored: true\n",
        1,
    )
    rendition = _render(project, text)
    page = lxml.html.fromstring(rendition.html)
    labels = [str(p.xpath("string()")) for p in page.findall(".//p[@class='label']")]
    assert labels == ["Sponsored"]
    assert "[Sponsored] Headline number 0" in rendition.text


def test_the_preheader_is_padded_so_the_body_does_not_leak_into_the_inbox(project: Path) -> None:
    html = _render(project, _issue(1)).html
    hidden = re.search(r'<div style="display:none;[^"]*">(.*?)</div>', html, re.S)
    assert hidden is not None
    assert hidden.group(1).startswith("Twenty stories")
    assert hidden.group(1).count("\u034f\u200c\u00a0") >= 50


def test_the_text_version_has_every_link_of_the_html(project: Path) -> None:
    rendition = _render(project, _issue(6))
    hrefs = cast(list[Any], lxml.html.fromstring(rendition.html).xpath("//a/@href"))
    assert len(set(hrefs)) >= 9
    for href in set(hrefs):
        assert href in rendition.text, href


def test_compact_sections_list_titles_only(project: Path) -> None:
    text = _issue(2).replace("  - title: News\n", "  - title: News\n    layout: compact\n")
    rendition = _render(project, text)
    assert rendition.text.count("Ministers from the region") == 1  # the lead's summary only
    page = lxml.html.fromstring(rendition.html)
    assert len(page.findall(".//p[@class='compact']")) == 1


def test_a_theme_can_override_one_block_of_the_built_in_email(project: Path) -> None:
    (project / "templates" / "issue.mjml.j2").write_text(
        '{% extends "!theme/issue.mjml.j2" %}\n'
        "{% block footer %}<mj-section><mj-column><mj-text>Our own footer"
        "</mj-text></mj-column></mj-section>{% endblock %}\n",
        encoding="utf-8",
    )
    html = _render(project, _issue(2)).html
    assert "Our own footer" in html
    assert "because you subscribed" not in html
    assert "Headline number 1" in html


# The backgrounds brand-coloured text sits on in the built-in email: the card and the
# sponsored box, in light and in dark mode.
LIGHT = ("#ffffff", "#f6f8fa")
DARK = ("#161b22", "#21262d")
BRANDS = [
    "#" + "".join(f"{c:02x}" for c in rgb) for rgb in itertools.product(range(0, 256, 15), repeat=3)
]


def test_the_palette_is_the_email_template_s() -> None:
    source = (BUILTIN / "issue.mjml.j2").read_text(encoding="utf-8")
    for background in (*LIGHT, *DARK):
        assert f'"{background}"' in source, background
    assert "readable_on(card, box)" in source and "readable_on(card_dark, box_dark)" in source


@pytest.mark.parametrize("backgrounds", [LIGHT, DARK], ids=["light", "dark"])
def test_any_brand_colour_reads_on_every_background_it_sits_on(
    backgrounds: tuple[str, ...],
) -> None:
    unreadable = []
    for brand in BRANDS:
        readable = readable_on(brand, *backgrounds)
        ratios = [colour.contrast(readable, background) for background in backgrounds]
        if min(ratios) < 4.5:
            unreadable.append(f"{brand} -> {readable}: {min(ratios):.2f}")
    assert not unreadable, f"{len(unreadable)} of {len(BRANDS)}: " + ", ".join(unreadable[:10])


def test_a_brand_colour_is_changed_only_as_much_as_it_must_be() -> None:
    assert readable_on("#0b5394", *LIGHT) == "#0b5394"
    assert readable_on("#ffd966", *DARK) == "#ffd966"


def test_light_and_dark_backgrounds_together_are_a_template_error(project: Path) -> None:
    with pytest.raises(ValueError, match="all light or all dark"):
        readable_on("#888888", "#ffffff", "#000000")
    template = project / "templates" / "issue.mjml.j2"
    source = template.read_text(encoding="utf-8")
    template.write_text(
        source.replace("readable_on(card, box)", "readable_on(card, page_dark)"), encoding="utf-8"
    )
    with pytest.raises(ProblemsError) as raised:
        _render(project, _issue(1))
    assert [located(p) for p in raised.value.problems] == [
        "templates/issue.mjml.j2:14: template error: readable_on: no colour reads on both"
        " #0d1117 and #ffffff: use backgrounds that are all light or all dark"
    ]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{% extends "issue.mjml.j2" %}\n',
            "templates/issue.mjml.j2:1: error: the template extends or includes itself (to extend"
            ' the built-in one, write {% extends "!theme/issue.mjml.j2" %}) [theme/template]',
        ),
        (
            '{% extends "!theme/issue.mjml.j2" %}\n'
            "{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}\n"
            "{% block footer %}{{ again(1) }}{% endblock %}\n",
            "templates/issue.mjml.j2:2: error: a macro or a recursive loop calls itself without end"
            " [theme/template]",
        ),
    ],
    ids=["extends-itself", "macro-calls-itself"],
)
def test_a_template_that_calls_itself_is_one_clear_line(
    project: Path, run: RunCli, template: str, expected: str
) -> None:
    (project / "templates" / "issue.mjml.j2").write_text(template, encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    assert result.output == f"{expected}\n1 problem found; nothing was written.\n"
    assert not (project / "dist").exists()


def test_a_layout_that_includes_itself_is_one_clear_line(project: Path, run: RunCli) -> None:
    (project / "templates" / "layouts" / "list.mjml.j2").write_text(
        '{% include "layouts/list.mjml.j2" %}\n', encoding="utf-8"
    )
    result = run("build")
    assert (result.exit_code, result.output) == (
        1,
        "templates/layouts/list.mjml.j2:1: error: the template extends or includes itself (to"
        ' include the built-in one, write {% include "!theme/layouts/list.mjml.j2" %})'
        " [theme/template]\n"
        "1 problem found; nothing was written.\n",
    )
