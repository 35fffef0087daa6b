"""`newsletter archive`: the public web archive, its feed, and rebuilding only what changed."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from tests.conftest import ISSUE, RunCli


def _issue(number: int, day: int) -> str:
    return (
        ISSUE.replace("number: 7", f"number: {number}")
        .replace("date: 2026-11-30", f"date: 2026-10-{day:02d}")
        .replace("subject: A small issue", f"subject: Issue number {number} of the weekly")
        .replace("https://example.org/news/lead", f"https://example.org/news/lead-{number}")
        .replace("https://example.org/news/second", f"https://example.org/news/second-{number}")
    )


@pytest.fixture
def issues(project: Path) -> list[Path]:
    """Five issues, a week apart, in the project."""
    return five_issues(project)


def five_issues(project: Path) -> list[Path]:
    """Five issues, a week apart, in place of the project's one."""
    (project / "issues" / "2026-11-30.yaml").unlink()
    paths = []
    for n in range(5):
        path = project / "issues" / f"2026-10-{1 + 7 * n:02d}.yaml"
        path.write_text(_issue(10 + n, 1 + 7 * n))
        paths.append(path)
    return paths


def _summary(stdout: str) -> str:
    return re.sub(r"in \d+\.\d\d s\.", "in T s.", stdout.splitlines()[-1])


def test_every_link_of_the_site_resolves(project: Path, issues: list[Path], run: RunCli) -> None:
    result = run("archive")
    assert result.exit_code == 0, result.output
    assert _summary(result.stdout) == (
        "Archive in site: 5 issues built, 0 unchanged, 0 problems, in T s."
    )
    site = project / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 6
    for page in pages:
        tree = lxml.html.parse(str(page))  # every page parses
        for attribute in ("href", "src"):
            for link in tree.getroot().xpath(f"//@{attribute}"):
                parts = urlsplit(str(link))
                if parts.scheme in ("http", "https"):
                    continue
                assert not parts.scheme, f"{page}: {link}"
                target = Path(unquote(urlsplit(urljoin(page.as_uri(), str(link))).path))
                if target.is_dir():
                    target = target / "index.html"
                assert target.is_file() and site in target.parents, f"{page}: {link}"


def test_issue_pages_are_web_pages_of_the_email(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    assert run("archive").exit_code == 0
    site = project / "site"
    html = (site / "2026-10-15" / "index.html").read_text()
    page = lxml.html.fromstring(html)
    assert page.findtext(".//title") == "Issue number 12 of the weekly"
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.iter("meta")}
    assert meta["description"] == "Two stories and a link, for the tests."
    assert meta["og:title"] == "Issue number 12 of the weekly"
    assert meta["og:image"] == "https://example.org/img/lead.jpg"
    assert meta["twitter:card"] == "summary_large_image"
    canonical = page.xpath("//link[@rel='canonical']/@href")
    assert canonical == ["https://example.org/weekly/2026-10-15/"]
    assert page.xpath("//a[@rel='prev']/@href") == ["../2026-10-08/"]
    assert page.xpath("//a[@rel='next']/@href") == ["../2026-10-22/"]
    # A web page: no unsubscribe, no "view in browser", no merge tags.
    assert "unsubscribe" not in html.lower() and "View in browser" not in html
    assert "{{" not in html and "*|" not in html
    text = (site / "2026-10-15" / "email.txt").read_text()
    assert text.startswith("Issue number 12 of the weekly\n") and "Unsubscribe" not in text
    index = lxml.html.parse(str(site / "index.html")).getroot()
    links = index.xpath("//ol/li/a/@href")
    assert links == ["2026-10-29/", "2026-10-22/", "2026-10-15/", "2026-10-08/", "2026-10-01/"]


