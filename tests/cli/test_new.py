"""`newsletter new`: the next issue file from the newest one."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli


def test_new_creates_the_next_issue_a_week_later(project: Path, run: RunCli) -> None:
    result = run("new")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Created issues/2026-12-07.yaml: issue 8; sections Lead story, News.\n"
        "Replace the TODO placeholders, then add articles with newsletter add.\n"
    )
    assert (project / "issues" / "2026-12-07.yaml").read_text() == (
        "number: 8\n"
        "date: 2026-12-07\n"
        "subject: 'TODO: the subject line'\n"
        "preheader: 'TODO: the preview text shown after the subject'\n"
        "intro: 'TODO: a few sentences from the editor.'\n"
        "sections:\n"
        "  - title: Lead story\n"
        "    layout: lead\n"
        "    articles: []\n"
        "  - title: News\n"
        "    layout: list\n"
        "    articles: []\n"
    )
    # A draft: it cannot be built until every section has an article.
    built = run("build")
    assert built.exit_code == 1
    assert (
        "issues/2026-12-07.yaml:9:15: error: sections[0].articles: must not be empty"
        in built.stderr
    )


def test_new_keeps_the_schema_modeline_and_takes_a_date(project: Path, run: RunCli) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    issue.write_text("# yaml-language-server: $schema=../issue.schema.json\n" + issue.read_text())
    result = run("new", "--date", "2026-12-24")
    assert result.exit_code == 0, result.output
    text = (project / "issues" / "2026-12-24.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../issue.schema.json\nnumber: 8\n")
    assert "date: 2026-12-24\n" in text


def test_new_never_overwrites_an_issue(project: Path, run: RunCli) -> None:
    existing = project / "issues" / "2026-11-30.yaml"
    before = existing.read_bytes()
    # The newest file says it is of 2026-11-23: a week later is the existing 2026-11-30.
    newest = before.decode().replace("number: 1", "number: 2").replace("2026-11-30", "2026-11-23")
    (project / "issues" / "2026-12-01.yaml").write_text(newest, encoding="utf-8")
    result = run("new")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: issues/2026-11-30.yaml exists already; new never overwrites an issue\n"
    )
    assert existing.read_bytes() == before


@pytest.mark.parametrize("date", ["2026-11-30", "2026-11-01"])
def test_a_new_issue_comes_after_the_newest(project: Path, run: RunCli, date: str) -> None:
    result = run("new", "--date", date)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: --date {date} is not after issue 7 of 2026-11-30:"
        " a new issue comes after the newest one\n",
    )
    assert sorted(p.name for p in (project / "issues").iterdir()) == ["2026-11-30.yaml"]


def test_new_reports_a_broken_newest_issue(project: Path, run: RunCli) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    issue.write_text(issue.read_text().replace("number: 7", "number: seven"))
    result = run("new")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "issues/2026-11-30.yaml:1:9: error: number: expected a whole number, got 'seven'"
        " [issue/invalid]\n"
    )
    assert sorted(p.name for p in (project / "issues").iterdir()) == ["2026-11-30.yaml"]


def test_new_bad_date_is_a_usage_error(project: Path, run: RunCli) -> None:
    result = run("new", "--date", "30/12/2026")
    assert result.exit_code == 2
    assert "'30/12/2026' does not match the format '%Y-%m-%d'" in result.stderr


def test_no_week_after_the_last_date_there_is(project: Path, run: RunCli) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    issue.write_text(issue.read_text().replace("date: 2026-11-30", "date: 9999-12-31"))
    result = run("new")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: issue 7 is dated 9999-12-31: no week comes after it\n",
    )


def _limited(size: int) -> None:
    """In the child: files may not grow past `size` bytes, as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then a write fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_full_disk_leaves_no_file_behind_and_names_the_file(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsletter", "new"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
        preexec_fn=lambda: _limited(100),
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == "Error: issues/2026-12-07.yaml: cannot write it: File too large\n"
    assert sorted(p.name for p in (project / "issues").iterdir()) == ["2026-11-30.yaml"]
    # Nothing blocks the next try, with room to write.
    again = subprocess.run(
        [sys.executable, "-m", "newsletter", "new"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert (
        (project / "issues" / "2026-12-07.yaml").read_text(encoding="utf-8").startswith("number: 8")
    )


def test_a_full_disk_during_a_build_names_the_file_and_leaves_no_part_of_it(
    project: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsletter", "build"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
        preexec_fn=lambda: _limited(1000),
        check=False,
    )
    assert result.returncode == 1
    html = project / "dist" / "2026-11-30" / "email.html"
    assert result.stderr == f"Error: {html}: File too large\n"
    assert list((project / "dist" / "2026-11-30").iterdir()) == []
