"""`newsletter add --feed`: choosing items (--since, --match, --skip-sponsored, --pick),
sponsored items, images, and feeds given where a page was expected; feeds served over a
real HTTP server on 127.0.0.1 (see tests/pages/ORIGIN-feeds.md for where they come from)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsletter.cli import cli
from tests.conftest import RunCli
from tests.httpserver import Site

pytestmark = pytest.mark.network

PAGES = Path(__file__).parents[1] / "pages"
ISSUE = Path("issues") / "2026-11-30.yaml"
RSS = "application/rss+xml"
ALL = ("--since", "2000-01-01")  # every item of the feeds under tests/pages


def _feed(site: Site, name: str, content_type: str = RSS) -> str:
    return site.add(f"/{name}", (PAGES / name).read_bytes(), content_type=content_type)


def _titles(result: Result) -> list[str]:
    return [
        line.removeprefix("Added to News: ").split(" (")[0]
        for line in result.stdout.splitlines()
        if line.startswith("Added to News: ")
    ]


def _pick(monkeypatch: pytest.MonkeyPatch, url: str, answer: str, *args: str) -> Result:
    """`add --feed URL --pick` as if at a terminal, answering `answer`."""
    monkeypatch.setattr("newsletter.cli.add.stdin_is_terminal", lambda: True)
    command = ["add", "--feed", url, *ALL, "--pick", "--section", "News", *args]
    return CliRunner().invoke(cli, command, input=answer + "\n", catch_exceptions=False)


@pytest.mark.parametrize(
    ("name", "content_type", "title", "image"),
    [
        (
            "real_spiegel_podcast.rss",
            RSS,
            "07.02. \u2013 die Wochenvorschau: Lockdown-Verlängerung, Kriegsverbrecher vor Gericht,"
            " Super Bowl, Karneval",
            # the image media:content, after an audio one; the audio enclosure is left out
            "https://www.omnycontent.com/d/programs/5ac1e950-45c7-4eb7-87c0-aa0f018441b8/"
            "bb17ca27-51f4-4349-bc1e-abc00102c975/image.jpg?t=1589902935&size=Large",
        ),
        ("real_bbc_podcast.rss", RSS, "Marcus Aurelius", "(none)"),  # audio only
        (
            "real_newscred_media.atom",
            "application/atom+xml",
            "The Day Off: Tampa",
            # media:content comes before media:thumbnail
            "https://www.example.com/Zz1hNjRiMWFjMzdhYWIzNTEwNjk2YjIzYjc5NWQxNWFlMA==/.jpeg",
        ),
        (
            "real_cloudflare_blog.rss",
            "text/xml",
            "Privacy-Preserving Compromised Credential Checking",
            "https://blog.cloudflare.com/content/images/2021/10/image6-15.png",
        ),
    ],
)
def test_real_feeds_give_their_first_image(
    project: Path, run: RunCli, site: Site, name: str, content_type: str, title: str, image: str
) -> None:
    url = _feed(site, name, content_type)
    result = run("add", "--feed", url, *ALL, "--section", "News", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"  title: {title}\n" in result.stdout
    assert f"  image: {image}\n" in result.stdout
    assert "sponsored" not in result.stdout


def test_sponsored_items_are_marked_and_their_marker_dropped(
    project: Path, run: RunCli, site: Site
) -> None:
    url = _feed(site, "sponsored.rss")
    result = run("add", "--feed", url, *ALL, "--section", "News")
    assert result.exit_code == 0, result.output
    assert _titles(result) == [
        "Armenia and Azerbaijan agree a border commission",
        "Fly to Tbilisi for less",  # "[Sponsor] ..."
        "Advertisement rules tighten in Georgia",  # news about adverts, not an advert
        "A guide to Baku's old town",  # <category>Sponsored</category>
        "Election observers arrive in Armenia",
        "Learn Georgian online",  # "Sponsored: ..."
    ]
    text = (project / ISSUE).read_text()
    assert text.count("sponsored: true") == 3
    assert (
        """\
      - title: Fly to Tbilisi for less
        url: https://caucasusweekly.example/partners/airline
        source: Caucasus Weekly
        summary: Our partner's winter fares.
        image: https://caucasusweekly.example/img/airline.jpg
        sponsored: true
        published: 2026-11-23
