"""`newsletter add`: from pages on a real HTTP server on 127.0.0.1 into the issue file."""

from __future__ import annotations

import difflib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.httpserver import Site

pytestmark = pytest.mark.network

PAGES = Path(__file__).parents[1] / "pages"
ISSUE = Path("issues") / "2026-11-30.yaml"
OPEN_GRAPH_ARTICLE = """\
      - title: Putin prepares to step in
        url: https://www.commonspace.eu/news/putin-prepares-step?page=2
        source: commonspace.eu
        summary: |
          Russian president Vladimir Putin held talks over the last days with Armenian
          prime minister Nikol Pashinyan and Azerbaijani president Ilham Aliyev.
        image: https://www.commonspace.eu/img/kremlin.jpg
        image_alt: The Kremlin at dusk
        published: 2026-11-02
"""


def _page(site: Site, name: str, path: str | None = None, **kwargs: object) -> str:
    return site.add(path or f"/{name}", (PAGES / name).read_bytes(), **kwargs)


def _inserted(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if anything else changed."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(True), b=after.splitlines(True))
    added: list[str] = []
    for op, _, _, b1, b2 in matcher.get_opcodes():
        assert op in ("equal", "insert"), op
        added += after.splitlines(True)[b1:b2] if op == "insert" else []
    return added


def test_add_a_page_with_open_graph(project: Path, run: RunCli, site: Site) -> None:
    url = _page(site, "open_graph.html")
    before = (project / ISSUE).read_text()
    result = run("add", url, "--section", "news")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Added to News: Putin prepares to step in (commonspace.eu) "
        "https://www.commonspace.eu/news/putin-prepares-step?page=2\n"
    )
    assert "".join(_inserted(before, (project / ISSUE).read_text())) == OPEN_GRAPH_ARTICLE
    assert run("build").exit_code == 0


def test_add_keeps_a_hand_written_file_byte_for_byte(
    project: Path, run: RunCli, site: Site
) -> None:
    odd = (Path(__file__).parents[1] / "cases" / "edit" / "odd.yaml").read_text()
    (project / ISSUE).write_text(odd)
    for section in ("Lead story", "News", "Popular"):
        url = _page(site, "title_and_description.html", f"/{section[:4]}")
        before = (project / ISSUE).read_text()
        result = run("add", url, "--section", section)
        assert result.exit_code == 0, result.output
        added = _inserted(before, (project / ISSUE).read_text()) if section != "News" else []
        assert not added or added[0].endswith(
            "- title: 'Borrell: the EU will remain engaged in Afghanistan'\n"
        )


