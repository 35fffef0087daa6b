"""What each section and article costs of the email's size, and how many more would fit."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsletter.build.render import render_issue
from newsletter.build.theme import Theme

if TYPE_CHECKING:
    from newsletter.checks.inspection import Inspection


@dataclass(frozen=True)
class Cost:
    """The bytes of HTML one part of the issue adds, and where it is in the file."""

    title: str
    bytes: int
    line: int


@dataclass(frozen=True)
class Budget:
    """The HTML's size against the clip, broken down by section and article."""

    total: int
    clip: int
    sections: tuple[Cost, ...]
    articles: tuple[Cost, ...]

    @property
    def usual(self) -> int:
        """The median cost of an article."""
        return int(statistics.median(a.bytes for a in self.articles)) if self.articles else 0

    @property
    def room(self) -> int:
        """How many more articles of the usual size fit before the clip."""
        return max(self.clip - self.total, 0) // self.usual if self.usual > 0 else 0

    def heaviest(self, count: int = 3) -> list[Cost]:
        """The articles that cost the most."""
        return sorted(self.articles, key=lambda a: -a.bytes)[:count]

    def as_json(self) -> dict[str, Any]:
        """The budget in the JSON output of `newsletter check`."""

        def costs(items: tuple[Cost, ...]) -> list[dict[str, Any]]:
            return [{"title": c.title, "bytes": c.bytes, "line": c.line} for c in items]

        return {
            "bytes": self.total,
            "clip": self.clip,
            "usual_article_bytes": self.usual,
            "room_for_articles": self.room,
            "sections": costs(self.sections),
            "articles": costs(self.articles),
        }


MEASURED_ARTICLES = 40
"""Each article measured is a render of the whole issue: past this many, as many spread
evenly over the issue stand for the rest, so that a long issue is checked in seconds."""


def measure(inspection: Inspection, theme: Theme) -> Budget:
    """Render the issue without each section and each article in turn: the difference in
    bytes is what that part costs, shared markup included. Sizes are of the HTML as export
    writes it, UTM parameters included."""
    document, issue, settings = inspection.document, inspection.issue, inspection.settings
    places = [
        (s, a) for s, section in enumerate(issue.sections) for a in range(len(section.articles))
    ]
    step = max(len(places) / MEASURED_ARTICLES, 1.0)
    measured = {places[int(i * step)] for i in range(min(len(places), MEASURED_ARTICLES))}

    def size(sections: list[Any]) -> int:
        variant = issue.model_copy(update={"sections": sections})
        rendition = render_issue(variant, settings, theme, inspection.links)
        return inspection.exported(rendition).sizes["html"]

    total = inspection.exported_size
    sections, articles = [], []
    for s, section in enumerate(issue.sections):
        others = [x for i, x in enumerate(issue.sections) if i != s]
        line = document.position(("sections", s))[0]
        sections.append(Cost(section.title, total - size(others), line))
        for a, article in enumerate(section.articles):
            if (s, a) not in measured:
                continue
            rest = [x for i, x in enumerate(section.articles) if i != a]
            changed = section.model_copy(update={"articles": rest})
            variant = [changed if i == s else x for i, x in enumerate(issue.sections)]
            line = document.position(("sections", s, "articles", a))[0]
            articles.append(Cost(article.title, total - size(variant), line))
    return Budget(total, settings.checks.clip_bytes, tuple(sections), tuple(articles))
