"""RSS and Atom feeds as articles: what a site published since a moment, oldest first."""

from __future__ import annotations

import datetime
import email.utils
import io
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

from newsletter.curate.choose import is_sponsor_category, unsponsored_title
from newsletter.curate.extract import URL_LENGTH, Found, image_url
from newsletter.curate.text import html_to_text, summarize
from newsletter.model.urls import http_url_problem, without_tracking

_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
_SINCE = re.compile(r"\s*(\d{1,6})\s*([hdw])\s*", re.IGNORECASE)
_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.IGNORECASE)


class FeedError(Exception):
    """Data that cannot be read as a feed, or a feed that cannot say what is new, in one line."""


MOST_ITEMS = 500
"""More items than this in the window are more than an issue holds: the editor chooses."""


def read_feed(
    data: bytes,
    url: str,
    since: datetime.datetime,
    limit: int | None = None,
    keep: Callable[[Found], bool] | None = None,
) -> list[Found]:
    """The items of an RSS or Atom feed published (or updated) at or after `since`, oldest
    first; only those `keep` says yes to, if given; with `limit`, the newest `limit` of them.
    More than MOST_ITEMS without a limit is a FeedError: an issue cannot hold them."""
    # `url` is the feed's own address: relative links are resolved against it.
    if since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    import feedparser  # no type hints (see pyproject): its results are checked here

    # A stream, never bytes: feedparser opens a bytes value that names a file or a URL. The data
    # is untrusted and feedparser is not proof against all of it: a failure means "no feed".
    try:
        parsed: Any = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    except Exception as error:
        raise FeedError("the feed could not be read") from error
    entries: list[Any] = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        if b"<html" in data[:2048].lower():
            raise FeedError("not an RSS or Atom feed but a web page")
        raise FeedError("not an RSS or Atom feed")
    broken = parsed.get("bozo_exception")
    if isinstance(broken, SAXParseException) and not entries:
        # No position: feedparser parses its own rewrite of the feed, not the bytes served.
        raise FeedError(f"the feed is broken XML ({broken.getMessage()}), perhaps cut short")
    feed = parsed.get("feed") or {}
    source = html_to_text(_str(feed.get("title"))) or _host(_str(feed.get("link")) or url)

    dated: list[tuple[datetime.datetime, int, Any]] = []
    undated = 0
    for position, entry in enumerate(entries):
        # dict.get: feedparser's own get() answers "updated" with the published date (deprecated)
        published = _moment(dict.get(entry, "published"), dict.get(entry, "published_parsed"))
        updated = _moment(dict.get(entry, "updated"), dict.get(entry, "updated_parsed"))
        moments = [m for m in (published, updated) if m is not None]
        if not moments:
            undated += 1
            continue
        if max(moments) < since:
            continue
        dated.append((moments[0], position, entry))
    if entries and undated == len(entries):
        raise FeedError("the feed's items have no dates: cannot tell which are new")
    # Newest first, and only until `limit` are kept: a feed of thousands costs little more
    # than its parse.
    taken: list[Found] = []
    for moment, _, entry in sorted(dated, key=lambda item: item[:2], reverse=True):
        found = _found(entry, url, source, moment)
        if found is None or (keep is not None and not keep(found)):
            continue
        taken.append(found)
        if limit is not None and len(taken) == limit:
            break
    if limit is None and len(taken) > MOST_ITEMS:
        raise FeedError(
            f"{len(taken):,} items in the window, more than an issue holds: take the newest"
            " with --limit N, or a shorter --since"
        )
    return taken[::-1]


LONGEST = datetime.timedelta(weeks=5200)
"""The longest --since: about 100 years, which is every item a feed has."""


def since_moment(text: str, now: datetime.datetime) -> datetime.datetime:
    """The start of the window `--since` names: a span back from `now` ("7d"), or the start
    of a day, UTC ("2026-11-23")."""
    date = _DATE.fullmatch(text)
    if date is None:
        return now - parse_since(text)
    try:
        day = datetime.date(*(int(part) for part in date.groups()))
    except ValueError as e:
        raise ValueError(f"expected a date as YYYY-MM-DD, not {text.strip()!r} ({e})") from None
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    if start > now:
        raise ValueError(f"expected a day that has begun, not {text.strip()!r}, in the future")
    return start