def test_several_urls_one_failing(project: Path, run: RunCli, site: Site) -> None:
    good = [_page(site, "open_graph.html"), _page(site, "twitter_card.html")]
    missing = site.url("/gone")
    result = run("add", good[0], missing, good[1], "--section", "News", "--position", "1")
    assert result.exit_code == 1
    # The pages' images are on hosts the tests cannot reach: warnings, the pages are added.
    assert result.stderr == (
        f"Warning: {good[0]}: image not kept: could not find the host www.commonspace.eu:"
        " https://www.commonspace.eu/img/kremlin.jpg\n"
        f"Error: {missing}: HTTP 404 Not Found\n"
        f"Warning: {good[1]}: image not kept: could not find the host news.example.org:"
        " https://news.example.org/img/border.jpg\n"
    )
    assert len(result.stdout.splitlines()) == 2
    text = (project / ISSUE).read_text()
    news = text.split("  - title: News\n")[1]
    # At --position 1, in the order given, before the article that was first.
    assert news.index("Putin prepares") < news.index("Second story")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("404", "HTTP 404 Not Found"),
        ("500", "HTTP 500 Internal Server Error"),
        ("loop", "more than 5 redirects (a redirect loop?)"),
        ("pdf", "not a web page but application/pdf"),
        ("image", "not a web page but image/png"),
        ("huge", "the page is larger than 5 MB"),
        ("slow", "no answer within 0.5 s"),
        ("refused", "the server refused the connection"),
        ("dns", "could not find the host example.invalid"),
        ("javascript", "must be an absolute http(s) URL, not a javascript: link"),
        ("file", "must be an absolute http(s) URL, not a file: link"),
    ],
)
def test_a_bad_page_is_one_line_and_changes_nothing(
    project: Path,
    run: RunCli,
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    message: str,
) -> None:
    if setup == "404":
        url = site.url("/missing")
    elif setup == "500":
        url = site.add("/error", "oops", status=500)
    elif setup == "loop":
        site.redirect("/a", "/b")
        url = site.redirect("/b", "/a")
    elif setup == "pdf":
        url = _page(site, "sample.pdf", content_type="application/pdf")
    elif setup == "image":
        url = _page(site, "pixel.png", content_type="image/png")
    elif setup == "huge":
        url = site.add("/huge", b"<html><title>x</title>" + b"x" * 5_500_000)
    elif setup == "slow":
        url = site.add("/slow", "<title>Slow</title>", delay=2)
    elif setup == "refused":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"http://127.0.0.1:{port}/"
    elif setup == "dns":
        real = socket.getaddrinfo

        def fake(host: str, *args: object, **kwargs: object) -> object:
            if str(host).endswith(".invalid"):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real(host, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(socket, "getaddrinfo", fake)
        url = "http://example.invalid/news"
    elif setup == "javascript":
        url = "javascript:alert(1)"
    else:
        url = "file:///etc/passwd"
    before = (project / ISSUE).read_bytes()
    result = run("add", url, "--section", "News", "--timeout", "0.5")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {url}: {message}\n"
    assert (project / ISSUE).read_bytes() == before


@pytest.mark.parametrize("page", ["latin1_meta.html", "broken.html", "json_ld_graph.html"])
def test_awkward_pages_are_added(project: Path, run: RunCli, site: Site, page: str) -> None:
    result = run("add", _page(site, page), "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added to News: ")
    assert run("build").exit_code == 0


def test_long_addresses_and_titles_are_kept_exactly(project: Path, run: RunCli, site: Site) -> None:
    title = "A rather long headline about the Georgia transit-corridor deal and what it means"
    summary = "word " * 13 + "hyphen-here. And more text after it, for a second line or two."
    path = "/news/2026/11/a-rather-long-article-slug-that-goes-on-and-on-and-on/"
    page = f'<title>{title}</title><meta name="description" content="{summary}"><p>Body.</p>'
    url = site.add(path, page)
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0, result.output
    assert f"        url: {url}\n" in (project / ISSUE).read_text()
    assert run("build").exit_code == 0
    text = (project / "dist" / "2026-11-30" / "email.txt").read_text()
    assert title in " ".join(text.split()) and "hyphen-here." in text


def test_a_page_without_a_title_uses_its_address_and_says_so(
    project: Path, run: RunCli, site: Site
) -> None:
    url = _page(site, "no_title.html")
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0
    host = url.split("/")[2]
    assert result.stdout.splitlines()[:2] == [
        f"Added to News: 127.0.0.1/no_title.html ({host}) {url}",
        f"  note: {url}: the page has no title: used its address",
    ]


def test_an_unknown_section_is_refused_before_fetching(
    project: Path, run: RunCli, site: Site
) -> None:
    url = _page(site, "open_graph.html")
    before = (project / ISSUE).read_bytes()
    result = run("add", url, "--section", "Newz")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no section 'Newz' in issues/2026-11-30.yaml (did you mean 'News'? "
        "its sections: Lead story, News); --create-section adds it\n"
    )
    assert site.requests == []
    assert (project / ISSUE).read_bytes() == before


def test_create_section(project: Path, run: RunCli, site: Site) -> None:
    result = run("add", _page(site, "open_graph.html"), "-s", "Popular", "--create-section")
    assert result.exit_code == 0, result.output
    text = (project / ISSUE).read_text()
    assert text.endswith("  - title: Popular\n    articles:\n" + OPEN_GRAPH_ARTICLE)


def test_an_invalid_issue_is_not_edited(project: Path, run: RunCli, site: Site) -> None:
    issue = project / ISSUE
    issue.write_text(issue.read_text().replace("number: 7", "number: seven # oops"))
    before = issue.read_bytes()
    result = run("add", _page(site, "open_graph.html"), "--section", "News")
    assert result.exit_code == 1
    assert result.stderr == (
        "issues/2026-11-30.yaml:1:9: error: number: expected a whole number, got 'seven'"
        " [issue/invalid]\n"
        "1 problem found; nothing was written.\n"
    )
    assert site.requests == [] and issue.read_bytes() == before


def test_repeats_are_refused_across_issues(project: Path, run: RunCli, site: Site) -> None:
    earlier = project / "issues" / "2026-11-23.yaml"
    earlier.write_text(
        "number: 6\ndate: 2026-11-23\nsubject: Last week\nsections:\n  - title: Editor's choice\n"
        "    articles:\n      - title: Putin\n"
        "        url: https://WWW.commonspace.eu:443/news/putin-prepares-step/?page=2&utm_source=x#top\n"
    )
    url = _page(site, "open_graph.html")
    result = run("add", url, "--section", "News")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {url}: already featured in #6 (2026-11-23, Editor's choice)\n"
    )
    lead = "https://example.org/news/lead?utm_campaign=spring&fbclid=abc"
    again = run("add", lead, "--section", "News")
    assert again.stderr == f"Error: {lead}: already in this issue (Lead story)\n"
    assert site.requests == ["/open_graph.html"]  # a known URL is refused before fetching
    allowed = run("add", url, "--section", "News", "--allow-repeat")
    assert allowed.exit_code == 0, allowed.output


