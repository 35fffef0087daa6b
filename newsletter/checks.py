"""Pre-send checks: what would embarrass an editor once the issue is in a thousand inboxes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from newsletter import colour, markup
from newsletter.history import Featured
from newsletter.model import Issue, Settings
from newsletter.project import slug
from newsletter.render import Links, Rendition
from newsletter.urls import ip_literal, normalize_url
from newsletter.utm import tag_rendition
from newsletter.yamlfile import Document, Loc, format_loc

Severity = Literal["error", "warning"]

# Capitals only: "Todo el mundo" and "Tcl/Tk" are words, TODO and TK are notes to oneself.
PLACEHOLDERS = re.compile(r"\bTODO\b|\bTK\b|\bXXX+\b|(?i:\blorem ipsum\b|\bipsum dolor\b)")
SHORTENERS = frozenset(
    {
        "bit.ly", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "buff.ly", "is.gd", "rebrand.ly",
        "cutt.ly", "shorturl.at", "lnkd.in", "dlvr.it", "tiny.cc", "rb.gy", "t.ly", "s.id",
        "v.gd", "bl.ink", "short.io", "trib.al",
    }
)  # fmt: skip
VAGUE = frozenset(
    {
        "click here", "here", "read more", "more", "this", "link", "this link", "click", "go",
        "learn more", "details",
    }
)  # fmt: skip
FILE_NAME_ALT = re.compile(
    r".*\.(jpe?g|png|gif|webp|svg|avif|heic)|(img|image|photo|picture|pic|dsc|screenshot)[\s_()-]*\d*\)?",
    re.I,
)
TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|\{#|\*\||@Track(?:Link|View)\b")
"""What mail services' template engines run: in an article, text from elsewhere."""
HEX = r"(#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3}))\b"
BARE_URL = re.compile(r"(\[\d+\] |[\w ]{1,30}: )?\S+://\S+")
"""A line long only because of its URL: `[3] URL`, `Unsubscribe: URL`; the URL cannot wrap."""


@dataclass(frozen=True, order=True)
class Finding:
    """One thing a check found, located in the issue file where it can be."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        location = self.path + (f":{self.line}" if self.line else "")
        location += f":{self.column}" if self.line and self.column else ""
        where = f"{self.where}: " if self.where else ""
        return f"{location}: {self.severity}: {where}{self.message} [{self.code}]"

    def as_json(self) -> dict[str, Any]:
        """The finding in the JSON output of `newsletter check --format json`."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.path,
            "line": self.line or None,
            "column": self.column or None,
            "where": self.where or None,
        }


@dataclass(frozen=True)
class Subject:
    """Everything the checks look at."""

    document: Document
    issue: Issue
    settings: Settings
    rendition: Rendition
    links: Links
    featured: dict[str, Featured]

    def at(self, loc: Loc, severity: Severity, code: str, message: str) -> Finding:
        """A finding located at `loc` in the issue file."""
        line, column = self.document.position(loc)
        return Finding(self.document.path, line, column, severity, code, message, format_loc(loc))

    def in_email(self, severity: Severity, code: str, message: str, where: str) -> Finding:
        """A finding about the built email rather than a line of the issue."""
        return Finding(self.document.path, 0, 0, severity, code, message, where)

    def exported(self, rendition: Rendition) -> Rendition:
        """`rendition` (of this issue, or of a part of it) as export writes it: with the
        UTM parameters the settings ask for."""
        return tag_rendition(rendition, self.issue, self.settings, slug(Path(self.document.path)))

    @cached_property
    def exported_size(self) -> int:
        """The bytes of the HTML as export writes it: what Gmail's clip is measured on."""
        return self.exported(self.rendition).sizes["html"]


Check = Callable[[Subject], Iterator[Finding]]


def run_checks(subject: Subject) -> list[Finding]:
    """Every offline check, sorted by place; codes the settings ignore are left out."""
    ignored = set(subject.settings.checks.ignore)
    found = [f for check in CHECKS for f in check(subject) if f.code not in ignored]
    return sorted(found, key=finding_order)


def finding_order(finding: Finding) -> tuple[bool, int, int, str]:
    """Findings in the order of the file, those about the built email last."""
    return (finding.line == 0, finding.line, finding.column, finding.code)


def _texts(issue: Issue) -> Iterator[tuple[Loc, str]]:
    yield ("subject",), issue.subject
    if issue.preheader:
        yield ("preheader",), issue.preheader
    if issue.intro:
        yield ("intro",), issue.intro
    for s, section in enumerate(issue.sections):
        yield ("sections", s, "title"), section.title
        for a, article in enumerate(section.articles):
            loc: Loc = ("sections", s, "articles", a)
            for name in ("title", "source", "summary", "image_alt"):
                value = getattr(article, name)
                if value:
                    yield (*loc, name), value


