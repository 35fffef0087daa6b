"""Loading an issue: every problem reported, each at its file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.build.load import load_issue, load_issue_document, validate_issue
from newsletter.build.markdown import MAX_DEPTH
from newsletter.build.yamlfile import Document, parse_yaml
from newsletter.model.problems import Problem, ProblemsError

HEAD = """\
number: 7
date: 2026-11-30
subject: A small issue
sections:
  - title: News
    articles:
      - title: The lead
        url: https://example.org/news/lead
"""
"""An issue whose first article is open at the end, on line 8: tests add its keys."""

DRAFT = """\
number: 7
date: 2026-11-30
subject: A draft
sections:
  - title: News
    articles:
  - title: Links
    articles: []
"""

EMPTY_SECTIONS = [
    "issue.yaml:6:5: error: sections[0].articles: must not be empty [issue/invalid]",
    "issue.yaml:8:15: error: sections[1].articles: must not be empty [issue/invalid]",
]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "issue.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, layouts: frozenset[str] = frozenset()) -> list[str]:
    with pytest.raises(ProblemsError) as raised:
        load_issue(path, "issue.yaml", layouts)
    return [str(p) for p in raised.value.problems]


def test_a_draft_may_have_empty_sections(tmp_path: Path) -> None:
    issue = load_issue(_write(tmp_path, DRAFT), "issue.yaml", draft=True)
    assert [len(section.articles) for section in issue.sections] == [0, 0]
    document, issue = load_issue_document(_write(tmp_path, DRAFT), "issue.yaml", draft=True)
    assert [section.title for section in issue.sections] == ["News", "Links"]
    assert document.path == "issue.yaml"


def test_an_issue_that_is_not_a_draft_must_have_articles_in_every_section(tmp_path: Path) -> None:
    path = _write(tmp_path, DRAFT)
    assert _problems(path) == EMPTY_SECTIONS
    with pytest.raises(ProblemsError) as raised:
        load_issue_document(path, "issue.yaml")
    assert [str(p) for p in raised.value.problems] == EMPTY_SECTIONS


def test_a_parsed_issue_is_validated_as_no_draft_unless_said(tmp_path: Path) -> None:
    document = parse_yaml(DRAFT.encode(), "issue.yaml")
    with pytest.raises(ProblemsError) as raised:
        validate_issue(document)
    assert [str(p) for p in raised.value.problems] == EMPTY_SECTIONS
    assert validate_issue(document, draft=True)[1].subject == "A draft"


def test_an_unknown_layout_is_named_with_the_themes_layouts(tmp_path: Path) -> None:
    path = _write(
        tmp_path, HEAD.replace("  - title: News\n", "  - title: News\n    layout: grid\n")
    )
    assert _problems(path, frozenset({"list", "lead", "compact"})) == [
        "issue.yaml:6:13: error: sections[0].layout: unknown layout 'grid'; "
        "the theme has: compact, lead, list [issue/invalid]"
    ]
    assert load_issue(path).sections[0].layout == "grid"  # no theme given: any layout


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("titel", "title"), ("sumary", "summary"), ("imag", "image"), ("sponsor", "sponsored")],
)
def test_a_misspelt_key_of_an_article_suggests_the_article_key(
    tmp_path: Path, typo: str, suggestion: str
) -> None:
    path = _write(tmp_path, HEAD + f"        {typo}: something\n")
    assert _problems(path) == [
        f"issue.yaml:9:9: error: sections[0].articles[0]: unknown key {typo!r} "
        f"(did you mean {suggestion!r}?) [issue/invalid]"
    ]


def test_a_misspelt_key_of_a_section_suggests_the_section_key(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD.replace("    articles:\n", "    layuot: lead\n    articles:\n"))
    assert _problems(path) == [
        "issue.yaml:6:5: error: sections[0]: unknown key 'layuot' (did you mean 'layout'?) "
        "[issue/invalid]"
    ]


def test_an_unknown_key_like_no_known_one_suggests_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "        colour: red\n")
    assert _problems(path) == [
        "issue.yaml:9:9: error: sections[0].articles[0]: unknown key 'colour' [issue/invalid]"
    ]


def test_text_where_a_number_belongs_is_quoted_whole_up_to_forty_characters(
    tmp_path: Path,
) -> None:
    text = "the seventh issue, written out in words."
    assert len(text) == 40
    path = _write(tmp_path, HEAD.replace("number: 7", f"number: {text}"))
    assert _problems(path) == [
        f"issue.yaml:1:9: error: number: expected a whole number, got {text!r} [issue/invalid]"
    ]


def test_longer_text_where_a_number_belongs_is_cut_to_thirty_seven_characters(
    tmp_path: Path,
) -> None:
    text = "the seventh issue, written out in letters"
    assert len(text) == 41
    path = _write(tmp_path, HEAD.replace("number: 7", f"number: {text}"))
    assert _problems(path) == [
        "issue.yaml:1:9: error: number: expected a whole number, "
        "got 'the seventh issue, written out in let...' [issue/invalid]"
    ]


@pytest.mark.parametrize(
    ("value", "described"),
    [
        ("true", "true/false (true)"),
        ("7.5", "a number (7.5)"),
        ("[7]", "a list"),
        ("{issue: 7}", "a mapping"),
        ("", "nothing"),
    ],
)
def test_a_wrong_value_is_described_by_what_it_is(
    tmp_path: Path, value: str, described: str
) -> None:
    path = _write(tmp_path, HEAD.replace("number: 7", f"number: {value}"))
    column = 1 if value == "" else 9  # an empty value is located at its key
    assert _problems(path) == [
        f"issue.yaml:1:{column}: error: number: expected a whole number, got {described} "
        "[issue/invalid]"
    ]


def test_a_value_no_yaml_gives_is_described_by_its_type() -> None:
    # Data made by code rather than read from a file.
    document = parse_yaml(HEAD.encode(), "issue.yaml")
    data = {**document.data, "number": frozenset({7})}
    with pytest.raises(ProblemsError) as raised:
        validate_issue(Document("issue.yaml", data, document.marks))
    assert [str(p) for p in raised.value.problems] == [
        "issue.yaml:1:9: error: number: expected a whole number, got a frozenset [issue/invalid]"
    ]


# -- Markdown ---------------------------------------------------------------------------


def test_markdown_nested_as_deep_as_allowed_is_fine(tmp_path: Path) -> None:
    quoted = "> " * (MAX_DEPTH - 1) + "deep"
    path = _write(tmp_path, HEAD + f"        summary: '{quoted}'\n")
    assert load_issue(path).articles[0].summary == quoted


def test_markdown_nested_one_level_deeper_is_a_problem(tmp_path: Path) -> None:
    quoted = "> " * (MAX_DEPTH - 1) + "*deep*"
    path = _write(tmp_path, HEAD + f"        summary: '{quoted}'\n")
    assert _problems(path) == [
        "issue.yaml:9:18: error: sections[0].articles[0].summary: the Markdown nests 21 levels "
        "deep, at most 20 make sense [issue/invalid]"
    ]


def test_a_bad_link_after_a_mailto_link_is_still_reported(tmp_path: Path) -> None:
    summary = "Write [to the editor](mailto:editor@example.org) or read [the story](/news/b)."
    path = _write(tmp_path, HEAD + f"        summary: {summary}\n")
    assert _problems(path) == [
        "issue.yaml:9:18: error: sections[0].articles[0].summary: a link in the Markdown must "
        "be an absolute http(s) URL, not the relative '/news/b' [issue/invalid]"
    ]


def test_a_bad_link_in_the_intro_is_located_at_the_intro(tmp_path: Path) -> None:
    path = _write(
        tmp_path, HEAD.replace("sections:", "intro: See [the news](news.html).\nsections:")
    )
    assert _problems(path) == [
        "issue.yaml:4:8: error: intro: a link in the Markdown must be an absolute http(s) URL, "
        "not the relative 'news.html' [issue/invalid]"
    ]


def _block_problems(tmp_path: Path, block: str) -> list[Problem]:
    lines = "".join(f"          {line}\n" if line else "\n" for line in block.split("\n"))
    path = _write(tmp_path, HEAD + "        summary: |\n" + lines)
    with pytest.raises(ProblemsError) as raised:
        load_issue(path, "issue.yaml")
    return raised.value.problems


def _in_summary(line: int, message: str) -> Problem:
    """A problem about the first article's summary, at `line` with no column."""
    return Problem(
        "issue/invalid", "issue.yaml", line, 0, "sections[0].articles[0].summary", message
    )


