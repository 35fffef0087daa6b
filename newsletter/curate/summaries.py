"""An article's summary: the page's own description, else the first real paragraph of the
article (never a caption, a photo credit, a cookie notice or the headline again)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from newsletter.curate.text import collapse, summarize
from newsletter.curate.titles import squash

if TYPE_CHECKING:
    from lxml.html import HtmlElement

LEDE_LENGTH = 60
"""The fewest characters a paragraph needs to be taken as the article's first one."""

_CREDIT = re.compile(
    r"^\W*(?:(?:left|right|top|main|file|lead|header)\s+)?"
    r"(?:photo(?:graph)?s?|images?|pictures?|credits?|illustrations?|video|source|caption)"
    r"\s*(?:by\b|credit\b|:|\|)",
    re.IGNORECASE,
)
_NOTICE = re.compile(
    r"\bcookies?\b|\bjavascript\b|\bsubscribe\b|\bnewsletter\b|\byour browser\b|"
    r"\bsign (?:up|in)\b|\bads? blocker\b|\ball rights reserved\b",
    re.IGNORECASE,
)
_CAPTION_CLASS = re.compile(r"caption|credit|byline|dateline|timestamp", re.IGNORECASE)


def choose_summary(descriptions: Iterable[str | None], title: str, tree: HtmlElement | None) -> str:
    """The first of the page's descriptions that says more than the headline, as a Markdown
    summary; else the article's first real paragraph; else ""."""
    for description in descriptions:
        if description and _usable(collapse(description), title):
            return summarize(description)
    if tree is None:
        return ""
    lede = lede_paragraph(tree, title)
    return summarize(lede) if lede else ""


def _usable(text: str, title: str) -> bool:
    if not text:
        return False
    squashed, headline = squash(text), squash(title)
    if not squashed or squashed in headline:  # the headline again, or a part of it
        return False
    return not _CREDIT.match(text)


def lede_paragraph(tree: HtmlElement, title: str) -> str | None:
    """The first paragraph of the article's text that reads as one: long enough, not a
    caption, a photo credit or a notice about cookies or subscriptions."""
    import trafilatura

    captions = _captions(tree)
    headings = {squash(h.text_content()) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")}
    try:
        text = trafilatura.extract(
            copy.deepcopy(tree),  # trafilatura prunes the tree it is given
            output_format="txt",
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=True,
            deduplicate=False,
        )
    except Exception:  # the page is untrusted input: nothing found, never a traceback
        return None
    for line in (text or "").splitlines():
        paragraph = collapse(line)
        if (
            len(paragraph) >= LEDE_LENGTH
            and _usable(paragraph, title)
            and squash(paragraph) not in headings
            and not _NOTICE.search(paragraph)
            and not any(squash(paragraph).startswith(c) for c in captions)
            and re.search(r"[.!?…][\"'\u201d\u2019)]*$", paragraph)
        ):
            return paragraph
    return None


def _captions(tree: HtmlElement) -> set[str]:
    """The beginnings of the page's captions and alt texts, compared loosely."""
    found: set[str] = set()
    for element in tree.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            continue
        if element.tag == "img":
            text = element.get("alt") or ""
        elif element.tag == "figcaption" or _CAPTION_CLASS.search(element.get("class") or ""):
            text = element.text_content()
        else:
            continue
        if len(key := squash(text)[:40]) >= 20:
            found.add(key)
    return found
