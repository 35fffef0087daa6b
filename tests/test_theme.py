"""The default theme: lean, accessible HTML and a plain-text twin that reads well."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import lxml.html

from newsletter.project import Project
from newsletter.render import Rendition

ROOT = Path(__file__).parent.parent
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
    return Project.find(project).render(path)


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


def test_the_text_version_wraps_at_72_columns(project: Path) -> None:
    text = _render(project, _issue(6)).text
    for line in text.splitlines():
        # A line may only run past 78 columns when it is a (numbered) bare URL.
        if len(line) > 78:
            assert re.fullmatch(r"(\[\d+\] )?\S+://\S+", line), line
    body = [line for line in text.splitlines() if "://" not in line]
    assert max(len(line) for line in body) <= 72


def test_the_text_version_has_every_link_of_the_html(project: Path) -> None:
    rendition = _render(project, _issue(6))
    hrefs = cast(list[Any], lxml.html.fromstring(rendition.html).xpath("//a/@href"))
    assert len(set(hrefs)) >= 9
    for href in set(hrefs):
        assert href in rendition.text, href


def test_the_text_version_numbers_links_and_lists_them_at_the_end(project: Path) -> None:
    text = _render(project, _issue(3)).text
    assert text.startswith("A full week\n===========\nTest Weekly · Issue 20 · 7 December 2026\n")
    assert "\nLead story\n----------\n" in text
    assert (
        "\nHeadline number 0 about regional talks on trade and transport\n(commonspace.eu) [2]\n"
        in text
    )
    assert "no joint statement [3] was published." in " ".join(text.split())
    # The same link twice keeps its number; the list at the end has each once.
    links = text.split("\nLinks in this issue\n-------------------\n\n")[1].split("\n\n--\n")[0]
    assert links.splitlines() == [
        "[1] https://example.org/a",
        "[2] https://www.example.org/news/2026/12/headline-number-0-talks",
        "[3] https://example.org/statement",
        "[4] https://www.example.org/news/2026/12/headline-number-1-talks",
        "[5] https://www.example.org/news/2026/12/headline-number-2-talks",
    ]
    assert text.endswith(
        "--\nYou are receiving Test Weekly because you subscribed to it.\n"
        "Unsubscribe: https://example.org/weekly/unsubscribe\n"
        "View in your browser: https://example.org/weekly/2026-12-07/\n"
        "1 Example Street, Amsterdam\n"
    )


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
