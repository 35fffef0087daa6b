"""What a page's JSON-LD says about its article: headline, description, image, date and
publisher."""

from __future__ import annotations

import datetime
import html
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsletter.curate.text import collapse

if TYPE_CHECKING:
    from lxml.html import HtmlElement


_ARTICLE_TYPE = re.compile(r"\w*Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|Report")


@dataclass(frozen=True)
class LinkedData:
    """What the page's JSON-LD says about its article."""

    headline: str | None = None
    description: str | None = None
    images: tuple[str, ...] = ()  # the lead image first
    published: datetime.date | None = None
    publisher: str | None = None
    sections: tuple[str, ...] = ()

    @property
    def image(self) -> str | None:
        """The article's lead image."""
        return self.images[0] if self.images else None


def linked_data(tree: HtmlElement) -> LinkedData:
    """The first article in the page's JSON-LD blocks (possibly in a @graph or a list)."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            nodes.extend(_nodes(json.loads(script.text or "", strict=False)))
        except (ValueError, RecursionError):  # invalid or absurdly nested JSON: no data
            continue
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    for node in nodes:
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and _ARTICLE_TYPE.fullmatch(k) for k in kinds):
            publisher = _resolve(node.get("publisher"), by_id)
            return LinkedData(
                headline=_string(node.get("headline")) or _string(node.get("name")),
                description=_string(node.get("description")),
                images=tuple(_images_of(node.get("image"), by_id)),
                published=iso_date(_string(node.get("datePublished"))),
                publisher=_string(
                    publisher.get("name") if isinstance(publisher, dict) else publisher
                ),
                sections=tuple(_strings(node.get("articleSection"))),
            )
    return LinkedData()


def _nodes(data: object, depth: int = 0) -> list[dict[str, Any]]:
    if depth > 4:
        return []
    if isinstance(data, list):
        return [node for item in data for node in _nodes(item, depth + 1)]
    if not isinstance(data, dict):
        return []
    return [data, *_nodes(data.get("@graph"), depth + 1)]


def _resolve(value: object, by_id: dict[str, dict[str, Any]]) -> Any:
    """`value`, or its first item when it is a list, with an {"@id": ...} reference looked up."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict) and isinstance(value.get("@id"), str) and len(value) == 1:
        return by_id.get(value["@id"], value)
    return value


def _images_of(value: object, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """The addresses of an article's images, in the order given (a list, one, or objects)."""
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        item = _resolve(item, by_id)
        if isinstance(item, dict):
            item = _resolve(item.get("url") or item.get("contentUrl"), by_id)
        if (url := _string(item)) and url not in found:
            found.append(url)
    return found


def _strings(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [text for item in items if (text := _string(item))]


def _string(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    # Some CMSs write entities into JSON ("&#8216;"): JSON needs none, so they are the text's.
    return collapse(html.unescape(value)) or None


def iso_date(text: str | None) -> datetime.date | None:
    """The date written at the start of an ISO 8601 date or time, as the publisher wrote it."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text or "")
    if match is None:
        return None
    try:
        date = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    # "0001-01-01" is how some CMSs write "no date": no article predates the web.
    return date if date.year >= 1990 else None
