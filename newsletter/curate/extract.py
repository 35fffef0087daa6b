"""What a web page says about itself: the title, summary, image, site and date of an article."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from newsletter.curate.images import page_alt, same_image, usable_alt
from newsletter.curate.linkeddata import LinkedData, iso_date, linked_data
from newsletter.curate.pagetree import all_meta, meta_tags, parse_page, quiet
from newsletter.curate.summaries import choose_summary
from newsletter.curate.text import collapse, cut
from newsletter.curate.titles import (
    clean_title,
    is_domain,
    looks_like_section,
    squash,
    title_date,
)
from newsletter.model.mailtags import break_template_syntax
from newsletter.model.urls import http_url_problem, without_tracking

if TYPE_CHECKING:
    from lxml.html import HtmlElement

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
    with quiet():
        tree, metadata = parse_page(html, url, charset)
    if tree is None:
        notes.append("the page could not be read as HTML")
    tags = meta_tags(tree) if tree is not None else {}
    linked = linked_data(tree) if tree is not None else LinkedData()

    article_url = without_tracking(_canonical(tree, url, tags) if tree is not None else url)
    host = _host(article_url)
    page_title = collapse(tree.findtext(".//title") or "") if tree is not None else ""
    sections = (*linked.sections, *all_meta(tree, "article:section"))
    source = _source(tags, linked, sections, metadata.sitename, page_title) or host or None

    # JSON-LD comes after trafilatura's title (from <title> and <h1>): some sites put a tagline
    # in its headline ("technique for dimensionality reduction").
    title = _first(tags.get("og:title"), tags.get("twitter:title"), metadata.title, linked.headline)
    from_title_tag = not linked.headline and not _TITLE_TAGS.intersection(tags)
    if from_title_tag and title and page_title and title != page_title and title in page_title:
        # Without a title in meta tags, trafilatura takes one half of "A | B": the half without
        # a dot, which is the site's name in "U.S. sanctions Iran - BBC News". Clean it ourselves.
        title = page_title
    names = (source, host, tags.get("og:site_name"), linked.publisher)
    raw_title = title or ""
    title = clean_title(raw_title, names, sections) if raw_title else ""
    if not title:
        title = _address(article_url)
        notes.append("the page has no title: used its address")

    descriptions = (
        tags.get("og:description"),
        metadata.description,
        tags.get("description"),
        tags.get("twitter:description"),
        linked.description,
    )
    with quiet():  # without a description, trafilatura reads the article's first paragraph
        summary = choose_summary(descriptions, title, tree)
    if not summary:
        notes.append("the page has no description: the summary is empty")

    candidate = _first(
        tags.get("og:image"),
        tags.get("og:image:url"),
        tags.get("og:image:secure_url"),
        tags.get("twitter:image"),
        tags.get("twitter:image:src"),
        linked.image,
        tags.get("image"),
        tags.get("thumbnailurl"),
        metadata.image,
    )
    image = image_url(candidate, url) if candidate else None
    if candidate and image is None:
        if len(candidate) > URL_LENGTH:
            notes.append(
                f"the page's image address is longer than {URL_LENGTH} characters: left out"
            )
        else:
            notes.append("the page's image is not an http(s) address: left out")
    image_alt = (
        _alt(tree, tags, image, url, names, (title, raw_title))
        if image and tree is not None
        else None
    )

    published = (
        linked.published
        or _first_date(tags, _PUBLISHED)
        or (title_date(raw_title) if raw_title != title else None)
        or iso_date(metadata.date)
    )
    return Found(article_url, title, summary, image, image_alt, source, published, tuple(notes))


_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date",
    "dcterms.date",
    "date",
)
"""Meta tags that give an article's publication date (not its last change), best first."""


def _first_date(tags: dict[str, str], keys: tuple[str, ...]) -> datetime.date | None:
    return next((d for key in keys if (d := iso_date(tags.get(key))) is not None), None)


def _source(
    tags: dict[str, str],
    linked: LinkedData,
    sections: tuple[str, ...],
    sitename: str | None,
    page_title: str,
) -> str | None:
    """The site's name as readers know it: og:site_name, unless it is a section or a slug."""
    named = _first(tags.get("og:site_name"))
    if named and not looks_like_section(named, sections):
        return named
    publisher = _first(linked.publisher)
    if publisher and not looks_like_section(publisher, sections):
        return publisher
    guessed = _site_name(sitename, page_title)
    if guessed and squash(guessed) != squash(named or "") and not looks_like_section(guessed):
        return guessed
    return None


def _alt(
    tree: HtmlElement,
    tags: dict[str, str],
    image: str,
    base: str,
    names: tuple[str | None, ...],
    titles: tuple[str, ...],
) -> str | None:
    """The alt text of the page's own <img> showing `image`, else what the meta tags say of
    it; never the site's name or the headline; else None (the editor is told to write one)."""
    candidates = list(page_alt(tree, image, base))
    for key, alt_key in (("og:image", "og:image:alt"), ("twitter:image", "twitter:image:alt")):
        shown = _first(tags.get(key), tags.get(f"{key}:src"))
        if alt_key in tags and (shown is None or same_image(image, urljoin(base, shown))):
            candidates.append(tags[alt_key])
    return next((collapse(alt) for alt in candidates if usable_alt(alt, names, titles)), None)


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


_TITLE_TAGS = frozenset({"og:title", "twitter:title", "title", "headline", "dc.title"})


def _canonical(tree: HtmlElement, url: str, tags: dict[str, str]) -> str:
    """The page's rel=canonical (else its og:url) made absolute, when it is a usable one;
    else `url`."""
    links = (link for link in tree.iter("link") if "canonical" in _words(link.get("rel")))
    hrefs = (str(link.get("href") or "").strip() for link in links)
    href = next((h for h in hrefs if h), None) or tags.get("og:url")
    if not href:
        return url
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


def _words(value: str | None) -> list[str]:
    return (value or "").lower().split()


# --- Cleaning what was found ------------------------------------------------------------------


def _first(*values: str | None) -> str | None:
    return next((collapse(v) for v in values if v and collapse(v)), None)


def _site_name(name: str | None, page_title: str) -> str | None:
    """trafilatura's site name, unless it is an address or a guess that went wrong."""
    if not name or "/" in name:  # article:publisher is often the site's Facebook page
        return None
    # Without a named site, trafilatura takes the half of "A | B" with a dot in it: right for
    # "commonspace.eu", wrong for "U.S. sanctions Iran - BBC News".
    if name != page_title and name in page_title and not is_domain(name):
        return None
    return name


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _address(url: str) -> str:
    parts = urlsplit(url)
    return (_host(url) + parts.path).rstrip("/")
