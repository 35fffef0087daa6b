"""Editing an issue file: articles are spliced in and every other byte stays as it was."""

from __future__ import annotations

import difflib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from newsletter.build.load import validate_issue
from newsletter.build.yamlfile import parse_yaml
from newsletter.curate.splice import Where, insert_articles
from newsletter.model.problems import UserError

ODD = (Path(__file__).parents[1] / "cases" / "edit" / "odd.yaml").read_text(encoding="utf-8")
NEW: list[dict[str, Any]] = [
    {
        "title": "Added: with a colon, 'quotes' & ümlauts",
        "url": "https://example.org/added",
        "summary": "A summary long enough to be written as a block of text, wrapped in the file.",
    }
]


def _insert(text: str, where: Where) -> str:
    document = parse_yaml(text.encode(), "odd.yaml", roundtrip=True)
    return insert_articles(document, text, where, NEW)


def _only_inserted(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if anything else changed."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(True), b=after.splitlines(True))
    added: list[str] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        assert op in ("equal", "insert"), (op, before.splitlines(True)[a1:a2])
        added += after.splitlines(True)[b1:b2] if op == "insert" else []
    return added


@pytest.mark.parametrize(
    ("where", "section", "index"),
    [
        (Where(index=0), 0, 2),  # after a block item that ends with a comment
        (Where(index=0, before=0), 0, 0),
        (Where(index=0, before=1), 0, 1),  # between a flow item and a block item
        (Where(index=2), 2, 0),  # "articles:" with nothing after it
        (Where(new_title="Fresh"), 3, 0),
    ],
)
def test_every_other_byte_is_kept(where: Where, section: int, index: int) -> None:
    after = _insert(ODD, where)
    added = _only_inserted(ODD, after)
    assert added[0].lstrip().startswith("- title:")
    _, issue = validate_issue(parse_yaml(after.encode(), "odd.yaml"), draft=True)
    assert issue.sections[section].articles[index].title == NEW[0]["title"]
    assert issue.sections[section].articles[index].summary == NEW[0]["summary"]


def test_an_empty_list_is_opened_up_keeping_its_comment() -> None:
    after = _insert(ODD, Where(index=1))
    diff = [line for line in difflib.ndiff(ODD.splitlines(), after.splitlines()) if line[0] in "+-"]
    assert diff[:2] == ["-   articles: []   # empty for now", "+   articles:   # empty for now"]
    assert all(line.startswith("+ ") for line in diff[2:])
    _, issue = validate_issue(parse_yaml(after.encode(), "odd.yaml"), draft=True)
    assert [a.title for a in issue.sections[1].articles] == [NEW[0]["title"]]


def test_windows_line_endings_stay_windows_line_endings() -> None:
    text = ODD.replace("\n", "\r\n")
    after = _insert(text, Where(index=0))
    assert after.count("\n") == after.count("\r\n")
    _only_inserted(text, after)


def test_the_example_issue_keeps_its_comments_and_quoting() -> None:
    path = Path(__file__).parents[2] / "issues" / "2026-11-30.yaml"
    text = path.read_text(encoding="utf-8")
    for where in (Where(index=1), Where(index=3), Where(index=2, before=2)):
        after = _insert(text, where)
        assert len(_only_inserted(text, after)) == 4  # title, url, "summary: |" and its line


LONG = {
    "title": "A rather long headline about the Georgia transit-corridor deal, and what it means",
    "url": "https://example.org/news/2026/11/a-rather-long-article-slug-that-goes-on-and-on/",
    "image": "https://example.org/images/2026/11/a-rather-long-image-name-for-the-corridor.jpg",
    "summary": "Ministers signed the long-awaited transit-corridor agreement on Tuesday, said"
    " the well-informed co-author of the report - 1. to the point - # of the day.",
}


@pytest.mark.parametrize(
    "summary",
    [
        LONG["summary"],
        # Wrapped at 76, the line would end after "hyphen-": a space would come in after it.
        "word " * 13 + "hyphen-here. And more text after it, for a second line.",
        # 75 characters, then a dash: wrapped at 76, the second line would be a Markdown list.
        "word " * 14 + "words - right here, so it stays on one line however long it is.",
    ],
)
def test_long_text_reads_back_exactly(summary: str) -> None:
    article = {**LONG, "summary": summary}
    document = parse_yaml(ODD.encode(), "odd.yaml", roundtrip=True)
    after = insert_articles(document, ODD, Where(index=0), [article])
    _, issue = validate_issue(parse_yaml(after.encode(), "odd.yaml"), draft=True)
    added = issue.sections[0].articles[2]
    assert (added.title, added.url, added.image) == (LONG["title"], LONG["url"], LONG["image"])
    assert " ".join(added.summary.split()) == " ".join(summary.split())
    assert ("\n" + " " * 8 + "- right" not in after) and ("summary: |" in after) != (
        "- r" in summary
    )


def test_a_flow_list_of_articles_is_refused() -> None:
    text = ODD.replace(
        "  articles: []   # empty for now", "  articles: [{title: A, url: 'https://a.org'}]"
    )
    with pytest.raises(UserError, match=r"^odd.yaml:\d+: sections\[1\]\.articles is a flow list"):
        _insert(text, Where(index=1))


def test_a_flow_list_of_sections_is_refused() -> None:
    text = "number: 1\ndate: 2026-11-30\nsections: [{title: News, articles: []}]\n"
    with pytest.raises(UserError, match=r"^odd.yaml:3: sections is a flow list"):
        _insert(text, Where(index=0))


WRITER = """
import sys
from pathlib import Path
from newsletter.project.files import write_atomic
path = Path(sys.argv[1])
old, new = path.read_bytes(), Path(sys.argv[2]).read_bytes()
print("ready", flush=True)
while True:
    write_atomic(path, new)
    write_atomic(path, old)
"""


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    # Big files make every write take a while, so that the kills land in the middle of some.
    old = ODD + "# " + "o" * 400_000 + "\n"
    new = _insert(ODD, Where(index=0)) + "# " + "n" * 400_000 + "\n"
    path, source = tmp_path / "issue.yaml", tmp_path / "new.yaml"
    path.write_text(old)
    source.write_text(new)
    landed = 0
    for delay in (0.01, 0.03, 0.05, 0.08, 0.13, 0.21, 0.34):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(source)], stdout=subprocess.PIPE
        )
        assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        # A kill in the middle of a write leaves its temporary file (until the next write).
        landed += any(tmp_path.glob(".issue.yaml.*.tmp"))
        content = path.read_text()
        assert content in (old, new)
        validate_issue(parse_yaml(content.encode(), "issue.yaml"), draft=True)
    assert landed, "no kill landed in the middle of a write"
    assert path.stat().st_mode & 0o777 == 0o644
