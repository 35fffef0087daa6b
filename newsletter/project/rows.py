"""What the index holds of an issue file: its content's hash, what it featured, and its
number and date in a form that gives them back exactly."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Entry:
    """What one issue file featured: its number and date as read, and (URL, section) pairs."""

    number: Any
    date: Any
    articles: tuple[tuple[str, str], ...]


class Row(NamedTuple):
    """What the index knows of one file, and when it learnt it."""

    size: int
    mtime_ns: int
    sha: str
    recorded_ns: int
    number: int | str  # as `encode` wrote them
    date: int | str


def content_hash(raw: bytes) -> str:
    """The hash a file's content is known by."""
    return hashlib.sha256(raw).hexdigest()


def encode(value: Any) -> int | str:
    """A number as it is, or a date or anything else as JSON; raises TypeError for what
    cannot be restored exactly."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # an integer column: read without decoding
    if value is None or isinstance(value, bool | float | str):
        return json.dumps(value)
    if isinstance(value, datetime.datetime):
        return json.dumps({"datetime": value.isoformat()})
    if isinstance(value, datetime.date):
        return json.dumps({"date": value.isoformat()})
    raise TypeError(type(value).__name__)


def decode(text: int | str) -> Any:
    """The number or date that `encode` wrote."""
    if isinstance(text, int):
        return text
    value = json.loads(text)
    if isinstance(value, dict) and "datetime" in value:
        return datetime.datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and "date" in value:
        return datetime.date.fromisoformat(value["date"])
    return value
