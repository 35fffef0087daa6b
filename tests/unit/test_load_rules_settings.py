"""Loading `newsletter.yaml`: every problem reported, each at its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.build.load import load_settings
from newsletter.model.problems import ProblemsError

SETTINGS = """\
name: Test Weekly
sender:
  name: Test Weekly
  email: weekly@example.org
postal_address: 1 Example Street, Amsterdam
"""
"""Five lines of settings: tests add theirs from line 6."""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsletter.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ProblemsError) as raised:
        load_settings(path, "newsletter.yaml")
    return [str(p) for p in raised.value.problems]


@pytest.mark.parametrize(
    ("text", "got"),
    [
        ("- name: Test Weekly\n- theme: dark\n", "a list"),
        ("Test Weekly\n", "'Test Weekly'"),
        ("42\n", "a number (42)"),
    ],
)
def test_settings_that_are_not_a_mapping_are_one_problem(
    tmp_path: Path, text: str, got: str
) -> None:
    assert _problems(_write(tmp_path, text)) == [
        f"newsletter.yaml:1:1: error: expected a mapping of keys to values, got {got} "
        "[settings/invalid]"
    ]


def test_a_theme_folder_next_to_the_settings_is_found_wherever_the_work_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "themes" / "dark").mkdir(parents=True)
    path = _write(project, SETTINGS + "theme: ' themes/dark '\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(path).theme == "themes/dark"


def test_a_missing_theme_folder_is_reported_with_the_other_problems_in_line_order(
    tmp_path: Path,
) -> None:
    text = SETTINGS.replace("name: Test Weekly\n", "", 1) + "theme: dark\nbrand:\n  colr: red\n"
    assert _problems(_write(tmp_path, text)) == [
        "newsletter.yaml:1:1: error: missing required key 'name' [settings/invalid]",
        "newsletter.yaml:5:8: error: theme: no such folder 'dark' next to newsletter.yaml "
        "[settings/invalid]",
        "newsletter.yaml:7:3: error: brand: unknown key 'colr' (did you mean 'color'?) "
        "[settings/invalid]",
    ]


def test_a_missing_theme_folder_alone_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "dark").write_text("a file, not a folder\n", encoding="utf-8")
    assert _problems(_write(tmp_path, SETTINGS + "theme: dark\n")) == [
        "newsletter.yaml:6:8: error: theme: no such folder 'dark' next to newsletter.yaml "
        "[settings/invalid]"
    ]


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        (
            "archive:\n  feed_entries: twenty\n",
            "7:17: error: archive.feed_entries: expected a whole number, got 'twenty'",
        ),
        (
            "archive:\n  feed_entries: 12.5\n",
            "7:17: error: archive.feed_entries: expected a whole number, got a number (12.5)",
        ),
        (
            "archive:\n  feed_entries: 0\n",
            "7:17: error: archive.feed_entries: must be at least 1, got a number (0)",
        ),
        (
            "checks:\n  clip_bytes: 0\n",
            "7:15: error: checks.clip_bytes: must be more than 0, got a number (0)",
        ),
        (
            "checks:\n  subject_length: [10, 78, 100]\n",
            "7:19: error: checks.subject_length: "
            "Tuple should have at most 2 items after validation, not 3",
        ),
        (
            "checks:\n  subject_length: [78, 10]\n",
            "7:19: error: checks.subject_length: the shortest, 78, is longer than the longest, 10",
        ),
        (
            "checks:\n  ignore: [link/shortner]\n",
            "7:12: error: checks.ignore[0]: no check has the code 'link/shortner' "
            "(did you mean 'link/shortener'?)",
        ),
        (
            "links:\n  one_click: yes please\n",
            "7:14: error: links.one_click: expected true or false, got 'yes please'",
        ),
        (
            "direction: upwards\n",
            "6:12: error: direction: must be 'ltr' or 'rtl', not 'upwards'",
        ),
        (
            "brand: dark blue\n",
            "6:8: error: brand: expected a mapping of keys to values, got 'dark blue'",
        ),
        (
            "utm:\n  source: weekly\n  exclude: partner.example.net\n",
            "8:12: error: utm.exclude: expected a list, got 'partner.example.net'",
        ),
    ],
)
def test_a_wrong_setting_is_located_and_explained(
    tmp_path: Path, setting: str, problem: str
) -> None:
    assert _problems(_write(tmp_path, SETTINGS + setting)) == [
        f"newsletter.yaml:{problem} [settings/invalid]"
    ]


def test_a_misspelt_key_deep_in_the_settings_suggests_the_key_at_its_depth(
    tmp_path: Path,
) -> None:
    text = SETTINGS + "utm:\n  source: weekly\n  campain: spring\nchecks:\n  line_lenght: 72\n"
    assert _problems(_write(tmp_path, text)) == [
        "newsletter.yaml:8:3: error: utm: unknown key 'campain' (did you mean 'campaign'?) "
        "[settings/invalid]",
        "newsletter.yaml:10:3: error: checks: unknown key 'line_lenght' "
        "(did you mean 'line_length'?) [settings/invalid]",
    ]
