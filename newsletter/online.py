"""`newsletter check --online`: every link and image of the issue, requested."""

from __future__ import annotations

import html
import io
import re
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from newsletter import markup
from newsletter.checks import Finding, Severity, Subject, finding_order
from newsletter.fetch import (
    MAX_REDIRECTS,
    USER_AGENT,
    describe_failure,
    describe_status,
    redirect_problem,
    size_text,
)
from newsletter.model import CheckSettings
from newsletter.urls import http_url_problem
from newsletter.yamlfile import Loc

if TYPE_CHECKING:
    import httpx

Kind = Literal["link", "image"]

Place = Loc | str
"""Where a URL is used: a place in the issue file, or the setting that puts it in the email."""

Verdict = tuple[Severity, str, str]
"""What requesting a URL found: severity, code and message, not yet placed."""

HEAD_REFUSED = frozenset({403, 405, 501})
"""Statuses of servers that refuse HEAD but may well answer GET."""

_ACCEPT: dict[Kind, str] = {
    "link": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "image": "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5",
}
# Types a misconfigured server gives images; the bytes then tell whether one was sent.
_UNLABELLED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_WEB_VERSION = "archive_url"


@dataclass(frozen=True)
class Target:
    """A distinct link or image to request, and every place that uses it."""

    url: str
    kind: Kind
    places: tuple[Place, ...]


class _Broken(Exception):
    """The server answered, but readers would not get to the page: a loop, an odd redirect."""


class _Slow(Exception):
    """An image that trickles in for longer than readers would wait."""


def check_online(
    subject: Subject, *, timeout: float, progress: bool, concurrency: int = 8
) -> list[Finding]:
    """Request every link and image; 4xx/5xx are errors, redirects and heavy images warnings."""
    wanted = targets(subject)
    if not wanted:
        return []
    import httpx

    limits = subject.settings.checks
    verdicts: list[list[Verdict]] = [[] for _ in wanted]
    workers = max(1, min(concurrency, len(wanted)))
    with (
        httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=workers),
            follow_redirects=False,  # followed by hand: each hop is counted and its scheme checked
        ) as client,
        ThreadPoolExecutor(max_workers=workers) as pool,
        _progress(len(wanted), shown=progress) as advance,
    ):
        futures = {
            pool.submit(_request, client, target, timeout, limits): index
            for index, target in enumerate(wanted)
        }
        for future in as_completed(futures):
            verdicts[futures[future]] = future.result()
            advance()
    ignored = set(limits.ignore)
    found = [
        _place(subject, place, verdict)
        for target, found_there in zip(wanted, verdicts, strict=True)
        for verdict in found_there
        if verdict[1] not in ignored
        for place in target.places
    ]
    return sorted(found, key=finding_order)


def targets(subject: Subject) -> list[Target]:
    """Every distinct http(s) link and image of the issue and its email, with where it is used."""
    places: dict[tuple[str, Kind], list[Place]] = {}

    def use(url: str | None, kind: Kind, place: Place) -> None:
        # mailto: links and a mail service's merge tags are not for requesting.
        if url and http_url_problem(url) is None:
            places.setdefault((url, kind), []).append(place)

    issue, settings = subject.issue, subject.settings
    for href, _ in markup.link_texts(issue.intro):
        use(href, "link", ("intro",))
    for s, section in enumerate(issue.sections):
        for a, article in enumerate(section.articles):
            loc: Loc = ("sections", s, "articles", a)
            use(article.url, "link", (*loc, "url"))
            for href, _ in markup.link_texts(article.summary):
                use(href, "link", (*loc, "summary"))
            use(article.image, "image", (*loc, "image"))
    use(settings.brand.logo, "image", "brand.logo")
    use(subject.links.unsubscribe, "link", "links.unsubscribe")
    use(subject.links.preferences, "link", "links.preferences")
    use(subject.links.web_version, "link", _WEB_VERSION)
    # What a theme adds on its own (social links, icons) is in the email too.
    known = {url for url, _ in places}
    kinds: tuple[tuple[str, str, Kind], ...] = (("a", "href", "link"), ("img", "src", "image"))
    for tag, attribute, kind in kinds:
        pattern = rf'<{tag}\b[^>]*\s{attribute}="([^"]*)"'
        for value in re.findall(pattern, subject.rendition.html):
            url = html.unescape(value)
            if url not in known:
                known.add(url)
                use(url, kind, "")
    return [Target(url, kind, tuple(where)) for (url, kind), where in places.items()]


def _place(subject: Subject, place: Place, verdict: Verdict) -> Finding:
    severity, code, message = verdict
    if isinstance(place, tuple):
        return subject.at(place, severity, code, message)
    origin = f"settings: {place}" if place else "the theme"
    return subject.in_email(severity, code, f"{message} ({origin})", "email.html")


@contextmanager
def _progress(length: int, *, shown: bool) -> Iterator[Callable[[], None]]:
    """A bar on stderr when it is a terminal; nothing at all on a pipe, in a log or in CI."""
    if not (shown and sys.stderr.isatty()):
        yield lambda: None
        return
    import click

    with click.progressbar(
        length=length, label="Requesting links and images", file=sys.stderr
    ) as bar:
        yield lambda: bar.update(1)


