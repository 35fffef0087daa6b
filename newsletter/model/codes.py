"""Every problem's code, once: its severity and what it means.

The README's table of checks, the JSON schema of `newsletter check --format json` and the
codes `checks.ignore` accepts all come from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    """A kind of problem: its stable name, how grave it is, and what it means."""

    code: str
    severity: Severity
    meaning: str
    check: bool = True
    """A pre-send check's finding, which `checks.ignore` can turn off; else a problem of the
    input (a file that cannot be read, a theme that cannot be built), which it cannot."""


def _codes(*codes: Code) -> dict[str, Code]:
    return {c.code: c for c in codes}


CODES = _codes(
    # Problems of the input: nothing else is checked until they are fixed.
    Code("file/unreadable", "error", "a file cannot be read, or is no text file", check=False),
    Code("file/name", "error", "an issue file's name cannot be a folder and a web address", False),
    Code("yaml/syntax", "error", "the file is not valid YAML, or goes past a limit", check=False),
    Code("issue/invalid", "error", "the issue does not follow the issue format", check=False),
    Code("settings/invalid", "error", "newsletter.yaml does not follow its format", check=False),
    Code("theme/template", "error", "a template of the theme fails to render", check=False),
    Code("theme/mjml", "error", "the theme's MJML is not valid MJML", check=False),
    Code("archive/duplicate", "error", "two issues with the same name or number", check=False),
    # The pre-send checks.
    Code("size/clipped", "error", "HTML over 102,000 bytes: Gmail clips it"),
    Code("size/near-clip", "warning", "HTML over 82,000 bytes, close to Gmail's clip"),
    Code("size/images-heavy", "warning", "the email's images weigh over 1,000,000 bytes in all"),
    Code("subject/length", "warning", "a subject outside 10 to 78 characters"),
    Code("preheader/missing", "warning", "no preheader: inboxes show the email's start"),
    Code("preheader/length", "warning", "a preheader outside 40 to 150 characters"),
    Code("preheader/repeats-subject", "warning", "a preheader that repeats the subject"),
    Code("text/placeholder", "error", "TODO, TK, XXX, lorem ipsum: what `newsletter new` leaves"),
    Code(
        "text/template-syntax",
        "warning",
        "`{{`, `{%`, `{#` or `*|` in an article: a mail service would run it as its template",
    ),
    Code("text/empty-summary", "warning", "an article without a summary (outside compact)"),
    Code("text/missing-link", "error", "a link of the HTML missing from the text part"),
    Code(
        "text/long-line",
        "warning",
        "a line of the text part over 998 bytes, the most mail carries: a server may break it"
        " anywhere (paragraphs are one line each, wrapped by the reader's screen)",
    ),
    Code("link/http", "warning", "a link over http, not https"),
    Code("link/ip-address", "error", "a link to a bare IP address"),
    Code("link/shortener", "warning", "a link through a URL shortener"),
    Code("link/vague-text", "warning", 'link text such as "click here" that names nothing'),
    Code("link/featured-before", "warning", "an article an earlier issue featured"),
    Code(
        "history/unreadable", "warning", "an earlier issue cannot be read: its articles are unknown"
    ),
    Code("image/alt-missing", "warning", "an image without a description (image_alt)"),
    Code("image/alt-filename", "warning", "an image whose description is a file name"),
    Code("image/http", "warning", "an image over http, not https"),
    Code("image/no-width", "warning", "an image without a width: Outlook shows it full size"),
    Code(
        "image/not-fetched",
        "warning",
        "an image not kept in the project, or whose kept file is gone: run `newsletter images`",
    ),
    Code("image/unusable", "warning", "a kept image file that is no usable image"),
    Code("image/hotlinked", "warning", "a kept image shown from its publisher: no archive_url"),
    Code("image/too-small", "warning", "an image narrower than its place needs: it looks soft"),
    Code(
        "image/portrait-lead",
        "warning",
        "a portrait image shown large: cropped to a band, or pushing the text down",
    ),
    Code("compliance/unsubscribe", "error", "no unsubscribe link in the email"),
    Code("compliance/postal-address", "error", "no postal address in the email"),
    Code("a11y/lang", "error", "the email has no language (lang) for screen readers"),
    Code("a11y/contrast", "error", "text under 4.5:1 contrast on its background"),
    Code("compat/unsupported", "warning", "a mail client does not show a feature the email uses"),
    Code("compat/partial", "warning", "a mail client shows a feature the email uses only in part"),
    Code("spam/score", "error", "with --spam: SpamAssassin scores the message 5 or more"),
    Code("spam/rule", "warning", "with --spam: a SpamAssassin rule adds points to the message"),
    Code("image/unpublished", "warning", "with --online: a derived image is not published yet"),
    Code("online/broken", "error", "with --online: a link or image answers 4xx or 5xx"),
    Code("online/unreachable", "error", "with --online: a link or image answers nothing"),
    Code("online/redirect", "warning", "with --online: a link or image redirects"),
    Code("online/unpublished", "warning", "with --online: the issue's web version is not up yet"),
    Code("online/image-heavy", "warning", "with --online: an image over 1 MB"),
    Code("online/image-wide", "warning", "with --online: an image over 1200 px wide"),
    Code("online/not-an-image", "error", "with --online: an image address serves no image"),
)
"""Every code, in the order the documentation shows them."""
