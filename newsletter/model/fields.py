"""The kinds of value the issue and the settings are made of, each with its own rule."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from newsletter.model import urls


def quoted(text: str, limit: int = 40) -> str:
    """`text` in quotes for a message, cut short: a problem is one line, whatever the file holds."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


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


def none_as_empty(value: object) -> object:
    """`None` as an empty list; anything else as it is."""
    # `articles:` with nothing after it is how a draft's empty section is often written.
    return [] if value is None else value


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_ADDRESS = re.compile(rf"[^@\s<>\"(),;:\\\[\]]+@(?:{_LABEL}\.)+[A-Za-z]{{2,}}")
"""A bare email address: local part, @, a domain of two or more labels."""


def _email(value: str) -> str:
    if not EMAIL_ADDRESS.fullmatch(value):
        raise ValueError(f"not an email address: {quoted(value)}")
    return value


def _colour(value: str) -> str:
    if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value):
        raise ValueError(f'must be a hex colour such as "#0b5394", not {quoted(value)}')
    return value


def _language(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value):
        raise ValueError(f"must be a language tag such as en or pt-BR, not {quoted(value)}")
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
