"""UTM parameters on an issue's links: the same links tagged the same way in HTML and text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsletter.model import Issue, Utm

MERGE_TAG = re.compile(r"\{\{|\*\||%7B%7B|\{%", re.I)
"""A mail service fills these in: adding parameters would break them."""


def tagger(utm: Utm, issue: Issue, slug: str, own: Iterable[str]) -> Callable[[str], str]:
    """A function adding the UTM parameters to a URL, except where it must not: merge tags,
    mailto:, the newsletter's own and the excluded domains, parameters the link has."""
    fill = {"number": str(issue.number), "date": issue.date.isoformat(), "slug": slug}
    params = {
        "utm_source": utm.source.format_map(fill),
        "utm_medium": utm.medium.format_map(fill),
        "utm_campaign": utm.campaign.format_map(fill),
    }
    skip = {d.lower().removeprefix("www.") for d in [*utm.exclude, *own]}

    def tag(url: str) -> str:
        if MERGE_TAG.search(url):
            return url
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        if parts.scheme not in ("http", "https") or any(
            host == d or host.endswith("." + d) for d in skip
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


def tag_html(html: str, tag: Callable[[str], str]) -> str:
    """Every link (`<a href>`) of the HTML, tagged."""

    def one(match: re.Match[str]) -> str:
        url = match.group(2).replace("&amp;", "&")
        return f"{match.group(1)}{tag(url).replace('&', '&amp;')}{match.group(3)}"

    return re.sub(r'(<a\b[^>]*?\shref=")([^"]*)(")', one, html)


def tag_text(text: str, tag: Callable[[str], str]) -> str:
    """Every URL in the text, tagged."""
    return re.sub(r"https?://[^\s<>\"]+", lambda m: tag(m.group(0)), text)
