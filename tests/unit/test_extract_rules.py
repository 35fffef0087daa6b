"""The rules by which extract_page picks each field, each shown on a small page."""

from __future__ import annotations

import datetime

import pytest

from newsletter.curate.extract import extract_page
from newsletter.curate.images import same_image
from newsletter.curate.text import summarize
from newsletter.curate.titles import clean_title, looks_like_section

URL = "https://news.example.org/2026/11/talks"
LEDE = (
    "Armenian and Azerbaijani negotiators met in Geneva on Monday for a third round of talks. "
    "Both sides said the meeting had been useful."
)


def page(head: str, body: str = "") -> bytes:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>".encode()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.org/up/2019/11/moon-1024x576.jpg", "https://x.org/up/2019/11/moon.jpg"),
        ("https://x.org/img/moon.jpg?w=1200&q=80", "https://x.org/img/moon.jpg"),
        (
            "https://cdn.x.org/w_800/photos/abc/moon_800x450.jpg",
            "https://cdn.x.org/photos/abc/moon.jpg",
        ),
        ("https://x.org/image/43470564_304.jpg", "https://x.org/image/43470564_303.jpg"),
        (
            "https://i.x.co.uk/news/1024/branded/_109740197_taylorswift.jpg",
            "https://i.x.co.uk/news/320/cpsprodpb/_109740197_taylorswift.jpg",
        ),
        (
            "https://img.x.com/resize/1200x630/?url=https%3A%2F%2Fcdn.x.com%2Fa%2Fprotest.jpg",
            "https://cdn.x.com/a/protest.jpg",
        ),
    ],
)
def test_one_image_at_other_sizes_is_the_same_image(a: str, b: str) -> None:
    assert same_image(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.org/a/photo.jpg", "https://x.org/b/photo.jpg"),  # too common a name
        ("https://x.org/img/moon.jpg", "https://x.org/img/sun.jpg"),
        ("https://x.org/img/IMG_2043.jpg", "https://x.org/other/IMG_2044.jpg"),
    ],
)
def test_different_images_are_not_the_same(a: str, b: str) -> None:
    assert not same_image(a, b)


def test_the_alt_text_is_the_pages_own_for_that_image_at_any_size() -> None:
    html = page(
        '<meta property="og:image" content="https://news.example.org/img/geneva-1200x630.jpg">'
        '<meta property="og:image:alt" content="News Example">',
        '<img src="/img/logo.png" alt="News Example">'
        '<img src="/img/geneva-800x450.jpg?q=80" alt="Delegates in Geneva">',
    )
    assert extract_page(html, URL).image_alt == "Delegates in Geneva"


@pytest.mark.parametrize(
    "alt", ["News Example", "Talks in Geneva", "BREAKING: Talks in Geneva", "geneva_talks_01"]
)
def test_the_site_name_the_headline_or_a_file_name_is_no_alt_text(alt: str) -> None:
    html = page(
        '<meta property="og:site_name" content="News Example">'
        '<meta property="og:title" content="BREAKING: Talks in Geneva">'
        '<meta property="og:image" content="https://news.example.org/img/geneva.jpg">'
        f'<meta property="og:image:alt" content="{alt}">',
        f'<img src="/img/geneva.jpg" alt="{alt}">',
    )
    found = extract_page(html, URL)
    assert (found.title, found.image_alt) == ("Talks in Geneva", None)


def test_the_first_open_graph_image_is_the_lead_image() -> None:
    html = page(
        '<meta property="og:image" content="https://news.example.org/img/lead.jpg">'
        '<meta property="og:image" content="https://news.example.org/img/second.jpg">'
        '<meta name="twitter:image" content="https://news.example.org/img/card.jpg">'
    )
    assert extract_page(html, URL).image == "https://news.example.org/img/lead.jpg"


def test_without_meta_tags_the_lead_image_is_json_lds_first() -> None:
    html = page(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Talks",'
        ' "image": ["https://news.example.org/img/lead.jpg", "https://news.example.org/b.jpg"]}'
        "</script>"
    )
    assert extract_page(html, URL).image == "https://news.example.org/img/lead.jpg"


