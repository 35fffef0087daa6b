"""Fetching pages from a real HTTP server on 127.0.0.1: redirects, errors, limits, concurrency."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from newsletter import __version__
from newsletter.curate.extract import extract_page
from newsletter.web.addresses import redirect_problem
from newsletter.web.client import FetchError
from newsletter.web.pages import FetchedPage, fetch_pages
from tests.httpserver import Site, serving

pytestmark = pytest.mark.network

PAGES = Path(__file__).parents[1] / "pages"
HTML = "<!DOCTYPE html><html><head><title>A page</title></head><body><p>Hi.</p></body></html>"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the environment: every request goes straight to 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def fetch_one(url: str, **options: Any) -> FetchedPage | FetchError:
    [result] = fetch_pages([url], **options)
    return result


def error_of(url: str, **options: Any) -> str:
    result = fetch_one(url, **options)
    assert isinstance(result, FetchError), result
    return str(result)


def test_a_plain_page(site: Site) -> None:
    url = site.add("/news/a", HTML)
    page = fetch_one(url)
    assert page == FetchedPage(url, url, HTML.encode(), "text/html", "utf-8")


def test_a_redirect_chain_ends_at_the_final_url(site: Site) -> None:
    final = site.add("/final", HTML)
    site.redirect("/hop2", "/final", status=307)
    site.add("/hop1", status=302, headers={"Location": "/hop2"})  # a relative Location
    start = site.redirect("/start", "/hop1")
    page = fetch_one(start)
    assert isinstance(page, FetchedPage)
    assert (page.url, page.final_url, page.body) == (start, final, HTML.encode())
    assert site.requests == ["/start", "/hop1", "/hop2", "/final"]


def test_a_redirect_loop_stops(site: Site) -> None:
    site.redirect("/a", "/b")
    url = site.redirect("/b", "/a")
    assert error_of(url) == "more than 5 redirects (a redirect loop?)"
    assert len(site.requests) == 6  # the first request and 5 redirects


def test_a_redirect_to_another_scheme_is_refused(site: Site) -> None:
    url = site.redirect("/to-ftp", "ftp://example.org/file.html")
    assert error_of(url) == "the server redirects to a ftp: address, not an http(s) one"
    assert site.requests == ["/to-ftp"]


PUBLIC = "https://news.example/story"


@pytest.mark.parametrize(
    ("origin", "target", "private"),
    [
        (PUBLIC, "http://127.0.0.1:9002/admin", "127.0.0.1"),
        (PUBLIC, "http://127.9.9.9/", "127.9.9.9"),
        (PUBLIC, "http://localhost:8080/", "localhost"),
        (PUBLIC, "http://LocalHost./", "localhost"),
        (PUBLIC, "http://admin.localhost/", "admin.localhost"),
        (PUBLIC, "http://10.0.0.1/", "10.0.0.1"),
        (PUBLIC, "http://172.16.5.4/", "172.16.5.4"),
        (PUBLIC, "http://192.168.1.1/", "192.168.1.1"),
        (PUBLIC, "http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        (PUBLIC, "http://0.0.0.0:9002/", "0.0.0.0"),
        (PUBLIC, "http://[::1]:9002/", "::1"),
        (PUBLIC, "http://[::]/", "::"),
        (PUBLIC, "http://[fc00::1]/", "fc00::1"),
        (PUBLIC, "http://[fd12:3456::1]/", "fd12:3456::1"),
        (PUBLIC, "http://[fe80::1]/", "fe80::1"),
        (PUBLIC, "http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        # IPv6 addresses that carry an IPv4 one reach it: NAT64, 6to4, IPv4-compatible.
        (PUBLIC, "http://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1"),
        (PUBLIC, "http://[2002:7f00:1::]/", "2002:7f00:1::"),
        (PUBLIC, "http://[2002:a00:1::1]/", "2002:a00:1::1"),
        (PUBLIC, "http://[::127.0.0.1]/", "::127.0.0.1"),
        (PUBLIC, "http://[64:ff9b::808:808]/", None),  # NAT64 to 8.8.8.8: public
        # Spellings of 127.0.0.1 that the system's resolver accepts too.
        (PUBLIC, "http://2130706433/", "2130706433"),
        (PUBLIC, "http://0x7f.1/", "0x7f.1"),
        (PUBLIC, "http://127.1/", "127.1"),
        ("http://8.8.8.8/", "http://10.0.0.1/", "10.0.0.1"),
        (PUBLIC, "https://example.org/moved", None),
        (PUBLIC, "http://8.8.8.8/", None),
        (PUBLIC, "http://[2001:db8:1::1]/", "2001:db8:1::1"),  # documentation: not global
        (PUBLIC, "http://[2606:4700::1111]/", None),
        (PUBLIC, "http://127.0.0.1.example/", None),  # a name: nothing is looked up
        # Asked for on a private address, a page may move within the private network.
        ("http://127.0.0.1:9002/", "http://localhost:9002/b", None),
        ("http://localhost/", "http://10.0.0.1/", None),
        ("http://10.0.0.1/", "http://[::1]/", None),
        ("http://[::1]:8000/", "http://192.168.1.1/", None),
        ("http://127.0.0.1/", "https://example.org/", None),
    ],
)
def test_a_public_address_may_not_redirect_to_a_private_one(
    origin: str, target: str, private: str | None
) -> None:
    expected = private and f"the server redirected to a private address ({private}): refused"
    assert redirect_problem(origin, target) == expected


@pytest.fixture
def public_name(monkeypatch: pytest.MonkeyPatch) -> str:
    """news.example, a public-looking host name, answered by the test server on 127.0.0.1."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        local = host in ("news.example", "intranet.example")
        return real("127.0.0.1" if local else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return "news.example"


@pytest.mark.parametrize(
    "target", ["http://127.0.0.1:{port}/admin", "http://localhost:{port}/admin"]
)
def test_a_redirect_from_a_public_host_to_a_private_one_is_not_followed(
    site: Site, public_name: str, target: str
) -> None:
    port = site.base.rpartition(":")[2]
    site.add("/admin", HTML)
    site.redirect("/story", target.format(port=port))
    host = target.split("/")[2].partition(":")[0]
    message = f"the server redirected to a private address ({host}): refused"
    assert error_of(f"http://{public_name}:{port}/story") == message
    assert site.requests == ["/story"]


def test_a_redirect_to_a_name_that_resolves_to_a_private_address_is_not_followed(
    site: Site, public_name: str
) -> None:
    port = site.base.rpartition(":")[2]
    site.add("/admin", HTML)
    site.redirect("/story", f"http://intranet.example:{port}/admin")
    message = "the server redirected to a private address (intranet.example, at 127.0.0.1): refused"
    assert error_of(f"http://{public_name}:{port}/story") == message
    assert site.requests == ["/story"]


def test_a_private_address_may_redirect_to_another(site: Site) -> None:
    port = site.base.rpartition(":")[2]
    final = site.add("/final", HTML)
    start = site.redirect("/start", f"http://localhost:{port}/final")
    page = fetch_one(start)
    assert isinstance(page, FetchedPage)
    assert (page.final_url, page.body) == (final.replace("127.0.0.1", "localhost"), HTML.encode())


@pytest.mark.parametrize(
    ("status", "message"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_http_errors(site: Site, status: int, message: str) -> None:
    url = site.add("/broken", "<h1>Oops</h1>", status=status)
    assert error_of(url) == message


def test_a_slow_server_times_out(site: Site) -> None:
    url = site.add("/slow", HTML, delay=2)
    start = time.monotonic()
    assert error_of(url, timeout=0.5) == "no answer within 0.5 s"
    assert time.monotonic() - start < 1.5


def test_a_large_page_is_refused_by_its_length(site: Site) -> None:
    url = site.add("/large", "<html>" + "x" * 5000)
    assert error_of(url, max_bytes=1000) == "the page is larger than 1 kB"


def test_a_large_feed_is_refused_as_a_feed(site: Site) -> None:
    url = site.add("/feed.xml", "<rss>" + "x" * 5000, content_type="application/rss+xml")
    assert error_of(url, max_bytes=1000, accept="feed") == "the feed is larger than 1 kB"


def test_a_compressed_page_is_measured_as_it_unpacks(site: Site) -> None:
    body = gzip.compress(b"<html><body>" + b" " * 100_000)
    url = site.add("/bomb", body, headers={"Content-Encoding": "gzip"})
    assert len(body) < 10_000
    assert error_of(url, max_bytes=10_000) == "the page is larger than 10 kB"
    page = fetch_one(url)
    assert isinstance(page, FetchedPage)
    assert len(page.body) == 100_012


@pytest.mark.parametrize(
    ("name", "content_type"), [("sample.pdf", "application/pdf"), ("pixel.png", "image/png")]
)
def test_not_a_web_page_is_refused(site: Site, name: str, content_type: str) -> None:
    url = site.add(f"/{name}", (PAGES / name).read_bytes(), content_type=content_type)
    assert error_of(url) == f"not a web page but {content_type}"


def test_a_feed_is_accepted_only_when_a_feed_is_asked_for(site: Site) -> None:
    rss = (PAGES / "feed.rss").read_bytes()
    url = site.add("/feed", rss, content_type="application/rss+xml; charset=utf-8")
    assert error_of(url) == "a feed, not a web page: add its items with --feed"
    feed = fetch_one(url, accept="feed")
    assert isinstance(feed, FetchedPage)
    assert (feed.content_type, feed.body) == ("application/rss+xml", rss)
    page = site.add("/page", HTML)
    assert error_of(page, accept="feed") == "not a feed but text/html"


def test_the_charset_comes_from_the_header(site: Site) -> None:
    body = (PAGES / "latin1_header.html").read_bytes()
    url = site.add("/latin1", body, content_type="text/html; charset=ISO-8859-1")
    page = fetch_one(url)
    assert isinstance(page, FetchedPage)
    assert (page.content_type, page.charset) == ("text/html", "iso-8859-1")
    title = extract_page(page.body, page.final_url, page.charset).title
    assert title == "Café culture in Tbilisi: crème brûlée and more"


def test_a_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert error_of(f"http://127.0.0.1:{port}/") == "the server refused the connection"


def test_an_unknown_host(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    message = error_of("http://example.invalid/news")
    assert message == "could not find the host example.invalid"


def test_tls_to_a_plain_http_server_fails_in_one_line(site: Site) -> None:
    url = site.add("/", HTML).replace("http://", "https://")
    message = error_of(url)
    assert message.startswith("no secure (TLS) connection could be made: ")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "must be an absolute http(s) URL, not a javascript: link"),
        ("file:///etc/passwd", "must be an absolute http(s) URL, not a file: link"),
        ("news/a", "must be an absolute http(s) URL, not a relative one"),
        ("http:///nohost", "must be an absolute http(s) URL with a host name"),
        ("http://example.org/a b", "must not contain spaces, quotes or control characters"),
    ],
)
def test_only_http_urls_are_requested(site: Site, url: str, message: str) -> None:
    page = site.add("/ok", HTML)
    results = fetch_pages([url, page])
    assert [str(r) if isinstance(r, FetchError) else r.url for r in results] == [message, page]
    assert site.requests == ["/ok"]


def test_nothing_is_requested_for_bad_urls_alone() -> None:
    results = fetch_pages(["javascript:alert(1)", "mailto:a@example.org"])
    assert all(isinstance(r, FetchError) for r in results)
    assert fetch_pages([]) == []


def test_pages_are_fetched_side_by_side_in_the_order_given(site: Site) -> None:
    urls = [site.add(f"/slow/{i}", f"<html><title>{i}</title></html>", delay=0.5) for i in range(6)]
    results = fetch_pages(urls, concurrency=3)
    assert [r.url if isinstance(r, FetchedPage) else r for r in results] == urls
    assert [r.body for r in results if isinstance(r, FetchedPage)] == [
        f"<html><title>{i}</title></html>".encode() for i in range(6)
    ]
    assert site.most_in_flight == 3  # side by side, never more than the bound


class _EchoHeaders(BaseHTTPRequestHandler):
    """Answers every GET with a page listing the request's headers."""

    def do_GET(self) -> None:  # the name http.server calls
        lines = "".join(f"{name}: {value}\n" for name, value in self.headers.items())
        body = f"<html><body><pre>{lines}</pre></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    """The URL of a server on 127.0.0.1 whose pages show the headers they were asked with."""
    with serving(_EchoHeaders) as base:
        yield base + "/"


def test_the_user_agent_names_the_tool(echo: str) -> None:
    page = fetch_one(echo)
    assert isinstance(page, FetchedPage)
    user_agent = f"newsletter/{__version__} (a tool that curates an email newsletter)"
    assert f"User-Agent: {user_agent}\n" in page.body.decode()
    assert "Accept: text/html" in page.body.decode()


def test_a_page_without_a_content_type_is_sniffed(site: Site) -> None:
    html = site.add("/html", HTML, content_type="")
    page = fetch_one(html)
    assert isinstance(page, FetchedPage)
    assert page.content_type == "text/html"
    binary = site.add("/binary", (PAGES / "pixel.png").read_bytes(), content_type="")
    assert error_of(binary) == "not a web page: the server did not say what it is"