def test_add_from_a_saved_page(project: Path, run: RunCli) -> None:
    saved = PAGES / "open_graph.html"
    url = "https://www.commonspace.eu/news/putin-prepares-step"
    result = run("add", "--file", str(saved), "--url", url, "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added to News: Putin prepares to step in (commonspace.eu)")
    missing_url = run("add", "--file", str(saved), "--section", "News")
    assert missing_url.exit_code == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b" \n", "the file is empty"),
        ((PAGES / "sample.pdf").read_bytes(), "not a saved web page (HTML)"),
        ((PAGES / "pixel.png").read_bytes(), "not a saved web page (HTML)"),
        (b"Just some notes, not a page", "not a saved web page (HTML)"),
    ],
)
def test_a_saved_file_that_is_no_page_is_refused(
    project: Path, run: RunCli, tmp_path: Path, content: bytes, problem: str
) -> None:
    saved = tmp_path / "saved.html"
    saved.write_bytes(content)
    before = (project / ISSUE).read_bytes()
    result = run("add", "--file", str(saved), "--url", "https://example.org/y", "-s", "News")
    assert (result.exit_code, result.stderr) == (1, f"Error: --file {saved}: {problem}\n")
    assert (project / ISSUE).read_bytes() == before


def test_a_feed_with_nothing_new_says_so(project: Path, run: RunCli, tmp_path: Path) -> None:
    feed = tmp_path / "feed.rss"
    feed.write_bytes(b'<rss version="2.0"><channel><title>T</title></channel></rss>')
    result = run("add", "--feed", str(feed), "--since", "2w", "--section", "News")
    assert (result.exit_code, result.stdout) == (
        0,
        "Nothing added: the feed has no items from the last 2w.\n",
    )


def test_add_a_feed_from_a_url_and_from_a_file(project: Path, run: RunCli, site: Site) -> None:
    url = _page(site, "feed.rss", content_type="application/rss+xml")
    result = run("add", "--feed", url, "--since", "10000d", "--section", "News")
    assert result.exit_code == 0, result.output
    added = result.stdout.count("Added to News: ")
    assert added >= 2
    again = run("add", "--feed", str(PAGES / "feed.rss"), "--since", "10000d", "-s", "News")
    assert again.exit_code == 0  # a feed's repeats are skipped, not errors
    # The item with a relative link has no http(s) address when the feed is a local file.
    assert again.stdout.count("skipped: already in this issue (News)") == added - 1

    bad = run("add", "--feed", url, "--since", "a week", "--section", "News")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: --since a week: ")


