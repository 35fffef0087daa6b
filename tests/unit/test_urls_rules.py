"""The URL rules: what counts as an http(s) link, an IP address, a mailto: link, a tracker."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest

from newsletter.model.urls import http_url_problem, ip_literal, is_mailto, without_tracking


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/news/2026/11/30/lead-story",
        "http://example.org",
        "HTTPS://Example.org/news?id=3&page=2#comments",
        "https://blog.example.co.uk:8443/posts/hello-world/",
        "https://www.bbc.co.uk/news/science_and_environment-12345678",
        "https://example.org./news/a",
        "http://127.0.0.1:8000/preview",
        "http://[2001:db8::1]:8080/a",
    ],
)
def test_an_absolute_http_url_has_no_problem(url: str) -> None:
    assert http_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org:99999/a", "not a valid URL: 'https://example.org:99999/a'"),
        ("https://example.org:http/a", "not a valid URL: 'https://example.org:http/a'"),
        ("http://[2001:db8::1/a", "not a valid URL: 'http://[2001:db8::1/a'"),
        (
            "/news/lead-story",
            "must be an absolute http(s) URL, not the relative '/news/lead-story'",
        ),
        (
            "example.org/news/a",
            "must be an absolute http(s) URL, not the relative 'example.org/news/a'",
        ),
        ("javascript:alert(1)", "must be an absolute http(s) URL, not a javascript: link"),
        ("ftp://ftp.example.org/report.pdf", "must be an absolute http(s) URL, not a ftp: link"),
        ("mailto:editor@example.org", "must be an absolute http(s) URL, not a mailto: link"),
        (
            "https:///news/a",
            "must be an absolute http(s) URL with a host name, not 'https:///news/a'",
        ),
        (
            "https://-example.org/a",
            "must be an absolute http(s) URL with a host name, not 'https://-example.org/a'",
        ),
        (
            "https://exa_mple..org/a",
            "must be an absolute http(s) URL with a host name, not 'https://exa_mple..org/a'",
        ),
        (
            "https://editor:secret@example.org/drafts",
            "must not carry a user name or password (user:password@ before the host)",
        ),
        (
            "https://paypal.com@example.org/login",
            "must not carry a user name or password (user:password@ before the host)",
        ),
        (
            "https://example.org/news/a story",
            "must not contain spaces, quotes or control characters: "
            "'https://example.org/news/a story'",
        ),
        (
            'https://example.org/a"onmouseover="x',
            "must not contain spaces, quotes or control characters: "
            "'https://example.org/a\"onmouseover=\"x'",
        ),
        (
            "https://example.org/a<script>",
            "must not contain spaces, quotes or control characters: 'https://example.org/a<script>'",
        ),
    ],
)
def test_a_url_that_is_not_an_absolute_http_link_says_why(url: str, problem: str) -> None:
    assert http_url_problem(url) == problem


def test_a_long_url_is_shown_whole_up_to_sixty_characters() -> None:
    url = "/news/" + "a" * 54
    assert len(url) == 60
    assert http_url_problem(url) == f"must be an absolute http(s) URL, not the relative {url!r}"


def test_a_longer_url_is_shown_as_its_first_fifty_seven_characters_and_an_ellipsis() -> None:
    url = "/news/" + "a" * 51 + "bcdef"
    assert len(url) == 62
    shown = "/news/" + "a" * 51 + "..."
    assert http_url_problem(url) == f"must be an absolute http(s) URL, not the relative {shown!r}"
    assert http_url_problem(url[:61]) == (
        f"must be an absolute http(s) URL, not the relative {shown!r}"
    )


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", IPv4Address("127.0.0.1")),
        ("2130706433", IPv4Address("127.0.0.1")),
        ("0x7f.1", IPv4Address("127.0.0.1")),
        ("0177.0.0.1", IPv4Address("127.0.0.1")),
        ("127.0.0.1.", IPv4Address("127.0.0.1")),
        ("\uff11\uff19\uff12.\uff11\uff16\uff18.0.1", IPv4Address("192.168.0.1")),
        ("10\u30020\u30020\u30021", IPv4Address("10.0.0.1")),
        ("169.254.169.254", IPv4Address("169.254.169.254")),
        ("::1", IPv6Address("::1")),
        ("2001:db8::1", IPv6Address("2001:db8::1")),
    ],
)
def test_an_address_in_any_notation_browsers_accept_is_an_ip_literal(
    host: str, address: IPv4Address | IPv6Address
) -> None:
    assert ip_literal(host) == address


@pytest.mark.parametrize(
    "host",
    ["example.org", "cafe.de", "bad.cafe", "127.0.0.1X", "127.0.0.1 evil.example", "1.2.3.4.5", ""],
)
def test_a_host_name_is_not_an_ip_literal(host: str) -> None:
    assert ip_literal(host) is None


@pytest.mark.parametrize(
    "url", ["mailto:editor@example.org", "MAILTO:editor@example.org", "Mailto:editor@example.org"]
)
def test_a_mailto_link_is_one_whatever_the_case_of_its_scheme(url: str) -> None:
    assert is_mailto(url)


@pytest.mark.parametrize(
    "url", ["https://example.org/mailto:editor", "mailto", "mail:editor@example.org", ""]
)
def test_other_links_are_not_mailto_links(url: str) -> None:
    assert not is_mailto(url)


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://example.org/news/a?utm_source=feed", "https://example.org/news/a"),
        (
            "https://example.org/news/a?id=3&utm_source=feed&utm_medium=rss",
            "https://example.org/news/a?id=3",
        ),
        (
            "https://shop.example.com/item?id=3&fbclid=IwAR0x&colour=red&gclid=Cj0K&page=2",
            "https://shop.example.com/item?id=3&colour=red&page=2",
        ),
        ("https://example.org/a?UTM_Source=feed&Ref=twitter&MC_CID=9f1", "https://example.org/a"),
        ("https://example.org/a?ref=hn&ref_src=twsrc&_ga=2.1&share=1", "https://example.org/a"),
        ("https://example.org/a?&id=3&&page=2&", "https://example.org/a?id=3&page=2"),
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://example.org/a?id=3#comments", "https://example.org/a?id=3"),
        ("https://example.org/login?next=/a?b=c", "https://example.org/login?next=/a?b=c"),
    ],
)
def test_tracking_parameters_and_the_fragment_are_dropped(url: str, clean: str) -> None:
    assert without_tracking(url) == clean


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/search?q=utm_source",
        "https://example.org/a?referrer=1&shared=2&utm=3&reference=4",
        "https://example.org/a?id=3&page=2",
        "https://example.org/a?tag=fbclid",
    ],
)
def test_parameters_that_only_resemble_trackers_are_kept(url: str) -> None:
    assert without_tracking(url) == url
