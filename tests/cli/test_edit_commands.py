"""`newsletter remove`, `move` and `sections`: only the article's lines change, safely."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from newsletter.build.load import validate_issue
from newsletter.build.yamlfile import parse_yaml
from tests.conftest import RunCli

ISSUE = Path("issues") / "2026-11-30.yaml"
HAND_KEPT = """\
# yaml-language-server: $schema=../issue.schema.json
# Issue 8, put together on Friday.
number: 8
date: 2026-12-07
subject: "Edits: a hand-kept issue"
preheader: Three sections, one of them with a single story.
intro: |
  Hello *readers*.
sections:
  - title: Lead story
    layout: lead
    articles:   # one, always
      # The one story that leads.
      - title: The lead
        url: https://example.org/news/lead
        summary: |
          What happened, over
          two lines.

  # News: in the order they came in.
  - title: News
    articles:
      - {title: Flow item, url: "https://example.org/news/flow"}   # a flow mapping
      - title: 'Second: quoted'
        url: https://example.org/news/second?utm_source=feed

      - title: Third
        url: https://example.org/news/third
        # a comment inside the third article
      # more to come next week
  - title: Popular
    articles:
    - title: Popular one
      url: https://example.org/popular/one
    - title: Popular two
      url: https://example.org/popular/two
# The end.
"""
LEAD = HAND_KEPT.splitlines(True)[12:18]
FLOW = HAND_KEPT.splitlines(True)[22:23]
SECOND = HAND_KEPT.splitlines(True)[23:26]  # with the blank line after it
THIRD = HAND_KEPT.splitlines(True)[25:29]  # with the blank line before it
POPULAR_ONE = HAND_KEPT.splitlines(True)[32:34]
POPULAR_TWO = HAND_KEPT.splitlines(True)[34:36]


def _changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines `after` lost from `before`, and the lines it gained."""
    old, new = before.splitlines(True), after.splitlines(True)
    lost: list[str] = []
    gained: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op != "equal":
            lost += old[a1:a2]
            gained += new[b1:b2]
    return lost, gained


def _titles(text: str) -> list[list[str]]:
    _, issue = validate_issue(parse_yaml(text.encode(), "issue.yaml"), draft=True)
    return [[article.title for article in section.articles] for section in issue.sections]


@pytest.fixture
def hand_kept(project: Path, request: pytest.FixtureRequest) -> str:
    """The hand-kept issue in the project, with Windows line endings when the test is
    parametrised with `crlf`."""
    text = HAND_KEPT.replace("\n", "\r\n") if getattr(request, "param", "") == "crlf" else HAND_KEPT
    (project / ISSUE).write_bytes(text.encode())
    return text


def _crlf(lines: list[str], text: str) -> list[str]:
    return [line.replace("\n", "\r\n") for line in lines] if "\r\n" in text else lines


@pytest.mark.parametrize("hand_kept", ["lf", "crlf"], indirect=True)
@pytest.mark.parametrize(
    ("url", "lost", "titles"),
    [
        (
            "https://example.org/news/flow",
            FLOW,
            [["The lead"], ["Second: quoted", "Third"], ["Popular one", "Popular two"]],
        ),
        (
            "https://example.org/news/second?utm_source=newsletter",  # compared normalised
            SECOND,
            [["The lead"], ["Flow item", "Third"], ["Popular one", "Popular two"]],
        ),
        (  # the last article: its comment inside goes, the one after it stays
            "https://example.org/news/third/",
            THIRD,
            [["The lead"], ["Flow item", "Second: quoted"], ["Popular one", "Popular two"]],
        ),
        (  # the last section, its list not indented below its key
            "https://example.org/popular/one",
            POPULAR_ONE,
            [["The lead"], ["Flow item", "Second: quoted", "Third"], ["Popular two"]],
        ),
        (
            "https://example.org/popular/two",
            POPULAR_TWO,
            [["The lead"], ["Flow item", "Second: quoted", "Third"], ["Popular one"]],
        ),
    ],
)
def test_remove_takes_out_only_the_articles_lines(
    project: Path, run: RunCli, hand_kept: str, url: str, lost: list[str], titles: list[list[str]]
) -> None:
    result = run("remove", url)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Removed from ")
    after = (project / ISSUE).read_bytes().decode()
    assert _changes(hand_kept, after) == (_crlf(lost, hand_kept), [])
    assert _titles(after) == titles


