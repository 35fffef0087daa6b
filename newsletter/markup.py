"""Markdown in the issue's text fields: to HTML for the email, to plain text for its text part."""

from __future__ import annotations

import textwrap
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from newsletter import urls


def _safe_link(url: str) -> bool:
    return url.startswith("mailto:") or urls.http_url_problem(url) is None


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


def to_html(text: str) -> Markup:
    """Block Markdown (paragraphs, lists, emphasis, links) as HTML."""
    return Markup(_parser(checked=True).render(text).strip())


def to_html_inline(text: str) -> Markup:
    """Inline Markdown (emphasis, links, code) as HTML, without a surrounding paragraph."""
    return Markup(_parser(checked=True).renderInline(text.strip()).strip())


def links(text: str) -> list[str]:
    """Every link target written in the Markdown `text`, valid or not."""
    found = []
    for token in _parser(checked=False).parse(text):
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrGet("href") or ""))
    return list(dict.fromkeys(found))


def to_text(text: str, width: int = 72) -> str:
    """Markdown as plain text for the text part: paragraphs wrapped, links as `text (URL)`."""
    blocks: list[str] = []
    lists: list[int] = []  # per open list: the last item number, or -1 for a bullet list
    prefix = ""
    joined = False  # the next block continues the current list
    for token in _parser(checked=True).parse(text):
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
        elif token.type in ("inline", "code_block", "fence"):
            if token.type == "inline":
                block = wrap(_inline_text(token.children or []), width, prefix)
            else:
                block = token.content.rstrip("\n")
            if joined and blocks:
                blocks[-1] += "\n" + block
            else:
                blocks.append(block)
            joined = bool(lists)
            prefix = "  " * len(lists)
    return "\n\n".join(blocks)


def to_text_inline(text: str) -> str:
    """Inline Markdown as one line of plain text."""
    return _inline_text(_parser(checked=True).parseInline(text.strip())[0].children or [])


def _inline_text(tokens: list[Token]) -> str:
    out: list[str] = []
    href: list[str] = []
    for token in tokens:
        if token.type in ("text", "html_inline") or token.type == "code_inline":
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n" if token.type == "hardbreak" else " ")
        elif token.type == "link_open":
            href.append(str(token.attrGet("href") or ""))
        elif token.type == "link_close" and href:
            url = href.pop()
            if url and out[-1:] != [url]:
                out.append(f" ({url.removeprefix('mailto:')})")
    return "".join(out).strip()


def wrap(text: str, width: int = 72, prefix: str = "") -> str:
    """Wrap at `width`, never breaking a long word or URL; keep hard line breaks."""
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
