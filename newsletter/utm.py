"""UTM parameters on an issue's links: the same links tagged the same way in HTML and text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import escape, unescape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsletter.model import Issue, Utm
from newsletter.problems import UserError

MERGE_TAG = re.compile(r"\{\{|\*\||%7B%7B|\{%", re.I)
"""A mail service fills these in: adding parameters would break them."""


def tagger(utm: Utm, issue: Issue, slug: str, own: Iterable[str]) -> Callable[[str], str]:
    """A function adding the UTM parameters to a URL, except where it must not: merge tags,
    mailto:, the newsletter's own pages (URLs starting with one of `own`: its archive,
    unsubscribe and preferences pages), the excluded domains, parameters the link has."""
    fill = {"number": str(issue.number), "date": issue.date.isoformat(), "slug": slug}
    params = {
        f"utm_{name}": _fill(name, value, fill)
        for name, value in (
            ("source", utm.source),
            ("medium", utm.medium),
            ("campaign", utm.campaign),
        )
    }
    skip = {d.lower().removeprefix("www.") for d in utm.exclude}
    prefixes = tuple(own)

    def tag(url: str) -> str:
        if MERGE_TAG.search(url):
            return url
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        if (
            parts.scheme not in ("http", "https")
            or url.startswith(prefixes)
            or any(host == d or host.endswith("." + d) for d in skip)
        ):
            return url
        query = parse_qsl(parts.query, keep_blank_values=True)
        have = {k for k, _ in query}
        extra = [(k, v) for k, v in params.items() if k not in have]
        if not extra:
            return url
        joined = parts.query + ("&" if parts.query else "") + urlencode(extra)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))

    return tag


def _fill(name: str, value: str, fill: dict[str, str]) -> str:
    """`value` with its placeholders filled; a UserError for one that does not exist."""
    try:
        return value.format_map(fill)
    except (KeyError, IndexError, AttributeError, ValueError) as e:
        known = ", ".join(f"{{{k}}}" for k in fill)
        problem = f"no placeholder {{{e.args[0]}}}" if isinstance(e, KeyError) else str(e)
        raise UserError(f"utm.{name} {value!r}: {problem}; there are {known}") from None


def tag_html(html: str, tag: Callable[[str], str]) -> str:
    """Every link (`<a href>`) of the HTML, tagged; the links left alone keep their bytes."""

    def one(match: re.Match[str]) -> str:
        # The attribute holds the URL HTML-escaped (`&amp;`, and `&#39;` from Jinja).
        url = unescape(match.group(2))
        tagged = tag(url)
        if tagged == url:
            return match.group(0)
        return f"{match.group(1)}{escape(tagged)}{match.group(3)}"

    return re.sub(r'(<a\b[^>]*?\shref=")([^"]*)(")', one, html)


_TRAILING = ".,;:!?'\""
"""Punctuation after a URL in running text: the sentence's, not the URL's."""


def tag_text(text: str, tag: Callable[[str], str]) -> str:
    """Every URL in the text, tagged; punctuation ending a sentence stays after it."""

    def one(match: re.Match[str]) -> str:
        url = match.group(0)
        end = len(url)
        while end and (
            url[end - 1] in _TRAILING
            or (url[end - 1] == ")" and url.count("(", 0, end) < url.count(")", 0, end))
        ):
            end -= 1
        return tag(url[:end]) + url[end:]

    return re.sub(r"https?://[^\s<>\"]+", one, text)
