"""What the checks look at: the issue, its file, the settings and the email it became."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from newsletter.build.render import FooterLinks, Rendition
from newsletter.build.utm import tag_rendition
from newsletter.build.yamlfile import Document, Loc, format_loc
from newsletter.model.issue import History, Issue
from newsletter.model.problems import Problem
from newsletter.model.settings import Settings


@dataclass(frozen=True)
class Inspection:
    """An issue as the checks see it: its file, its model, the settings, its email, and what
    earlier issues featured (read only when a check asks)."""

    document: Document
    issue: Issue
    settings: Settings
    rendition: Rendition
    links: FooterLinks
    slug: str
    history: Callable[[], History] = field(default=History, repr=False)
    images: Path | None = None
    """The folder the articles' kept images are relative to (the project's)."""

    @cached_property
    def past(self) -> History:
        """What earlier issues featured, by normalised URL, and those that cannot be read."""
        return self.history()

    def at(self, loc: Loc, code: str, message: str) -> Problem:
        """A problem located at `loc` in the issue file."""
        line, column = self.document.position(loc)
        return Problem(code, self.document.path, line, column, format_loc(loc), message)

    def in_email(self, code: str, message: str, where: str) -> Problem:
        """A problem about the built email rather than a line of the issue."""
        return Problem(code, self.document.path, 0, 0, where, message)

    def exported(self, rendition: Rendition) -> Rendition:
        """`rendition` (of this issue, or of a part of it) as export writes it: with the
        UTM parameters the settings ask for."""
        return tag_rendition(rendition, self.issue, self.settings, self.slug)

    @cached_property
    def exported_size(self) -> int:
        """The bytes of the HTML as export writes it: what Gmail's clip is measured on."""
        return self.exported(self.rendition).sizes["html"]
