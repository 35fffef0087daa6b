"""Choosing a feed's items: sponsor markers, --match, --pick, --since a date, and telling a
feed from a page by its root element."""

from __future__ import annotations

import datetime

import pytest

from newsletter.curate.choose import (
    is_sponsor_category,
    listing,
    match_words,
    matches,
    parse_pick,
    unsponsored_title,
)
from newsletter.curate.extract import Found
from newsletter.curate.feeds import read_feed, since_moment
from newsletter.web.pages import is_feed

NOW = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)


def _found(title: str, summary: str = "", **kwargs: object) -> Found:
    fields: dict[str, object] = {
        "url": "https://example.org/a",
        "title": title,
        "summary": summary,
        "image": None,
        "image_alt": None,
        "source": None,
        "published": None,
        "notes": (),
    }
    return Found(**(fields | kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "plain"),
    [
        ("[Sponsor] Fly for less", "Fly for less"),
        ("[Sponsored] Fly for less", "Fly for less"),
        ("Sponsored: Fly for less", "Fly for less"),
        ("SPONSOR: Fly for less", "Fly for less"),
        ("Sponsored post | Fly for less", "Fly for less"),
        ("[Ad] Fly for less", "Fly for less"),
        ("(Ad) Fly for less", "Fly for less"),
        ("Advertisement: Fly for less", "Fly for less"),
        ("Advertisement - Fly for less", "Fly for less"),
        ("Advertorial: Fly for less", "Fly for less"),
        ("Fly for less (Sponsored)", "Fly for less"),
        ("Fly for less [Ad]", "Fly for less"),
        ("[Sponsor]", "[Sponsor]"),  # only a marker: kept whole
        ("Advertisement rules tighten in Georgia", None),
        ("Sponsorship deals rise", None),
        ("Adam: a profile", None),
        ("Ads are everywhere", None),
        ("Sponsors of terrorism, says the minister", None),
        ("The ad: a history", None),
    ],
)
def test_sponsor_markers_in_titles(title: str, plain: str | None) -> None:
    assert unsponsored_title(title) == plain


@pytest.mark.parametrize(
    ("term", "sponsored"),
    [
        ("Sponsored", True),
        (" sponsor ", True),
        ("Sponsored  Content", True),
        ("Advertorial", True),
        ("Politics", False),
        ("Advertising", False),
        ("", False),
    ],
)
def test_sponsor_categories(term: str, sponsored: bool) -> None:
    assert is_sponsor_category(term) is sponsored