@pytest.mark.parametrize(("site_name", "source"), [("U.S.", "Reuters"), ("reuters", "Reuters")])
def test_a_section_or_a_slug_as_site_name_gives_way_to_the_publisher(
    site_name: str, source: str
) -> None:
    html = page(
        f'<meta property="og:site_name" content="{site_name}">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Talks",'
        ' "publisher": {"@type": "Organization", "name": "Reuters"}}</script>'
    )
    assert extract_page(html, URL).source == source


def test_a_slug_without_a_publisher_gives_way_to_the_host() -> None:
    html = page('<title>Talks - nj.com</title><meta property="og:site_name" content="nj">')
    found = extract_page(html, "https://www.nj.com/news/talks.html")
    assert (found.source, found.title) == ("nj.com", "Talks")


def test_looks_like_section() -> None:
    assert looks_like_section("World")
    assert looks_like_section("theverge")
    assert looks_like_section("https://www.facebook.com/news")
    assert not looks_like_section("The Verge")
    assert not looks_like_section("Remember 80/90")


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("Berlin confronts its past | DW | 19.01.2020", "Berlin confronts its past"),
        (
            "The view on Hong Kong: a city on the brink | Editorial",
            "The view on Hong Kong: a city on the brink",
        ),
        ("Opinion | Republicans follow Trump", "Republicans follow Trump"),
        ("Opinion: Republicans follow Trump", "Republicans follow Trump"),
        ("Talks resume - Politics - News Example", "Talks resume"),
        ("Talks resume \N{EM DASH} Jan 19, 2020", "Talks resume"),
        ("Armenia - Azerbaijan: the talks", "Armenia - Azerbaijan: the talks"),
        ("The talks: a view from Baku", "The talks: a view from Baku"),
    ],
)
def test_titles_lose_the_site_sections_and_dates_around_them(title: str, cleaned: str) -> None:
    assert clean_title(title, ["News Example", "dw.com"], ["Politics"]) == cleaned


def test_the_date_in_a_title_is_the_publication_date_when_nothing_else_says() -> None:
    html = page('<meta property="og:title" content="Talks resume | DW | 10.06.2013">')
    assert extract_page(html, URL).published == datetime.date(2013, 6, 10)


def test_published_beats_modified() -> None:
    html = page(
        '<meta property="article:modified_time" content="2026-11-20T10:00:00Z">'
        '<meta property="article:published_time" content="2026-11-18T10:00:00Z">'
    )
    assert extract_page(html, URL).published == datetime.date(2026, 11, 18)


def test_no_date_is_written_as_year_one() -> None:
    html = page('<meta property="article:published_time" content="0001-01-01T00:00:00Z">')
    assert extract_page(html, URL).published is None


def test_without_rel_canonical_og_url_is_the_address() -> None:
    html = page('<meta property="og:url" content="https://news.example.org/talks">')
    assert extract_page(html, URL + "?ref=feed").url == "https://news.example.org/talks"


def test_without_a_description_the_summary_is_the_first_real_paragraph() -> None:
    html = page(
        '<meta property="og:title" content="Talks resume in Geneva">',
        "<h1>Talks resume in Geneva</h1><p>Photo: Reuters / A. Photographer, Geneva 2026.</p>"
        "<figure><img src='/a.jpg' alt='Delegates arrive at the Palais des Nations in Geneva "
        "on Monday'><figcaption>Delegates arrive at the Palais des Nations in Geneva on Monday."
        f"</figcaption></figure><p>{LEDE}</p><p>{LEDE}</p>",
    )
    assert extract_page(html, URL).summary == LEDE


def test_a_description_that_repeats_the_title_is_no_summary() -> None:
    html = page(
        '<meta property="og:title" content="Talks resume in Geneva">'
        '<meta name="description" content="Talks resume in Geneva">',
        f"<p>{LEDE}</p>",
    )
    assert extract_page(html, URL).summary == LEDE


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("The talks ended. Both sides agreed to meet ag…", "The talks ended."),
        ("Both sides came. The talks [...]", "Both sides came."),
        ("JSON is fast. It is also … Continue reading JSON parsing", "JSON is fast."),
        ("An ending cut by the site…", "An ending cut by the site…"),
        ("A " + "long " * 35 + "line.Rebranded " + "more " * 30, "A " + "long " * 35 + "line."),
    ],
)
def test_a_summary_ends_at_a_sentence_rather_than_mid_word(text: str, summary: str) -> None:
    assert summarize(text) == summary
