"""The history index: the same answers as reading every issue, from whatever state it is in."""

from __future__ import annotations

import datetime
import multiprocessing
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from newsletter.build import yamlfile
from newsletter.model.issue import History
from newsletter.project.history import featured_before
from newsletter.project.index import index_path

SECTIONS = ("Lead story", "Editor's choice", "Elsewhere")


def issue_text(number: int, repeated: int = 0) -> str:
    """A realistic issue: number, date, subject, three sections with articles."""
    day = datetime.date(2021, 1, 4) + datetime.timedelta(weeks=number)
    lines = [f"number: {number}", f"date: {day}", f"subject: Issue {number} of the week", ""]
    lines.append("sections:")
    for s, title in enumerate(SECTIONS):
        lines += [f"  - title: {title}", "    articles:"]
        for a in range(3):
            url = f"https://news.example.org/{number}/{s}-{a}?utm_source=x"
            if repeated and s == 2 and a == 0:
                url = f"https://news.example.org/popular/{number % repeated}"
            lines += [
                f"      - title: Article {a} of issue {number}",
                f"        url: {url}",
                "        summary: A summary of the article, a sentence or two long.",
            ]
    return "\n".join(lines) + "\n"


def make_project(root: Path, count: int) -> Path:
    """An issues folder of `count` weekly issues, some URLs featured again and again."""
    issues = root / "issues"
    issues.mkdir(parents=True)
    for number in range(1, count + 1):
        (issues / f"issue-{number:04d}.yaml").write_text(issue_text(number, repeated=17))
    return issues


def history(issues: Path, cache: Path, current: int, indexed: bool = True) -> History:
    """What was featured before issue `current`."""
    exclude = issues / f"issue-{current:04d}.yaml"
    return featured_before(issues, exclude, current, cache=cache, indexed=indexed)


