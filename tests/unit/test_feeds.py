"""Reading RSS and Atom feeds under tests/pages/: what is new since a moment, oldest first."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from newsletter.curate.extract import Found
from newsletter.curate.feeds import FeedError, parse_since, read_feed

PAGES = Path(__file__).parents[1] / "pages"
SINCE = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
RSS_URL = "https://www.commonspace.eu/feed.rss"
ATOM_URL = "https://caucasuswatch.example/feed.atom"


def rss(since: datetime.datetime = SINCE) -> list[Found]:
    return read_feed((PAGES / "feed.rss").read_bytes(), RSS_URL, since)


def atom(since: datetime.datetime = SINCE) -> list[Found]:
    return read_feed((PAGES / "feed.atom").read_bytes(), ATOM_URL, since)


def test_rss_items_since_a_moment_oldest_first() -> None:
    assert rss() == [
        Found(
            url="https://www.commonspace.eu/news/g7",
            title="G7 leaders urge de-escalation",
            summary=r"The summit ended with \*calls\* for a ceasefire\_now.",
            image="https://www.commonspace.eu/img/g7.jpg",  # from its HTML, not the 1x1 pixel
            image_alt="Leaders at Kananaskis",
            source="commonspace.eu & friends",
            published=datetime.date(2026, 11, 20),
            notes=(),
        ),
        Found(
            url="https://www.commonspace.eu/news/borrell-eu-engaged",  # relative link resolved
            title="Borrell: the EU stays engaged",
            summary="Borrell underlined that the European Union will make every effort…",
            image="https://www.commonspace.eu/img/borrell.jpg",  # an image enclosure
            image_alt=None,
            source="commonspace.eu & friends",
            published=datetime.date(2026, 11, 21),
            notes=(),
        ),
        Found(
            url="https://www.commonspace.eu/news/putin-prepares-step",  # utm_* removed
            title="Putin prepares to step in",
            summary="Russian president Vladimir Putin held talks with Pashinyan and Aliyev. "
            "A terse statement followed.",
            image="https://www.commonspace.eu/img/kremlin.jpg",  # media:content
            image_alt=None,
            source="commonspace.eu & friends",
            published=datetime.date(2026, 11, 23),
            notes=(),
        ),
        Found(
            url="https://www.commonspace.eu/podcast/42",
            title="Podcast: the week in review",
            summary="Listen.",
            image="https://www.commonspace.eu/img/podcast-42.jpg",  # not the audio or the video
            image_alt=None,
            source="commonspace.eu & friends",
            published=datetime.date(2026, 11, 24),
            notes=(),
        ),
    ]


def test_since_is_inclusive_and_undated_or_unlinked_items_are_left_out() -> None:
    assert [f.title for f in rss(datetime.datetime(2026, 11, 23, 16, 30, tzinfo=datetime.UTC))] == [
        "Putin prepares to step in",  # 19:30 +0300 is exactly 16:30 UTC
        "Podcast: the week in review",
    ]
    everything = [f.title for f in rss(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))]
    assert everything[0] == "An old story"
    assert "A story without a date" not in everything
    assert "A story without a link" not in everything
    assert rss(datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)) == []


def test_atom_entries_published_or_updated_since() -> None:
    found = atom()
    assert [(f.title, f.published) for f in found] == [
        ("An old analysis, updated this week", datetime.date(2026, 3, 1)),
        ("Tbilisi & Baku sign a rail deal", datetime.date(2026, 11, 24)),
        ("Just in", datetime.date(2026, 11, 25)),
    ]
    rail = found[1]
    assert rail.url == "https://caucasuswatch.example/articles/rail-deal?id=7"  # fbclid removed
    assert rail.image == "https://caucasuswatch.example/img/rail.png"
    assert rail.summary == "The line will carry freight from the Caspian to the Black Sea."
    assert rail.source == "Caucasus Watch"
    assert found[0].summary == "First paragraph. Second paragraph."  # from the content
    assert found[2].summary == "Plain text with <angle brackets> kept."  # type="text" stays


def test_a_date_with_a_zone_counts_in_that_zone() -> None:
    # Published 2026-11-24T09:15+04:00 = 05:15 UTC.
    late = datetime.datetime(2026, 11, 24, 5, 16, tzinfo=datetime.UTC)
    assert "Tbilisi & Baku sign a rail deal" not in [f.title for f in atom(late)]
    on_time = datetime.datetime(
        2026, 11, 24, 9, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=4))
    )
    assert "Tbilisi & Baku sign a rail deal" in [f.title for f in atom(on_time)]


def test_an_item_without_a_title_uses_its_address() -> None:
    feed = b"""<rss version="2.0"><channel><title>T</title><item>
        <link>https://example.org/news/42/</link><pubDate>Sun, 22 Nov 2026 08:00:00 GMT</pubDate>
        </item></channel></rss>"""
    [found] = read_feed(feed, "https://example.org/rss", SINCE)
    assert (found.title, found.notes) == (
        "example.org/news/42",
        ("the item has no title: used its address",),
    )


def test_an_item_with_an_overlong_link_is_left_out() -> None:
    feed = f"""<rss version="2.0"><channel><title>T</title>
        <item><title>Long</title><link>https://example.org/{"a" * 3000}</link>
        <pubDate>Sun, 22 Nov 2026 08:00:00 GMT</pubDate></item>
        <item><title>Short</title><link>https://example.org/b</link>
        <pubDate>Sun, 22 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>"""
    found = read_feed(feed.encode(), "https://example.org/rss", SINCE)
    assert [f.title for f in found] == ["Short"]


def test_a_web_page_is_not_a_feed() -> None:
    with pytest.raises(FeedError, match=r"^not an RSS or Atom feed but a web page$"):
        read_feed((PAGES / "open_graph.html").read_bytes(), RSS_URL, SINCE)


@pytest.mark.parametrize("data", [b"", b"garbage", b"\x00\xff", b"{}", b"<a><b></a>"])
def test_garbage_is_not_a_feed(data: bytes) -> None:
    with pytest.raises(FeedError, match=r"^not an RSS or Atom feed$"):
        read_feed(data, RSS_URL, SINCE)


@pytest.mark.parametrize(
    "data", [b"<rss><channel><title>x", b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x']
)
def test_a_feed_cut_short_is_broken_not_empty(data: bytes) -> None:
    with pytest.raises(FeedError, match=r"^the feed is broken XML \(no element found\)"):
        read_feed(data, RSS_URL, SINCE)


def test_bytes_naming_a_file_are_read_as_data_not_opened() -> None:
    path = str(PAGES / "feed.rss").encode()
    with pytest.raises(FeedError):
        read_feed(path, RSS_URL, SINCE)


def test_a_feed_without_dates_cannot_say_what_is_new() -> None:
    feed = b"""<rss version="2.0"><channel><title>T</title>
        <item><title>A</title><link>https://example.org/a</link></item></channel></rss>"""
    with pytest.raises(FeedError, match=r"^the feed's items have no dates: cannot tell"):
        read_feed(feed, "https://example.org/rss", SINCE)


def test_an_empty_feed_has_nothing_new() -> None:
    feed = b'<rss version="2.0"><channel><title>T</title></channel></rss>'
    assert read_feed(feed, "https://example.org/rss", SINCE) == []


def test_since_must_know_its_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        read_feed(b"", RSS_URL, datetime.datetime(2026, 11, 20))


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("7d", datetime.timedelta(days=7)),
        ("12h", datetime.timedelta(hours=12)),
        ("2w", datetime.timedelta(weeks=2)),
        (" 3D ", datetime.timedelta(days=3)),
        ("1 w", datetime.timedelta(weeks=1)),
    ],
)
def test_parse_since(text: str, span: datetime.timedelta) -> None:
    assert parse_since(text) == span


@pytest.mark.parametrize("text", ["", "7", "d", "7m", "1.5d", "-2d", "7 days", "0d", "9999999w"])
def test_parse_since_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match=r"like 12h, 7d or 2w|longer than 0"):
        parse_since(text)