def test_add_waits_for_the_lock_and_then_reads_the_file_afresh(project: Path, site: Site) -> None:
    from filelock import FileLock

    from newsletter.curate.issuefile import _lock_path

    url = site.add("/one", "<html><title>One</title></html>")
    path = project / ISSUE
    with FileLock(_lock_path(path)):
        process = subprocess.Popen(
            [sys.executable, "-m", "newsletter", "add", url, "--section", "News"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        while "/one" not in site.requests:  # fetched: the next thing it does is take the lock
            assert process.poll() is None, process.communicate()
            time.sleep(0.01)
        time.sleep(0.5)
        assert process.poll() is None, "add wrote the file while another writer held the lock"
        # Another writer's change, made while it holds the lock, must not be lost.
        path.write_text(path.read_text() + "# edited meanwhile\n")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    text = path.read_text()
    assert "title: One\n" in text and text.endswith("# edited meanwhile\n")


@pytest.mark.slow
def test_two_adds_at_once_both_land(project: Path, site: Site) -> None:
    first = site.add("/one", "<html><title>One</title></html>", delay=1)
    second = site.add("/two", "<html><title>Two</title></html>", delay=1)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "newsletter", "add", url, "--section", "News"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for url in (first, second)
    ]
    for process in runs:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    text = (project / ISSUE).read_text()
    assert "title: One\n" in text and "title: Two\n" in text


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf", "1e9", "abc"])
@pytest.mark.parametrize(
    "command", [["add", "https://example.org/a", "--section", "News"], ["check", "--online"]]
)
def test_a_timeout_must_be_a_sensible_number_of_seconds(
    project: Path, run: RunCli, command: list[str], timeout: str
) -> None:
    before = (project / ISSUE).read_bytes()
    result = run(*command, "--timeout", timeout)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: Invalid value for '--timeout': ")
    assert (project / ISSUE).read_bytes() == before


@pytest.mark.parametrize("extra", [[], ["--create-section"]])
def test_an_empty_section_name_is_refused(
    project: Path, run: RunCli, site: Site, extra: list[str]
) -> None:
    before = (project / ISSUE).read_bytes()
    result = run("add", site.add("/a", "<title>A</title>"), "--section", " ", *extra)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: --section is empty: name a section of the issue, such as --section News\n",
    )
    assert site.requests == []  # refused before fetching
    assert (project / ISSUE).read_bytes() == before


TEMPLATE_DELIMITERS = ("{{", "}}", "{%", "%}", "{#", "#}", "*|", "|*")


def _without_delimiters(text: str) -> bool:
    return not any(delimiter in text for delimiter in TEMPLATE_DELIMITERS)


def test_template_syntax_from_a_page_is_broken_up(project: Path, run: RunCli, site: Site) -> None:
    from newsletter.export.services import ALL_TAGS

    url = _page(site, "template_tags.html")
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        'Added to News: Breaking { { Safe (printf "%s" .Subscriber.Email) } } news'
        f" ({{ {{ .Subscriber.Name }} }} Daily) {url}\n"
    )
    text = (project / ISSUE).read_text()
    assert _without_delimiters(text)
    assert (
        '        summary: "Dear \\\\* |FNAME| \\\\*,'
        " { % include 'x' % }{ { { raw } } } { #c# } and \\\\* |ARCHIVE| \\\\*.\"\n"
    ) in text
    assert "image_alt: '{ %- if x -% }* |UNSUB| *{ %- endif -% }'" in text
    # What the mail services' template engines get holds no tags but their own.
    for service in ("listmonk", "buttondown", "mailchimp"):
        # --force: the test page is on 127.0.0.1, which check calls an error (link/ip-address).
        exported_ok = run("export", "--to", service, "-o", f"out/{service}", "--force")
        assert exported_ok.exit_code == 0, exported_ok.output
        files = sorted((project / "out" / service).glob("email.*"))
        assert "email.html" in [f.name for f in files]
        for part in files:
            exported = part.read_text()
            assert "Subscriber" in exported
            for tag in (*ALL_TAGS, "*|MC_PREVIEW_TEXT|*"):
                exported = exported.replace(tag, "")
            assert _without_delimiters(exported), (service, part.name)