def test_the_feed_is_valid_atom_with_full_content(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(settings.read_text() + "archive:\n  feed_entries: 3\n")
    assert run("archive").exit_code == 0
    raw = (project / "site" / "feed.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Test Weekly"
    assert feed.feed.id == "https://example.org/weekly/"
    assert feed.feed.updated == "2026-10-29T00:00:00Z"
    assert [e.id for e in feed.entries] == [
        "https://example.org/weekly/2026-10-29/",
        "https://example.org/weekly/2026-10-22/",
        "https://example.org/weekly/2026-10-15/",
    ]
    entry = feed.entries[0]
    assert entry.title == "Issue number 14 of the weekly"
    assert entry.published == "2026-10-29T00:00:00Z" and entry.updated == entry.published
    assert entry.link == "https://example.org/weekly/2026-10-29/"
    assert "The lead" in entry.content[0].value and entry.content[0].type == "text/html"
    # The email's body: a feed reader shows it inside its own page.
    assert "<head" not in entry.content[0].value and "<body" not in entry.content[0].value
    # Atom's required elements (RFC 4287): feed id, title, updated, author; entry id, title,
    # updated.
    atom = "{http://www.w3.org/2005/Atom}"
    root = lxml.etree.fromstring(raw)
    for tag in ("id", "title", "updated", "author"):
        assert root.find(atom + tag) is not None, tag
    for node in root.iter(atom + "entry"):
        for tag in ("id", "title", "updated"):
            assert node.find(atom + tag) is not None, tag
    sitemap = lxml.etree.fromstring((project / "site" / "sitemap.xml").read_bytes())
    assert len(sitemap) == 6


def test_every_link_in_the_feed_is_absolute(project: Path, issues: list[Path], run: RunCli) -> None:
    # A feed reader resolves a relative link against the feed's address, or not at all.
    assert run("archive").exit_code == 0
    raw = (project / "site" / "feed.xml").read_bytes()
    assert run("archive").exit_code == 0  # the pages read back from the folder: the same feed
    assert (project / "site" / "feed.xml").read_bytes() == raw
    root = lxml.etree.fromstring(raw)
    contents = root.findall(
        "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content"
    )
    assert len(contents) == 5
    for content in contents:
        page = lxml.html.fromstring(content.text or "")
        found = page.xpath("//@href | //@src")
        assert isinstance(found, list) and found
        links = [str(link) for link in found]
        for link in links:
            assert urlsplit(link).scheme in ("http", "https") and urlsplit(link).netloc, link
    newest = lxml.html.fromstring(contents[0].text or "")
    assert newest.xpath("//a[@rel='prev']/@href") == ["https://example.org/weekly/2026-10-22/"]
    assert newest.xpath("//nav//a[not(@rel)]/@href") == ["https://example.org/weekly/"]
    # The pages themselves keep their relative links: they work on any host and locally.
    page = lxml.html.parse(str(project / "site" / "2026-10-29" / "index.html")).getroot()
    assert page.xpath("//a[@rel='prev']/@href") == ["../2026-10-22/"]


def test_only_what_changed_is_rendered_again(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    assert run("archive").exit_code == 0
    site = project / "site"
    mtimes = {p: p.stat().st_mtime_ns for p in site.glob("*/index.html")}
    again = run("archive")
    assert _summary(again.stdout) == (
        "Archive in site: 0 issues built, 5 unchanged, 0 problems, in T s."
    )
    assert {p: p.stat().st_mtime_ns for p in site.glob("*/index.html")} == mtimes
    issues[2].write_text(issues[2].read_text().replace("What happened.", "What really happened."))
    touched = run("archive")
    assert _summary(touched.stdout) == (
        "Archive in site: 1 issue built, 4 unchanged, 0 problems, in T s."
    )
    changed = [p.parent.name for p in mtimes if p.stat().st_mtime_ns != mtimes[p]]
    assert changed == ["2026-10-15"]
    assert "What really happened." in (site / "2026-10-15" / "index.html").read_text()
    layout = project / "templates" / "layouts" / "list.mjml.j2"
    layout.write_text(layout.read_text() + "\n")
    themed = run("archive")
    assert _summary(themed.stdout) == (
        "Archive in site: 5 issues built, 0 unchanged, 0 problems, in T s."
    )


def test_a_bad_issue_is_reported_and_the_others_built(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    issues[1].write_text(issues[1].read_text().replace("number: 11", "number: eleven"))
    issues[3].write_text(
        "# Issue 13.\n" + issues[3].read_text().replace("number: 13", "number:  12")
    )
    # A name that would make its folder the one above the site's.
    (project / "issues" / "...yaml").write_text(_issue(20, 30), encoding="utf-8")
    result = run("archive")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "issues/...yaml: error: an issue's file name becomes a folder and a web address; use only"
        " a-z, A-Z, 0-9, '-', '_' and '.' (not first), such as 2026-11-30.yaml [file/name]",
        "issues/2026-10-08.yaml:1:9: error: number: expected a whole number, got 'eleven'"
        " [issue/invalid]",
        "issues/2026-10-22.yaml:2:10: error: number: the same number (12) as 2026-10-15.yaml"
        " [archive/duplicate]",
    ]
    assert _summary(result.stdout) == (
        "Archive in site: 3 issues built, 0 unchanged, 3 problems, in T s."
    )
    assert not (project / "index.html").exists()
    assert sorted(p.name for p in (project / "site").iterdir() if p.is_dir()) == [
        "2026-10-01",
        "2026-10-15",
        "2026-10-29",
    ]


def test_without_an_archive_url_the_site_still_works(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(
        settings.read_text().replace("archive_url: https://example.org/weekly/\n", "")
    )
    result = run("archive")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: no archive_url in the settings: the feed and the sitemap need one\n"
    )
    site = project / "site"
    assert not (site / "feed.xml").exists()
    page = lxml.html.parse(str(site / "2026-10-15" / "index.html")).getroot()
    assert page.xpath("//link[@rel='canonical']") == []
    assert page.xpath("//a[@rel='prev']/@href") == ["../2026-10-08/"]


def test_sixty_issues(project: Path, run: RunCli) -> None:
    (project / "issues" / "2026-11-30.yaml").unlink()
    for n in range(60):
        day = f"2025-{1 + n // 28:02d}-{1 + n % 28:02d}"
        text = _issue(n + 1, 1).replace("date: 2026-10-01", f"date: {day}")
        (project / "issues" / f"{day}.yaml").write_text(text)
    result = run("archive")
    assert result.exit_code == 0, result.output
    print(result.stdout)  # the time, for the record
    assert result.stdout.splitlines()[-1].startswith(
        "Archive in site: 60 issues built, 0 unchanged, 0 problems, in "
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_folder_it_did_not_write_is_refused(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    mine = project / "mysite"
    mine.mkdir()
    (mine / "index.html").write_text("mine\n")
    result = run("archive", "-o", "mysite")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: mysite is not empty and was not written by newsletter archive (it has no "
        ".newsletter-archive.json): choose an empty or new folder, or remove its files\n"
    )
    assert _files(mine) == {"index.html": b"mine\n"}
    # An empty folder is fine, and once the archive is there, so is building it again.
    (mine / "index.html").unlink()
    assert run("archive", "-o", "mysite").exit_code == 0
    again = run("archive", "-o", "mysite")
    assert again.exit_code == 0, again.output
    assert _summary(again.stdout) == (
        "Archive in mysite: 0 issues built, 5 unchanged, 0 problems, in T s."
    )


def test_the_pages_of_issues_that_are_gone_are_removed(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    site = project / "site"
    (site / "2026-10-02").mkdir(parents=True)  # not the archive's: never removed
    (site / "2026-10-02" / "index.html").write_text("mine\n")
    (site / ".newsletter-archive.json").write_text("{}")
    assert run("archive").exit_code == 0
    (site / "2026-10-01" / "notes.txt").write_text("mine too\n")
    issues[0].unlink()
    issues[4].rename(issues[4].with_name("2026-10-30.yaml"))
    result = run("archive")
    assert result.exit_code == 0, result.output
    assert _summary(result.stdout) == (
        "Archive in site: 3 issues built, 1 unchanged, 2 removed, 0 problems, in T s."
    )
    assert not (site / "2026-10-29").exists()
    assert _files(site / "2026-10-01") == {"notes.txt": b"mine too\n"}
    assert _files(site / "2026-10-02") == {"index.html": b"mine\n"}
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert index.xpath("//ol/li/a/@href") == [
        "2026-10-30/",
        "2026-10-22/",
        "2026-10-15/",
        "2026-10-08/",
    ]
    assert sorted(p.name for p in site.iterdir() if p.is_dir()) == [
        "2026-10-01",
        "2026-10-02",
        "2026-10-08",
        "2026-10-15",
        "2026-10-22",
        "2026-10-30",
    ]
    written = json.loads((site / ".newsletter-archive.json").read_text())["written"]
    assert written == ["2026-10-08", "2026-10-15", "2026-10-22", "2026-10-30"]


def test_an_issue_with_problems_keeps_its_page(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    # Its file is still there: the page goes only when the file does.
    assert run("archive").exit_code == 0
    issues[2].write_text(issues[2].read_text().replace("number: 12", "number: twelve"))
    assert run("archive").exit_code == 1
    assert (project / "site" / "2026-10-15" / "index.html").is_file()
    issues[2].unlink()
    result = run("archive")
    assert _summary(result.stdout) == (
        "Archive in site: 0 issues built, 4 unchanged, 1 removed, 0 problems, in T s."
    )
    assert not (project / "site" / "2026-10-15").exists()


def test_a_template_error_writes_nothing(project: Path, issues: list[Path], run: RunCli) -> None:
    template = project / "templates" / "archive" / "index.html.j2"
    good = template.read_text()
    template.write_text(good.replace("{{ settings.name }}</h1>", "{{ settings.nmae }}</h1>"))
    line = good.splitlines().index("  <h1>{{ settings.name }}</h1>") + 1
    expected = [
        f"templates/archive/index.html.j2:{line}: error: template error: "
        "'newsletter.model.settings.Settings object' has no attribute 'nmae' [theme/template]",
        "1 problem found; nothing was written.",
    ]
    result = run("archive")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == expected
    assert not (project / "site").exists()
    # In an archive already there, too: no page of the new issue, and the others unchanged.
    template.write_text(good)
    assert run("archive").exit_code == 0
    before = _files(project / "site")
    template.write_text(good.replace("{{ settings.name }}</h1>", "{{ settings.nmae }}</h1>"))
    (project / "issues" / "2026-11-05.yaml").write_text(_issue(15, 5).replace("10-05", "11-05"))
    again = run("archive")
    assert again.exit_code == 1
    assert again.stderr.splitlines() == expected
    assert _files(project / "site") == before


def test_issues_dated_after_today_are_drafts_left_out(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    # As `newsletter new` leaves it: its sections empty, so it would not even build.
    (project / "issues" / f"{tomorrow}.yaml").write_text(
        f"number: 99\ndate: {tomorrow}\nsubject: 'TODO: the subject line'\n"
        "sections:\n  - title: News\n    articles: []\n",
        encoding="utf-8",
    )
    result = run("archive")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "Left out 1 issue dated after today (--future publishes them)."
    )
    assert not (project / "site" / str(tomorrow)).exists()
    assert "TODO" not in (project / "site" / "index.html").read_text()
    published = run("archive", "--future")
    assert published.exit_code == 1  # published, it must be valid: it is not
    assert "sections[0].articles: must not be empty" in published.stderr


# A PNG's first bytes: no UTF-8 text.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd"


def _archive(project: Path) -> subprocess.CompletedProcess[str]:
    """`newsletter archive` as a process: a FIFO read by mistake would block it, not the tests."""
    return subprocess.run(
        [sys.executable, "-m", "newsletter", "archive"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_theme_with_an_image_and_odd_files_builds_and_a_changed_image_rebuilds(
    project: Path, issues: list[Path]
) -> None:
    theme = project / "templates"
    (theme / "logo.png").write_bytes(PNG)
    os.mkfifo(theme / "pipe")  # nobody writes to it: reading it would wait for ever
    (theme / "elsewhere.j2").symlink_to("/etc/hostname")  # out of the theme: no template
    (theme / "gone.j2").symlink_to(theme / "missing")
    (theme / "again.txt.j2").symlink_to(theme / "issue.txt.j2")
    first = _archive(project)
    assert (first.returncode, first.stderr) == (0, "")
    assert (
        _summary(first.stdout)
        == "Archive in site: 5 issues built, 0 unchanged, 0 problems, in T s."
    )
    again = _archive(project)
    assert (
        _summary(again.stdout)
        == "Archive in site: 0 issues built, 5 unchanged, 0 problems, in T s."
    )
    (theme / "logo.png").write_bytes(PNG + b"\x00")
    changed = _archive(project)
    assert (changed.returncode, changed.stderr) == (0, "")
    assert _summary(changed.stdout) == (
        "Archive in site: 5 issues built, 0 unchanged, 0 problems, in T s."
    )


def _is_the_archives_own(site: Path) -> None:
    """The index, the feed and the sitemap are files, and what they should be."""
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert index.xpath("//ol/li/a/@href") == [
        "2026-10-29/",
        "2026-10-22/",
        "2026-10-15/",
        "2026-10-08/",
        "2026-10-01/",
    ]
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 5
    assert len(lxml.etree.fromstring((site / "sitemap.xml").read_bytes())) == 6


def test_issue_names_the_archive_has_for_its_own_files_are_refused(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    names = ["index.html", "feed.xml", "sitemap.xml", "Index.HTML"]
    for number, name in enumerate(names, 30):
        (project / "issues" / f"{name}.yaml").write_text(_issue(number, number - 28))
    for attempt in range(2):  # and the archive is not broken for the next run either
        result = run("archive")
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"issues/{name}.yaml: error: its page would take the name of the archive's own"
            f" {name.lower()}; rename the file [file/name]"
            for name in ["Index.HTML", "feed.xml", "index.html", "sitemap.xml"]
        ]
        assert _summary(result.stdout) == (
            f"Archive in site: {5 if attempt == 0 else 0} issues built,"
            f" {0 if attempt == 0 else 5} unchanged, 4 problems, in T s."
        )
        _is_the_archives_own(project / "site")


def test_a_page_folder_an_older_version_put_where_the_feed_goes_is_removed(
    project: Path, issues: list[Path], run: RunCli
) -> None:
    assert run("archive").exit_code == 0
    site = project / "site"
    # What an older version left for an issue named feed.xml.yaml: its page in the feed's
    # place, claimed as the archive's own; no feed could be written after it.
    (site / "feed.xml").unlink()
    (site / "feed.xml").mkdir()
    (site / "feed.xml" / "index.html").write_text("<html>an issue</html>")
    (site / "feed.xml" / "email.txt").write_text("an issue")
    marker = json.loads((site / ".newsletter-archive.json").read_text())
    marker["written"].append("feed.xml")
    (site / ".newsletter-archive.json").write_text(json.dumps(marker))
    (project / "issues" / "feed.xml.yaml").write_text(_issue(30, 2))
    result = run("archive")
    assert result.exit_code == 1
    assert result.stderr == (
        "issues/feed.xml.yaml: error: its page would take the name of the archive's own"
        " feed.xml; rename the file [file/name]\n"
    )
    assert _summary(result.stdout) == (
        "Archive in site: 0 issues built, 5 unchanged, 1 removed, 1 problem, in T s."
    )
    _is_the_archives_own(site)
    written = json.loads((site / ".newsletter-archive.json").read_text())["written"]
    assert "feed.xml" not in written
