"""Reading a fetched page: its bytes parsed as HTML, its meta tags, and what trafilatura
finds in it, with the libraries' chatter kept quiet."""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

from newsletter.curate.charsets import decode_page
from newsletter.curate.text import collapse

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

_CHATTY = ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext")
_QUIET = threading.Lock()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
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


def parse_page(html: bytes, url: str, charset: str | None) -> tuple[HtmlElement | None, Document]:
    """The page as a tree, and what trafilatura reads in it (empty when it cannot)."""
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


def meta_tags(tree: HtmlElement) -> dict[str, str]:
    """The first content of each <meta> by property, name or itemprop, lower-cased."""
    tags: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = collapse(meta.get("content") or "")
        if key.strip() and content:
            tags.setdefault(key.strip().lower(), content)
    return tags


def all_meta(tree: HtmlElement | None, key: str) -> list[str]:
    """Every content of the <meta> elements named `key` (a page may give several sections)."""
    if tree is None:
        return []
    return [
        collapse(meta.get("content") or "")
        for meta in tree.iter("meta")
        if (meta.get("property") or meta.get("name") or "").strip().lower() == key
        and collapse(meta.get("content") or "")
    ]