RELATIVE = "a link in the Markdown must be an absolute http(s) URL, not the relative"


def test_a_bad_link_in_a_block_is_located_at_its_own_line(tmp_path: Path) -> None:
    block = "The council met on Monday.\nRead [the minutes](minutes.pdf) first.\nThen vote."
    assert _block_problems(tmp_path, block) == [_in_summary(11, f"{RELATIVE} 'minutes.pdf'")]


def test_a_bad_link_in_a_block_is_located_below_the_blank_lines_that_open_it(
    tmp_path: Path,
) -> None:
    block = "\n\nRead [the minutes](minutes.pdf) first."
    assert _block_problems(tmp_path, block) == [_in_summary(12, f"{RELATIVE} 'minutes.pdf'")]


def test_a_bad_link_in_a_block_is_located_where_it_is_not_where_it_is_mentioned_later(
    tmp_path: Path,
) -> None:
    block = "Read [the report](report.pdf) today.\n\nAsk for report.pdf by mail."
    assert _block_problems(tmp_path, block) == [_in_summary(10, f"{RELATIVE} 'report.pdf'")]


def test_each_bad_link_in_a_block_is_located_at_its_line(tmp_path: Path) -> None:
    block = "Read [the report](report.pdf).\n\nWatch [the talk](javascript:play()) too."
    assert _block_problems(tmp_path, block) == [
        _in_summary(10, f"{RELATIVE} 'report.pdf'"),
        _in_summary(
            12, "a link in the Markdown must be an absolute http(s) URL, not a javascript: link"
        ),
    ]