def _request(
    client: httpx.Client, target: Target, timeout: float, limits: CheckSettings
) -> list[Verdict]:
    """What requesting `target` finds; never raises for anything the network does."""
    import httpx

    url = target.url
    try:
        if target.kind == "image":
            return _check_image(client, url, timeout, limits)
        return _check_link(client, url, web_version=_WEB_VERSION in target.places)
    except _Broken as error:
        return [("error", "online/broken", f"{error}: {url}")]
    except _Slow as error:
        return [("error", "online/unreachable", f"{error}: {url}")]
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as error:
        return [("error", "online/unreachable", f"{describe_failure(error, url, timeout)}: {url}")]


def _check_link(client: httpx.Client, url: str, *, web_version: bool) -> list[Verdict]:
    import httpx

    try:
        response, hops = _follow(client, "HEAD", url, "link")
    except (httpx.ConnectError, httpx.TimeoutException):
        raise  # a GET would meet the same fate, after as long a wait
    except httpx.HTTPError:
        response = None  # some servers hang up on HEAD
    if response is None or response.status_code in HEAD_REFUSED:
        if response is not None:
            response.close()
        response, hops = _follow(client, "GET", url, "link")
    response.close()  # the status is all a link needs: no body is read
    if web_version and response.status_code in (404, 410):
        status = describe_status(response.status_code, response.reason_phrase)
        message = f"the web version is not published yet ({status}): {url}"
        return [("warning", "online/unpublished", message)]
    return _status(url, response, hops, "link")


def _check_image(
    client: httpx.Client, url: str, timeout: float, limits: CheckSettings
) -> list[Verdict]:
    # A trickling server resets the read timeout with every byte: cap the whole download too.
    deadline = time.monotonic() + 3 * timeout
    response, hops = _follow(client, "GET", url, "image")
    try:
        found = _status(url, response, hops, "image")
        if not response.is_success:
            return found
        media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if not (media_type.startswith("image/") or media_type in _UNLABELLED):
            return [
                *found,
                ("error", "online/not-an-image", f"not an image but {media_type}: {url}"),
            ]
        body = _read(response, limits.image_bytes + 1, deadline, timeout)
    finally:
        response.close()
    length = response.headers.get("content-length", "")
    return found + _judge_image(url, media_type, body, length, limits)


def _judge_image(
    url: str, media_type: str, body: bytes, length: str, limits: CheckSettings
) -> list[Verdict]:
    """Not an image, too heavy, too wide: what the first image_bytes + 1 bytes tell."""
    found: list[Verdict] = []
    width = _width(body)
    if media_type in _UNLABELLED and width is None:
        message = f"not an image: the server did not say what it is ({media_type or 'no type'})"
        return [("error", "online/not-an-image", f"{message}: {url}")]
    # The download stops past the limit: then only the server's Content-Length tells the size.
    size = max(len(body), int(length)) if length.isdigit() else None
    if (size or len(body)) > limits.image_bytes:
        weight = f"{size_text(size)}, heavier" if size else "heavier"
        message = f"the image is {weight} than {size_text(limits.image_bytes)}: {url}"
        found.append(("warning", "online/image-heavy", message))
    if width is not None and width > limits.image_width:
        message = f"the image is {width} px wide, wider than {limits.image_width} px: {url}"
        found.append(("warning", "online/image-wide", message))
    return found


def _follow(client: httpx.Client, method: str, url: str, kind: Kind) -> tuple[httpx.Response, int]:
    """The final response to `method url` after redirects (open: close it), and the hops taken."""
    request = client.build_request(method, url, headers={"Accept": _ACCEPT[kind]})
    for hops in range(MAX_REDIRECTS + 1):
        response = client.send(request, stream=True)
        if response.next_request is None:
            return response, hops
        response.close()
        request = response.next_request
        scheme = request.url.scheme
        if scheme not in ("http", "https"):
            raise _Broken(f"the server redirects to a {scheme}: address, not an http(s) one")
        if problem := redirect_problem(str(response.url), str(request.url)):
            raise _Broken(problem)
    raise _Broken(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)")


def _status(url: str, response: httpx.Response, hops: int, kind: Kind) -> list[Verdict]:
    """Broken (4xx, 5xx) or redirected: what the final status and the hops say."""
    final = str(response.url)
    if response.status_code >= 400:
        status = describe_status(response.status_code, response.reason_phrase)
        after = f" (redirected to {final})" if hops else ""
        return [("error", "online/broken", f"{status}: {url}{after}")]
    if hops:
        advice = "use that address" if kind == "image" else "link to it directly"
        return [("warning", "online/redirect", f"{url} redirects to {final}: {advice}")]
    return []


def _read(response: httpx.Response, most: int, deadline: float, timeout: float) -> bytes:
    """At most `most` bytes of the body: enough to tell the size is over, and the header."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= most:
            break
        if time.monotonic() > deadline:
            raise _Slow(f"the download took more than {3 * timeout:g} s")
    return b"".join(chunks)[:most]


def _width(body: bytes) -> int | None:
    """The image's width in pixels from its header, or None when the bytes do not tell."""
    import imagesize  # type: ignore[import-untyped]

    try:
        width = int(imagesize.get(io.BytesIO(body))[0])
    except Exception:  # a parser of whatever a server sent: unreadable means no width to check
        return None
    return width if width > 0 else None
