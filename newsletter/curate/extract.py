"""What a web page says about itself: the title, summary, image, site and date of an article."""

from __future__ import annotations

import contextlib
import datetime
import html as html_entities
import logging
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from newsletter.curate.charsets import decode_page
from newsletter.curate.linkeddata import LinkedData, iso_date, linked_data
from newsletter.curate.text import collapse, cut, summarize
from newsletter.model.mailtags import break_template_syntax
from newsletter.model.urls import http_url_problem, without_tracking

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

TEXT_LENGTH = 300
"""The longest title, site name or image alt text taken from a page or a feed, in characters."""

URL_LENGTH = 2048
"""The longest address taken from a page or a feed: a longer one is left out."""


@dataclass(frozen=True)
class Found:
    """An article as a page or a feed describes it, ready to be added to an issue."""

    url: str  # rel=canonical (absolute) or the final URL, without tracking parameters
    title: str
    summary: str  # Markdown: plain text with Markdown's special characters escaped
    image: str | None  # absolute http(s) URL
    image_alt: str | None
    source: str | None  # the site's name, else its host without "www."
    published: datetime.date | None
    notes: tuple[str, ...]  # what the user should know, e.g. "the page has no title: ..."
    sponsored: bool = False  # a paid placement, as a feed marks it


def extract_page(html: bytes, url: str, charset: str | None = None) -> Found:
    """The article a fetched page describes (`url`: its final address, `charset`: its header's)."""
    notes: list[str] = []
    with _quiet():
        tree, metadata = _parse(html, url, charset)
    if tree is None:
        notes.append("the page could not be read as HTML")
    tags = _meta_tags(tree) if tree is not None else {}
    linked = linked_data(tree) if tree is not None else LinkedData()

    article_url = without_tracking(_canonical(tree, url) if tree is not None else url)
    host = _host(article_url)
    page_title = collapse(tree.findtext(".//title") or "") if tree is not None else ""
    named = _first(tags.get("og:site_name"), linked.publisher)
    source = named or _site_name(metadata.sitename, page_title) or host or None

    title = _first(metadata.title, tags.get("twitter:title"), linked.headline)
    from_title_tag = not linked.headline and not _TITLE_TAGS.intersection(tags)
    if from_title_tag and title and page_title and title != page_title and title in page_title:
        # Without a title in meta tags, trafilatura takes one half of "A | B": the half without
        # a dot, which is the site's name in "U.S. sanctions Iran - BBC News". Clean it ourselves.
        title = page_title
    title = _clean_title(title, (source, host)) if title else ""
    if not title:
        title = _address(article_url)
        notes.append("the page has no title: used its address")

    description = _first(metadata.description, tags.get("twitter:description"))
    if description is None and linked.description:
        description = html_entities.unescape(linked.description)
    summary = summarize(description or "")
    if not summary:
        notes.append("the page has no description: the summary is empty")

    candidate = _first(
        metadata.image, tags.get("twitter:image"), tags.get("twitter:image:src"), linked.image
    )
    image = image_url(candidate, url) if candidate else None
    if candidate and image is None:
        if len(candidate) > URL_LENGTH:
            notes.append(
                f"the page's image address is longer than {URL_LENGTH} characters: left out"
            )
        else:
            notes.append("the page's image is not an http(s) address: left out")
    image_alt = _first(tags.get("og:image:alt"), tags.get("twitter:image:alt")) if image else None

    published = (
        iso_date(metadata.date) or iso_date(tags.get("article:published_time")) or linked.published
    )
    return Found(article_url, title, summary, image, image_alt, source, published, tuple(notes))


def image_url(value: str, base: str) -> str | None:
    """The absolute http(s) address of an image written as `value` in the page at `base`."""
    # None for anything else: a data: image cannot be linked from an email.
    try:
        absolute = urljoin(base, value.strip().replace(" ", "%20"))
    except ValueError:
        return None
    if len(absolute) > URL_LENGTH:
        return None
    return absolute if http_url_problem(absolute) is None else None


def make_safe(found: Found) -> Found:
    """`found` as it may go into an issue: no mail service's template syntax in its text, and
    no title, site name or alt text longer than TEXT_LENGTH (a note says what was cut)."""
    notes = list(found.notes)

    def fit(text: str, what: str) -> str:
        text = break_template_syntax(text)
        if len(text) <= TEXT_LENGTH:
            return text
        notes.append(f"{what} is longer than {TEXT_LENGTH} characters: cut short")
        return cut(text, TEXT_LENGTH)

    return replace(
        found,
        title=fit(found.title, "the title"),
        source=fit(found.source, "the site's name") if found.source else None,
        # Already shortened to SUMMARY_LENGTH by summarize(), which counts what readers see.
        summary=break_template_syntax(found.summary),
        image_alt=fit(found.image_alt, "the image's alt text") if found.image_alt else None,
        notes=tuple(notes),
    )


