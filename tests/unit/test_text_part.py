"""The default theme's text part, as a phone shows it: a paragraph a line, each article's URL
under its headline, the footer after the signature separator."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.build.markdown import to_text
from newsletter.build.render import Rendition
from newsletter.model.issue import Issue
from newsletter.project.folder import Project

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def example() -> tuple[Issue, Rendition]:
    """The example issue of the repository, rendered."""
    inspection = Project(ROOT, ROOT).inspect(ROOT / "issues" / "2026-11-30.yaml")
    return inspection.issue, inspection.rendition


def test_each_paragraph_of_the_example_is_one_line(example: tuple[Issue, Rendition]) -> None:
    issue, rendition = example
    lines = rendition.text.splitlines()
    assert issue.intro and "\n" not in to_text(issue.intro)
    prose = [to_text(issue.intro)] + [
        to_text(a.summary) for s in issue.sections for a in s.articles if a.summary
    ]
    assert len(prose) > 10
    for paragraph in prose:
        assert len(paragraph) > 72  # a line a fixed-width wrap would have broken
        assert paragraph in lines, paragraph
    assert "You are receiving The Caucasus Weekly because you subscribed to it." in lines
    assert "The Caucasus Weekly, Keizersgracht 100, 1015 AA Amsterdam, The Netherlands" in lines


def test_each_url_is_on_the_line_after_its_headline(example: tuple[Issue, Rendition]) -> None:
    issue, rendition = example
    lines = rendition.text.splitlines()
    articles = [a for s in issue.sections for a in s.articles]
    for article in articles:
        headline = article.title + (f" ({article.source})" if article.source else "")
        at = lines.index(headline)
        assert lines[at + 1] == str(article.url)
        if article.summary:
            assert lines[at + 2] == to_text(article.summary)
    # No numbered references, and no list of them at the end.
    assert "[1]" not in rendition.text and "Links in this issue" not in rendition.text


def test_the_intro_writes_its_link_after_the_link_text(example: tuple[Issue, Rendition]) -> None:
    assert "the full archive is on commonspace.eu (https://www.commonspace.eu/)." in (
        example[1].text
    )


def test_the_footer_follows_one_signature_separator(example: tuple[Issue, Rendition]) -> None:
    lines = example[1].text.splitlines()
    assert lines.count("-- ") == 1
    assert "--" not in lines
    footer = lines[lines.index("-- ") + 1 :]
    assert footer[0] == "You are receiving The Caucasus Weekly because you subscribed to it."
    assert "Unsubscribe: https://example.org/weekly/unsubscribe" in footer


def test_every_link_of_the_html_is_in_the_text(example: tuple[Issue, Rendition]) -> None:
    rendition = example[1]
    assert len(rendition.links) > 15
    for link in rendition.links:
        assert link in rendition.text, link


def test_an_underline_is_never_longer_than_its_heading(example: tuple[Issue, Rendition]) -> None:
    lines = example[1].text.splitlines()
    underlines = [n for n, line in enumerate(lines) if line and set(line) in ({"="}, {"-"})]
    assert len(underlines) == 5  # the subject and four sections
    for n in underlines:
        assert 0 < len(lines[n]) <= len(lines[n - 1])


def _render(project: Path, old: str, new: str) -> Rendition:
    path = project / "issues" / "2026-11-30.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return Project.find(project).inspect(path).rendition


def test_a_right_to_left_summary_with_a_link_is_one_intact_line(project: Path) -> None:
    summary = "ملخص طويل باللغة العربية عن [المحادثات](https://example.org/talks) بين الوزراء"
    rendition = _render(project, "summary: More.", f"summary: '{summary}'")
    lines = rendition.text.splitlines()
    at = lines.index("Second story")
    assert lines[at + 1 : at + 3] == [
        "https://example.org/news/second",
        "ملخص طويل باللغة العربية عن المحادثات (https://example.org/talks) بين الوزراء",
    ]


def test_a_sponsored_article_says_so_before_its_title(project: Path) -> None:
    rendition = _render(project, "summary: More.", "summary: More.\n        sponsored: true")
    lines = rendition.text.splitlines()
    at = lines.index("[Sponsored] Second story")
    assert lines[at + 1] == "https://example.org/news/second"


def test_a_russian_issue_has_the_theme_words_in_russian(project: Path) -> None:
    english = _render(project, "summary: More.", "summary: More.\n        sponsored: true").text
    # The same issue, sponsored article and all, in Russian.
    russian = _render(project, "number: 7\n", "number: 7\nlanguage: ru\n").text
    for words in ("Issue 7", "November", "View in browser", "Sponsored", "Unsubscribe"):
        assert words in english
        assert words not in russian, words
    assert "You are receiving" not in russian and "Preferences" not in russian
    assert "Выпуск 7 · 30 ноября 2026" in russian
    assert "\n[Реклама] Second story\nhttps://example.org/news/second\n" in russian
