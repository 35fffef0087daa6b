"""`newsletter check --online`: every link and image of the issue, requested."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from newsletter.build import markdown as markup
from newsletter.build.pictures import PUBLISHED
from newsletter.build.render import published_images
from newsletter.build.yamlfile import Loc
from newsletter.checks.inspection import Inspection
from newsletter.checks.pictures import article_places, from_archive
from newsletter.model.problems import Problem, in_file_order
from newsletter.model.settings import CheckSettings
from newsletter.model.urls import http_url_problem
from newsletter.web.client import Client, FetchError, Response, size_text

Kind = Literal["link", "image"]

Place = Loc | str
"""Where a URL is used: a place in the issue file, or the setting that puts it in the email."""

Verdict = tuple[str, str]
"""What requesting a URL found: a code and a message, not yet placed."""

HEAD_REFUSED = frozenset({403, 405, 501})
"""Statuses of servers that refuse HEAD but may well answer GET."""

NOT_THERE = frozenset({403, 404, 410})
"""What a web host answers for a file not uploaded (S3 and its kind say 403)."""

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


def check_online(
    inspection: Inspection,
    *,
    timeout: float,
    progress: Callable[[int], None] | None = None,
    concurrency: int = 8,
) -> list[Problem]:
    """Request every link and image; 4xx/5xx are errors, redirects and heavy images warnings.
    `progress(total)` is called as each is done."""
    wanted = targets(inspection)
    if not wanted:
        return []
    limits, published = inspection.settings.checks, published_images(inspection.settings)
    with Client(timeout=timeout, concurrency=min(concurrency, len(wanted))) as client:
        verdicts = client.map(
            lambda target: _request(client, target, limits, published), wanted, progress
        )
    ignored = set(limits.ignore)
    found = [
        _place(inspection, place, verdict)
        for target, found_there in zip(wanted, verdicts, strict=True)
        for verdict in found_there
        if verdict[0] not in ignored
        for place in target.places
    ]
    return sorted(found, key=in_file_order)


def targets(inspection: Inspection) -> list[Target]:
    """Every distinct http(s) link and image of the issue and its email, with where it is used."""
    places: dict[tuple[str, Kind], list[Place]] = {}

    def use(url: str | None, kind: Kind, place: Place) -> None:
        # mailto: links and a mail service's merge tags are not for requesting.
        if url and http_url_problem(url) is None:
            where = places.setdefault((url, kind), [])
            if place not in where:  # a theme may show an article's image twice
                where.append(place)

    issue, settings = inspection.issue, inspection.settings
    derived = from_archive(inspection)
    for href, _ in markup.link_texts(issue.intro):
        use(href, "link", ("intro",))
    for s, section in enumerate(issue.sections):
        for a, article in enumerate(section.articles):
            loc: Loc = ("sections", s, "articles", a)
            use(article.url, "link", (*loc, "url"))
            for href, _ in markup.link_texts(article.summary):
                use(href, "link", (*loc, "summary"))
            if id(article) not in derived:
                use(article.image, "image", (*loc, "image"))
    # A derived image is published with the archive: its address is the kept file's doing.
    articles = article_places(issue)
    for picture in inspection.rendition.pictures:
        if picture.status == "derived" and id(picture.article) in articles:
            use(picture.src, "image", (*articles[id(picture.article)], "image_file"))
    use(settings.brand.logo, "image", "brand.logo")
    use(inspection.links.unsubscribe, "link", "links.unsubscribe")
    use(inspection.links.preferences, "link", "links.preferences")
    use(inspection.links.web_version, "link", _WEB_VERSION)
    # What a theme adds on its own (social links, icons) is in the email too.
    known = {url for url, _ in places}
    found: list[tuple[str, Kind]] = [(url, "link") for url in inspection.rendition.links]
    found += [(url, "image") for url in inspection.rendition.images]
    for url, kind in found:
        if url not in known:
            known.add(url)
            use(url, kind, "")
    return [Target(url, kind, tuple(where)) for (url, kind), where in places.items()]


def _place(inspection: Inspection, place: Place, verdict: Verdict) -> Problem:
    code, message = verdict
    if isinstance(place, tuple):
        return inspection.at(place, code, message)
    origin = f"settings: {place}" if place else "the theme"
    return inspection.in_email(code, f"{message} ({origin})", "email.html")


def _request(
    client: Client, target: Target, limits: CheckSettings, published: str | None
) -> list[Verdict]:
    """What requesting `target` finds; never raises for anything the network does.
    `published` is where the archive publishes derived images, if it has an address."""
    url = target.url
    try:
        if target.kind == "image":
            return _check_image(client, url, limits, published)
        return _check_link(client, url, web_version=_WEB_VERSION in target.places)
    except FetchError as error:
        code = "online/broken" if error.failure == "bad-redirect" else "online/unreachable"
        return [(code, f"{error}: {url}")]


def _check_link(client: Client, url: str, *, web_version: bool) -> list[Verdict]:
    try:
        response = client.fetch(url, accept=_ACCEPT["link"], method="HEAD")
    except FetchError as error:
        if error.failure != "bad-answer":
            raise  # a GET would meet the same fate, after as long a wait
        response = None  # some servers hang up on HEAD
    if response is None or response.status in HEAD_REFUSED:
        # The status is all a link needs: no body is read.
        response = client.fetch(url, accept=_ACCEPT["link"])
    if web_version and response.status in (404, 410):
        message = f"the web version is not published yet ({response.status_text}): {url}"
        return [("online/unpublished", message)]
    return _status(url, response, "link")


def _check_image(
    client: Client, url: str, limits: CheckSettings, published: str | None
) -> list[Verdict]:
    # The first image_bytes + 1 bytes tell whether it is too heavy, and its width.
    response = client.fetch(
        url,
        accept=_ACCEPT["image"],
        limit=limits.image_bytes + 1,
        truncate=True,
        read_if=_may_be_image,
    )
    if published and url.startswith(published) and response.status in NOT_THERE:
        name = PUBLISHED + url.removeprefix(published)
        message = (
            f"not published yet ({response.status_text}): run `newsletter archive` and upload"
            f" site/ ({name})"
        )
        return [("image/unpublished", message)]
    found = _status(url, response, "image")
    if not response.ok:
        return found
    if not (response.media_type.startswith("image/") or response.media_type in _UNLABELLED):
        return [*found, ("online/not-an-image", f"not an image but {response.media_type}: {url}")]
    return found + _judge_image(url, response, limits)


def _may_be_image(response: Response) -> bool:
    """An image's body is read only if it may be one: not for an error, not for a page."""
    return response.ok and (
        response.media_type.startswith("image/") or response.media_type in _UNLABELLED
    )