def check_size(subject: Subject) -> Iterator[Finding]:
    """The HTML against Gmail's clip."""
    limits = subject.settings.checks
    size = subject.exported_size
    if size > limits.clip_bytes:
        message = f"the HTML is {size:,} bytes: Gmail clips it after {limits.clip_bytes:,}"
        yield subject.in_email("error", "size/clipped", message, "email.html")
    elif size > limits.warn_bytes:
        message = f"the HTML is {size:,} bytes, close to Gmail's clip at {limits.clip_bytes:,}"
        yield subject.in_email("warning", "size/near-clip", message, "email.html")


def check_subject(subject: Subject) -> Iterator[Finding]:
    """Subject and preheader: present, of a length inboxes show, not repeating each other."""
    issue, limits = subject.issue, subject.settings.checks
    shortest, longest = limits.subject_length
    if not shortest <= len(issue.subject) <= longest:
        message = f"{len(issue.subject)} characters; inboxes show {shortest} to {longest} well"
        yield subject.at(("subject",), "warning", "subject/length", message)
    if not issue.preheader:
        message = "no preheader: inboxes will show the start of the email instead"
        yield subject.at(("subject",), "warning", "preheader/missing", message)
        return
    shortest, longest = limits.preheader_length
    if not shortest <= len(issue.preheader) <= longest:
        message = f"{len(issue.preheader)} characters; aim for {shortest} to {longest}"
        yield subject.at(("preheader",), "warning", "preheader/length", message)
    if issue.preheader.casefold().strip(" .") == issue.subject.casefold().strip(" ."):
        message = "repeats the subject: say something the subject does not"
        yield subject.at(("preheader",), "warning", "preheader/repeats-subject", message)


def check_leftovers(subject: Subject) -> Iterator[Finding]:
    """Placeholders (TODO, TK, XXX, lorem ipsum), template syntax in articles (text from a
    web page), and empty summaries."""
    for loc, text in _texts(subject.issue):
        match = PLACEHOLDERS.search(text)
        if match:
            message = f"a placeholder is left in: {match.group(0)!r}"
            yield subject.at(loc, "error", "text/placeholder", message)
        if loc[0] == "sections" and (match := TEMPLATE_SYNTAX.search(text)):
            message = (
                f"{match.group(0)!r} is template syntax to mail services (listmonk and Buttondown"
                " read {{ and {%, Mailchimp *|): they would run it; an article is no place for it"
            )
            yield subject.at(loc, "warning", "text/template-syntax", message)
    for loc, url, _ in _all_links(subject.issue):
        if loc[-1] == "url" and (match := TEMPLATE_SYNTAX.search(url)):
            message = f"{match.group(0)!r} in an address: listmonk would make it a tracked link"
            yield subject.at(loc, "warning", "text/template-syntax", message)
    for s, section in enumerate(subject.issue.sections):
        if section.layout == "compact":
            continue  # compact sections show no summaries
        for a, article in enumerate(section.articles):
            if not article.summary:
                where: Loc = ("sections", s, "articles", a)
                message = "the article has no summary"
                yield subject.at(where, "warning", "text/empty-summary", message)


def _all_links(issue: Issue) -> Iterator[tuple[Loc, str, tuple[Loc, str]]]:
    """(where, URL, (where its text is, the text that shows it)) for every link; an article's
    title is its link's text."""
    for loc, text in _texts(issue):
        if loc[-1] in ("intro", "summary"):
            for href, words in markup.link_texts(text):
                yield loc, href, (loc, words)
    for s, section in enumerate(issue.sections):
        for a, article in enumerate(section.articles):
            loc = ("sections", s, "articles", a)
            yield (*loc, "url"), article.url, ((*loc, "title"), article.title)


def check_links(subject: Subject) -> Iterator[Finding]:
    """https, real host names, no shorteners, telling link text, nothing featured before."""
    for loc, url, (text_loc, words) in _all_links(subject.issue):
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "http":
            yield subject.at(loc, "warning", "link/http", f"not https: {url}")
        if ip_literal(host) is not None:
            yield subject.at(loc, "error", "link/ip-address", f"a bare IP address: {url}")
        if host.removeprefix("www.") in SHORTENERS:
            message = f"a link shortener hides where {url} goes, and spam filters dislike it"
            yield subject.at(loc, "warning", "link/shortener", message)
        if re.sub(r"[^\w\s]", "", words).strip().casefold() in VAGUE:
            message = f"the link text {words!r} says nothing on its own; name what it leads to"
            if loc[-1] == "url":
                message = f"the title {words!r} is the article's link text: name what it leads to"
            yield subject.at(text_loc, "warning", "link/vague-text", message)
        if loc[-1] == "url" and (earlier := subject.featured.get(normalize_url(url))):
            message = f"already featured in {earlier}"
            yield subject.at(loc, "warning", "link/featured-before", message)


