"""UTM parameters on an issue's links: the same links tagged the same way in HTML and text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from html import escape, unescape
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from newsletter.build.render import Rendition
from newsletter.model.issue import Issue
from newsletter.model.mailtags import has_template_syntax
from newsletter.model.settings import Settings, UtmSettings


def tagger(utm: UtmSettings, issue: Issue, slug: str, own: Iterable[str]) -> Callable[[str], str]:
    """A function adding the UTM parameters to a URL, except where it must not: merge tags,
    mailto:, the newsletter's own pages (URLs starting with one of `own`: its archive,
    unsubscribe and preferences pages), the excluded domains, parameters the link has."""
    fill = {"number": str(issue.number), "date": issue.date.isoformat(), "slug": slug}
    params = {
        f"utm_{name}": value.format_map(fill)  # the settings' placeholders are checked
        for name, value in (
            ("source", utm.source),
            ("medium", utm.medium),
            ("campaign", utm.campaign),
        )
    }
    skip = {d.lower().removeprefix("www.") for d in utm.exclude}
    pages = [urlsplit(u) for u in own]

    def tag(url: str) -> str:
        if has_template_syntax(url):
            return url
        parts = urlsplit(url)
        host = parts.hostname or ""  # www.example.org ends with .example.org: excluded too
        if (
            parts.scheme not in ("http", "https")
            or any(_under(parts, page) for page in pages)
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


def _under(url: SplitResult, page: SplitResult) -> bool:
    """`url` is the page `page`, or below it: `/weekly/` and `/weekly/12/` are under
    `/weekly`, `/weekly-deals` is not."""
    if (url.scheme.lower(), url.netloc.lower()) != (page.scheme.lower(), page.netloc.lower()):
        return False
    base = page.path.rstrip("/")
    return url.path == base or url.path.startswith(base + "/")


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


def tag_text(text: str, tag: Callable[[str], str], links: Iterable[str]) -> str:
    """The links of the text part, tagged: each URL of `links` (the HTML's) where the text
    writes it, on a line of its own or as `text (URL)`. Any other URL in running text is not
    a link in the HTML (the Markdown is not linkified), so it stays as written there and here."""
    urls = sorted({u for u in links if u}, key=len, reverse=True)  # the longest first
    if not urls:
        return text
    # A URL stands alone: after a space or "(", before a space, ")" or a sentence's end.
    found = re.compile(
        r"(?<![^\s(])(" + "|".join(map(re.escape, urls)) + r")(?=[)\s]|[.,;:!?]*(?:\s|$))"
    )
    return found.sub(lambda m: tag(m.group(1)), text)


def tag_rendition(rendition: Rendition, issue: Issue, settings: Settings, slug: str) -> Rendition:
    """`rendition` with the settings' UTM parameters on its links, as export writes it; the
    same rendition when the settings have no `utm:`."""
    if settings.utm is None:
        return rendition
    # The newsletter's own pages are never tagged: a publisher's archive may share the
    # articles' domain.
    links = settings.links
    own = [u for u in (settings.archive_url, links.unsubscribe, links.preferences) if u]
    tag = tagger(settings.utm, issue, slug, own)
    return replace(
        rendition,
        html=tag_html(rendition.html, tag),
        text=tag_text(rendition.text, tag, rendition.links),
    )
