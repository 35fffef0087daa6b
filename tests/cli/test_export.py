"""`newsletter export`: each mail service's files through the whole pipeline, UTM, the .eml."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import json
import re
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest

import newsletter.export.message
from newsletter.build.render import Rendition
from newsletter.export.message import compose, safe_address
from newsletter.export.services import ALL_TAGS, SERVICES
from newsletter.model.problems import UserError
from newsletter.model.settings import Settings
from tests.conftest import SETTINGS, RunCli

UTM = """\
utm:
  source: weekly
  campaign: "issue-{number}"
  exclude: [partner.example.net]
"""

# Links of every kind UTM tagging must tell apart. example.org is the newsletter's own
# domain (its archive and unsubscribe page): its links are left alone.
UTM_ISSUE = """\
number: 7
date: 2026-11-30
subject: A small issue
preheader: Two stories and a link, for the tests.
intro: >-
  Hello *readers*: see [the report](https://news.example.com/report?lang=en#summary),
  [write to us](mailto:editor@example.org) or read [our own page](https://example.org/news/own).
sections:
  - title: Lead story
    layout: lead
    articles:
      - title: The lead
        url: https://news.example.com/lead?id=1&ref=home
        source: news.example.com
        summary: What happened, says [a blog](https://blog.example.com/post).
        image: https://news.example.com/img/lead.jpg
        image_alt: A lead picture
  - title: News
    articles:
      - title: Tagged by its feed already
        url: https://other.example.com/story?utm_source=feed#part-2
        summary: More.
      - title: "A partner's page"
        url: https://partner.example.net/a
      - title: An apostrophe
        url: https://other.example.com/it's-here
"""

TAGS = "utm_source=weekly&utm_medium=email&utm_campaign=issue-7"
TAGGED = {
    f"https://news.example.com/report?lang=en&{TAGS}#summary",
    f"https://news.example.com/lead?id=1&ref=home&{TAGS}",
    f"https://blog.example.com/post?{TAGS}",
    "https://other.example.com/story?utm_source=feed&utm_medium=email&utm_campaign=issue-7#part-2",
    f"https://other.example.com/it's-here?{TAGS}",
    # The newsletter's domain, but not one of its own pages: an article like any other.
    f"https://example.org/news/own?{TAGS}",
}
UNTAGGED = {
    "https://partner.example.net/a",
    "https://example.org/weekly/2026-11-30/",
    "https://example.org/weekly/unsubscribe",
}

# The tags each service's profile puts in the footer: unsubscribe, then web version.
SERVICE_TAGS = {
    "mailchimp": ("*|UNSUB|*", "*|ARCHIVE|*"),
    "listmonk": ("{{ UnsubscribeURL }}", "{{ MessageURL }}"),
    "buttondown": ("{{ unsubscribe_url }}", "{{ email.absolute_url }}"),
}
EVERY_TAG = ALL_TAGS | {"*|MC_PREVIEW_TEXT|*"}


def _settings(project: Path, extra: str) -> None:
    (project / "newsletter.yaml").write_text(SETTINGS + extra, encoding="utf-8")


def _issue(project: Path, text: str) -> None:
    (project / "issues" / "2026-11-30.yaml").write_text(text, encoding="utf-8")


def _size(n: int) -> str:
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n} B"


def _listing(folder: str, root: Path, names: list[str]) -> str:
    """The lines export prints for the files `names` in `folder` (relative to `root`)."""
    return "".join(f"{folder}/{n}  {_size((root / folder / n).stat().st_size)}\n" for n in names)


def hrefs(page: str) -> list[str]:
    """Every link of an HTML page, as the attribute's value decodes."""
    return [html.unescape(h) for h in re.findall(r'<a\b[^>]*?\shref="([^"]*)"', page)]


def text_urls(text: str) -> list[str]:
    """Every http(s) URL of a text part, without the punctuation or the closing bracket of
    the sentence around it (`text (URL).`)."""
    found = []
    for url in re.findall(r"https?://[^\s<>\"]+", text):
        while url[-1] in ".,;:!?" or (url[-1] == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        found.append(url)
    return found


def _mangled(tag: str) -> set[str]:
    """The forms a merge tag takes when something %-encodes or HTML-escapes it."""
    return {
        quote(tag),
        quote(tag, safe=""),
        tag.replace(" ", "%20"),
        tag.replace(" ", "+"),
        html.escape(tag),
    } - {tag}


def parts(data: bytes) -> tuple[EmailMessage, str, str]:
    """A message in wire format, parsed back: the message, its text and its HTML, decoded
    with the line ends the files have."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.iter_parts()
    assert isinstance(text_part, EmailMessage) and isinstance(html_part, EmailMessage)
    assert text_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    assert text_part.get_content_charset() == html_part.get_content_charset() == "utf-8"
    text, page = (p.get_content().replace("\r\n", "\n") for p in (text_part, html_part))
    return message, text, page


def as_mime_body(exported: str) -> str:
    """`exported` as a MIME body holds it: MIME ends a text body with a line break."""
    return exported if exported.endswith("\n") else exported + "\n"


# -- the mail services -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mailchimp", "listmonk", "buttondown"])
def test_each_service_gets_its_tags_byte_exact_and_no_other(
    project: Path, run: RunCli, name: str
) -> None:
    _settings(project, UTM)  # with UTM on: it must leave the merge tags alone
    result = run("export", "--to", name)
    assert result.exit_code == 0, result.output
    folder = f"dist/2026-11-30/{name}"
    files = list(SERVICES[name].files)
    assert sorted(p.name for p in (project / folder).iterdir()) == sorted(files)
    assert result.stdout == (
        _listing(folder, project, files) + f"Exported issues/2026-11-30.yaml for {name}.\n"
    )
    assert result.stderr == ""

    unsubscribe, web_version = SERVICE_TAGS[name]
    page = (project / folder / "email.html").read_text(encoding="utf-8")
    raw = re.findall(r'<a\b[^>]*?\shref="([^"]*)"', page)  # as written, not unescaped
    assert unsubscribe in raw and web_version in raw
    if "email.txt" in files:
        text = (project / folder / "email.txt").read_text(encoding="utf-8")
        assert f"Unsubscribe: {unsubscribe}\n" in text
        assert f"View in browser: {web_version}\n" in text
    tags = SERVICES[name].links
    assert tags is not None
    others = EVERY_TAG - {tags.unsubscribe, tags.web_version, tags.preferences}
    for file_name in files:
        data = (project / folder / file_name).read_text(encoding="utf-8")
        for tag in others:
            assert tag not in data, (file_name, tag)
        for tag in EVERY_TAG:
            for mangled in _mangled(tag):
                assert mangled not in data, (file_name, mangled)
        assert "%7b" not in data.lower() and "%7c" not in data.lower(), file_name
        # The settings' own footer links are replaced, not kept beside the tags.
        assert "https://example.org/weekly/unsubscribe" not in data, file_name


def test_html_has_the_settings_links_and_no_merge_tag(project: Path, run: RunCli) -> None:
    result = run("export", "--to", "html")
    assert result.exit_code == 0, result.output
    folder = "dist/2026-11-30/html"
    assert result.stdout == (
        _listing(folder, project, ["email.html", "email.txt"])
        + "Exported issues/2026-11-30.yaml for html.\n"
    )
    page = (project / folder / "email.html").read_text(encoding="utf-8")
    text = (project / folder / "email.txt").read_text(encoding="utf-8")
    assert "https://example.org/weekly/unsubscribe" in hrefs(page)
    assert "https://example.org/weekly/2026-11-30/" in hrefs(page)
    assert "Unsubscribe: https://example.org/weekly/unsubscribe\n" in text
    assert "View in browser: https://example.org/weekly/2026-11-30/\n" in text
    for data in (page, text):
        assert "*|" not in data and "{{" not in data and "%7B" not in data
        assert not any(tag in data for tag in EVERY_TAG)


def test_output_folder(project: Path, run: RunCli) -> None:
    result = run("export", "--to", "listmonk", "-o", "out/lm")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        _listing("out/lm", project, ["email.html", "email.txt", "campaign.json"])
        + "Exported issues/2026-11-30.yaml for listmonk.\n"
    )
    assert not (project / "dist").exists()
    # An issue named by its path, from elsewhere in the project.
    result = run("export", "issues/2026-11-30.yaml", "--to", "eml", "--output", "out/eml")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "out" / "eml").iterdir()) == ["email.eml"]


def _preheader(page: str) -> str:
    found = re.search(r'<div style="display:none;[^"]*">([^<]*)</div>', page)
    assert found, "no hidden preheader"
    return found.group(1)


def test_mailchimp_preview_text(project: Path, run: RunCli) -> None:
    assert run("export", "--to", "mailchimp").exit_code == 0
    page = (project / "dist/2026-11-30/mailchimp/email.html").read_text(encoding="utf-8")
    assert _preheader(page).startswith("Two stories and a link, for the tests.")
    assert "*|MC_PREVIEW_TEXT|*" not in page

    _settings(project, "export:\n  mailchimp_preview_text: true\n")
    assert run("export", "--to", "mailchimp").exit_code == 0
    page = (project / "dist/2026-11-30/mailchimp/email.html").read_text(encoding="utf-8")
    assert _preheader(page).startswith("*|MC_PREVIEW_TEXT|*")
    assert page.count("*|MC_PREVIEW_TEXT|*") == 1
    assert "Two stories and a link" not in page
    # Only Mailchimp knows the tag.
    assert run("export", "--to", "listmonk").exit_code == 0
    page = (project / "dist/2026-11-30/listmonk/email.html").read_text(encoding="utf-8")
    assert _preheader(page).startswith("Two stories and a link, for the tests.")


def test_listmonk_campaign(project: Path, run: RunCli) -> None:
    _settings(project, "export:\n  listmonk_lists: [3, 5]\n")
    assert run("export", "--to", "listmonk").exit_code == 0
    folder = project / "dist/2026-11-30/listmonk"
    body = json.loads((folder / "campaign.json").read_text(encoding="utf-8"))
    assert body["name"] == "Test Weekly #7 (2026-11-30)"
    assert body["subject"] == "A small issue"
    assert body["content_type"] == "html"
    assert body["lists"] == [3, 5]
    assert body["body"] == (folder / "email.html").read_text(encoding="utf-8")
    assert body["altbody"] == (folder / "email.txt").read_text(encoding="utf-8")
    assert "{{ UnsubscribeURL }}" in body["body"] and "{{ UnsubscribeURL }}" in body["altbody"]


NO_UNSUBSCRIBE_THEME = """\
{% extends "!theme/issue.mjml.j2" %}
{% block footer %}
<mj-section>
  <mj-column><mj-text><p>{{ settings.postal_address }}</p></mj-text></mj-column>
</mj-section>
{% endblock %}
"""


@pytest.mark.parametrize("name", ["mailchimp", "listmonk", "buttondown"])
def test_a_theme_without_unsubscribe_link_fails_and_writes_nothing(
    project: Path, run: RunCli, name: str
) -> None:
    (project / "templates" / "issue.mjml.j2").write_text(NO_UNSUBSCRIBE_THEME, encoding="utf-8")
    # --force: past the checks (compliance/unsubscribe), the service's own need still holds.
    result = run("export", "--to", name, "--force")
    assert result.exit_code == 1
    assert result.stdout == ""
    tag = SERVICE_TAGS[name][0]
    assert result.stderr == (
        f"Error: {name} needs {tag} in the email, and the theme's HTML has none: "
        "give the footer an unsubscribe link (links.unsubscribe)\n"
    )
    assert not (project / "dist").exists()
    # The files for any other service need no tag.
    assert run("export", "--to", "html", "--force").exit_code == 0


@pytest.mark.parametrize("name", ["mailchimp", "eml"])
def test_an_issue_the_checks_find_errors_in_is_exported_only_by_force(
    project: Path, run: RunCli, name: str
) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    issue.write_text(issue.read_text().replace("subject: A small issue", "subject: TODO"))
    result = run("export", "--to", name.upper())
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the checks find 1 error in issues/2026-11-30.yaml (newsletter check tells"
        " which); nothing was exported (--force exports it anyway)\n"
    )
    assert not (project / "dist").exists()
    assert run("export", "--to", name, "--force").exit_code == 0
    assert (project / "dist" / "2026-11-30" / name).is_dir()


def test_an_unknown_service_lists_those_there_are(project: Path, run: RunCli) -> None:
    result = run("export", "--to", "sendgrid")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--to': 'sendgrid' is not one of "
        "'mailchimp', 'listmonk', 'buttondown', 'html', 'eml'.\n"
    )
    assert set(SERVICES) == {"mailchimp", "listmonk", "buttondown", "html", "eml"}
    assert not (project / "dist").exists()


# -- UTM ---------------------------------------------------------------------------------


def test_utm_tags_the_same_links_in_html_and_text(project: Path, run: RunCli) -> None:
    _settings(project, UTM)
    _issue(project, UTM_ISSUE)
    assert run("export", "--to", "html").exit_code == 0
    folder = project / "dist/2026-11-30/html"
    page = (folder / "email.html").read_text(encoding="utf-8")
    text = (folder / "email.txt").read_text(encoding="utf-8")

    html_links = {u for u in hrefs(page) if u.startswith("http")}
    assert html_links == set(text_urls(text)) == TAGGED | UNTAGGED
    assert "mailto:editor@example.org" in hrefs(page)
    assert "write to us (mailto:editor@example.org)" in text
    # In the attribute, & is &amp;; in the text, it is &.
    lead = f"https://news.example.com/lead?id=1&ref=home&{TAGS}"
    assert f'href="{html.escape(lead)}"' in page
    assert f"\nThe lead (news.example.com)\n{lead}\n" in text
    assert "&amp;#" not in page  # an escaped character is not escaped twice
    # Untouched links keep their bytes; images are not links.
    assert 'href="https://partner.example.net/a"' in page
    assert "https://news.example.com/img/lead.jpg" in page
    assert "img/lead.jpg?utm" not in page


def test_utm_settings_with_an_unknown_placeholder(project: Path, run: RunCli) -> None:
    _settings(project, UTM.replace("issue-{number}", "issue-{numbr}"))
    result = run("export", "--to", "html")
    assert result.exit_code == 1
    assert result.stderr == (
        "newsletter.yaml:13:13: error: utm.campaign: no placeholder {numbr}; "
        "there are {number}, {date}, {slug} [settings/invalid]\n"
        "1 problem found; nothing was written.\n"
    )
    assert not (project / "dist").exists()


def test_utm_tags_the_same_links_however_their_scheme_is_written(
    project: Path, run: RunCli
) -> None:
    _settings(project, UTM)
    issue = (project / "issues" / "2026-11-30.yaml").read_text(encoding="utf-8")
    _issue(project, issue.replace("https://example.org/news/second", "HTTPS://Example.COM/Up"))
    assert run("export", "--to", "html").exit_code == 0
    folder = project / "dist/2026-11-30/html"
    page = (folder / "email.html").read_text(encoding="utf-8")
    text = (folder / "email.txt").read_text(encoding="utf-8")
    tagged = f"https://Example.COM/Up?{TAGS}"
    assert tagged in hrefs(page)
    assert f"\nSecond story\n{tagged}\n" in text
    assert "Example.COM/Up\n" not in text


def test_utm_leaves_a_url_in_running_text_alone(project: Path, run: RunCli) -> None:
    # Markdown does not linkify: a bare URL is text in the HTML, so it is text in both parts.
    _settings(project, UTM)
    issue = (project / "issues" / "2026-11-30.yaml").read_text(encoding="utf-8")
    _issue(project, issue.replace("Hello *readers*.", "Read https://bare.example.com/x."))
    assert run("export", "--to", "html").exit_code == 0
    folder = project / "dist/2026-11-30/html"
    page = (folder / "email.html").read_text(encoding="utf-8")
    text = (folder / "email.txt").read_text(encoding="utf-8")
    assert "Read https://bare.example.com/x.</p>" in page
    assert "\nRead https://bare.example.com/x.\n" in text
    assert "bare.example.com/x?" not in page + text
    # The links, and only they, have the parameters in both parts.
    tagged = {u for u in hrefs(page) if "utm_" in u}
    assert tagged == {f"https://example.org/news/{name}?{TAGS}" for name in ("lead", "second")}
    assert {u for u in text_urls(text) if "utm_" in u} == tagged


def test_utm_placeholders_and_no_utm(project: Path, run: RunCli) -> None:
    _settings(project, UTM.replace("issue-{number}", "{slug}-{date}"))
    _issue(project, UTM_ISSUE)
    assert run("export", "--to", "html").exit_code == 0
    page = (project / "dist/2026-11-30/html/email.html").read_text(encoding="utf-8")
    assert "https://blog.example.com/post?utm_source=weekly&amp;utm_medium=email&amp;" in page
    assert "utm_campaign=2026-11-30-2026-11-30" in page

    # --no-utm: the links as a build makes them.
    result = run("export", "--to", "html", "--no-utm")
    assert result.exit_code == 0, result.output
    assert run("build").exit_code == 0
    for name in ("email.html", "email.txt"):
        exported = (project / "dist/2026-11-30/html" / name).read_bytes()
        assert exported == (project / "dist/2026-11-30" / name).read_bytes()
        assert b"utm_medium" not in exported


def test_utm_off_by_default(project: Path, run: RunCli) -> None:
    _issue(project, UTM_ISSUE)
    assert run("export", "--to", "mailchimp").exit_code == 0
    page = (project / "dist/2026-11-30/mailchimp/email.html").read_text(encoding="utf-8")
    assert "utm_medium" not in page
    assert "https://other.example.com/story?utm_source=feed#part-2" in hrefs(page)


# -- eml ---------------------------------------------------------------------------------


def test_eml_is_the_html_export_as_a_message(project: Path, run: RunCli) -> None:
    _settings(project, UTM)
    _issue(project, UTM_ISSUE)
    result = run("export", "--to", "eml")
    assert result.exit_code == 0, result.output
    eml = project / "dist/2026-11-30/eml/email.eml"
    assert result.stdout == (
        f"dist/2026-11-30/eml/email.eml  {_size(eml.stat().st_size)}\n"
        "Exported issues/2026-11-30.yaml for eml.\n"
    )
    assert run("export", "--to", "html").exit_code == 0
    folder = project / "dist/2026-11-30/html"

    data = eml.read_bytes()
    message, text, page = parts(data)
    assert text == as_mime_body((folder / "email.txt").read_text(encoding="utf-8"))
    assert page == as_mime_body((folder / "email.html").read_text(encoding="utf-8"))
    assert f"https://blog.example.com/post?{TAGS}" in text  # UTM as in the html export
    assert max(len(line) for line in data.splitlines()) <= 998
    assert data.isascii()

    assert message["From"] == "Test Weekly <weekly@example.org>"
    assert message["From"].addresses[0].addr_spec == "weekly@example.org"
    assert message["Subject"] == "A small issue"
    assert message["MIME-Version"] == "1.0"
    assert message["Date"].datetime.tzinfo is not None
    assert re.fullmatch(r"<[^<>@\s]+@example\.org>", message["Message-ID"])
    assert message["List-Unsubscribe"] == "<https://example.org/weekly/unsubscribe>"
    # One-Click only when the settings promise that a POST unsubscribes (RFC 8058).
    assert message["List-Unsubscribe-Post"] is None
    assert message["To"] == "weekly@example.org"  # a placeholder: the sender's own address


def test_eml_non_ascii_subject_is_encoded(project: Path, run: RunCli) -> None:
    subject = "Şuşa & Ağdam: €5 — ünïcödé"
    issue = (project / "issues" / "2026-11-30.yaml").read_text(encoding="utf-8")
    _issue(project, issue.replace("subject: A small issue", f'subject: "{subject}"'))
    assert run("export", "--to", "eml").exit_code == 0
    data = (project / "dist/2026-11-30/eml/email.eml").read_bytes()
    header = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", data, re.M)
    assert header and header.group(1).startswith(b"=?utf-8?")
    assert data.isascii()
    message, _, page = parts(data)
    assert message["Subject"] == subject
    assert f"<title>{html.escape(subject, quote=False)}</title>" in page


def test_eml_without_an_unsubscribe_url_has_no_list_unsubscribe(project: Path, run: RunCli) -> None:
    (project / "newsletter.yaml").write_text(
        SETTINGS.replace("links:\n  unsubscribe: https://example.org/weekly/unsubscribe\n", ""),
        encoding="utf-8",
    )
    assert run("export", "--to", "eml", "--force").exit_code == 0
    message, _, _ = parts((project / "dist/2026-11-30/eml/email.eml").read_bytes())
    assert "List-Unsubscribe" not in message
    assert "List-Unsubscribe-Post" not in message


# -- header injection --------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)


def _test_settings(**sender: str) -> Settings:
    return Settings.model_validate(
        {
            "name": "Test Weekly",
            "sender": {"name": "Test Weekly", "email": "weekly@example.org", **sender},
            "postal_address": "1 Example Street, Amsterdam",
        }
    )


RENDITION = Rendition("A small issue", "", "<mjml></mjml>", "<p>Hi</p>", "Hi\n")


def test_compose_refuses_a_subject_with_a_line_break() -> None:
    bad = Rendition("Hello\r\nBcc: x@example.org", "", "", "<p>Hi</p>", "Hi\n")
    with pytest.raises(UserError, match=r"^the subject contains a line break"):
        compose(bad, _test_settings(), now=NOW)
    with pytest.raises(UserError, match=r"^the subject contains a line break"):
        compose(RENDITION, _test_settings(), now=NOW, subject="[TEST]\nBcc: x@example.org")


def test_compose_refuses_a_sender_name_with_a_line_break() -> None:
    # The settings refuse it (at its line); compose refuses it too, whatever it is given.
    with pytest.raises(ValueError, match=r"sender\.name\n.*must be one line"):
        _test_settings(name="Test\nBcc: x@example.org")
    settings = _test_settings()
    sender = settings.sender.model_copy(update={"name": "Test\nBcc: x@example.org"})
    with pytest.raises(UserError, match=r"^the sender name contains a line break"):
        compose(RENDITION, settings.model_copy(update={"sender": sender}), now=NOW)


@pytest.mark.parametrize(
    "address", ["x@y.org\nBcc: z@w.org", "x@y.org\rBcc: z@w.org", "not-an-address", "a@b"]
)
def test_compose_refuses_bad_recipients(address: str) -> None:
    with pytest.raises(UserError):
        compose(RENDITION, _test_settings(), now=NOW, to=["a@example.org", address])
    with pytest.raises(UserError):
        safe_address(address)


def test_compose_a_good_message() -> None:
    message = compose(RENDITION, _test_settings(), now=NOW, to=["a@example.org", "b@example.org"])
    assert message["To"] == "a@example.org, b@example.org"
    assert message["Date"] == "Mon, 30 Nov 2026 07:00:00 +0000"
    assert "List-Unsubscribe" not in message


def test_a_sender_name_with_a_line_break_fails_the_export(project: Path, run: RunCli) -> None:
    (project / "newsletter.yaml").write_text(
        SETTINGS.replace("sender:\n  name: Test Weekly", 'sender:\n  name: "Test\\nBcc: x@y.org"'),
        encoding="utf-8",
    )
    result = run("export", "--to", "eml")
    assert result.exit_code == 1
    assert result.stderr == (
        "newsletter.yaml:4:9: error: sender.name: must be one line"
        " (a `|` block keeps its line breaks; `>` joins them) [settings/invalid]\n"
        "1 problem found; nothing was written.\n"
    )
    assert not (project / "dist").exists()


def test_one_click_unsubscribe_only_when_the_settings_promise_it(
    project: Path, run: RunCli
) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(
        settings.read_text().replace(
            "  unsubscribe: https://example.org/weekly/unsubscribe\n",
            "  unsubscribe: https://example.org/weekly/unsubscribe\n  one_click: true\n",
        )
    )
    assert run("export", "--to", "eml").exit_code == 0
    data = (project / "dist/2026-11-30/eml/email.eml").read_bytes()
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["List-Unsubscribe"] == "<https://example.org/weekly/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_header_smuggled_past_the_checks_of_each_value_is_still_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last guard reads the header block as it will be sent, whatever each check missed."""
    monkeypatch.setattr(newsletter.export.message, "safe_header", lambda name, value: value)
    with pytest.raises(UserError, match="the message would carry headers it must not: Bcc"):
        compose(RENDITION, _test_settings(), now=NOW, subject="=?utf-8?q?Hi=0D=0ABcc:_x@y.org?=")