@pytest.mark.parametrize("hand_kept", ["lf", "crlf"], indirect=True)
def test_removing_a_sections_only_article_leaves_an_empty_list(
    project: Path, run: RunCli, hand_kept: str
) -> None:
    result = run("remove", "https://example.org/news/lead")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == "Removed from Lead story, position 1: The lead https://example.org/news/lead\n"
    )
    after = (project / ISSUE).read_bytes().decode()
    newline = "\r\n" if "\r\n" in hand_kept else "\n"
    key = [f"    articles:   # one, always{newline}"]
    assert _changes(hand_kept, after) == (
        key + _crlf(LEAD, hand_kept),
        [f"    articles: []   # one, always{newline}"],
    )
    assert _titles(after)[0] == []
    # The whole last section too: its comment after it stays.
    assert (
        run(
            "remove", "https://example.org/popular/two", "https://example.org/popular/one"
        ).exit_code
        == 0
    )
    after = (project / ISSUE).read_bytes().decode()
    assert after.endswith(
        f"  - title: Popular{newline}    articles: []{newline}# The end.{newline}"
    )
    assert _titles(after) == [[], ["Flow item", "Second: quoted", "Third"], []]
    assert run("sections").stdout.splitlines()[:2] == ["1 Lead story (lead)", "  (no articles)"]


def test_remove_from_three_sections_at_once(project: Path, run: RunCli, hand_kept: str) -> None:
    urls = [
        "https://example.org/popular/two",
        "https://example.org/news/lead",
        "HTTPS://Example.org/news/second",
    ]
    result = run("remove", *urls)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [  # in the file's order
        "Removed from Lead story, position 1: The lead https://example.org/news/lead",
        "Removed from News, position 2: Second: quoted https://example.org/news/second?utm_source=feed",
        "Removed from Popular, position 2: Popular two https://example.org/popular/two",
    ]
    after = (project / ISSUE).read_text()
    lost, gained = _changes(hand_kept, after)
    assert lost == [HAND_KEPT.splitlines(True)[11], *LEAD, *SECOND, *POPULAR_TWO]
    assert gained == ["    articles: []   # one, always\n"]
    assert _titles(after) == [[], ["Flow item", "Third"], ["Popular one"]]


def test_remove_is_all_or_nothing(project: Path, run: RunCli, hand_kept: str) -> None:
    for args, error in [
        (
            ["https://example.org/news/flow", "https://example.org/nope"],
            "Error: https://example.org/nope is not in issues/2026-11-30.yaml\n",
        ),
        (
            ["https://example.org/a", "https://example.org/b"],
            "Error: 2 URLs are not in issues/2026-11-30.yaml: https://example.org/a, https://example.org/b\n",
        ),
        (["https://example.org/news/flow", ""], "Error: '' is not in issues/2026-11-30.yaml\n"),
        (
            ["https://example.org/news/flow", "https://example.org/news/flow/#top"],
            "Error: https://example.org/news/flow/#top is given twice"
            " (as https://example.org/news/flow); nothing was removed\n",
        ),
    ]:
        result = run("remove", *args)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", error)
        assert (project / ISSUE).read_text() == hand_kept


def test_an_issue_with_an_article_twice_is_not_edited(
    project: Path, run: RunCli, hand_kept: str
) -> None:
    # Even a draft may not have an article twice: the problem is shown, to be mended by hand.
    twice = hand_kept.replace("https://example.org/popular/two", "https://example.org/news/flow")
    (project / ISSUE).write_text(twice)
    for command in (["remove"], ["move", "--section", "Lead story"]):
        result = run(*command, "https://example.org/news/flow")
        assert result.exit_code == 1
        assert result.stderr == (
            "issues/2026-11-30.yaml:36:12: error: sections[2].articles[1].url: the same URL as"
            " sections[1].articles[0] (line 23) [issue/invalid]\n"
            "1 problem found; nothing was written.\n"
        )
        assert (project / ISSUE).read_text() == twice


@pytest.mark.parametrize("hand_kept", ["lf", "crlf"], indirect=True)
def test_move_moves_the_articles_lines_as_they_are(
    project: Path, run: RunCli, hand_kept: str
) -> None:
    result = run(
        "move", "https://example.org/news/third", "--section", "lead story", "--position", "1"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Moved from News, position 3, to Lead story, position 1: Third https://example.org/news/third\n"
    )
    after = (project / ISSUE).read_bytes().decode()
    lost, gained = _changes(hand_kept, after)
    own = _crlf(THIRD[1:], hand_kept)  # the blank line before it stays behind
    assert [line for line in lost if line.strip()] == own and gained == own
    assert _titles(after) == [
        ["Third", "The lead"],
        ["Flow item", "Second: quoted"],
        ["Popular one", "Popular two"],
    ]
    # And back again, last, where add would put it: after the comment that ends the list.
    assert run("move", "https://example.org/news/third", "--section", "News").exit_code == 0
    after = (project / ISSUE).read_bytes().decode()
    assert _titles(after) == _titles(hand_kept)
    assert after.endswith(
        "".join(_crlf([HAND_KEPT.splitlines(True)[29], *THIRD[1:]], hand_kept))
        + hand_kept[hand_kept.index("  - title: Popular") :]
    )


