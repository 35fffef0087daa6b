"""Pre-send checks: what would embarrass an editor once the issue is in a thousand inboxes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any, cast
from urllib.parse import urlsplit

from newsletter.build import colour
from newsletter.build import markdown as markup
from newsletter.build.yamlfile import Loc
from newsletter.checks.compat import check_clients
from newsletter.checks.inspection import Inspection
from newsletter.checks.pictures import check_images_weight, check_pictures, from_archive
from newsletter.model.issue import Issue
from newsletter.model.mailtags import has_template_syntax
from newsletter.model.problems import Problem, in_file_order
from newsletter.model.urls import ip_literal, normalize_url

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
HEX = r"(#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3}))\b"
MAIL_LINE_BYTES = 998
"""The longest line mail may carry (RFC 5322, 2.1.1), in bytes: a server or a mail service
that sends the text as it is may break a longer one anywhere, mid-word or mid-URL."""


Check = Callable[[Inspection], Iterator[Problem]]


def run_checks(inspection: Inspection) -> list[Problem]:
    """Every offline check, in the order of the file; codes the settings ignore are left out."""
    ignored = set(inspection.settings.checks.ignore)
    found = [p for check in CHECKS for p in check(inspection) if p.code not in ignored]
    return sorted(found, key=in_file_order)


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


def check_size(inspection: Inspection) -> Iterator[Problem]:
    """The HTML against Gmail's clip."""
    limits = inspection.settings.checks
    size = inspection.exported_size
    if size > limits.clip_bytes:
        message = f"the HTML is {size:,} bytes: Gmail clips it after {limits.clip_bytes:,}"
        yield inspection.in_email("size/clipped", message, "email.html")
    elif size > limits.warn_bytes:
        message = f"the HTML is {size:,} bytes, close to Gmail's clip at {limits.clip_bytes:,}"
        yield inspection.in_email("size/near-clip", message, "email.html")


def check_subject(inspection: Inspection) -> Iterator[Problem]:
    """Subject and preheader: present, of a length inboxes show, not repeating each other."""
    issue, limits = inspection.issue, inspection.settings.checks
    shortest, longest = limits.subject_length
    if not shortest <= len(issue.subject) <= longest:
        message = f"{len(issue.subject)} characters; inboxes show {shortest} to {longest} well"
        yield inspection.at(("subject",), "subject/length", message)
    if not issue.preheader:
        message = "no preheader: inboxes will show the start of the email instead"
        yield inspection.at(("subject",), "preheader/missing", message)
        return
    shortest, longest = limits.preheader_length
    if not shortest <= len(issue.preheader) <= longest:
        message = f"{len(issue.preheader)} characters; aim for {shortest} to {longest}"
        yield inspection.at(("preheader",), "preheader/length", message)
    if issue.preheader.casefold().strip(" .") == issue.subject.casefold().strip(" ."):
        message = "repeats the subject: say something the subject does not"
        yield inspection.at(("preheader",), "preheader/repeats-subject", message)


def check_leftovers(inspection: Inspection) -> Iterator[Problem]:
    """Placeholders (TODO, TK, XXX, lorem ipsum), template syntax in articles (text from a
    web page), and empty summaries."""
    for loc, text in _texts(inspection.issue):
        match = PLACEHOLDERS.search(text)
        if match:
            message = f"a placeholder is left in: {match.group(0)!r}"
            yield inspection.at(loc, "text/placeholder", message)
        if loc[0] == "sections" and (match := has_template_syntax(_as_sent(loc, text))):
            message = (
                f"{match.group(0)!r} is template syntax to mail services (listmonk and Buttondown"
                " read {{ and {%, Mailchimp *|): they would run it; an article is no place for it"
            )
            yield inspection.at(loc, "text/template-syntax", message)
    for loc, url, _ in _all_links(inspection.issue):
        if loc[-1] == "url" and (match := has_template_syntax(url)):
            message = f"{match.group(0)!r} in an address: listmonk would make it a tracked link"
            yield inspection.at(loc, "text/template-syntax", message)
    for s, section in enumerate(inspection.issue.sections):
        if section.layout == "compact":
            continue  # compact sections show no summaries
        for a, article in enumerate(section.articles):
            if not article.summary:
                where: Loc = ("sections", s, "articles", a)
                message = "the article has no summary"
                yield inspection.at(where, "text/empty-summary", message)


def _as_sent(loc: Loc, text: str) -> str:
    """A text as the email carries it: Markdown rendered, its entities (`&#123;`) and escapes
    (`{\\{`) resolved into the characters a mail service's template engine reads."""
    if loc[-1] != "summary":
        return text
    rendered = re.sub(r"<[^>]*>", "", str(markup.to_html(text)))
    return text + "\n" + html.unescape(rendered)


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


