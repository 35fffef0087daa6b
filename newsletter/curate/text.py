"""Text taken from web pages, made fit for an issue: collapsed, shortened at a sentence's
end, and escaped as Markdown."""

from __future__ import annotations

import html as html_entities
import re

from newsletter.model.fields import CONTROL_CHARACTERS

SUMMARY_LENGTH = 300
"""The longest summary taken from a page or a feed, in characters readers see."""

# "[…]" or "… Continue reading TITLE", as WordPress ends excerpts.
_CUT_SHORT = re.compile(
    r"\s*(?:\[(?:…|\.\.\.)\]|\.\.\.|…)(?:\s+(?:continue reading|read more)\b.*)?$",
    re.IGNORECASE,
)
# A sentence ends before a space, or before a capital where a site ran two paragraphs together
# ("Corbyn.Rebranded"); closing quotes and brackets belong to it.
_SENTENCE_END = re.compile(r"(?<![A-Z])[.!?][\"'\u201d\u2019\u00bb)]*(?=\s|[A-Z][a-z])")
_MARKDOWN_SPECIAL = re.compile(r"([\\*_`\[\]])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # "&amp;" would be shown as "&"
_AUTOLINK = re.compile(r"<(?=[A-Za-z][A-Za-z0-9+.-]{1,31}:|[^\s<>@]+@)")
_LIST_START = re.compile(r"^([-+>#])(?=\s|$)|^(\d{1,9})([.)])(?=\s|$)")
_HIDDEN = frozenset({"script", "style", "template", "noscript"})
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption"}
    | {"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"}
    | {"nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"}
)


def collapse(text: str) -> str:
    """`text` on one line: control characters dropped, every run of white space one space."""
    return " ".join(CONTROL_CHARACTERS.sub("", text).split())


def _shorten(text: str, limit: int) -> str:
    ellipsis = _CUT_SHORT.search(text)
    if ellipsis:
        # Already shortened by the site, often mid-sentence: its whole sentences read better;
        # else say so in one character.
        text = text[: ellipsis.start()].rstrip()
        ends = [m.end() for m in _SENTENCE_END.finditer(text + " ", 0, limit + 1)]
        if ends and ends[-1] >= min(limit, len(text)) // 3:
            return text[: ends[-1]]
        text = cut(text, limit) if len(text) >= limit else text + "…"
    if len(text) <= limit:
        return text
    # A whole sentence reads best, with no "…" after its full stop; but not at any price.
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit + 1) if m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]]
    return cut(text, limit)


def cut(text: str, limit: int) -> str:
    """`text`, longer than `limit`, cut at a word (or hard, in a huge one) and ended with "…"."""
    words = text[: limit - 1]
    space = words.rfind(" ")
    if space >= limit // 2:
        words = words[:space]
    return words.rstrip(" ,;:-\N{EN DASH}\N{EM DASH}") + "…"


def _escape_markdown(text: str) -> str:
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _AUTOLINK.sub(r"\\<", text)
    # The summary is block Markdown: "2024. A year" or "- yes" would start a list.
    return _LIST_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def html_to_text(html: str) -> str:
    """The text of an HTML fragment, whitespace collapsed; block elements are kept apart."""
    if "<" not in html and "&" not in html:
        return collapse(html)
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.LxmlError, ValueError):  # ValueError: control characters in the input
        return collapse(html_entities.unescape(re.sub(r"<[^>]*>", " ", html)))
    for element in list(root.iter()):
        if element.tag in _HIDDEN:
            element.drop_tree()
        elif element.tag in _BLOCKS:
            element.text = " " + (element.text or "")
            element.tail = " " + (element.tail or "")
    return collapse(root.text_content())


def summarize(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Plain text as a Markdown summary of at most `limit` characters that reads as written."""
    # Shortened before escaping: the limit counts what readers see, and no cut splits an escape.
    return _escape_markdown(_shorten(collapse(text), limit))
