"""What a page's JSON-LD says about its article: headline, description, image, date and
publisher."""

from __future__ import annotations

import datetime
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
    image: str | None = None
    published: datetime.date | None = None
    publisher: str | None = None


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
                image=_image_of(node.get("image"), by_id),
                published=iso_date(_string(node.get("datePublished"))),
                publisher=_string(
                    publisher.get("name") if isinstance(publisher, dict) else publisher
                ),
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


def _image_of(value: object, by_id: dict[str, dict[str, Any]]) -> str | None:
    value = _resolve(value, by_id)
    if isinstance(value, dict):
        value = _resolve(value.get("url") or value.get("contentUrl"), by_id)
    return _string(value)


def _string(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return collapse(value) or None


def iso_date(text: str | None) -> datetime.date | None:
    """The date written at the start of an ISO 8601 date or time, as the publisher wrote it."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text or "")
    if match is None:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
