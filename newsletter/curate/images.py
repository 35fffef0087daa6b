"""The image an article is shared with, and the words that describe it: the alt text of the
page's own <img> showing it (at any size), or what the page's meta tags say of it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from newsletter.curate.text import collapse
from newsletter.curate.titles import site_names, squash

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_SOURCES = ("src", "data-src", "data-original", "data-lazy-src", "data-url", "data-hi-res-src")
_SRCSETS = ("srcset", "data-srcset", "data-lazy-srcset")
# A size written into a file's name: "-1024x576", "_800x450", "-320-80", "_304", "@2x", and
# the names of sizes that CMSs add ("-scaled", "-articleLarge", "-facebookJumbo").
_SIZE_SUFFIX = re.compile(
    r"[-_@](?:\d{2,4}(?:x\d{0,4})?|\d{2,4}w|\dx|scaled|large|medium|small|thumb|thumbnail"
    r"|jumbo|superjumbo|facebookjumbo|articlelarge|articleinline|videosixteenbynine\w*"
    r"|mediumthreebytwo\d*|square\d*|master\d*)$"
)
# A folder that only says which size or crop: "/1024/", "/w_800/", "/1280x0/", "/191:100/".
_SIZE_FOLDER = re.compile(
    r"\d+|\d+x\d+!?|[a-z]{1,2}_?\d+(?:,[\w:]+)*|\d+:\d+|fit-in|smart|resize|crop|"
    r"[a-z]+_limit|filters:.*|styles|public|image_\d+|desktop|mobile|original|master"
)
_GENERIC = frozenset(
    {"image", "images", "img", "photo", "picture", "preview", "default", "original", "index"}
    | {"master", "large", "full", "thumbnail", "thumb", "file", "media", "lead", "hero"}
)
_FILE_NAME = re.compile(r"\S+\.(?:jpe?g|png|gif|webp|svg|avif|tiff?)", re.IGNORECASE)
# A file's name without its extension: "extrablatt_cover", "Bike-&-Style-book__MG_2953".
_NO_SPACE = re.compile(r"\S+")
_SLUG_MARK = re.compile(r"_|\d{3,}|\w-\w+-\w")
_NOT_ALT = frozenset(
    {"image", "photo", "picture", "img", "thumbnail", "featured image", "lead image", "logo"}
    | {"placeholder", "advertisement", "null", "undefined", "none"}
)


def same_image(a: str, b: str) -> bool:
    """Whether two addresses show the same image: the same file, or the same file at another
    size or crop (query strings, size folders and size suffixes set aside)."""
    folder_a, stem_a = _image_key(a)
    folder_b, stem_b = _image_key(b)
    if not stem_a or stem_a != stem_b:
        return False
    # "photo.jpg" in two folders may be two photos; a long distinctive name is one.
    distinctive = len(stem_a) >= 10 and stem_a not in _GENERIC and not stem_a.isdigit()
    return folder_a == folder_b or distinctive


def _image_key(url: str) -> tuple[tuple[str, ...], str]:
    """The folders and file name of an image, without what only sets its size."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    # Resizing services carry the image's own address in the path or the query.
    inner = re.search(r"/(https?:/{1,2}.*)$", path)
    if inner:
        return _image_key(inner[1])
    for _, value in parse_qsl(parts.query):
        name = value.rsplit("/", 1)[-1]
        if value.startswith(("http://", "https://")) and _FILE_NAME.fullmatch(name):
            return _image_key(value)
    segments = [s for s in path.lower().split("/") if s]
    if not segments:
        return (), ""
    stem = segments[-1].rsplit(".", 1)[0] if "." in segments[-1] else segments[-1]
    while (shorter := _SIZE_SUFFIX.sub("", stem)) != stem and shorter:
        stem = shorter
    folders = tuple(s for s in segments[:-1] if not _SIZE_FOLDER.fullmatch(s))
    return folders, stem


def page_alt(tree: HtmlElement, image: str, base: str) -> Iterator[str]:
    """The alt texts of the page's <img> elements that show `image` (at any size), in order."""
    for element in tree.iter("img"):
        alt = element.get("alt")
        if not alt or not alt.strip():
            continue
        if any(same_image(image, urljoin(base, url)) for url in _addresses(element)):
            yield collapse(alt)


def _addresses(img: HtmlElement) -> Iterator[str]:
    """Every address an <img> (or the <picture> around it) may show."""
    elements = [img]
    parent = img.getparent()
    if parent is not None and parent.tag == "picture":
        elements.extend(parent.iter("source"))
    for element in elements:
        for name in _SOURCES:
            if value := (element.get(name) or "").strip():
                yield value
        for name in _SRCSETS:
            for candidate in (element.get(name) or "").split(","):
                if candidate.strip():
                    yield candidate.split()[0]


def usable_alt(alt: str | None, names: Iterable[str | None], titles: Iterable[str]) -> bool:
    """Whether `alt` describes an image: not the site's name, the headline (as the page gives
    it or cleaned), a file's name or a word such as "image"."""
    text = collapse(alt or "")
    squashed = squash(text)
    if not squashed or squashed in {squash(name) for name in site_names(names)}:
        return False
    for title in titles:
        headline = squash(title)
        # The headline, or the headline with a word or two around it ("BREAKING: ...").
        if headline and headline in squashed and len(squashed) < len(headline) + 20:
            return False
    return (
        text.casefold() not in _NOT_ALT
        and not _FILE_NAME.fullmatch(text)
        and not (_NO_SPACE.fullmatch(text) and _SLUG_MARK.search(text))
    )
