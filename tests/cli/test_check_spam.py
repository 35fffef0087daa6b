"""`newsletter check --spam`: SpamAssassin's score and rules in the report, or a note when
it is not installed."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from newsletter.checks.spam import NOT_INSTALLED
from tests.cli.test_checks import SCHEMA
from tests.conftest import SETTINGS, RunCli

# What `spamassassin -t` writes, cut down: the message's headers, then the table of rules.
REPORT = """\
X-Spam-Status: Yes, score=6.2 required=5.0 tests=MISSING_DATE,
\tSUBJ_ALL_CAPS autolearn=no version=4.0.1
From: weekly@example.org

Content analysis details:   (6.2 points, 5.0 required)

 pts rule name              description
---- ---------------------- --------------------------------------------------
-0.0 NO_RELAYS              Informational: message was not relayed via SMTP
 2.7 MISSING_DATE           Missing Date: header
 3.5 SUBJ_ALL_CAPS          Subject is all capitals, and goes on past the end
                            of the line
"""


def _fake(folder: Path, script: str) -> str:
    """A `spamassassin` that runs `script` (sh), in a folder of its own: the PATH."""
    folder.mkdir()
    binary = folder / "spamassassin"
    binary.write_text(f"#!/bin/sh\ncat >/dev/null\n{script}\n", encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    return str(folder)


def test_without_spamassassin_one_line_says_so_and_the_exit_status_is_the_checks(
    project: Path, run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    result = run("check", "--spam")
    assert result.exit_code == 0, result.output
    assert NOT_INSTALLED == (
        "spamassassin is not installed: no spam score (apt-get install spamassassin)"
    )
    plain = run("check")
    assert result.stdout.splitlines() == [
        *plain.stdout.splitlines()[:-1],
        f"Spam: {NOT_INSTALLED}",
        plain.stdout.splitlines()[-1],
    ]
    report = json.loads(run("check", "--spam", "--format", "json").stdout)
    assert report["ok"] is True
    assert report["spam"] == {"score": None, "threshold": 5.0, "rules": [], "note": NOT_INSTALLED}

    (project / "newsletter.yaml").write_text(
        SETTINGS.replace("postal_address: 1 Example Street, Amsterdam\n", "postal_address: x\n")
    )
    assert run("check").exit_code == run("check", "--spam").exit_code


def test_a_score_of_5_is_an_error_and_each_rule_with_points_a_warning(
    project: Path, run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    monkeypatch.setenv("PATH", _fake(tmp_path / "bin", f"cat {tmp_path / 'report.txt'}"))
    result = run("check", "--spam")
    assert result.exit_code == 1
    where = "issues/2026-11-30.yaml: {}: email.eml: {} [spam/{}]"
    assert [line for line in result.stdout.splitlines() if "[spam/" in line] == [
        where.format("error", "SpamAssassin scores the message 6.2: 5 or more is spam", "score"),
        where.format("warning", "MISSING_DATE +2.7: Missing Date: header", "rule"),
        where.format(
            "warning",
            "SUBJ_ALL_CAPS +3.5: Subject is all capitals, and goes on past the end of the line",
            "rule",
        ),
    ]
    assert result.stdout.splitlines()[-3:-1] == [
        "Spam: SpamAssassin scores the message 6.2 (5 or more is spam; local tests only)",
        "  rules: NO_RELAYS +0.0, MISSING_DATE +2.7, SUBJ_ALL_CAPS +3.5",
    ]
    without = run("check").stdout.splitlines()[-1]  # the test issue's own warnings
    assert (without, result.stdout.splitlines()[-1]) == (
        "0 errors, 2 warnings.",
        "1 error, 4 warnings.",
    )
    report = json.loads(run("check", "--spam", "--format", "json").stdout)
    assert report["spam"]["score"] == 6.2
    assert report["spam"]["rules"][1] == {
        "name": "MISSING_DATE",
        "points": 2.7,
        "description": "Missing Date: header",
    }
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(report)) == []

    (project / "newsletter.yaml").write_text(
        SETTINGS + "checks:\n  ignore: [spam/rule, spam/score]\n", encoding="utf-8"
    )
    quiet = run("check", "--spam")
    assert quiet.exit_code == 0
    assert "[spam/" not in quiet.stdout


def test_a_failing_spamassassin_is_one_line(
    project: Path, run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _fake(tmp_path / "bin", "echo 'config: bad rule' >&2; exit 2"))
    result = run("check", "--spam")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Error: spamassassin failed: config: bad rule"
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_the_real_spamassassin_finds_nothing_in_the_test_issue(project: Path, run: RunCli) -> None:
    if shutil.which("spamassassin") is None:
        pytest.skip("spamassassin is not installed (apt-get install spamassassin)")
    report = json.loads(run("check", "--spam", "--format", "json").stdout)
    assert report["spam"]["note"] is None
    assert report["spam"]["score"] <= 0.3, report["spam"]["rules"]
    assert "HTML_MESSAGE" in [r["name"] for r in report["spam"]["rules"]]