@pytest.fixture
def issues(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", 40)


def test_the_index_gives_the_answers_of_a_full_scan_over_300_issues(tmp_path: Path) -> None:
    issues = make_project(tmp_path / "project", 300)
    cache = tmp_path / "cache"
    for current in (300, 150, 2):
        scan = history(issues, cache, current, indexed=False)
        assert history(issues, cache, current) == scan  # cold, then filled
        assert history(issues, cache, current) == scan  # warm
    assert index_path(issues, cache).exists()
    assert str(history(issues, cache, 300).featured["https://news.example.org/popular/3"]) == (
        "#292 (2026-08-10, Elsewhere)"
    )


def test_the_index_is_created_private(issues: Path, tmp_path: Path) -> None:
    history(issues, tmp_path / "cache", 40)
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_a_deleted_or_corrupt_index_is_rebuilt(issues: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    expected = history(issues, cache, 40, indexed=False)
    assert history(issues, cache, 40) == expected
    database = index_path(issues, cache)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    if damage == "deleted":
        database.unlink()
    else:
        database.write_bytes(b"this is not a database\x00" * 500)
    assert history(issues, cache, 40) == expected
    assert database.read_bytes().startswith(b"SQLite format 3")
    assert history(issues, cache, 40) == expected


def test_an_edited_added_renamed_and_deleted_issue_is_noticed(issues: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    history(issues, cache, 40)
    edited = issues / "issue-0010.yaml"
    # Same size and a later mtime: only the edit itself tells the two versions apart.
    edited.write_text(issue_text(10).replace("news.example.org/10/", "news.example.net/10/"))
    os.utime(edited, ns=(edited.stat().st_atime_ns, edited.stat().st_mtime_ns + 10**9))
    (issues / "issue-0035.yaml").write_text(issue_text(35).replace("/35/", "/added/"))
    (issues / "issue-0020.yaml").rename(issues / "issue-0020b.yaml")
    (issues / "issue-0030.yaml").unlink()
    found = history(issues, cache, 40).featured
    assert found == history(issues, cache, 40, indexed=False).featured
    assert "https://news.example.net/10/0-0" in found
    assert "https://news.example.org/10/0-0" not in found
    assert str(found["https://news.example.org/added/0-0"]).startswith("#35 ")
    assert str(found["https://news.example.org/20/0-0"]).startswith("#20 ")
    assert "https://news.example.org/30/0-0" not in found


def test_an_unreadable_issue_warns_each_time(issues: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (issues / "issue-0005.yaml").write_text("number: [unclosed\n")
    first = history(issues, cache, 40)
    assert [p.code for p in first.unreadable] == ["history/unreadable"]
    assert history(issues, cache, 40) == first == history(issues, cache, 40, indexed=False)


def test_later_issues_are_left_out_by_number(issues: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    history(issues, cache, 40)
    found = history(issues, cache, 10).featured
    assert "https://news.example.org/9/0-0" in found
    assert "https://news.example.org/11/0-0" not in found


def test_a_database_that_cannot_be_opened_falls_back_to_the_scan(
    issues: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    index_path(issues, cache).mkdir(parents=True)  # a folder where the database should be
    assert history(issues, cache, 40) == history(issues, cache, 40, indexed=False)
    assert index_path(issues, cache).is_dir()


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the history parses from now on."""
    parsed: list[str] = []
    real = yamlfile.parse_yaml

    def parse(raw: bytes, name: str, **kwargs: Any) -> Any:
        parsed.append(Path(name).name)
        return real(raw, name, **kwargs)

    monkeypatch.setattr("newsletter.project.history.parse_yaml", parse)
    return parsed


def test_only_what_changed_is_parsed_and_a_renamed_file_not_at_all(
    issues: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    history(issues, cache, 40)
    parsed = count_parses(monkeypatch)
    history(issues, cache, 40)
    assert parsed == []
    (issues / "issue-0007.yaml").write_text(issue_text(7).replace("/7/", "/seven/"))
    (issues / "issue-0008.yaml").rename(issues / "issue-0008-renamed.yaml")
    (issues / "issue-0009.yaml").touch()
    found = history(issues, cache, 40).featured
    assert parsed == ["issue-0007.yaml"]
    assert str(found["https://news.example.org/8/0-0"]).startswith("#8 ")
    assert found == history(issues, cache, 40, indexed=False).featured


def test_an_edit_that_keeps_size_and_time_is_seen_by_its_content(
    issues: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    history(issues, cache, 40)
    edited = issues / "issue-0012.yaml"
    before = edited.stat()
    edited.write_text(
        issue_text(12, repeated=17).replace("news.example.org/12/", "news.example.net/12/")
    )
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))  # within one clock tick
    assert edited.stat().st_size == before.st_size
    found = history(issues, cache, 40).featured
    assert "https://news.example.net/12/0-0" in found
    assert "https://news.example.org/12/0-0" not in found


def test_issues_named_after_the_date_at_hand_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issues = tmp_path / "issues"
    issues.mkdir()
    for number, day in enumerate(("2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07"), 1):
        (issues / f"{day}.yaml").write_text(issue_text(number))
    os.mkfifo(issues / "2026-12-14.yaml")  # reading it would wait for ever
    parsed = count_parses(monkeypatch)
    current = issues / "2026-11-30.yaml"
    found = featured_before(
        issues, current, 3, cache=tmp_path / "cache", date=datetime.date(2026, 11, 30)
    )
    assert sorted(parsed) == ["2026-11-16.yaml", "2026-11-23.yaml"]
    assert "https://news.example.org/2/0-0" in found.featured
    assert "https://news.example.org/4/0-0" not in found.featured
    assert found.unreadable == ()


def test_a_cache_folder_that_cannot_be_made_falls_back_to_the_scan(
    issues: Path, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("a file where the cache folder's parent should be")
    cache = tmp_path / "file" / "cache"
    assert history(issues, cache, 40) == history(issues, cache, 40, indexed=False)


def test_the_default_cache_folder_follows_xdg(
    issues: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    exclude = issues / "issue-0040.yaml"
    featured_before(issues, exclude, 40)
    assert index_path(issues, tmp_path / "xdg" / "newsletter" / "index").exists()


def refresh(issues: str, cache: str, queue: multiprocessing.Queue[int]) -> None:
    """One process's refresh: how many URLs it was told were featured."""
    queue.put(len(history(Path(issues), Path(cache), 200).featured))


def test_two_processes_refreshing_at_once_both_get_the_right_answer(tmp_path: Path) -> None:
    issues = make_project(tmp_path / "project", 200)
    cache = tmp_path / "cache"
    expected = len(history(issues, cache, 200, indexed=False).featured)
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[int] = context.Queue()
    workers = [
        context.Process(target=refresh, args=(str(issues), str(cache), queue)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    answers = [queue.get(timeout=60), queue.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)
    assert answers == [expected, expected]
    assert history(issues, cache, 200) == history(issues, cache, 200, indexed=False)


def test_a_locked_index_is_passed_over_and_kept(issues: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    history(issues, cache, 40)
    (issues / "issue-0003.yaml").write_text(issue_text(3).replace("/3/", "/three/"))
    other = sqlite3.connect(index_path(issues, cache), isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than we wait
        found = history(issues, cache, 40).featured
        assert found == history(issues, cache, 40, indexed=False).featured
        assert "https://news.example.org/three/0-0" in found
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert history(issues, cache, 40) == history(issues, cache, 40, indexed=False)
    rows = sqlite3.connect(index_path(issues, cache)).execute("SELECT count(*) FROM files")
    assert rows.fetchone() == (39,)  # all but the issue at hand, never read
