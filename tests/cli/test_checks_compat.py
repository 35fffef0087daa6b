"""The mail-client check through `newsletter check`, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli

pytestmark = pytest.mark.compat

COMPAT_CODES = frozenset({"compat/unsupported", "compat/partial"})
"""The codes tested here, not by the cases of test_checks: they depend on the whole theme."""

FLEX = '<mj-raw><div style="display:flex">Side by side</div></mj-raw>'


def _findings(run: RunCli) -> list[dict[str, Any]]:
    result = run("check", "--format", "json")
    report = json.loads(result.stdout)
    return [f for f in report["findings"] if f["code"] in COMPAT_CODES]


def _flex_theme(project: Path) -> None:
    template = project / "templates" / "issue.mjml.j2"
    text = template.read_text(encoding="utf-8")
    body = text.index(">", text.index("<mj-body")) + 1
    template.write_text(text[:body] + FLEX + text[body:], encoding="utf-8")


def _clients(project: Path, clients: str) -> None:
    settings = project / "newsletter.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + f"checks:\n  clients: {clients}\n", encoding="utf-8")


def test_flex_is_unsupported_by_outlook_for_windows(project: Path, run: RunCli) -> None:
    _flex_theme(project)
    flex = [f for f in _findings(run) if "(display:flex)" in f["message"]]
    assert len(flex) == 1
    assert flex[0]["code"] == "compat/unsupported"
    assert flex[0]["severity"] == "warning"
    assert flex[0]["where"] == "email.html" and flex[0]["line"] in (0, None)
    assert "not supported by Outlook Windows (2019)" in flex[0]["message"]


def test_a_client_left_out_of_the_settings_gives_no_finding(project: Path, run: RunCli) -> None:
    _flex_theme(project)
    _clients(project, "[apple-mail/macos]")
    assert [f for f in _findings(run) if "Outlook" in f["message"]] == []
    _clients_none = project / "newsletter.yaml"
    _clients_none.write_text(
        _clients_none.read_text(encoding="utf-8").replace("[apple-mail/macos]", "[]"), "utf-8"
    )
    assert _findings(run) == []


def test_an_unknown_client_is_a_settings_error_at_its_line(project: Path, run: RunCli) -> None:
    settings = project / "newsletter.yaml"
    lines = len(settings.read_text(encoding="utf-8").splitlines())
    _clients(project, "[outlok/windows]")
    result = run("check")
    assert result.exit_code != 0
    assert result.stderr.splitlines()[:1] == [
        f"newsletter.yaml:{lines + 2}:13: error: checks.clients[0]: caniemail.com has no mail"
        " client 'outlok/windows' (did you mean 'outlook/windows'?) [settings/invalid]"
    ]
