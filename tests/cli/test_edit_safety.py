"""`add`, `remove` and `move` at once in several processes all land; a killed one never
leaves half a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsletter.build.load import validate_issue
from newsletter.build.yamlfile import parse_yaml

ISSUE = Path("issues") / "2026-11-30.yaml"
PAGE = Path(__file__).parents[1] / "pages" / "title_and_description.html"


def _issue(news: list[str], tail: str = "") -> str:
    articles = "".join(
        f"      - title: Story {name}\n        url: https://example.org/news/{name}\n"
        for name in news
    )
    return (
        "# Kept by hand.\nnumber: 7\ndate: 2026-11-30\nsubject: Busy\n"
        "sections:\n  - title: Lead story\n    layout: lead\n    articles: []\n"
        f"  - title: News\n    articles:\n{articles}"
        "  - title: Popular\n    articles: []   # filled last\n" + tail
    )


def _newsletter(project: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsletter", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_adds_removes_and_moves_at_once_all_land(project: Path) -> None:
    names = [f"{kind}{i}" for kind in ("r", "m") for i in range(3)] + ["keep"]
    (project / ISSUE).write_text(_issue(names))
    runs = [
        _newsletter(
            project,
            "add",
            "--file",
            str(PAGE),
            "--url",
            f"https://example.org/added/{i}",
            "--section",
            "Popular",
        )
        for i in range(3)
    ]
    runs += [_newsletter(project, "remove", f"https://example.org/news/r{i}") for i in range(3)]
    runs += [
        _newsletter(project, "move", f"https://example.org/news/m{i}", "--section", "Lead story")
        for i in range(3)
    ]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    text = (project / ISSUE).read_text()
    _, issue = validate_issue(parse_yaml(text.encode(), "issue.yaml"), draft=True)
    urls = [[str(article.url) for article in section.articles] for section in issue.sections]
    assert sorted(urls[0]) == [f"https://example.org/news/m{i}" for i in range(3)]
    assert urls[1] == ["https://example.org/news/keep"]
    assert sorted(urls[2]) == [f"https://example.org/added/{i}" for i in range(3)]
    assert text.startswith("# Kept by hand.\n") and "    articles:   # filled last\n" in text


@pytest.mark.slow
def test_a_move_killed_at_any_moment_leaves_the_old_or_the_new_file(project: Path) -> None:
    # A large file makes each write take a while; the kill comes at a moment of the run
    # (reading, parsing, validating), or as soon as the temporary file of the write is seen.
    tail = "# " + "x" * 900_000 + "\n"
    first, second = _issue(["a", "b"], tail), _issue(["b", "a"], tail)
    (project / ISSUE).write_text(first)
    issues = project / "issues"
    mid_write = 0
    for delay in (0.3, 0.5, 0.7, 0.9, None, None, None, None):
        position = "2" if (project / ISSUE).read_text() == first else "1"
        process = _newsletter(
            project, "move", "https://example.org/news/a", "-s", "News", "--position", position
        )
        start = time.monotonic()
        while delay is None and process.poll() is None and time.monotonic() - start < 30:
            if any(name.endswith(".tmp") for name in os.listdir(issues)):
                break
        else:
            time.sleep(delay or 0)
        process.kill()  # SIGKILL; nothing when the run has ended and poll() reaped it
        process.communicate()
        mid_write += any(issues.glob(".*.tmp"))
        assert (project / ISSUE).read_text() in (first, second)
    assert mid_write, "no kill landed in the middle of a write"
    # Then it works as ever, and tidies up what the killed writes left.
    position = "2" if (project / ISSUE).read_text() == first else "1"
    move = _newsletter(
        project, "move", "https://example.org/news/a", "-s", "News", "--position", position
    )
    assert move.wait(timeout=60) == 0
    assert (project / ISSUE).read_text() in (first, second)
    assert not any(issues.glob(".*.tmp"))


def test_remove_waits_for_the_lock_of_add_and_then_reads_the_file_afresh(project: Path) -> None:
    from filelock import FileLock

    from newsletter.curate.issuefile import _lock_path

    path = project / ISSUE
    path.write_text(_issue(["a", "b"]))
    with FileLock(_lock_path(path)):
        process = _newsletter(project, "remove", "https://example.org/news/a")
        time.sleep(1)
        assert process.poll() is None, "remove wrote the file while another writer held the lock"
        # Another writer's change, made while it holds the lock, must not be lost.
        path.write_text(path.read_text() + "# edited meanwhile\n")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert path.read_text() == _issue(["b"]) + "# edited meanwhile\n"


def _has_open(pid: int, file: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fds / fd) == str(file) for fd in os.listdir(fds))
    except OSError:  # a file closed while looked at
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the wait")
def test_ctrl_c_while_waiting_for_the_lock_is_one_line(project: Path) -> None:
    from filelock import FileLock

    from newsletter.curate.issuefile import _lock_path

    path = project / ISSUE
    before = path.read_text()
    lock = _lock_path(path)
    with FileLock(lock):
        process = _newsletter(project, "move", "https://example.org/news/lead", "-s", "News")
        deadline = time.monotonic() + 60
        while not _has_open(process.pid, lock):  # it tries the lock now and then: it waits
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "move never tried the lock"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err == b"Interrupted: the issue file is as it was, or has every change.\n"
    assert path.read_text() == before