def check_images(subject: Subject) -> Iterator[Finding]:
    """Alt text that describes, https, and a width for Outlook."""
    for s, section in enumerate(subject.issue.sections):
        for a, article in enumerate(section.articles):
            if not article.image:
                continue
            loc: Loc = ("sections", s, "articles", a)
            if article.image_alt is None:
                message = 'no image_alt: describe the image, or write image_alt: "" if decorative'
                yield subject.at((*loc, "image"), "warning", "image/alt-missing", message)
            elif FILE_NAME_ALT.fullmatch(article.image_alt.strip()):
                message = f"the alt text {article.image_alt!r} is a file name, not a description"
                yield subject.at((*loc, "image_alt"), "warning", "image/alt-filename", message)
            if article.image.lower().startswith("http:"):
                yield subject.at((*loc, "image"), "warning", "image/http", "not https")
    for img in re.findall(r"<img\b[^>]*>", subject.rendition.html):
        if not re.search(r"\swidth\s*=", img):
            src = re.search(r'\ssrc="([^"]*)"', img)
            shown = src.group(1) if src else img[:60]
            message = f"an image without a width attribute: Outlook shows it at full size ({shown})"
            yield subject.in_email("warning", "image/no-width", message, "email.html")


def check_text_part(subject: Subject) -> Iterator[Finding]:
    """The text part has every link of the HTML and no line too long to read."""
    text = subject.rendition.text
    hrefs = dict.fromkeys(re.findall(r'<a\b[^>]*\shref="([^"]*)"', subject.rendition.html))
    for href in hrefs:
        plain = html.unescape(href)
        if plain not in text:
            message = f"a link of the HTML is missing from the text part: {plain}"
            yield subject.in_email("error", "text/missing-link", message, "email.txt")
    longest = subject.settings.checks.line_length
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > longest and not BARE_URL.fullmatch(line):
            message = f"{len(line)} characters, over {longest}: {line[:40]}..."
            yield subject.in_email("warning", "text/long-line", message, f"email.txt line {number}")


def check_compliance(subject: Subject) -> Iterator[Finding]:
    """An unsubscribe link and the postal address, as the law asks."""
    email = subject.rendition.html
    unsubscribe = subject.links.unsubscribe
    hrefs = {html.unescape(h) for h in re.findall(r'<a\b[^>]*\shref="([^"]*)"', email)}
    if not unsubscribe or unsubscribe not in hrefs:
        message = "no unsubscribe link in the email (settings: links.unsubscribe)"
        yield subject.in_email("error", "compliance/unsubscribe", message, "email.html")
    address = re.sub(r"\s+", " ", subject.settings.postal_address)
    visible = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", email)))
    if address not in visible:
        message = "the postal address (settings: postal_address) is not in the email"
        yield subject.in_email("error", "compliance/postal-address", message, "email.html")


def check_accessibility(subject: Subject) -> Iterator[Finding]:
    """A language for screen readers, and text colours readable on their backgrounds."""
    # MRML writes lang="und" (undetermined) when the MJML has none.
    if not re.search(r'<html\b[^>]*\slang="(?!und")[^"]+"', subject.rendition.html):
        yield subject.in_email("error", "a11y/lang", "the email has no lang", "email.html")
    yield from _contrast(subject)


def _contrast(subject: Subject) -> Iterator[Finding]:
    """Inline text colours against the nearest inline background (the light palette)."""
    import lxml.html

    page = lxml.html.fromstring(subject.rendition.html)
    reported: set[tuple[str, str]] = set()
    for element in cast(list[Any], page.xpath('//*[contains(@style, "color")]')):
        style = element.get("style") or ""
        fg = re.search(rf"(?:^|;)\s*color\s*:\s*{HEX}", style)
        if not fg or not (element.text or "").strip() or _hidden(element):
            continue
        bg = "#ffffff"
        for ancestor in (element, *element.iterancestors()):  # its own background first
            found = re.search(
                rf"background(?:-color)?\s*:\s*{HEX}", ancestor.get("style") or ""
            ) or re.fullmatch(HEX, ancestor.get("bgcolor") or "")
            if found:
                bg = found.group(1)
                break
        ratio = colour.contrast(fg.group(1), bg)
        if ratio < 4.5 and (fg.group(1), bg) not in reported:
            reported.add((fg.group(1), bg))
            message = f"text {fg.group(1)} on {bg} has a contrast of {ratio:.1f}:1, under 4.5:1"
            yield subject.in_email("error", "a11y/contrast", message, "email.html")


def _hidden(element: Any) -> bool:
    """Not shown to readers (the preheader): its colours do not matter."""
    return any(
        re.search(r"display\s*:\s*none", e.get("style") or "")
        for e in (element, *element.iterancestors())
    )


CHECKS: tuple[Check, ...] = (
    check_size,
    check_subject,
    check_leftovers,
    check_links,
    check_images,
    check_text_part,
    check_compliance,
    check_accessibility,
)