def test_move_indents_the_lines_as_the_new_place_is(
    project: Path, run: RunCli, hand_kept: str
) -> None:
    result = run("move", "https://example.org/popular/one", "--section", "News", "--position", "2")
    assert result.exit_code == 0, result.output
    after = (project / ISSUE).read_text()
    assert _changes(hand_kept, after) == (POPULAR_ONE, ["  " + line for line in POPULAR_ONE])
    assert _titles(after)[1:] == [
        ["Flow item", "Popular one", "Second: quoted", "Third"],
        ["Popular two"],
    ]


def test_move_within_a_section_and_into_a_new_one(
    project: Path, run: RunCli, hand_kept: str
) -> None:
    assert (
        run(
            "move", "https://example.org/news/flow", "--section", "News", "--position", "3"
        ).exit_code
        == 0
    )
    after = (project / ISSUE).read_text()
    assert _titles(after)[1] == ["Second: quoted", "Third", "Flow item"]
    assert _changes(hand_kept, after)[1] == FLOW
    result = run(
        "move", "https://example.org/news/lead", "--section", "Opinion", "--create-section"
    )
    assert result.exit_code == 0, result.output
    after = (project / ISSUE).read_text()
    assert after.endswith("  - title: Opinion\n    articles:\n" + "".join(LEAD) + "# The end.\n")
    assert _titles(after) == [
        [],
        ["Second: quoted", "Third", "Flow item"],
        ["Popular one", "Popular two"],
        ["The lead"],
    ]


def test_a_move_to_where_it_is_writes_nothing(project: Path, run: RunCli, hand_kept: str) -> None:
    before = (project / ISSUE).stat().st_mtime_ns
    result = run("move", "https://example.org/news/second", "--section", "News", "--position", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Already in News, position 2: Second: quoted ")
    assert (project / ISSUE).stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["move", "https://example.org/news/flow", "--section", "News", "--position", "4"],
            "Error: --position 4 is past the end of News; it can go at 1 to 3\n",
        ),
        (
            ["move", "https://example.org/news/flow", "--section", "Lead story", "--position", "3"],
            "Error: --position 3 is past the end of Lead story; it can go at 1 to 2\n",
        ),
        (
            [
                "move",
                "https://example.org/news/flow",
                "--section",
                "Opinion",
                "--create-section",
                "--position",
                "2",
            ],
            "Error: --position 2 is past the end of Opinion; it can go at 1\n",
        ),
        (
            ["move", "https://example.org/news/flow", "--section", "Popluar"],
            "Error: no section 'Popluar' in issues/2026-11-30.yaml (did you mean 'Popular'? its"
            " sections: Lead story, News, Popular); --create-section adds it\n",
        ),
        (
            ["move", "https://example.org/nope", "--section", "News"],
            "Error: https://example.org/nope is not in issues/2026-11-30.yaml\n",
        ),
        (
            ["remove", "https://example.org/news/flow", "--issue", "2026-12-07"],
            "Error: no issue file '2026-12-07' (looked in issues/ too)\n",
        ),
        (
            ["move", "https://example.org/news/flow", "--section", "News", "--issue", "nope"],
            "Error: no issue file 'nope' (looked in issues/ too)\n",
        ),
        (
            ["sections", "--issue", "nope"],
            "Error: no issue file 'nope' (looked in issues/ too)\n",
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    project: Path, run: RunCli, hand_kept: str, args: list[str], error: str
) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", error)
    assert (project / ISSUE).read_text() == hand_kept


def test_position_zero_is_a_usage_error(project: Path, run: RunCli, hand_kept: str) -> None:
    result = run("move", "https://example.org/news/flow", "--section", "News", "--position", "0")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--position': 0 is not in the range x>=1." in result.stderr


