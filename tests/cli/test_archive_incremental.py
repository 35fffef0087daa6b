"""`newsletter archive` with years of issues: what did not change is neither loaded, parsed
nor rendered again, and what did change is always seen."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_archive import _issue, five_issues
from tests.conftest import RunCli
from tests.unit.test_history_index import count_parses

HOUR_AGO = time.time() - 3600
EVERYTHING = "jinja2, pydantic, newsletter.build.render"

# A process that runs `newsletter archive` and then says which heavy modules it loaded.
ARCHIVE_AND_MODULES = """
import sys
from newsletter.cli import main
sys.argv = ["newsletter", "archive", *sys.argv[1:]]
try:
    main()
except SystemExit as e:
    code = e.code
loaded = [m for m in ("jinja2", "pydantic", "newsletter.build.render") if m in sys.modules]
print("loaded:", ", ".join(loaded) or "nothing")
sys.exit(code)
"""


@pytest.fixture
def issues(project: Path) -> list[Path]:
    """Five issues a week apart, and every file of the project last changed an hour ago."""
    paths = five_issues(project)
    age(project)
    return paths


def age(folder: Path, when: float = HOUR_AGO) -> None:
    """Make every file in `folder` look as last changed at `when`."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


def archive(*args: str) -> tuple[int, str, str]:
    """`newsletter archive ARGS` as a process: its exit status, its summary line (timing
    left out) and the heavy modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", ARCHIVE_AND_MODULES, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    line = next(line for line in lines if line.startswith("Archive"))
    summary = re.sub(r", in \d+\.\d\d s\.", "", line)
    return done.returncode, summary, lines[-1]


def test_with_nothing_changed_the_project_is_not_even_loaded(
    project: Path, issues: list[Path]
) -> None:
    built = "Archive in site: 5 issues built, 0 unchanged, 0 problems"
    assert archive() == (0, built, f"loaded: {EVERYTHING}")
    unchanged = "Archive in site: 0 issues built, 5 unchanged, 0 problems"
    assert archive() == (0, unchanged, "loaded: nothing")
    assert archive() == (0, unchanged, "loaded: nothing")
    # Asked to publish later issues too, it looks again.
    assert archive("--future") == (
        0,
        unchanged,
        "loaded: jinja2, pydantic, newsletter.build.render",
    )


@pytest.mark.parametrize(
    "change, built",
    [
        ("edit an issue", 1),
        ("add an issue", 2),  # and the page before it, which now links to it
        ("delete a page", 1),
        ("edit the settings", 5),
        ("edit the theme", 5),
        ("touch the theme", 0),
        ("rename an issue", 2),  # and the page before it, which links to it
    ],
)
def test_whatever_changed_is_seen(
    project: Path, issues: list[Path], change: str, built: int
) -> None:
    assert archive()[0] == 0
    if change == "edit an issue":
        issues[2].write_text(issues[2].read_text().replace("What happened.", "What else."))
    elif change == "add an issue":
        (project / "issues" / "2026-11-05.yaml").write_text(_issue(15, 5).replace("10-05", "11-05"))
    elif change == "delete a page":
        (project / "site" / "2026-10-08" / "index.html").unlink()
    elif change == "edit the settings":
        settings = project / "newsletter.yaml"
        settings.write_text(settings.read_text().replace("Test Weekly", "Test Weekly Digest"))
    elif change == "edit the theme":
        layout = project / "templates" / "layouts" / "list.mjml.j2"
        layout.write_text(layout.read_text() + "\n")
    elif change == "touch the theme":
        (project / "templates" / "issue.txt.j2").touch()
    elif change == "rename an issue":
        issues[4].rename(issues[4].with_name("2026-10-29-b.yaml"))
    status, summary, loaded = archive()
    assert status == 0
    assert summary.startswith(f"Archive in site: {built} issue")
    assert loaded != "loaded: nothing"
    assert archive()[1].startswith("Archive in site: 0 issues built")


def test_an_edit_in_the_clock_tick_of_the_build_is_seen(project: Path, issues: list[Path]) -> None:
    # Changed a moment before the build, then again within the same tick of the clock that
    # dates files: size and time alone would say it is as it was.
    edited = issues[1]
    age(project, time.time() - 0.5)
    before = edited.stat()
    assert archive()[0] == 0
    edited.write_text(edited.read_text().replace("What happened.", "What HAPPENED."))
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert archive()[1] == "Archive in site: 1 issue built, 4 unchanged, 0 problems"
    assert "What HAPPENED." in (project / "site" / "2026-10-08" / "index.html").read_text()


def test_problems_are_reported_every_time(project: Path, issues: list[Path]) -> None:
    issues[1].write_text(issues[1].read_text().replace("number: 11", "number: eleven"))
    age(project)
    for built, unchanged in ((4, 0), (0, 4), (0, 4)):
        status, summary, loaded = archive()
        counts = f"{built} issues built, {unchanged} unchanged, 1 problem"
        assert (status, summary) == (1, f"Archive in site: {counts}")
        assert loaded != "loaded: nothing"


def test_a_damaged_cache_is_passed_over(project: Path, issues: list[Path]) -> None:
    assert archive()[0] == 0
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "newsletter"
    for kept in cache.glob("archive/*.json"):
        kept.write_text('{"inputs": 1, "theme": "not a list"}')
    for index in cache.glob("index/history-*.sqlite"):
        index.write_bytes(b"not a database" * 100)
    assert archive()[1] == "Archive in site: 0 issues built, 5 unchanged, 0 problems"
    assert archive()[2] == "loaded: nothing"


def test_only_the_changed_issue_is_read_again(
    project: Path, issues: list[Path], run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsletter.archive import kept, site

    assert run("archive", "--jobs", "1").exit_code == 0
    read: list[str] = []
    load_file = kept.load_file

    def counted(root: str, path: str) -> object:
        read.append(Path(path).name)
        return load_file(root, path)

    monkeypatch.setattr(site, "load_file", counted)
    issues[3].write_text(issues[3].read_text().replace("What happened.", "What else."))
    result = run("archive", "--jobs", "1")
    assert result.stdout.startswith("Archive in site: 1 issue built, 4 unchanged")
    assert read == ["2026-10-22.yaml"]


def test_the_archive_tells_the_build_what_earlier_issues_featured(
    project: Path, issues: list[Path], run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("archive", "--jobs", "1").exit_code == 0
    parsed = count_parses(monkeypatch)
    newest = project / "issues" / "2026-11-05.yaml"
    newest.write_text(_issue(15, 5).replace("10-05", "11-05").replace("lead-15", "lead-12"))
    result = run("check", "issues/2026-11-05.yaml")
    assert parsed == []  # the five earlier issues, all from the index
    assert "already featured in #12 (2026-10-15, Lead story)" in result.output


def test_an_archive_built_change_by_change_is_the_one_built_at_once(
    project: Path, issues: list[Path], tmp_path: Path
) -> None:
    assert archive()[0] == 0
    issues[4].write_text(issues[4].read_text().replace("What happened.", "What else."))
    issues[1].unlink()
    (project / "issues" / "2026-11-05.yaml").write_text(_issue(15, 5).replace("10-05", "11-05"))
    assert archive()[0] == 0
    # From scratch: another folder, and no cache at all.
    fresh = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    subprocess.run(
        [sys.executable, "-m", "newsletter", "archive", "-o", "fresh"],
        check=True,
        capture_output=True,
        env=fresh,
    )

    def files(folder: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }

    assert files(project / "site") == files(project / "fresh")
    assert b"What else." in (project / "site" / "feed.xml").read_bytes()


def test_a_themes_index_may_use_every_field_of_each_issue_and_nothing_inside(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    index = project / "templates" / "archive" / "index.html.j2"
    index.write_text(
        "{% for page in pages %}#{{ page.issue.number }} {{ page.issue.subject }}: "
        "{{ page.issue.sections | length }} sections, {{ page.issue.articles | length }}"
        " articles, first {{ page.issue.articles[0].title }}\n{% endfor %}"
    )
    assert run("archive").exit_code == 0
    lines = (project / "site" / "index.html").read_text().splitlines()
    assert lines[0] == "#14 Issue number 14 of the weekly: 2 sections, 2 articles, first The lead"
    assert len(lines) == 5
    index.write_text("{% for page in pages %}{{ page.issue._kept }}{% endfor %}")
    result = run("archive")
    assert result.exit_code == 1
    assert "templates/archive/index.html.j2:1: error: template error:" in result.stderr


def test_an_issue_the_index_no_longer_has_is_read_from_its_file(
    project: Path, issues: list[Path]
) -> None:
    from newsletter.archive.kept import ISSUE, Kept, Where
    from newsletter.project.rows import content_hash

    sha = content_hash(issues[0].read_bytes())
    gone = Where(str(project), str(issues[0]), sha, f"{ISSUE} of another version")
    kept = Kept(10, dt.date(2026, 10, 1), {}, None, gone)
    assert kept.issue.subject == "Issue number 10 of the weekly"


def test_the_index_keeps_every_issue_when_pages_read_theirs_back(
    project: Path, issues: list[Path], run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("archive", "--jobs", "1").exit_code == 0
    # A new issue: the page before it gains a link, so its issue is read back from the index.
    newest = project / "issues" / "2026-11-05.yaml"
    newest.write_text(_issue(15, 5).replace("10-05", "11-05"))
    result = run("archive", "--jobs", "1")
    assert result.stdout.startswith("Archive in site: 2 issues built, 4 unchanged")
    parsed = count_parses(monkeypatch)
    newest.write_text(_issue(16, 12).replace("10-12", "11-12"))
    assert run("check", "issues/2026-11-05.yaml").exit_code in (0, 1)
    assert parsed == []  # every earlier issue still in the index
