"""Markdown in the issue's text fields: to HTML for the email, to plain text for its text part."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from newsletter.model import urls


def _safe_link(url: str) -> bool:
    return urls.is_mailto(url) or urls.http_url_problem(url) is None


@cache
def _parser(*, checked: bool) -> MarkdownIt:
    # Raw HTML off: "<b>" in a summary is text. Images, headings, rules and code blocks off: they
    # belong to the theme, and an indentation slip in YAML must not turn a summary into code.
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "hr", "code", "fence"])
    if checked:
        md.validateLink = _safe_link  # type: ignore[method-assign]
    else:
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=4096)  # the preview renders the same summaries on every save
def to_html(text: str) -> Markup:
    """Block Markdown (paragraphs, lists, emphasis, links) as HTML."""
    return Markup(_parser(checked=True).render(text).strip())


@lru_cache(maxsize=4096)
def to_html_inline(text: str) -> Markup:
    """Inline Markdown (emphasis, links, code) as HTML, without a surrounding paragraph."""
    return Markup(_parser(checked=True).renderInline(text.strip()).strip())


@lru_cache(maxsize=512)  # the text part and the checks read the same texts, save after save
def _tokens(text: str) -> tuple[Token, ...]:
    """The Markdown `text` parsed, with links checked: tokens only ever read."""
    return tuple(_parser(checked=True).parse(text))


def links(text: str) -> list[str]:
    """Every link target written in the Markdown `text`, valid or not."""
    return list(dict.fromkeys(href for href, _ in link_texts(text)))


def link_texts(text: str) -> list[tuple[str, str]]:
    """Every link in the Markdown `text`: its target and the text that shows it."""
    return list(_link_texts(text))


@lru_cache(maxsize=4096)  # the loader and a dozen checks ask about the same texts
def _link_texts(text: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for token in _parser(checked=False).parse(text):
        href, words = None, ""
        for child in token.children or []:
            if child.type == "link_open":
                href, words = str(child.attrGet("href") or ""), ""
            elif child.type == "link_close" and href is not None:
                found.append((href, words.strip()))
                href = None
            elif href is not None:
                words += child.content
    return tuple(found)


MAX_DEPTH = 20
"""How deep Markdown may nest (emphasis in emphasis, lists in lists): more is never
writing, and breaks mail clients and the compiler."""


@lru_cache(maxsize=4096)
def depth(text: str) -> int:
    """How deeply the elements of the Markdown `text` nest."""
    deepest = level = 0
    for token in _parser(checked=False).parse(text):
        level += token.nesting
        inner = level
        for child in token.children or []:
            inner += child.nesting
            deepest = max(deepest, inner)
        deepest = max(deepest, level)
    return deepest


class References:
    """Numbered links, for a theme that wants them: `text [1]` in the text, `[1] URL` in a
    list of its own. The default theme writes each URL where its link is instead."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> int:
        """The number of `url`, given the next one the first time it is seen."""
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return enumerate(self.urls, 1)


def to_text(text: str, refs: References | None = None, width: int | None = None) -> str:
    """Markdown as plain text: a paragraph or list item a line (wrapped at `width` if given),
    links as `text (URL)`, or as `text [n]` when `refs` numbers them."""
    blocks: list[str] = []
    lists: list[int] = []  # per open list: the last item number, or -1 for a bullet list
    prefix = ""
    joined = False  # the next block continues the current list
    for token in _tokens(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(int(token.attrGet("start") or 1) - 1 if "ordered" in token.type else -1)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            prefix, joined = "  " * len(lists), bool(lists)
        elif token.type == "list_item_open":
            if lists[-1] >= 0:
                lists[-1] += 1
            marker = f"{lists[-1]}. " if lists[-1] >= 0 else "- "
            prefix = "  " * (len(lists) - 1) + marker
        elif token.type == "inline":
            line = _inline_text(token.children or [], refs)
            block = wrap(line, width, prefix) if width else _indent(line, prefix)
            if joined and blocks:
                blocks[-1] += "\n" + block
            else:
                blocks.append(block)
            joined = bool(lists)
            prefix = "  " * len(lists)
    return "\n\n".join(blocks)


def _indent(text: str, prefix: str) -> str:
    """`text` after `prefix`, its hard line breaks indented to match."""
    return prefix + text.replace("\n", "\n" + " " * len(prefix))


def _inline_text(tokens: list[Token], refs: References | None) -> str:
    out: list[str] = []
    open_links: list[tuple[str, int]] = []  # per open link: its target, where its text starts
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type == "softbreak":
            out.append(" ")
        elif token.type == "hardbreak":
            out.append("\n")
        elif token.type == "link_open":
            open_links.append((str(token.attrGet("href") or ""), len(out)))
        elif token.type == "link_close" and open_links:
            href, start = open_links.pop()
            out.append(_after_link(href, "".join(out[start:]).strip(), refs))
    return "".join(out).strip()


def _after_link(href: str, words: str, refs: References | None) -> str:
    """What follows a link's text: ` [n]` with `refs`, else ` (URL)`, or nothing when the
    text already is the address (`<https://...>`, `<name@example.org>`)."""
    if refs is not None:
        return f" [{refs(href)}]"
    if words in (href, href.removeprefix("mailto:")):
        return ""
    return f" ({href})"


def wrap(text: str, width: int = 72, prefix: str = "") -> str:
    """Wrap at `width`, never breaking a long word or URL; keep hard line breaks. A theme may
    wrap its lines with it; the default theme leaves wrapping to the reader's screen."""
    lines = []
    for paragraph in text.split("\n"):
        indent = " " * len(prefix)
        lines.extend(
            textwrap.wrap(
                paragraph,
                width,
                initial_indent=prefix,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [""]
        )
    return "\n".join(lines)