def test_sponsored_category_in_atom_and_first_image_enclosure() -> None:
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
      <entry><title>Tour the old town</title><link href="https://example.org/tour"/>
        <updated>2026-11-29T10:00:00Z</updated><category term="sponsored"/>
        <link rel="enclosure" type="audio/mpeg" href="https://example.org/tour.mp3"/>
        <link rel="enclosure" type="image/webp" href="https://example.org/tour.webp"/>
        <link rel="enclosure" type="image/png" href="https://example.org/second.png"/>
      </entry></feed>"""
    [found] = read_feed(feed, "https://example.org/atom", NOW - datetime.timedelta(days=7))
    assert (found.title, found.sponsored, found.image) == (
        "Tour the old town",
        True,
        "https://example.org/tour.webp",
    )


def test_keep_is_applied_before_limit() -> None:
    items = "".join(
        f"<item><title>Story {n}{' Armenia' if n % 2 else ''}</title>"
        f"<link>https://example.org/{n}</link>"
        f"<pubDate>Mon, {n + 1:02d} Nov 2026 10:00:00 GMT</pubDate></item>"
        for n in range(10)
    )
    feed = f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    since = NOW - datetime.timedelta(weeks=10)
    words = match_words("armenia")
    kept = read_feed(feed, "https://example.org/", since, 2, keep=lambda f: matches(f, words))
    assert [f.title for f in kept] == ["Story 7 Armenia", "Story 9 Armenia"]


@pytest.mark.parametrize(
    ("words", "title", "summary", "found"),
    [
        ("armenia", "ARMENIA votes", "", True),
        ("Armenia votes", "Armenia", "Parliament votes", True),  # across title and summary
        ("armenia votes", "Armenia", "", False),  # every word is needed
        ("EU", "Europe stays engaged", "", False),  # whole words only
        ("Putin", "Putin's summit", "", True),
        ("ceasefire_now", "", r"calls for a ceasefire\_now", True),  # Markdown escapes aside
        ("straße", "STRASSE closed", "", True),  # casefolded, as Unicode compares text
        ("straße", "Straße closed", "", True),
    ],
)
def test_match(words: str, title: str, summary: str, found: bool) -> None:
    assert matches(_found(title, summary), match_words(words)) is found


@pytest.mark.parametrize("text", ["", " ", "\t\n"])
def test_match_needs_a_word(text: str) -> None:
    with pytest.raises(ValueError, match="one word or more"):
        match_words(text)


@pytest.mark.parametrize(
    ("text", "count", "chosen"),
    [
        ("1 3 5-7", 8, [0, 2, 4, 5, 6]),
        ("7,1, 3-3", 8, [0, 2, 6]),
        ("2 2 1-2", 3, [0, 1]),
        ("all", 3, [0, 1, 2]),
        (" All ", 2, [0, 1]),
        ("", 3, []),
        ("  ", 3, []),
    ],
)
def test_parse_pick(text: str, count: int, chosen: list[int]) -> None:
    assert parse_pick(text, count) == chosen


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("9999", "no item 9999: the items are 1 to 5"),
        ("1-9", "no item 9: the items are 1 to 5"),
        ("1-", "not '1-'"),
        ("-1", "not '-1'"),
        ("a", "not 'a'"),
        ("1..3", "not '1..3'"),
        ("1.5", "not '1.5'"),
        ("٣", "not '٣'"),  # a digit, but not one an editor types for an item
        ("5-2", "the range 5-2 runs backwards: write 2-5"),
        ("9" * 10_000, "not '99999999999999999999'"),  # no huge number is made
        ("none", "not 'none'"),
    ],
)
def test_parse_pick_refuses_garbage(text: str, error: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_pick(text, 5)
    assert str(caught.value).endswith(error) and "\n" not in str(caught.value)


def test_listing() -> None:
    items = [
        _found("One", source="Site", published=datetime.date(2026, 11, 2)),
        _found("Two", sponsored=True),
    ]
    assert listing(items) == [
        "  1. One (2026-11-02, Site)",
        "  2. Two (no date, sponsored)",
    ]


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2026-11-23", datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC)),
        (" 2026-1-5 ", datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)),
        ("2026-11-30", datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)),  # today
        ("36h", NOW - datetime.timedelta(hours=36)),
    ],
)
def test_since_moment(text: str, start: datetime.datetime) -> None:
    assert since_moment(text, NOW) == start


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2026-13-45", "month must be in 1..12"),
        ("2026-02-29", "day is out of range for month"),
        ("0000-01-01", "year 0 is out of range"),
        ("2026-12-01", "in the future"),
        ("2026/11/23", "or a date like 2026-11-23"),
        ("23-11-2026", "or a date like 2026-11-23"),
        ("0d", "longer than 0"),
    ],
)
def test_since_moment_refuses(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        since_moment(text, NOW)


@pytest.mark.parametrize(
    ("body", "feed"),
    [
        (b'<rss version="2.0"><channel/></rss>', True),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- a comment -->\n<feed xmlns='x'/>", True),
        (b"<?xml version='1.0'?><?xml-stylesheet href='a.xsl'?><rss/>", True),
        (b'<!DOCTYPE rss [<!ENTITY a "b">]><rss/>', True),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", True),
        ("<rss/>".encode("utf-16"), True),
        (b"<!DOCTYPE html><html><head><title>rss</title></head></html>", False),
        (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>", False),
        (b"<data><rss/></data>", False),
        (b"<feeder/>", False),
        (b"", False),
        (b"<?" * 3000, False),
        (b"<!--" * 2000, False),
    ],
)
def test_is_feed(body: bytes, feed: bool) -> None:
    assert is_feed(body) is feed
