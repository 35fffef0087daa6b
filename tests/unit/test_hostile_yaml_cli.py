"""Hostile YAML through the real command line, in another process: exit 1, one located line
each, no traceback, and every file as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ISSUE, SETTINGS

pytestmark = pytest.mark.slow

ISSUE_FILE = "issues/2026-11-30.yaml"
DEEP = "[" * 30_000 + "]" * 30_000
SAVED_PAGE = Path(__file__).parents[1] / "pages" / "open_graph.html"


def _newsletter(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsletter", *args],
        capture_output=True,
        text=True,
        timeout=120,  # only a hang reaches it
        check=False,
        cwd=project,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _files(project: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(project)): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _fails_with(project: Path, args: tuple[str, ...], problem: str, outcome: str) -> None:
    before = _files(project)
    result = _newsletter(project, *args)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr) == (1, f"{problem}\n1 problem found{outcome}\n")
    assert _files(project) == before


COMMANDS = {
    "build": (("build",), "; nothing was written."),
    "check": (("check",), "."),
    "add": (
        ("add", "--file", str(SAVED_PAGE), "--url", "https://example.org/a", "-s", "News"),
        "; nothing was written.",
    ),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_an_issue_nested_30_000_deep(project: Path, command: str) -> None:
    (project / ISSUE_FILE).write_text(ISSUE.replace("intro: Hello *readers*.", f"intro: {DEEP}"))
    args, outcome = COMMANDS[command]
    problem = (
        f"{ISSUE_FILE}:5:71: error: the YAML nests more than 64 levels deep here [yaml/syntax]"
    )
    _fails_with(project, args, problem, outcome)


def test_settings_nested_30_000_deep(project: Path) -> None:
    (project / "newsletter.yaml").write_text(SETTINGS + f"brand: {DEEP}\n")
    problem = (
        "newsletter.yaml:11:71: error: the YAML nests more than 64 levels deep here [yaml/syntax]"
    )
    _fails_with(project, ("build",), problem, "; nothing was written.")


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "number: 7",
            "number: -0x" + "f" * 4_000,
            "1:9: error: number: expected a whole number, got"
            " '-0xffffffffffffffffffffffffffffffffff...' [issue/invalid]",
        ),
        (
            "intro: Hello *readers*.",
            "intro: &a\n  <<: *a",
            "6:7: error: the alias *a is inside the value it names, which would never end"
            " [yaml/syntax]",
        ),
        (
            "intro: Hello *readers*.",
            "[[]]: 1",
            "5:1: error: a list or a mapping cannot be a key; a key is a word such as title"
            " [yaml/syntax]",
        ),
        (
            "subject: A small issue",
            'subject: !<tag:yaml.org,2002:float> ""',
            "3:10: error: YAML tag '!<tag:yaml.org,2002:float>' is not allowed: write plain"
            " values [yaml/syntax]",
        ),
    ],
    ids=["huge-hex-number", "merge-into-itself", "list-as-key", "verbatim-tag"],
)
def test_shapes_that_gave_tracebacks(project: Path, old: str, new: str, problem: str) -> None:
    (project / ISSUE_FILE).write_text(ISSUE.replace(old, new))
    _fails_with(project, ("build",), f"{ISSUE_FILE}:{problem}", "; nothing was written.")


def test_a_named_pipe_as_the_newest_issue(project: Path) -> None:
    os.mkfifo(project / "issues" / "2026-12-07.yaml")
    problem = "issues/2026-12-07.yaml: error: not a regular file but a named pipe [file/unreadable]"
    _fails_with(project, ("build",), problem, "; nothing was written.")


def test_a_named_pipe_among_earlier_issues_is_passed_over(project: Path) -> None:
    os.mkfifo(project / "issues" / "2026-11-23.yaml")
    result = _newsletter(project, "build")
    assert (result.returncode, result.stderr) == (0, "")


def test_a_reused_anchor_prints_nothing_but_the_build(project: Path) -> None:
    issue = ISSUE.replace("source: example.org", "source: &s example.org")
    (project / ISSUE_FILE).write_text(issue.replace("summary: More.", "summary: &s More."))
    result = _newsletter(project, "build")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-2].startswith("Built issues/2026-11-30.yaml in ")
