"""One pipeline: every command renders the issue once, reads each file once, and reads the
earlier issues only when a check asks what they featured."""

from __future__ import annotations

import inspect
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import newsletter
from tests.conftest import ISSUE, RunCli

RENDER = "newsletter.build.render.render_issue"
COMPILE = "newsletter.build.mjml.compile_mjml"
INLINE = "newsletter.build.mjml.inline_css"
READ = "newsletter.build.yamlfile._read_regular"
HISTORY = "newsletter.project.history.featured_before"
PACKAGE = str(Path(newsletter.__file__).parent)


@contextmanager
def calls() -> Iterator[tuple[Counter[str], list[str]]]:
    """Every call of a function of the package while the block runs, by `module.function`,
    and the package's modules in the order they are first entered."""
    counted: Counter[str] = Counter()
    entered: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        # Functions written in the package only: not the bodies of modules and classes that
        # an import runs, nor the methods dataclasses write.
        code = frame.f_code
        if event != "call" or not code.co_flags & inspect.CO_NEWLOCALS:
            return
        if not code.co_filename.startswith(PACKAGE):
            return
        module = frame.f_globals.get("__name__", "")
        if module.startswith("newsletter."):
            counted[f"{module}.{frame.f_code.co_name}"] += 1
            if module not in entered:
                entered.append(module)

    sys.setprofile(profile)
    try:
        yield counted, entered
    finally:
        sys.setprofile(None)


def _earlier_issues(project: Path, count: int) -> None:
    for n in range(1, count + 1):
        text = ISSUE.replace("number: 7", f"number: {n}").replace("2026-11-30", f"2026-10-{n:02}")
        (project / "issues" / f"2026-10-{n:02}.yaml").write_text(text, encoding="utf-8")


def test_build_renders_once_and_reads_each_file_once(project: Path, run: RunCli) -> None:
    _earlier_issues(project, 3)
    with calls() as (counted, entered):
        assert run("build").exit_code == 0
    assert (counted[RENDER], counted[COMPILE], counted[INLINE]) == (1, 1, 1)
    # The settings and the issue, and the three earlier issues for the featured-before check.
    assert (counted[READ], counted[HISTORY]) == (5, 1)
    # The walk of a build: the command, the project, loading, rendering, writing, checking.
    stages = [
        "newsletter.cli.build",
        "newsletter.project.folder",
        "newsletter.build.load",
        "newsletter.build.render",
        "newsletter.build.mjml",
        "newsletter.project.files",
        "newsletter.checks.offline",
    ]
    assert [m for m in entered if m in stages] == stages


@pytest.mark.parametrize(
    "command",
    [["export", "--to", "html"], ["export", "--to", "mailchimp"], ["export", "--to", "eml"]],
    ids=lambda c: c[-1],
)
def test_export_renders_once_for_its_service(
    project: Path, run: RunCli, command: list[str]
) -> None:
    with calls() as (counted, _):
        assert run(*command).exit_code == 0
    assert (counted[RENDER], counted[COMPILE]) == (1, 1)
    assert counted[READ] == 2


def test_a_test_send_reads_no_earlier_issue(project: Path, run: RunCli) -> None:
    """send-test runs no checks: the history is never read."""
    _earlier_issues(project, 3)
    with calls() as (counted, _):
        result = run("send-test", "--to", "me@example.org", "--smtp", "127.0.0.1:1")
    assert result.exit_code == 1  # nothing listens there; the email was built first
    assert "cannot connect to 127.0.0.1:1" in result.stderr
    assert (counted[RENDER], counted[READ], counted[HISTORY]) == (1, 2, 0)


def test_check_renders_the_issue_once_and_each_measured_part_once(
    project: Path, run: RunCli
) -> None:
    with calls() as (counted, _):
        assert run("check").exit_code == 0
    # The fixture's issue: each part is measured by a small render with it and one without.
    sections, articles = 2, 2
    assert counted[RENDER] == 1 + 2 * (sections + articles)
    assert counted[READ] == 2