# -- The same article twice -------------------------------------------------------------


def _two_articles(one: str, other: str) -> str:
    return (
        HEAD.replace("https://example.org/news/lead", one)
        + f"      - title: The other\n        url: {other}\n"
    )


@pytest.mark.parametrize(
    "other",
    [
        "https://EXAMPLE.org/news/lead/",
        "https://example.org:443/news/lead#comments",
        "https://example.org/news/lead?utm_source=feed&fbclid=IwAR0",
        "HTTPS://example.org./news/lead",
    ],
)
def test_the_same_article_written_another_way_is_a_problem(tmp_path: Path, other: str) -> None:
    path = _write(tmp_path, _two_articles("https://example.org/news/lead", other))
    assert _problems(path) == [
        "issue.yaml:10:14: error: sections[0].articles[1].url: the same URL as "
        "sections[0].articles[0] (line 8) [issue/invalid]"
    ]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://example.org/news/lead", "https://example.org/news/second"),
        ("https://example.org/News/Lead", "https://example.org/news/lead"),
        ("https://example.org/item?id=3", "https://example.org/item?id=4"),
        ("https://example.org/item?page=2", "https://example.org/item?p=2"),
        ("https://example.org:8443/news/lead", "https://example.org/news/lead"),
        ("https://example.org/news/lead", "https://blog.example.org/news/lead"),
    ],
)
def test_different_articles_are_not_taken_for_the_same_one(
    tmp_path: Path, one: str, other: str
) -> None:
    issue = load_issue(_write(tmp_path, _two_articles(one, other)))
    assert [article.url for article in issue.articles] == [one, other]


def test_a_third_copy_points_at_the_first_one(tmp_path: Path) -> None:
    text = _two_articles("https://example.org/a", "https://example.org/a/") + (
        "      - title: The third\n        url: https://example.org/a#again\n"
    )
    assert _problems(_write(tmp_path, text)) == [
        "issue.yaml:10:14: error: sections[0].articles[1].url: the same URL as "
        "sections[0].articles[0] (line 8) [issue/invalid]",
        "issue.yaml:12:14: error: sections[0].articles[2].url: the same URL as "
        "sections[0].articles[0] (line 8) [issue/invalid]",
    ]
