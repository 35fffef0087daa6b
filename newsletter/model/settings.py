"""The newsletter's settings: `newsletter.yaml`; its descriptions document the format."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from string import Formatter
from typing import Annotated

from pydantic import AfterValidator, Field, Strict

from newsletter.model.codes import CODES
from newsletter.model.fields import (
    Closed,
    Colour,
    Direction,
    Email,
    Flag,
    HttpUrl,
    Language,
    Line,
    Text,
    quoted,
)


def _check_code(value: str) -> str:
    ignorable = [code for code, about in CODES.items() if about.check]
    if value not in ignorable:
        close = difflib.get_close_matches(value, ignorable, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"no check has the code {quoted(value)}{hint}")
    return value


DEFAULT_CLIENTS = (
    "gmail/desktop-webmail",
    "gmail/ios",
    "gmail/android",
    "outlook/windows",
    "outlook/outlook-com",
    "apple-mail/ios",
    "apple-mail/macos",
    "yahoo/desktop-webmail",
)
"""The mail clients `newsletter check` knows by default, as caniemail.com names them."""


@cache
def mail_clients() -> tuple[str, ...]:
    """The client/platform names of the caniemail snapshot the checks ship."""
    snapshot = resources.files("newsletter").joinpath("checks", "caniemail.json")
    return tuple(json.loads(snapshot.read_text(encoding="utf-8"))["clients"])


def _check_client(value: str) -> str:
    known = mail_clients()
    if value not in known:
        close = difflib.get_close_matches(value, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"caniemail.com has no mail client {quoted(value)}{hint}")
    return value


class Sender(Closed):
    """Who the email comes from."""

    name: Line = Field(description="The sender's display name.")
    email: Email = Field(description="The sender's address.")


class LinkSettings(Closed):
    """Where the footer's links lead when no mail service fills them in."""

    unsubscribe: HttpUrl | None = Field(None, description="The unsubscribe page.")
    preferences: HttpUrl | None = Field(None, description="The subscription preferences page.")
    one_click: Flag = Field(
        False,
        description="The unsubscribe URL unsubscribes on a POST (RFC 8058): the .eml says so.",
    )


class Brand(Closed):
    """The newsletter's look."""

    color: Colour = Field("#0b5394", description="The brand colour: links, headings, rules.")
    logo: HttpUrl | None = Field(None, description="A logo shown in the header.")
    logo_dark: HttpUrl | None = Field(
        None,
        description="The logo on a dark background: shown instead of `logo` by mail clients in"
        " dark mode that say so (Apple Mail, iOS, Outlook for Mac).",
    )
    logo_alt: str | None = Field(
        None,
        description="The logo's alt text, when the logo says more than the name shown"
        " beside it (default: none, the logo being decorative).",
    )


Positive = Annotated[int, Strict(), Field(gt=0)]
"""A whole number above 0."""


def _range(value: tuple[int, int]) -> tuple[int, int]:
    if value[0] > value[1]:
        raise ValueError(f"the shortest, {value[0]}, is longer than the longest, {value[1]}")
    return value


Range = Annotated[tuple[Positive, Positive], AfterValidator(_range)]
"""Shortest and longest, as a list of two numbers."""


class CheckSettings(Closed):
    """Thresholds of `newsletter check`; every one has a default."""

    clip_bytes: Positive = Field(102_000, description="Gmail clips an email's HTML past this size.")
    warn_bytes: Positive = Field(
        82_000, description="Warn above this size, leaving room for a service's bytes."
    )
    subject_length: Range = Field((10, 78), description="Shortest and longest subject.")
    preheader_length: Range = Field((40, 150), description="Shortest and longest preheader.")
    line_length: Positive = Field(
        78,
        description="No longer used: the text part's paragraphs are one line each, for"
        " phones to wrap. Accepted so that older settings still load.",
    )
    image_bytes: Positive = Field(
        1_000_000, description="Warn about heavier images (with --online)."
    )
    image_width: Positive = Field(1200, description="Warn about wider images (with --online).")
    images_bytes: Positive = Field(
        1_000_000, description="Warn when the images the email loads weigh more in all."
    )
    clients: list[Annotated[str, AfterValidator(_check_client)]] = Field(
        list(DEFAULT_CLIENTS),
        description="The mail clients whose support of the email's HTML and CSS is checked,"
        " as caniemail.com names them: `outlook/windows`, `gmail/ios`...",
    )
    partial: bool = Field(
        False,
        description="Also report what those clients support only in part (`compat/partial`):"
        " most CSS is partly supported somewhere, so this is for a theme's author.",
    )
    ignore: list[Annotated[str, AfterValidator(_check_code)]] = Field(
        [], description="Check codes not to run, e.g. `link/shortener`."
    )


UTM_PLACEHOLDERS = ("number", "date", "slug")
"""What a UTM value may contain in braces, filled per issue."""


def _utm_value(value: str) -> str:
    known = ", ".join(f"{{{k}}}" for k in UTM_PLACEHOLDERS)
    try:
        fields = list(Formatter().parse(value))
    except ValueError as e:
        raise ValueError(f"{e}; there are {known}") from None
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in UTM_PLACEHOLDERS:
            raise ValueError(f"no placeholder {{{name}}}; there are {known}")
        if spec or conversion:  # {number:>99999999999} would fill the memory
            raise ValueError(f"{{{name}}} takes no format: write it as {{{name}}}")
    return value


UtmValue = Annotated[Text, AfterValidator(_utm_value)]


class UtmSettings(Closed):
    """UTM parameters added to article links on export; {number}, {date} and {slug} are filled."""

    source: UtmValue = Field(description="utm_source, e.g. `newsletter`.")
    medium: UtmValue = Field("email", description="utm_medium.")
    campaign: UtmValue = Field("issue-{number}", description="utm_campaign, e.g. `weekly-{date}`.")
    exclude: list[Text] = Field(
        [], description="Domains whose links are left alone (the newsletter's own always are)."
    )


class ExportSettings(Closed):
    """Options of the mail services' exports."""

    mailchimp_preview_text: Flag = Field(
        False, description="Mailchimp: the preheader through *|MC_PREVIEW_TEXT|*."
    )
    listmonk_lists: list[int] = Field([], description="listmonk: the list ids of the campaign.")


class ArchiveSettings(Closed):
    """The public archive that `newsletter archive` builds."""

    feed_entries: int = Field(20, ge=1, description="How many of the latest issues the feed has.")


class Settings(Closed):
    """The newsletter's settings: `newsletter.yaml` at the top of the project."""

    name: Line = Field(description="The newsletter's name.")
    language: Language = Field("en", description="The language of its text, e.g. `en`.")
    direction: Direction = Field("ltr", description="The writing direction: `ltr` or `rtl`.")
    sender: Sender
    postal_address: Text = Field(description="The postal address the law asks for in the footer.")
    archive_url: HttpUrl | None = Field(
        None, description="The public archive; each issue's web version is under it."
    )
    links: LinkSettings = LinkSettings()
    theme: Text = Field("templates", description="The theme folder, relative to this file.")
    brand: Brand = Brand()
    checks: CheckSettings = CheckSettings()
    utm: UtmSettings | None = Field(None, description="UTM tagging of article links on export.")
    export: ExportSettings = ExportSettings()
    archive: ArchiveSettings = ArchiveSettings()
