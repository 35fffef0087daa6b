"""An issue of the newsletter: a file in `issues/`; its descriptions document the format."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.json_schema import WithJsonSchema

from newsletter.model.fields import (
    Closed,
    Date,
    Direction,
    Flag,
    HttpUrl,
    Language,
    Line,
    Markdown,
    Number,
    Text,
    none_as_empty,
)
from newsletter.model.problems import Problem


def _matching(pattern: str, expected: str) -> Callable[[str], str]:
    """A check that a text matches `pattern`, refusing it with a message of what is expected."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"expected {expected}, not {value!r}")
        return value

    return check


_FILE = r"images/[0-9a-f]{16,64}\.(?:jpg|png|gif|webp|avif)"
ImageFile = Annotated[
    str,
    AfterValidator(
        _matching(_FILE, "a file kept by add or images, such as images/3f2a9c0d1e4b5a6c7d8e.jpg")
    ),
    WithJsonSchema({"type": "string", "pattern": f"^{_FILE}$"}),
]
"""An image kept in the project: `images/`, the hash of its bytes, the extension they call for."""

_FRACTION = r"(?:0(?:\.[0-9]+)?|1(?:\.0+)?|\.[0-9]+)"
_FOCUS = rf"(?:centre|center|top|bottom|left|right|{_FRACTION} *, *{_FRACTION})"
ImageFocus = Annotated[
    str,
    AfterValidator(
        _matching(
            _FOCUS,
            "centre, top, bottom, left, right, or x,y as fractions from 0 to 1 such as 0.5,0.2",
        )
    ),
    WithJsonSchema({"type": "string", "pattern": f"^{_FOCUS}$"}),
]
"""Where a crop of an image keeps its centre: a side, or `x,y` fractions from the top left."""


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
    image_file: ImageFile | None = Field(
        None,
        description="The original of `image`, kept in the project by `add` or `images`:"
        " `images/<hash>.<ext>`, named by the hash of its bytes.",
    )
    image_focus: ImageFocus | None = Field(
        None,
        description="What a crop of the image keeps: `centre` (the default), `top`, `bottom`,"
        " `left`, `right`, or `x,y` as fractions of its width and height from the top left"
        " (`0.5,0.2`: the middle, near the top).",
    )
    sponsored: Flag = Field(False, description="A paid placement: labelled as sponsored.")
    published: Date | None = Field(None, description="When the article was published.")


class Section(Closed):
    """A titled group of articles."""

    title: Line = Field(description="The section heading, e.g. `Editor's choice`.")
    layout: Text = Field(
        "list", description="How the theme lays out the articles: `lead`, `list`, ..."
    )
    articles: Annotated[list[Article], BeforeValidator(none_as_empty)] = Field(
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


@dataclass(frozen=True)
class Featured:
    """Where an article appeared: issue number, date, section."""

    number: Any
    date: Any
    section: str

    def __str__(self) -> str:
        return f"#{self.number} ({self.date}, {self.section})"


@dataclass(frozen=True)
class History:
    """What earlier issues featured, by normalised URL, and those that could not be read."""

    featured: Mapping[str, Featured] = field(default_factory=dict)
    unreadable: tuple[Problem, ...] = ()