def test_a_file_that_is_no_issue_is_not_edited(project: Path, run: RunCli) -> None:
    settings = (project / "newsletter.yaml").read_text()
    for command in (
        ["remove", "https://example.org/a"],
        ["move", "https://example.org/a", "-s", "News"],
        ["sections"],
    ):
        result = run(*command, "--issue", "newsletter.yaml")
        assert result.exit_code == 1
        assert result.stderr.startswith("newsletter.yaml:1:1: ")
        assert "Traceback" not in result.output
        assert (project / "newsletter.yaml").read_text() == settings


def test_a_flow_list_of_articles_is_refused(project: Path, run: RunCli, hand_kept: str) -> None:
    flow = hand_kept.replace(
        "    articles:\n    - title: Popular one\n      url: https://example.org/popular/one\n"
        "    - title: Popular two\n      url: https://example.org/popular/two\n",
        "    articles: [{title: Popular one, url: 'https://example.org/popular/one'}]\n",
    )
    (project / ISSUE).write_text(flow)
    result = run("remove", "https://example.org/popular/one")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: issues/2026-11-30.yaml:32: sections[2].articles is a flow list [...]; remove can"
        " only edit a block list (one `- ` item per line)\n",
    )
    assert (project / ISSUE).read_text() == flow


def test_a_result_that_does_not_validate_is_not_written(
    project: Path, run: RunCli, hand_kept: str
) -> None:
    # An article takes its summary from another: without that one, the file cannot load.
    aliased = hand_kept.replace(
        "url: https://example.org/news/third\n",
        "url: https://example.org/news/third\n        summary: &said Said once.\n",
    ).replace(
        "url: https://example.org/popular/two\n",
        "url: https://example.org/popular/two\n      summary: *said\n",
    )
    (project / ISSUE).write_text(aliased)
    result = run("remove", "https://example.org/news/third")
    assert result.exit_code == 1
    assert result.stderr.startswith("issues/2026-11-30.yaml:")
    assert "alias" in result.stderr and result.stderr.endswith("nothing was written.\n")
    assert (project / ISSUE).read_text() == aliased


def test_sections_lists_what_positions_count(project: Path, run: RunCli, hand_kept: str) -> None:
    result = run("sections")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "1 Lead story (lead)\n"
        "  1. The lead  <https://example.org/news/lead>\n"
        "2 News (list)\n"
        "  1. Flow item  <https://example.org/news/flow>\n"
        "  2. Second: quoted  <https://example.org/news/second?utm_source=feed>\n"
        "  3. Third  <https://example.org/news/third>\n"
        "3 Popular (list)\n"
        "  1. Popular one  <https://example.org/popular/one>\n"
        "  2. Popular two  <https://example.org/popular/two>\n"
    )
    listed = json.loads(run("sections", "--json").stdout)
    assert listed[1]["articles"][2] == {
        "position": 3,
        "title": "Third",
        "url": "https://example.org/news/third",
    }
    assert [section["title"] for section in listed] == ["Lead story", "News", "Popular"]


def test_articles_whose_dash_stands_alone_on_its_line(project: Path, run: RunCli) -> None:
    alone = (
        "number: 8\ndate: 2026-12-07\nsubject: Dashes\nsections:\n"
        "  - title: News\n    articles:\n"
        "      -\n        title: First\n        url: https://example.org/first\n"
        "      -   # the second\n        title: Second\n        url: https://example.org/second\n"
        "  - title: Popular\n    articles:\n      - title: Third\n        url: https://example.org/third\n"
    )
    (project / ISSUE).write_text(alone)
    result = run("move", "https://example.org/third", "--section", "News", "--position", "2")
    assert result.exit_code == 0, result.output
    after = (project / ISSUE).read_text()
    assert _changes(alone, after) == (
        ["    articles:\n", "      - title: Third\n", "        url: https://example.org/third\n"],
        [
            "      - title: Third\n",
            "        url: https://example.org/third\n",
            "    articles: []\n",
        ],
    )
    assert _titles(after) == [["First", "Third", "Second"], []]
    assert run("remove", "https://example.org/first").exit_code == 0
    assert (project / ISSUE).read_text() == after.replace(
        "      -\n        title: First\n        url: https://example.org/first\n", ""
    )
    page = Path(__file__).parents[1] / "pages" / "title_and_description.html"
    added = run(
        "add",
        "--file",
        str(page),
        "--url",
        "https://example.org/added",
        "-s",
        "News",
        "--position",
        "2",
    )
    assert added.exit_code == 0, added.output
    assert _titles((project / ISSUE).read_text())[0][0::2] == ["Third", "Second"]
