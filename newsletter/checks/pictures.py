"""Checks of the articles' images as the email shows them: kept in the project, usable,
published with the archive, sharp enough for their place, and not cropped to a sliver."""

from __future__ import annotations

from collections.abc import Iterator

from newsletter.build.pictures import DENSITY, Picture
from newsletter.build.yamlfile import Loc
from newsletter.checks.inspection import Inspection
from newsletter.model.issue import Issue
from newsletter.model.problems import Problem

LARGE = 400
"""Displayed CSS pixels from which an image is shown large (a lead's, not a thumbnail)."""


def article_places(issue: Issue) -> dict[int, Loc]:
    """Where each article of `issue` is in its file, by the article's identity: a picture
    knows its article, and an issue may hold two equal ones."""
    return {
        id(article): ("sections", s, "articles", a)
        for s, section in enumerate(issue.sections)
        for a, article in enumerate(section.articles)
    }


def from_archive(inspection: Inspection) -> set[int]:
    """The articles (by identity) whose image the email shows from the archive: their
    original address is not loaded by a reader, nor needed by the email."""
    return {id(p.article) for p in inspection.rendition.pictures if p.status == "derived"}


def check_pictures(inspection: Inspection) -> Iterator[Problem]:
    """Each image the email shows: kept, usable, published, sharp, and cropped with care."""
    places = article_places(inspection.issue)
    reported: set[Problem] = set()
    for picture in inspection.rendition.pictures:
        loc = places.get(id(picture.article))
        if loc is None:
            continue  # a theme showing an image of no article of the issue
        for problem in _judge(inspection, loc, picture):
            if problem not in reported:  # a theme may show an image twice
                reported.add(problem)
                yield problem


def _judge(inspection: Inspection, loc: Loc, picture: Picture) -> Iterator[Problem]:
    article = picture.article
    if picture.status == "not-fetched":
        message = (
            "not kept in the project: run `newsletter images` to keep it; until then the"
            " email shows it from the publisher's server"
        )
        yield inspection.at((*loc, "image"), "image/not-fetched", message)
    elif picture.status == "missing":
        message = (
            f"{article.image_file} is not in the project: `newsletter images` fetches it"
            " again (or is images/ not committed?)"
        )
        yield inspection.at((*loc, "image_file"), "image/not-fetched", message)
    elif picture.status == "unusable":
        message = f"{article.image_file} cannot be shown: {picture.reason}"
        yield inspection.at((*loc, "image_file"), "image/unusable", message)
    elif picture.status == "hotlinked":
        message = (
            "kept, but newsletter.yaml has no archive_url: the email shows the publisher's"
            " address, which may refuse other sites or vanish; set archive_url and publish"
            " the archive"
        )
        yield inspection.at((*loc, "image"), "image/hotlinked", message)
    source = picture.derived
    if source is None:
        return  # nothing is known of its size
    w, h = source.original
    if source.too_small:
        message = (
            f"the original ({w} x {h}) is narrower than the {picture.width * DENSITY} px"
            " this place needs for sharp screens: it will look soft"
        )
        yield inspection.at((*loc, "image"), "image/too-small", message)
    if picture.width >= LARGE and h > w:
        yield from _portrait(inspection, loc, picture, (w, h))


def _portrait(
    inspection: Inspection, loc: Loc, picture: Picture, original: tuple[int, int]
) -> Iterator[Problem]:
    """A portrait original shown large: cropped to a landscape band, or shown whole and tall."""
    w, h = original
    aspect = picture.aspect
    if aspect is None:
        tall = picture.height or round(picture.width * h / w)
        message = (
            f"a portrait image ({w} x {h}) shown {picture.width} px wide is {tall} px tall:"
            " it pushes the text down; use a landscape image"
        )
        yield inspection.at((*loc, "image"), "image/portrait-lead", message)
    elif aspect[0] > aspect[1] and not picture.article.image_focus:
        kept = (w * aspect[1] / aspect[0]) / h
        message = (
            f"a portrait image ({w} x {h}): the {aspect[0]}:{aspect[1]} crop keeps {kept:.0%}"
            " of its height; set image_focus: top (or the point to keep), or use a"
            " landscape image"
        )
        yield inspection.at((*loc, "image"), "image/portrait-lead", message)


def check_images_weight(inspection: Inspection) -> Iterator[Problem]:
    """The images the email loads, against what readers on a phone should wait for."""
    published = inspection.rendition.published
    total, limit = sum(map(len, published.values())), inspection.settings.checks.images_bytes
    if total > limit:
        message = (
            f"the email's {len(published)} images weigh {total:,} bytes, over {limit:,}:"
            " readers on a phone wait for them"
        )
        yield inspection.in_email("size/images-heavy", message, "email.html")