"""
        in text
    )  # the image enclosure, not the video before it
    assert "image: https://caucasusweekly.example/img/border-thumb.jpg" in text  # thumbnail
    assert "image: https://caucasusweekly.example/img/observers.jpg" in text  # not the audio
    assert run("build").exit_code == 0


def test_skip_sponsored(project: Path, run: RunCli, site: Site) -> None:
    url = _feed(site, "sponsored.rss")
    result = run("add", "--feed", url, *ALL, "--skip-sponsored", "--section", "News")
    assert result.exit_code == 0, result.output
    assert _titles(result) == [
        "Armenia and Azerbaijan agree a border commission",
        "Advertisement rules tighten in Georgia",
        "Election observers arrive in Armenia",
    ]
    assert "sponsored" not in (project / ISSUE).read_text()


@pytest.mark.parametrize(
    ("words", "titles"),
    [
        # in the title or the summary, whatever the case
        (
            "armenia",
            [
                "Armenia and Azerbaijan agree a border commission",
                "Election observers arrive in Armenia",
                "Learn Georgian online",
            ],
        ),
        ("ARMENIA  election", ["Election observers arrive in Armenia"]),  # all the words
        ("advert", []),  # whole words: "Advertisement" is not "advert"
        ("Baku's", ["A guide to Baku's old town"]),
    ],
)
def test_match_keeps_items_with_all_the_words(
    project: Path, run: RunCli, site: Site, words: str, titles: list[str]
) -> None:
    url = _feed(site, "sponsored.rss")
    result = run("add", "--feed", url, *ALL, "--match", words, "--section", "News")
    assert result.exit_code == 0, result.output
    assert _titles(result) == titles
    if not titles:
        assert result.stdout == (
            "Nothing added: the feed has no items since 2000-01-01 with the words advert.\n"
        )


def test_match_comes_before_limit(project: Path, run: RunCli, site: Site) -> None:
    url = _feed(site, "sponsored.rss")
    result = run("add", "--feed", url, *ALL, "--match", "Armenia", "--limit", "1", "-s", "News")
    assert _titles(result) == ["Learn Georgian online"]  # the newest item that matches


def test_since_a_date_counts_from_the_start_of_that_day(
    project: Path, run: RunCli, site: Site
) -> None:
    url = _feed(site, "sponsored.rss")
    result = run("add", "--feed", url, "--since", "2026-11-25", "--section", "News")
    assert _titles(result) == ["Election observers arrive in Armenia", "Learn Georgian online"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "0d"), "Error: --since 0d: expected a span of time longer than 0, not '0d'"),
        (
            ("--since", "2026-13-45"),
            "Error: --since 2026-13-45: expected a date as YYYY-MM-DD, not '2026-13-45'"
            " (month must be in 1..12)",
        ),
        (
            ("--since", "2026-02-30"),
            "Error: --since 2026-02-30: expected a date as YYYY-MM-DD, not '2026-02-30'"
            " (day is out of range for month)",
        ),
        (
            ("--since", "9999-01-01"),
            "Error: --since 9999-01-01: expected a day that has begun, not '9999-01-01',"
            " in the future",
        ),
        (
            ("--since", "last week"),
            "Error: --since last week: expected a span like 12h, 7d or 2w, or a date like"
            " 2026-11-23, not 'last week'",
        ),
        (
            ("--match", ""),
            "Error: --match '': expected one word or more, such as --match 'Armenia election'",
        ),
        (
            ("--match", "  "),
            "Error: --match '  ': expected one word or more, such as --match 'Armenia election'",
        ),
        (
            ("--pick",),  # CliRunner's stdin is no terminal
            "Error: --pick asks which items to add: run it in a terminal, not with input piped in",
        ),
    ],
)
def test_bad_feed_options_are_one_line_and_nothing_is_fetched(
    project: Path, run: RunCli, site: Site, args: tuple[str, ...], message: str
) -> None:
    url = _feed(site, "sponsored.rss")
    before = (project / ISSUE).read_bytes()
    result = run("add", "--feed", url, *args, "--section", "News")
    assert (result.exit_code, result.stderr, result.stdout) == (2, message + "\n", "")
    assert site.requests == []
    assert (project / ISSUE).read_bytes() == before


@pytest.mark.parametrize("option", ["--match=x", "--skip-sponsored", "--pick", "--since=2d"])
def test_feed_options_go_with_feed(project: Path, run: RunCli, option: str) -> None:
    result = run("add", "https://example.org/a", option, "--section", "News")
    assert result.exit_code == 2
    assert f"Error: {option.split('=')[0]} goes with --feed" in result.stderr


@pytest.mark.parametrize(
    ("answer", "numbers"), [("1 3", [1, 3]), ("5-6, 1", [1, 5, 6]), ("ALL", [1, 2, 3, 4, 5, 6])]
)
def test_pick_lists_the_items_and_adds_those_chosen(
    project: Path, site: Site, monkeypatch: pytest.MonkeyPatch, answer: str, numbers: list[int]
) -> None:
    result = _pick(monkeypatch, _feed(site, "sponsored.rss"), answer)
    assert result.exit_code == 0, result.output
    listed = result.stderr.splitlines()
    assert listed[:3] == [
        "6 items:",
        "  1. Armenia and Azerbaijan agree a border commission (2026-11-23, Caucasus Weekly)",
        "  2. Fly to Tbilisi for less (2026-11-23, Caucasus Weekly, sponsored)",
    ]
    assert listed[7] == f"Add which? (like 1 3 5-7, or all; nothing for none): {answer}"
    assert _titles(result) == [listed[n].split(". ", 1)[1].split(" (")[0] for n in numbers]


def test_pick_nothing_adds_nothing(
    project: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (project / ISSUE).read_bytes()
    result = _pick(monkeypatch, _feed(site, "sponsored.rss"), "")
    assert (result.exit_code, result.stdout) == (0, "Nothing picked: nothing added.\n")
    assert (project / ISSUE).read_bytes() == before


def test_pick_offers_only_what_is_new_and_passes_the_filters(
    project: Path, run: RunCli, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _feed(site, "sponsored.rss")
    assert run("add", "--feed", url, *ALL, "--match", "commission", "-s", "News").exit_code == 0
    result = _pick(monkeypatch, url, "all", "--skip-sponsored")
    assert result.stderr.startswith(
        "2 items:\n"
        "  1. Advertisement rules tighten in Georgia (2026-11-24, Caucasus Weekly)\n"
        "  2. Election observers arrive in Armenia (2026-11-25, Caucasus Weekly)\n"
    )
    assert len(_titles(result)) == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ("9999", "no item 9999: the items are 1 to 6"),
        ("0", "no item 0: the items are 1 to 6"),
        ("1-", "expected numbers and ranges like 1 3 5-7, or all, not '1-'"),
        ("a", "expected numbers and ranges like 1 3 5-7, or all, not 'a'"),
        ("-3", "expected numbers and ranges like 1 3 5-7, or all, not '-3'"),
        ("4-2", "the range 4-2 runs backwards: write 2-4"),
        (
            "1 " + "9" * 5000,
            "expected numbers and ranges like 1 3 5-7, or all, not '" + "9" * 20 + "'",
        ),
    ],
)
def test_pick_garbage_is_one_line_and_writes_nothing(
    project: Path, site: Site, monkeypatch: pytest.MonkeyPatch, answer: str, error: str
) -> None:
    before = (project / ISSUE).read_bytes()
    result = _pick(monkeypatch, _feed(site, "sponsored.rss"), answer)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"Error: --pick: {error}"
    assert result.stdout == ""
    assert (project / ISSUE).read_bytes() == before


def test_pick_at_a_real_terminal(project: Path) -> None:
    """The real command in a pseudo-terminal: it lists, asks, and adds what was typed."""
    feed = PAGES / "sponsored.rss"
    command = [sys.executable, "-m", "newsletter", "add", "--feed", str(feed), *ALL]
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*command, "--pick", "--section", "News"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    seen = b""

    def read_until(wanted: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while wanted not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    seen += os.read(leader, 4096)
                except OSError:  # the terminal closed: the command ended
                    break

    try:
        read_until(b"nothing for none): ")
        os.write(leader, b"2 5\n")
        read_until(b"Election observers arrive in Armenia (Caucasus Weekly)")
        assert process.wait(timeout=30) == 0, seen.decode()
    finally:
        process.kill()
        os.close(leader)
    text = seen.decode().replace("\r\n", "\n")
    assert "  6. Learn Georgian online (2026-11-25, Caucasus Weekly, sponsored)\n" in text
    assert "Added to News: Fly to Tbilisi for less (Caucasus Weekly)" in text
    added = (project / ISSUE).read_text()
    assert "Fly to Tbilisi for less" in added and "Election observers" in added
    assert "border commission" not in added


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("sponsored.rss", RSS),
        ("feed.atom", "application/atom+xml"),
        ("real_cloudflare_blog.rss", "text/xml; charset=utf-8"),  # by its root element
        ("feed.atom", "application/xml"),
        ("real_bbc_podcast.rss", "text/html"),  # a server that says it is a page
        ("rdf", "application/xml"),
    ],
)
def test_a_feed_given_as_a_page_is_refused_suggesting_feed(
    project: Path, run: RunCli, site: Site, name: str, content_type: str
) -> None:
    rdf = (
        b'<?xml version="1.0"?>\n<!-- RSS 1.0 -->\n<rdf:RDF'
        b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>'
    )
    body = rdf if name == "rdf" else (PAGES / name).read_bytes()
    feed = site.add("/feed", body, content_type=content_type)
    page = site.add("/page", (PAGES / "open_graph.html").read_bytes())
    result = run("add", feed, page, "--section", "News")
    assert result.exit_code == 1
    # The page's image is on a host the tests cannot reach: a warning, the page is added.
    assert result.stderr == (
        f"Error: {feed}: a feed, not a web page: add its items with --feed\n"
        f"Warning: {page}: image not kept: could not find the host www.commonspace.eu:"
        " https://www.commonspace.eu/img/kremlin.jpg\n"
    )
    assert _titles(result) == ["Putin prepares to step in"]  # the other page is added


def test_other_xml_is_not_a_page(project: Path, run: RunCli, site: Site) -> None:
    url = site.add("/data.xml", b"<?xml version='1.0'?><data/>", content_type="application/xml")
    result = run("add", url, "--section", "News")
    assert result.stderr == f"Error: {url}: not a web page but application/xml\n"


def test_a_saved_feed_is_refused_suggesting_feed(project: Path, run: RunCli) -> None:
    feed = PAGES / "real_newscred_media.atom"
    result = run("add", "--file", str(feed), "--url", "https://example.org/a", "-s", "News")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --file {feed}: a feed, not a web page: add its items with --feed {feed}\n"
    )