def test_template_syntax_from_a_saved_page_and_a_feed_is_broken_up(
    project: Path, run: RunCli, site: Site
) -> None:
    saved = PAGES / "template_tags.html"
    result = run("add", "--file", str(saved), "--url", "https://example.org/t", "-s", "News")
    assert result.exit_code == 0, result.output
    url = _page(site, "template_tags.rss", content_type="application/rss+xml")
    result = run("add", "--feed", url, "--since", "10000d", "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Added to News: Hello { { .Subscriber.Email } } (* |LIST:COMPANY| * news) "
        "https://example.org/news/tags\n"
    )
    text = (project / ISSUE).read_text()
    assert _without_delimiters(text)
    assert "        summary: 'Read { % debug % } and { # this # }.'\n" in text
    assert "image_alt: '* |EMAIL| *'\n" in text


def test_long_text_from_a_page_is_cut_short_and_said_so(
    project: Path, run: RunCli, site: Site
) -> None:
    title = "Word " * 200
    name = "Site " * 100
    page = (
        f'<title>{title}</title><meta property="og:site_name" content="{name}">'
        f'<meta name="description" content="{"Long. " * 100}">'
        '<meta property="og:image" content="https://example.org/a.jpg">'
        f'<meta property="og:image:alt" content="{"alt " * 300_000}">'
    )
    url = site.add("/long", page)
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0, result.output
    short_title = "Word " * 58 + "Word…"
    assert result.stdout == (
        f"Added to News: {short_title} ({'Site ' * 58}Site…) {url}\n"
        f"  note: {url}: the title is longer than 300 characters: cut short\n"
        f"  note: {url}: the site's name is longer than 300 characters: cut short\n"
        f"  note: {url}: the image's alt text is longer than 300 characters: cut short\n"
    )
    text = (project / ISSUE).read_text()
    assert f"      - title: {short_title}\n" in text
    assert f"        image_alt: {'alt ' * 73}alt…\n" in text
    summary = text.split("        summary: |\n")[1].split("        image:")[0]
    assert len(" ".join(summary.split())) <= 300
    assert len(text) < 5000
    assert run("build").exit_code == 0


def test_overlong_addresses_in_a_page_are_left_out(project: Path, run: RunCli, site: Site) -> None:
    huge = "https://example.org/" + "a" * 1_200_000
    page = (
        f'<title>Huge links</title><link rel="canonical" href="{huge}">'
        f'<meta property="og:image" content="{huge}.jpg">'
    )
    url = site.add("/huge-links", page)
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(f") {url}")  # the page's own address
    assert (
        f"  note: {url}: the page's image address is longer than 2048 characters: left out"
        in result.stdout.splitlines()
    )
    text = (project / ISSUE).read_text()
    assert f"        url: {url}\n" in text and "example.org/aaa" not in text
    assert run("build").exit_code == 0


def test_a_public_address_may_not_redirect_to_a_private_one(
    project: Path, run: RunCli, site: Site, public: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    site.add("/admin", "<title>Admin console</title>")
    site.redirect("/story", "/admin")
    url = f"{public}/story"
    before = (project / ISSUE).read_bytes()
    result = run("add", url, "--section", "News")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {url}: the server redirected to a private address (127.0.0.1): refused\n"
    )
    assert site.requests == ["/story"]  # the internal page was never asked for
    assert (project / ISSUE).read_bytes() == before


def test_ctrl_c_while_fetching_stops_at_once_and_leaves_the_file(project: Path, site: Site) -> None:
    url = site.add("/slow", "<title>Slow</title>", delay=8)
    before = (project / ISSUE).read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsletter", "add", url, "--section", "News"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while "/slow" not in site.requests:
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=5)  # not the 8 s the page takes, nor the 10 s timeout
    assert process.returncode == 130
    assert err == "Interrupted: the issue file is as it was, or has every article.\n"
    assert (project / ISSUE).read_bytes() == before


NOT_CHARSETS = ["base64", "rot13", "zlib", "hex", "bz2", "uu", "quopri", "idna", "undefined"]
NOT_CHARSETS += ["unicode_escape", "raw_unicode_escape", "utf-7", "punycode", "nonsense", "x" * 200]