# --- Reading the page -------------------------------------------------------------------------

_CHATTY = ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext")
_QUIET = threading.Lock()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the extraction libraries' logging and warnings for this call only."""
    with _QUIET:  # the loggers are shared: one extraction at a time restores them correctly
        loggers = [
            logger
            for name, logger in logging.root.manager.loggerDict.items()
            if isinstance(logger, logging.Logger) and name.partition(".")[0] in _CHATTY
        ]
        before = [logger.disabled for logger in loggers]
        for logger in loggers:
            logger.disabled = True
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield
        finally:
            for logger, disabled in zip(loggers, before, strict=True):
                logger.disabled = disabled


def _parse(html: bytes, url: str, charset: str | None) -> tuple[HtmlElement | None, Document]:
    import trafilatura
    from trafilatura.settings import Document

    text = decode_page(html, charset)
    # The page is untrusted input and trafilatura is not proof against all of it: a failure
    # here means "nothing found", never a traceback.
    try:
        tree = trafilatura.load_html(text)
    except Exception:
        tree = None
    if tree is None:
        # trafilatura refuses fragments (a bare <title>): lxml still reads what they say.
        try:
            import lxml.html

            tree = lxml.html.document_fromstring(text)
        except Exception:
            return None, Document()
    try:
        # extensive=False: the date from metadata, <time> and the URL, not a guess from the text.
        metadata = trafilatura.extract_metadata(tree, default_url=url, extensive=False)
    except Exception:
        metadata = Document()
    return tree, metadata


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """The first content of each <meta> by property, name or itemprop, lower-cased."""
    tags: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = collapse(meta.get("content") or "")
        if key.strip() and content:
            tags.setdefault(key.strip().lower(), content)
    return tags


_TITLE_TAGS = frozenset({"og:title", "twitter:title", "title", "headline", "dc.title"})


def _canonical(tree: HtmlElement, url: str) -> str:
    """The page's rel=canonical made absolute, when it is a usable one; else `url`."""
    for link in tree.iter("link"):
        href: str = (link.get("href") or "").strip()
        if "canonical" not in (link.get("rel") or "").lower().split() or not href:
            continue
        try:
            canonical = urljoin(url, href)
        except ValueError:
            return url
        if (
            http_url_problem(canonical) is not None
            or len(canonical) > URL_LENGTH
            or "@Track" in canonical  # listmonk would make it a tracked link of the attacker's
        ):
            return url
        # A canonical pointing at the home page from an article is a CMS's mistake.
        if urlsplit(canonical).path in ("", "/") and urlsplit(url).path not in ("", "/"):
            return url
        return canonical
    return url


# --- Cleaning what was found ------------------------------------------------------------------

_DOMAIN = re.compile(r"[\w-]+(\.[\w-]+)+")
_SEPARATORS = (" | ", " - ", " \N{EN DASH} ", " \N{EM DASH} ", " · ", " :: ")


def _clean_title(title: str, names: tuple[str | None, ...]) -> str:
    """`title` without a " | Site" suffix or a "Site | " prefix naming the site or its host."""
    title = collapse(title)
    known = {_squash(name) for name in _names(names)} - {""}
    for separator in _SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and _squash(tail) in known:
            return head.strip()
        head, found, tail = title.partition(separator)
        if found and tail.strip() and _squash(head) in known:
            return tail.strip()
    return title


def _names(names: tuple[str | None, ...]) -> Iterator[str]:
    """The names a site goes by: "www.commonspace.eu" is also "commonspace.eu", "commonspace"."""
    for name in names:
        if name:
            yield name
            labels = name.removeprefix("www.").split(".")
            if len(labels) > 1:
                yield labels[0]
                yield ".".join(labels[:-1])


def _squash(name: str) -> str:
    return re.sub(r"[\W_]", "", name.casefold())


def _first(*values: str | None) -> str | None:
    return next((collapse(v) for v in values if v and collapse(v)), None)


def _site_name(name: str | None, page_title: str) -> str | None:
    """trafilatura's site name, unless it is an address or a guess that went wrong."""
    if not name or "/" in name:  # article:publisher is often the site's Facebook page
        return None
    # Without a named site, trafilatura takes the half of "A | B" with a dot in it: right for
    # "commonspace.eu", wrong for "U.S. sanctions Iran - BBC News".
    if name != page_title and name in page_title and not _DOMAIN.fullmatch(name):
        return None
    return name


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _address(url: str) -> str:
    parts = urlsplit(url)
    return (_host(url) + parts.path).rstrip("/")