def _judge_image(url: str, response: Response, limits: CheckSettings) -> list[Verdict]:
    """Not an image, too heavy, too wide: what the first image_bytes + 1 bytes tell."""
    found: list[Verdict] = []
    body, media_type = response.body, response.media_type
    width = _width(body)
    if media_type in _UNLABELLED and width is None:
        message = f"not an image: the server did not say what it is ({media_type or 'no type'})"
        return [("online/not-an-image", f"{message}: {url}")]
    # The download stops past the limit: then only the server's Content-Length tells the size.
    size = max(len(body), response.length) if response.length is not None else None
    if (size or len(body)) > limits.image_bytes:
        weight = f"{size_text(size)}, heavier" if size else "heavier"
        message = f"the image is {weight} than {size_text(limits.image_bytes)}: {url}"
        found.append(("online/image-heavy", message))
    if width is not None and width > limits.image_width:
        message = f"the image is {width} px wide, wider than {limits.image_width} px: {url}"
        found.append(("online/image-wide", message))
    return found


def _status(url: str, response: Response, kind: Kind) -> list[Verdict]:
    """Broken (4xx, 5xx) or redirected: what the final status and the hops say."""
    final = response.final_url
    if response.status >= 400:
        after = f" (redirected to {final})" if response.hops else ""
        return [("online/broken", f"{response.status_text}: {url}{after}")]
    if response.hops:
        advice = "use that address" if kind == "image" else "link to it directly"
        return [("online/redirect", f"{url} redirects to {final}: {advice}")]
    return []


def _width(body: bytes) -> int | None:
    """The image's width in pixels from its header, or None when the bytes do not tell."""
    import imagesize  # type: ignore[import-untyped]

    try:
        width = int(imagesize.get(io.BytesIO(body))[0])
    except Exception:  # a parser of whatever a server sent: unreadable means no width to check
        return None
    return width if width > 0 else None