@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize("label", NOT_CHARSETS)
def test_a_charset_that_is_no_text_encoding_is_read_as_undeclared(
    project: Path, run: RunCli, site: Site, where: str, label: str
) -> None:
    """A page may name any of Python's codecs as its charset: only real text encodings are
    honoured; the rest is read as an undeclared page (UTF-8 if valid, else windows-1252)."""
    meta = f'<meta charset="{label}">' if where == "meta" else ""
    page = f"<html><head>{meta}<title>Ça va, {label[:10]}</title></head><body>x</body></html>"
    content_type = f"text/html; charset={label}" if where == "header" else "text/html"
    url = site.add(f"/{where}", page.encode(), content_type=content_type)
    result = run("add", url, "--section", "News")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert f"Added to News: Ça va, {label[:10]}" in result.stdout


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
@pytest.mark.parametrize("option", ["--file", "--feed"])
def test_a_file_that_is_no_regular_file_is_refused_at_once(
    project: Path, option: str, kind: str
) -> None:
    """/dev/zero would be read until memory runs out, a FIFO would block for ever."""
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = project / "page.html"
        os.mkfifo(path)
    else:
        path = project / "folder"
        path.mkdir()
    before = (project / ISSUE).read_bytes()
    args = [option, str(path)] + (["--url", "https://example.org/a"] if option == "--file" else [])
    result = subprocess.run(
        [sys.executable, "-m", "newsletter", "add", "--section", "News", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=project,
        check=False,
    )
    assert result.returncode in (1, 2), result.stderr
    assert len(result.stderr.strip().splitlines()) >= 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr or path.name in result.stderr
    assert (project / ISSUE).read_bytes() == before


@pytest.mark.parametrize("since", ["999999w", "5201w", "0d", "9" * 400 + "d", "7 weeks"])
def test_a_feed_window_out_of_range_is_one_line(
    project: Path, run: RunCli, site: Site, since: str
) -> None:
    url = _page(site, "feed.rss", content_type="application/rss+xml")
    result = run("add", "--feed", url, "--section", "News", "--since", since)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --since {since}: expected ")
    assert len(result.stderr.splitlines()) == 1


def _big_feed(items: int) -> bytes:
    entries = "".join(
        f"<item><title>Story number {n} of a very long feed</title>"
        f"<link>https://news.example.com/{n}</link>"
        f"<description>{'Words of the story. ' * 10}</description>"
        f"<pubDate>Mon, 23 Nov 2026 {n // 3600 % 24:02}:{n // 60 % 60:02}:{n % 60:02} GMT</pubDate>"
        "</item>"
        for n in range(items)
    )
    return f'<rss version="2.0"><channel><title>Big</title>{entries}</channel></rss>'.encode()


@pytest.mark.slow
def test_a_feed_too_big_for_one_issue_is_refused_before_anything_is_written(
    project: Path, run: RunCli, site: Site
) -> None:
    url = site.add("/big.rss", _big_feed(3000), content_type="application/rss+xml")
    before = (project / ISSUE).read_bytes()
    result = run("add", "--feed", url, "--since", "5200w", "--section", "News")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {url}: 3,000 items in the window, more than an issue holds: take the newest"
        " with --limit N, or a shorter --since\n"
    )
    assert (project / ISSUE).read_bytes() == before
    result = run("add", "--feed", url, "--since", "5200w", "--limit", "3000", "-s", "News")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: with 3000 more articles issues/2026-11-30.yaml would be ")
    assert line.endswith("add fewer (--limit N takes the newest N items of a feed)")
    assert (project / ISSUE).read_bytes() == before
    assert run("build").exit_code == 0  # the issue is as it was: it still builds


def test_limit_takes_the_newest_items_of_a_feed(project: Path, run: RunCli, site: Site) -> None:
    url = site.add("/big.rss", _big_feed(3000), content_type="application/rss+xml")
    result = run("add", "--feed", url, "--since", "5200w", "--limit", "5", "--section", "News")
    assert result.exit_code == 0, result.output
    added = [line for line in result.stdout.splitlines() if line.startswith("Added to News: ")]
    assert [line.split(": ", 1)[1].split(" (")[0] for line in added] == [
        f"Story number {n} of a very long feed" for n in range(2995, 3000)
    ]
    usage = run("add", "https://example.org/a", "--limit", "5", "--section", "News")
    assert usage.exit_code == 2 and "--limit goes with --feed" in usage.stderr
