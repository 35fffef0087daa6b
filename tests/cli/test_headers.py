"""The headers of the .eml export and of test sends: To, List-Id (RFC 2919), one-click
unsubscribe (RFC 8058)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest

from newsletter.build.render import Rendition
from newsletter.export.message import compose, list_id
from newsletter.model.settings import Settings
from tests.conftest import SETTINGS, RunCli

NOW = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
RENDITION = Rendition("A small issue", "", "<mjml></mjml>", "<p>Hi</p>", "Hi\n")


def _exported(project: Path, run: RunCli) -> email.message.EmailMessage:
    result = run("export", "--to", "eml")
    assert result.exit_code == 0, result.output
    data = (project / "dist/2026-11-30/eml/email.eml").read_bytes()
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_the_eml_is_addressed_to_the_sender_and_names_its_list(project: Path, run: RunCli) -> None:
    message = _exported(project, run)
    # A placeholder recipient that the mail client or service replaces; without any To:
    # spam filters score the message (SpamAssassin's MISSING_HEADERS).
    assert message["To"] == "weekly@example.org"
    assert message["List-Id"] == "Test Weekly <weekly.example.org>"


def test_one_click_is_refused_to_an_http_unsubscribe_url(project: Path, run: RunCli) -> None:
    (project / "newsletter.yaml").write_text(
        SETTINGS.replace(
            "  unsubscribe: https://example.org/weekly/unsubscribe\n",
            "  unsubscribe: http://example.org/weekly/unsubscribe\n  one_click: true\n",
        ),
        encoding="utf-8",
    )
    message = _exported(project, run)
    assert message["List-Unsubscribe"] == "<http://example.org/weekly/unsubscribe>"
    assert "List-Unsubscribe-Post" not in message  # RFC 8058: one-click over HTTPS only


def _settings(name: str, address: str) -> Settings:
    return Settings.model_validate(
        {
            "name": name,
            "sender": {"name": "Sender", "email": address},
            "postal_address": "1 Example Street, Amsterdam",
        }
    )


@pytest.mark.parametrize(
    ("name", "address", "header"),
    [
        ("The Caucasus Weekly", "weekly@example.org", "The Caucasus Weekly <weekly.example.org>"),
        (
            "News, weekly",
            "News.Desk+list@Mail.Example.ORG",
            '"News, weekly" <news-desk-list.mail.example.org>',
        ),
        ('Say "hi"', "_@example.org", '"Say \\"hi\\"" <newsletter.example.org>'),
    ],
)
def test_list_id_is_a_phrase_and_a_dotted_identifier(name: str, address: str, header: str) -> None:
    assert list_id(_settings(name, address)) == header


def test_a_list_id_in_another_script_travels_as_encoded_words() -> None:
    settings = _settings("Кавказский еженедельник", "weekly@example.org")
    data = compose(RENDITION, settings, now=NOW, to=["a@example.org"]).as_bytes()
    assert data.isascii()
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["List-Id"] == "Кавказский еженедельник <weekly.example.org>"


def test_one_click_to_an_https_url_whatever_the_case_of_its_scheme() -> None:
    settings = Settings.model_validate(
        {
            "name": "Test Weekly",
            "sender": {"name": "Test Weekly", "email": "weekly@example.org"},
            "postal_address": "1 Example Street, Amsterdam",
            "links": {"unsubscribe": "HTTPS://example.org/weekly/unsubscribe", "one_click": True},
        }
    )
    message = compose(RENDITION, settings, now=NOW)
    assert message["List-Unsubscribe"] == "<HTTPS://example.org/weekly/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
