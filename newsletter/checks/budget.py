"""What each section and article costs of the email's size, and how many more would fit."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from newsletter.build.render import render_issue
from newsletter.build.theme import Theme
from newsletter.checks.pictures import article_places
from newsletter.model.issue import Section

if TYPE_CHECKING:
    from newsletter.checks.inspection import Inspection


@dataclass(frozen=True)
class Cost:
    """The bytes of HTML one part of the issue adds, and where it is in the file."""

    title: str
    bytes: int
    line: int


@dataclass(frozen=True)
class Images:
    """What the email's images weigh: the derived ones it loads, once each; the others (shown
    from their publishers' servers) are not known offline and only counted."""

    bytes: int = 0
    count: int = 0
    heaviest: Cost | None = None
    not_counted: int = 0


@dataclass(frozen=True)
class Budget:
    """The HTML's size against the clip, broken down by section and article, and the weight
    of the images the email loads."""

    total: int
    clip: int
    sections: tuple[Cost, ...]
    articles: tuple[Cost, ...]
    images: Images = Images()

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
            "image_bytes": self.images.bytes,
            "image_count": self.images.count,
            "heaviest_image": costs((heaviest,))[0] if (heaviest := self.images.heaviest) else None,
            "images_not_counted": self.images.not_counted,
        }


T = TypeVar("T")

MEASURED = 40
"""Past this many sections, or articles, as many spread evenly over the issue are measured
and stand for the rest: a long issue is checked in about the time of two builds."""


def measure(inspection: Inspection, theme: Theme) -> Budget:
    """What each section and article costs of the email's size: what the HTML loses without
    it, shared markup included. Each is measured among its neighbours alone (the part before
    and the part after it, which separators and spacing depend on), so that a measure is a
    small render whatever the size of the issue. Sizes are of the HTML as export writes it,
    UTM parameters included."""
    document, issue, settings = inspection.document, inspection.issue, inspection.settings

    def size(sections: list[Section]) -> int:
        variant = issue.model_copy(update={"sections": sections})
        rendition = render_issue(
            variant, settings, theme, inspection.links, images=inspection.images
        )
        return inspection.exported(rendition).sizes["html"]

    sections, articles = [], []
    for s in _spread(range(len(issue.sections))):
        near = _around(issue.sections, s)
        cost = size(near) - size([x for x in near if x is not issue.sections[s]])
        line = document.position(("sections", s))[0]
        sections.append(Cost(issue.sections[s].title, cost, line))
    places = [(s, a) for s, x in enumerate(issue.sections) for a in range(len(x.articles))]
    for s, a in _spread(places):
        section, article = issue.sections[s], issue.sections[s].articles[a]
        beside = _around(section.articles, a)
        with_it = section.model_copy(update={"articles": beside})
        without = section.model_copy(update={"articles": [x for x in beside if x is not article]})
        line = document.position(("sections", s, "articles", a))[0]
        articles.append(Cost(article.title, size([with_it]) - size([without]), line))
    total = inspection.exported_size
    clip = settings.checks.clip_bytes
    return Budget(total, clip, tuple(sections), tuple(articles), weigh_images(inspection))


def weigh_images(inspection: Inspection) -> Images:
    """The bytes of the derived images the email loads, once each, and the heaviest with its
    article; images shown from elsewhere are counted apart, their bytes unknown."""
    places = article_places(inspection.issue)
    weights: dict[str, Cost] = {}
    elsewhere: set[str] = set()
    for picture in inspection.rendition.pictures:
        if picture.status != "derived" or picture.derived is None:
            elsewhere.add(picture.src)
        elif picture.src not in weights:
            loc = places.get(id(picture.article))
            # Every picture is of an article of the issue; the first line is a mere fallback.
            line = inspection.document.position(loc)[0] if loc else 1
            weights[picture.src] = Cost(picture.article.title, len(picture.derived.data), line)
    heaviest = max(weights.values(), key=lambda c: c.bytes, default=None)
    total = sum(c.bytes for c in weights.values())
    return Images(total, len(weights), heaviest, len(elsewhere))


def _around(items: Sequence[T], index: int) -> list[T]:
    """The item at `index` with the one before and the one after it, where there are."""
    return list(items[max(index - 1, 0) : index + 2])


def _spread(items: Sequence[T]) -> list[T]:
    """All of `items`, or MEASURED of them spread evenly from the first."""
    step = max(len(items) / MEASURED, 1.0)
    return [items[int(i * step)] for i in range(min(len(items), MEASURED))]
