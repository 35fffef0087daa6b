"""`newsletter check --online` and the derived images the archive publishes: one not uploaded
yet is a warning that says what to do, at the line of its kept file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_checks_images import keep
from tests.conftest import SETTINGS, RunCli
from tests.httpserver import Site

pytestmark = pytest.mark.network

HTML = "<!DOCTYPE html><html><head><title>A page</title></head><body><p>Hi.</p></body></html>"

# Every address on the test server, the archive's too; line 14 is the image's kept file.
ISSUE = """\
number: 7
date: 2026-11-30
subject: A small issue
preheader: One story and its picture, for the tests of check --online.
intro: Hello *readers*.
sections:
  - title: News
    articles:
      - title: The story
        url: {base}/news/story
        summary: What happened.
        image: {base}/img/story.jpg
        image_alt: A picture of the story
        image_file: {kept}
"""


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the environment: every request goes straight to 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def online(project: Path, site: Site) -> str:
    """The project's archive and article on `site`, every page answering; the kept image's
    derived file's path on the server, which nothing serves yet."""
    settings = SETTINGS.replace("https://example.org", site.base)
    settings += "checks:\n  ignore: [link/http, link/ip-address, image/http]\n"
    (project / "newsletter.yaml").write_text(settings, encoding="utf-8")
    kept = keep(project, "flower.jpg")
    issue = ISSUE.format(base=site.base, kept=kept)
    (project / "issues" / "2026-11-30.yaml").write_text(issue, encoding="utf-8")
    for path in ("/news/story", "/weekly/unsubscribe", "/weekly/2026-11-30/"):
        site.add(path, HTML)
    site.add("/img/story.jpg", (project / kept).read_bytes(), content_type="image/jpeg")
    assert RunCli()("build").exit_code == 0
    [derived] = (project / "dist" / "2026-11-30" / "images").iterdir()
    return f"/weekly/images/{derived.name}"


def findings(run: RunCli) -> list[dict[str, Any]]:
    """The findings of `check --online`, in JSON."""
    report: dict[str, Any] = json.loads(run("check", "--online", "--format", "json").stdout)
    return list(report["findings"])


@pytest.mark.parametrize(
    ("status", "text"),
    [(404, "HTTP 404 Not Found"), (403, "HTTP 403 Forbidden"), (410, "HTTP 410 Gone")],
)
def test_a_derived_image_not_uploaded_is_unpublished(
    online: str, site: Site, run: RunCli, status: int, text: str
) -> None:
    if status != 404:  # the server answers 404 for what it does not have
        site.add(online, "<h1>No</h1>", status=status)
    name = online.removeprefix("/weekly/")
    [finding] = findings(run)
    assert {k: finding[k] for k in ("code", "severity", "line", "where")} == {
        "code": "image/unpublished",
        "severity": "warning",
        "line": 14,
        "where": "sections[0].articles[0].image_file",
    }
    assert finding["message"] == (
        f"not published yet ({text}): run `newsletter archive` and upload site/ ({name})"
    )
    assert online in site.requests


def test_a_derived_image_that_is_uploaded_gives_no_finding(
    project: Path, online: str, site: Site, run: RunCli
) -> None:
    derived = project / "dist" / "2026-11-30" / online.removeprefix("/weekly/")
    site.add(online, derived.read_bytes(), content_type="image/jpeg")
    assert findings(run) == []
    assert online in site.requests


def test_other_failures_of_a_derived_image_stay_broken(
    online: str, site: Site, run: RunCli
) -> None:
    url = site.add(online, "<h1>Oops</h1>", status=500)
    [finding] = findings(run)
    assert (finding["code"], finding["line"]) == ("online/broken", 14)
    assert re.fullmatch(rf"HTTP 500 Internal Server Error: {re.escape(url)}", finding["message"])


def test_the_original_of_a_derived_image_is_not_requested(
    project: Path, online: str, site: Site, run: RunCli
) -> None:
    # Kept and shown from the archive: the publisher removing the original changes nothing.
    derived = project / "dist" / "2026-11-30" / online.removeprefix("/weekly/")
    site.add(online, derived.read_bytes(), content_type="image/jpeg")
    site.add("/img/story.jpg", "<h1>Gone</h1>", status=404)
    assert findings(run) == []
    assert "/img/story.jpg" not in site.requests
