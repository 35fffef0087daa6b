"""The example issue's .eml through SpamAssassin (Debian's, local rules only): well below 5."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).parents[2]
LIMIT = 2.0


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this repository's newsletter: its settings, theme and example issue."""
    for name in ("newsletter.yaml", "templates", "issues"):
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def spamassassin(message: bytes, home: Path) -> str:
    """`spamassassin -L -t` on `message`: network tests off, the machine's own settings left
    out (an empty home, user preferences and site configuration; the stock plugin list kept)."""
    binary = shutil.which("spamassassin")
    if binary is None:
        pytest.skip("spamassassin is not installed (apt-get install spamassassin)")
    site = home / "site"
    site.mkdir(parents=True)
    # The .pre files only load SpamAssassin's plugins; local.cf & co. are the machine's own.
    for pre in Path("/etc/spamassassin").glob("*.pre"):
        shutil.copy(pre, site / pre.name)
    prefs = home / "user_prefs"
    prefs.write_text("")
    result = subprocess.run(
        [binary, "-L", "-t", "-p", str(prefs), f"--siteconfigpath={site}"],
        input=message,
        capture_output=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode(errors="replace")


def test_the_example_issue_is_not_spam(
    example: Path, run: RunCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (example / "issues" / "2026-11-30.yaml").is_file()
    result = run("export", "2026-11-30", "--to", "eml")
    assert result.exit_code == 0, result.output
    eml = (example / "dist" / "2026-11-30" / "eml" / "email.eml").read_bytes()

    report = spamassassin(eml, tmp_path / "sa")
    status = re.search(r"^X-Spam-Status: (.*(?:\n[ \t].*)*)", report, re.M)
    assert status, report
    found = re.search(r"score=(-?\d+(?:\.\d+)?)", status.group(1))
    assert found, status.group(1)
    score = float(found.group(1))
    start = report.find("Content analysis details")
    table = report[start:].rstrip() if start >= 0 else ""
    with capsys.disabled():  # the rules that fired, in the log of every run, passed or not
        print(f"\nSpamAssassin: {' '.join(status.group(1).split())}\n{table}")
    assert score < LIMIT, f"SpamAssassin scores the example issue {score}:\n{table}"
