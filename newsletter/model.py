"""The typed model of the settings and of an issue; its descriptions document the format."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from string import Formatter
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from newsletter import urls


def _http_url(value: str) -> str:
    problem = urls.http_url_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _date_text(value: object) -> object:
    # YAML gives dates as text here; a number would otherwise be taken as a Unix timestamp.
    if isinstance(value, dt.date) or (
        isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value)
    ):
        return value
    raise PydanticCustomError("date_type", "not a date")


def _none_as_empty(value: object) -> object:
    # `articles:` with nothing after it is how a draft's empty section is often written.
    return [] if value is None else value


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_ADDRESS = re.compile(rf"[^@\s<>\"(),;:\\\[\]]+@(?:{_LABEL}\.)+[A-Za-z]{{2,}}")
"""A bare email address: local part, @, a domain of two or more labels."""


def _email(value: str) -> str:
    if not EMAIL_ADDRESS.fullmatch(value):
        raise ValueError(f"not an email address: {value!r}")
    return value


def _colour(value: str) -> str:
    if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value):
        raise ValueError(f'must be a hex colour such as "#0b5394", not {value!r}')
    return value


def _language(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value):
        raise ValueError(f"must be a language tag such as en or pt-BR, not {value!r}")
    return value


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Never content, and breaking to the MJML compiler and to some mail clients."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Non-empty plain text."""


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line (a `|` block keeps its line breaks; `>` joins them)")
    return value


Line = Annotated[Text, AfterValidator(_one_line)]
"""A non-empty line of plain text: a subject, a title, a name."""

Markdown = Annotated[str, StringConstraints(strip_whitespace=True)]
"""Markdown text; raw HTML in it is shown as text, never interpreted."""

HttpUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_http_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]
"""An absolute http(s) URL: emails cannot follow relative links or other schemes."""

Date = Annotated[
    dt.date,
    BeforeValidator(_date_text),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
"""A calendar date written YYYY-MM-DD."""

Number = Annotated[int, Strict()]
"""A whole number, written as one: not text, not true/false."""

Flag = Annotated[bool, Strict()]
"""true or false."""

Direction = Literal["ltr", "rtl"]
"""The writing direction: left to right or right to left."""

Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_email)]
Colour = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_colour)]
Language = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_language)]


class Closed(BaseModel):
    """Unknown keys are errors: a typo must never silently drop content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: object) -> object:
        # A control character (from a "\x01" escape, or pasted) breaks the MJML compiler and
        # some mail clients, and is never content.
        if isinstance(value, str) and (found := CONTROL_CHARACTERS.search(value)):
            raise ValueError(
                f"contains the control character U+{ord(found.group()):04X}; remove it"
            )
        return value


class Article(Closed):
    """A linked article."""

    title: Line = Field(description="The headline, plain text; it links to `url`.")
    url: HttpUrl = Field(description="The article's address.")
    source: Line | None = Field(None, description="Where it was published, e.g. `bbc.com`.")
    summary: Markdown = Field("", description="A few sentences, Markdown.")
    image: HttpUrl | None = Field(None, description="An image shown with the article.")
    image_alt: str | None = Field(
        None, description='What the image shows, for readers who cannot see it; "" if decorative.'
    )
    sponsored: Flag = Field(False, description="A paid placement: labelled as sponsored.")
    published: Date | None = Field(None, description="When the article was published.")


class Section(Closed):
    """A titled group of articles."""

    title: Line = Field(description="The section heading, e.g. `Editor's choice`.")
    layout: Text = Field(
        "list", description="How the theme lays out the articles: `lead`, `list`, ..."
    )
    articles: Annotated[list[Article], BeforeValidator(_none_as_empty)] = Field(
        description="The articles, in order; a draft may leave a section empty, a build may not."
    )


class Issue(Closed):
    """One issue of the newsletter: a file in `issues/`."""

    number: Number = Field(ge=1, description="The issue number.")
    date: Date = Field(description="The sending date, YYYY-MM-DD.")
    subject: Line = Field(description="The email's subject line.")
    preheader: Line | None = Field(
        None, description="The preview text shown after the subject in the inbox."
    )
    intro: Markdown = Field("", description="A few sentences from the editor, Markdown.")
    language: Language | None = Field(
        None, description="The language of this issue, when not the newsletter's."
    )
    direction: Direction | None = Field(
        None, description="The writing direction of this issue, when not the newsletter's."
    )
    sections: list[Section] = Field(min_length=1, description="The sections, in order.")

    @property
    def articles(self) -> list[Article]:
        """Every article of the issue, in order."""
        return [article for section in self.sections for article in section.articles]


class Sender(Closed):
    """Who the email comes from."""

    name: Line = Field(description="The sender's display name.")
    email: Email = Field(description="The sender's address.")


class Links(Closed):
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
    logo_alt: str | None = Field(None, description="The logo's alt text (default: the name).")


CHECK_CODES = frozenset(
    [
        "size/clipped",
        "size/near-clip",
        "subject/length",
        "preheader/missing",
        "preheader/length",
        "preheader/repeats-subject",
        "text/placeholder",
        "text/template-syntax",
        "text/empty-summary",
        "text/missing-link",
        "text/long-line",
        "link/http",
        "link/ip-address",
        "link/shortener",
        "link/vague-text",
        "link/featured-before",
        "image/alt-missing",
        "image/alt-filename",
        "image/http",
        "image/no-width",
        "compliance/unsubscribe",
        "compliance/postal-address",
        "a11y/lang",
        "a11y/contrast",
        "online/broken",
        "online/redirect",
        "online/unreachable",
        "online/unpublished",
        "online/image-heavy",
        "online/image-wide",
        "online/not-an-image",
    ]
)
"""The codes of `newsletter check`, which `checks.ignore` takes."""


def _check_code(value: str) -> str:
    if value not in CHECK_CODES:
        close = difflib.get_close_matches(value, sorted(CHECK_CODES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"no check has the code {value!r}{hint}")
    return value


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
        78, description="The longest line of the text part, bare URLs aside."
    )
    image_bytes: Positive = Field(
        1_000_000, description="Warn about heavier images (with --online)."
    )
    image_width: Positive = Field(1200, description="Warn about wider images (with --online).")
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


class Utm(Closed):
    """UTM parameters added to article links on export; {number}, {date} and {slug} are filled."""

    source: UtmValue = Field(description="utm_source, e.g. `newsletter`.")
    medium: UtmValue = Field("email", description="utm_medium.")
    campaign: UtmValue = Field("issue-{number}", description="utm_campaign, e.g. `weekly-{date}`.")
    exclude: list[Text] = Field(
        [], description="Domains whose links are left alone (the newsletter's own always are)."
    )


class Export(Closed):
    """Options of the mail services' exports."""

    mailchimp_preview_text: Flag = Field(
        False, description="Mailchimp: the preheader through *|MC_PREVIEW_TEXT|*."
    )
    listmonk_lists: list[int] = Field([], description="listmonk: the list ids of the campaign.")


class Archive(Closed):
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
    links: Links = Links()
    theme: Text = Field("templates", description="The theme folder, relative to this file.")
    brand: Brand = Brand()
    checks: CheckSettings = CheckSettings()
    utm: Utm | None = Field(None, description="UTM tagging of article links on export.")
    export: Export = Export()
    archive: Archive = Archive()
