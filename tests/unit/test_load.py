"""Files too big, too clever or unreadable fail fast and clearly, never with a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsletter.build.load import load_issue
from newsletter.build.yamlfile import parse_yaml
from newsletter.model.problems import Problem, ProblemsError
from tests.conftest import ISSUE, located


def _problems(path: Path) -> list[str]:
    with pytest.raises(ProblemsError) as raised:
        load_issue(path, path.name)
    return [located(p) for p in raised.value.problems]


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(ISSUE + "# " + "x" * 2_000_000 + "\n")
    assert _problems(path) == ["huge.yaml: the file is larger than 1 MB; is it the right file?"]


def test_a_directory_is_not_an_issue(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    assert _problems(tmp_path / "dir.yaml") == ["dir.yaml: not a regular file but a folder"]


def test_windows_line_endings_and_a_byte_order_mark_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + ISSUE.replace("\n", "\r\n").encode())
    assert load_issue(path).subject == "A small issue"


BOMB = "".join(
    [
        "a: &a ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']\n",
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
            for i in range(12)
        ),
    ]
)


def test_a_yaml_bomb_fails_fast_within_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    # 10**13 values if expanded. Run with 1 GB of address space at most, and a time-out
    # that only a hang would reach.
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from pathlib import Path\n"
        "from newsletter.build.load import load_issue\n"
        "from newsletter.model.problems import ProblemsError\n"
        "try:\n"
        "    load_issue(Path(sys.argv[1]), 'bomb.yaml')\n"
        "except ProblemsError as e:\n"
        "    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "bomb.yaml:1:1: error: the file expands to more than 100,000 values through YAML aliases"
        " (*name) [yaml/syntax]\n"
    )


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        ISSUE.replace("source: example.org", "source: &src example.org")
        + "      - title: Third\n        url: https://example.org/3\n        source: *src\n"
    )
    assert load_issue(path).sections[1].articles[1].source == "example.org"


@pytest.mark.parametrize(
    "path",
    [
        Path(__file__).parents[2] / "issues" / "2026-11-30.yaml",
        Path(__file__).parents[1] / "cases" / "edit" / "odd.yaml",
        *sorted((Path(__file__).parents[1] / "golden" / "issues").glob("*.yaml")),
    ],
    ids=lambda p: p.name,
)
def test_the_fast_parser_agrees_with_the_round_trip_one(path: Path) -> None:
    raw = path.read_bytes()
    fast, slow = parse_yaml(raw, path.name), parse_yaml(raw, path.name, roundtrip=True)
    assert fast.marks and slow.marks is None  # the two parsers really ran
    assert fast.data == slow.data
    for loc in fast.marks:
        for key in (False, True):
            assert fast.position(loc, key=key) == slow.position(loc, key=key), (loc, key)


def test_a_problem_with_a_code_the_registry_lacks_is_a_bug_not_a_message() -> None:
    with pytest.raises(ValueError, match="no problem has the code 'issue/invlaid'"):
        Problem("issue/invlaid", "x.yaml")