def check_links(inspection: Inspection) -> Iterator[Problem]:
    """https, real host names, no shorteners, telling link text, nothing featured before."""
    for loc, url, (text_loc, words) in _all_links(inspection.issue):
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "http":
            yield inspection.at(loc, "link/http", f"not https: {url}")
        if ip_literal(host) is not None:
            yield inspection.at(loc, "link/ip-address", f"a bare IP address: {url}")
        if host.removeprefix("www.") in SHORTENERS:
            message = f"a link shortener hides where {url} goes, and spam filters dislike it"
            yield inspection.at(loc, "link/shortener", message)
        if re.sub(r"[^\w\s]", "", words).strip().casefold() in VAGUE:
            message = f"the link text {words!r} says nothing on its own; name what it leads to"
            if loc[-1] == "url":
                message = f"the title {words!r} is the article's link text: name what it leads to"
            yield inspection.at(text_loc, "link/vague-text", message)
        if loc[-1] == "url" and (earlier := inspection.past.featured.get(normalize_url(url))):
            message = f"already featured in {earlier}"
            yield inspection.at(loc, "link/featured-before", message)


def check_history(inspection: Inspection) -> Iterator[Problem]:
    """Earlier issues that cannot be read: what they featured is not known."""
    yield from inspection.past.unreadable


def check_images(inspection: Inspection) -> Iterator[Problem]:
    """Alt text that describes, https, and a width for Outlook."""
    derived = from_archive(inspection)
    for s, section in enumerate(inspection.issue.sections):
        for a, article in enumerate(section.articles):
            if not article.image:
                continue
            loc: Loc = ("sections", s, "articles", a)
            if article.image_alt is None:
                message = 'no image_alt: describe the image, or write image_alt: "" if decorative'
                yield inspection.at((*loc, "image"), "image/alt-missing", message)
            elif FILE_NAME_ALT.fullmatch(article.image_alt.strip()):
                message = f"the alt text {article.image_alt!r} is a file name, not a description"
                yield inspection.at((*loc, "image_alt"), "image/alt-filename", message)
            if article.image.lower().startswith("http:") and id(article) not in derived:
                yield inspection.at((*loc, "image"), "image/http", "not https")
    for img in re.findall(r"<img\b[^>]*>", inspection.rendition.html):
        if not re.search(r"\swidth\s*=", img):
            src = re.search(r'\ssrc="([^"]*)"', img)
            shown = src.group(1) if src else img[:60]
            message = f"an image without a width attribute: Outlook shows it at full size ({shown})"
            yield inspection.in_email("image/no-width", message, "email.html")


def check_text_part(inspection: Inspection) -> Iterator[Problem]:
    """The text part has every link of the HTML, and no line longer than mail carries."""
    text = inspection.rendition.text
    # Each line, and its text after a label ("Unsubscribe: "): where a link stands on a line
    # of its own. A link found there costs a set look-up; only the rest is searched for.
    shown = {part for line in text.splitlines() for part in (line, line.partition(" ")[2])}
    for plain in inspection.rendition.links:
        # A mail address may stand for its mailto: link, as a reader's mail app links it.
        address = plain[len("mailto:") :] if plain.lower().startswith("mailto:") else plain
        if plain not in shown and plain not in text and address not in text:
            message = f"a link of the HTML is missing from the text part: {plain}"
            yield inspection.in_email("text/missing-link", message, "email.txt")
    # A paragraph is one line, wrapped by the reader's screen: only the limit of mail matters.
    for number, line in enumerate(text.splitlines(), 1):
        if (size := len(line.encode())) > MAIL_LINE_BYTES:
            message = (
                f"{size} bytes, over the {MAIL_LINE_BYTES} a line of mail may have: {line[:40]}..."
            )
            yield inspection.in_email("text/long-line", message, f"email.txt line {number}")


def check_compliance(inspection: Inspection) -> Iterator[Problem]:
    """An unsubscribe link and the postal address, as the law asks."""
    email = inspection.rendition.html
    unsubscribe = inspection.links.unsubscribe
    if not unsubscribe or unsubscribe not in inspection.rendition.links:
        message = "no unsubscribe link in the email (settings: links.unsubscribe)"
        yield inspection.in_email("compliance/unsubscribe", message, "email.html")
    address = re.sub(r"\s+", " ", inspection.settings.postal_address)
    visible = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", email)))
    if address not in visible:
        message = "the postal address (settings: postal_address) is not in the email"
        yield inspection.in_email("compliance/postal-address", message, "email.html")


def check_accessibility(inspection: Inspection) -> Iterator[Problem]:
    """A language for screen readers, and text colours readable on their backgrounds."""
    # MRML writes lang="und" (undetermined) when the MJML has none.
    if not re.search(r'<html\b[^>]*\slang="(?!und")[^"]+"', inspection.rendition.html):
        yield inspection.in_email("a11y/lang", "the email has no lang", "email.html")
    yield from _contrast(inspection)


def _contrast(inspection: Inspection) -> Iterator[Problem]:
    """Inline text colours against the nearest inline background (the light palette)."""
    import lxml.html

    page = lxml.html.fromstring(inspection.rendition.html)
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
            yield inspection.in_email("a11y/contrast", message, "email.html")


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
    check_history,
    check_images,
    check_pictures,
    check_images_weight,
    check_text_part,
    check_compliance,
    check_accessibility,
    check_clients,
)