def parse_since(text: str) -> datetime.timedelta:
    """A span of time written as "12h", "7d" or "2w"."""
    match = _SINCE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"expected a span like 12h, 7d or 2w, or a date like 2026-11-23, not {text[:40]!r}"
        )
    amount = int(match[1])
    if amount == 0:
        raise ValueError(f"expected a span of time longer than 0, not {text!r}")
    try:
        span = datetime.timedelta(**{_UNITS[match[2].lower()]: amount})
    except OverflowError:
        span = LONGEST + LONGEST
    if span > LONGEST:
        raise ValueError(f"expected a span of at most 100 years (5200w), not {text!r}")
    return span


def _found(entry: Any, base: str, source: str, moment: datetime.datetime) -> Found | None:
    """One item as an article; None when it has no usable http(s) link."""
    link = _str(entry.get("link")).strip()
    try:
        link = urljoin(base, link) if link and len(link) <= URL_LENGTH else ""
    except ValueError:
        return None
    if not link or len(link) > URL_LENGTH or http_url_problem(link) is not None:
        return None
    link = without_tracking(link)
    notes: list[str] = []
    title = _text(entry, "title")
    sponsored = any(is_sponsor_category(_str(tag.get("term"))) for tag in entry.get("tags") or [])
    if (plain := unsponsored_title(title)) is not None:
        title, sponsored = plain, True
    if not title:
        title = (_host(link) + urlsplit(link).path).rstrip("/")
        notes.append("the item has no title: used its address")
    summary = _text(entry, "summary")
    contents = entry.get("content") or []
    if not summary and contents:
        summary = _text(contents[0], "value", detail=contents[0])
    image, image_alt = _image(entry, link)
    return Found(
        url=link,
        title=title,
        summary=summarize(summary),
        image=image,
        image_alt=image_alt,
        source=source or None,
        published=moment.date(),
        notes=tuple(notes),
        sponsored=sponsored,
    )


def _text(entry: Any, key: str, detail: Any = None) -> str:
    """A text field of an item as plain text: feedparser keeps HTML as it came."""
    value = _str(entry.get(key))
    detail = detail if detail is not None else entry.get(f"{key}_detail") or {}
    if _str(detail.get("type")) == "text/plain":
        return " ".join(value.split())
    return html_to_text(value)


def _image(entry: Any, base: str) -> tuple[str | None, str | None]:
    """The item's image and its alt text, from its media, enclosures or HTML, in that order."""
    candidates: list[str] = []
    for media in entry.get("media_content") or []:
        kind = _str(media.get("medium")) or _str(media.get("type"))
        address = _str(media.get("url"))
        if (
            kind == "image"
            or kind.startswith("image/")
            or (not kind and _IMAGE_FILE.search(address))
        ):
            candidates.append(address)
    candidates += [_str(thumbnail.get("url")) for thumbnail in entry.get("media_thumbnail") or []]
    candidates += [
        _str(enclosure.get("href"))
        for enclosure in entry.get("enclosures") or []
        if _str(enclosure.get("type")).startswith("image/")
    ]
    for candidate in candidates:
        if candidate and (found := image_url(candidate, base)):
            return found, None
    html = " ".join(_str(c.get("value")) for c in entry.get("content") or [])
    return _first_picture(_str(entry.get("summary")) + " " + html, base)


def _first_picture(html: str, base: str) -> tuple[str | None, str | None]:
    if "<img" not in html:
        return None, None
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.LxmlError, ValueError):
        return None, None
    for img in root.iter("img"):
        # A 1x1 picture is a tracking pixel, not an illustration.
        if img.get("width") == "1" or img.get("height") == "1":
            continue
        address = image_url(img.get("src") or "", base)
        if address:
            return address, " ".join((img.get("alt") or "").split()) or None
    return None, None


def _moment(raw: object, parsed: object) -> datetime.datetime | None:
    """An item's date in the feed's own zone (RFC 822 or RFC 3339), else as feedparser read it."""
    # The zone is kept so that `published` is the date the publisher wrote; none means UTC.
    moment: datetime.datetime | None = None
    if isinstance(raw, str) and raw.strip():
        try:
            moment = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            try:
                moment = datetime.datetime.fromisoformat(raw.strip())
            except ValueError:
                moment = None
    if moment is None and isinstance(parsed, time.struct_time):
        try:
            moment = datetime.datetime(*parsed[:6])
        except ValueError:
            return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""
