"""normalize_url merges the ways of writing one article's address, and only those."""

from __future__ import annotations

import pytest

from newsletter.model.urls import normalize_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/news/lead-story",
        "https://example.org/news/lead-story/",
        "HTTPS://Example.ORG/news/lead-story",
        "https://example.org:443/news/lead-story",
        "https://example.org./news/lead-story",
        "https://EXAMPLE.org.:443/news/lead-story/",
        "https://example.org/news/lead-story#comments",
        "https://example.org/news/lead-story?utm_source=feed&utm_medium=rss",
        "https://example.org/news/lead-story?fbclid=IwAR0x#top",
        "  https://example.org/news/lead-story\n",
    ],
)
def test_ways_of_writing_the_same_article_normalise_to_one_url(url: str) -> None:
    assert normalize_url(url) == "https://example.org/news/lead-story"


def test_the_default_port_of_plain_http_is_dropped_too() -> None:
    assert normalize_url("HTTP://Example.org:80/a/") == "http://example.org/a"


def test_a_port_other_than_the_default_is_kept() -> None:
    assert normalize_url("https://Example.org:8443/a/") == "https://example.org:8443/a"
    assert normalize_url("http://example.org:443/a") == "http://example.org:443/a"


def test_the_query_stays_once_its_trackers_are_gone() -> None:
    url = "https://Example.org/item/?id=3&utm_campaign=spring&page=2#reviews"
    assert normalize_url(url) == "https://example.org/item?id=3&page=2"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Different paths.
        ("https://example.org/news/a", "https://example.org/news/b"),
        ("https://example.org/news/a", "https://example.org/news/a/comments"),
        ("https://example.org/news", "https://example.org/news/a"),
        ("https://example.org/tags/X", "https://example.org/tags"),
        ("https://example.org/", "https://example.org/index.html"),
        # Paths are case-sensitive: these can be two pages.
        ("https://example.org/News/Lead", "https://example.org/news/lead"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://youtu.be/dqw4w9wgxcq"),
        # Query values and keys.
        ("https://example.org/item?id=3", "https://example.org/item?id=4"),
        ("https://example.org/item?id=3", "https://example.org/item"),
        ("https://example.org/item?page=2", "https://example.org/item?p=2"),
        ("https://example.org/item?id=3", "https://example.org/item?ID=3"),
        ("https://example.org/a?shared=1", "https://example.org/a"),
        ("https://example.org/a?reference=12", "https://example.org/a"),
        # Ports.
        ("https://example.org:8443/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:9443/a"),
        ("http://example.org:443/a", "http://example.org/a"),
        ("https://example.org:80/a", "https://example.org/a"),
        # Hosts.
        ("https://example.org/a", "https://example.com/a"),
        ("https://blog.example.org/a", "https://example.org/a"),
    ],
)
def test_different_articles_stay_different(one: str, other: str) -> None:
    assert normalize_url(one) != normalize_url(other)


def test_a_relative_url_keeps_its_path_and_gains_no_host() -> None:
    assert normalize_url("/news/lead-story/") == "/news/lead-story"


def test_an_impossible_port_is_left_out_rather_than_raising() -> None:
    assert normalize_url("https://example.org:99999/a") == "https://example.org/a"
    assert normalize_url("https://example.org:http/a") == "https://example.org/a"


def test_an_ipv6_address_keeps_its_brackets_apart_from_the_port() -> None:
    with_port = normalize_url("http://[2001:db8::1]:8080/a")
    in_address = normalize_url("http://[2001:db8::1:8080]/a")
    assert with_port == "http://[2001:db8::1]:8080/a"
    assert in_address == "http://[2001:db8::1:8080]/a"
    assert normalize_url("http://[2001:DB8::1]:80/a/") == "http://[2001:db8::1]/a"
