"""The example issue's .eml through SpamAssassin (local tests only): at most 0.3."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsletter.checks.spam import verdict
from newsletter.checks.spamassassin import run_spamassassin
from tests.conftest import RunCli

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).parents[2]
LIMIT = 0.3


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this repository's newsletter: its settings, theme, example issue and images."""
    for name in ("newsletter.yaml", "templates", "issues", "images"):
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_example_issue_is_not_spam(
    example: Path, run: RunCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = shutil.which("spamassassin")
    if binary is None:
        pytest.skip("spamassassin is not installed (apt-get install spamassassin)")
    assert (example / "issues" / "2026-11-30.yaml").is_file()
    result = run("export", "2026-11-30", "--to", "eml")
    assert result.exit_code == 0, result.output
    eml = (example / "dist" / "2026-11-30" / "eml" / "email.eml").read_bytes()
    assert b"\r\nTo: " in eml.split(b"\r\n\r\n", 1)[0]

    # The same run of SpamAssassin as `newsletter check --spam`'s.
    spam = verdict(run_spamassassin(eml, tmp_path / "sa", binary))
    assert spam.score is not None
    table = "\n".join(f"{r.points:5.1f} {r.name:22} {r.description}" for r in spam.rules)
    with capsys.disabled():  # the rules that fired, in the log of every run, passed or not
        print(f"\nSpamAssassin: score={spam.score}\n{table}")
    assert spam.score <= LIMIT, f"SpamAssassin scores the example issue {spam.score}:\n{table}"
