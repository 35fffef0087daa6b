"""What the newsletter already featured: every article URL of every issue in `issues/`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsletter.build.yamlfile import read_yaml
from newsletter.model.issue import Featured
from newsletter.model.problems import ProblemsError
from newsletter.model.urls import normalize_url


def featured_in(data: Any) -> dict[str, Featured]:
    """The articles of one parsed issue, by normalised URL (what is readable of a bad file)."""
    found: dict[str, Featured] = {}
    if not isinstance(data, dict):
        return found
    for section in data.get("sections") or []:
        if not isinstance(section, dict):
            continue
        for article in section.get("articles") or []:
            if isinstance(article, dict) and isinstance(article.get("url"), str):
                key = normalize_url(article["url"])
                where = Featured(data.get("number"), data.get("date"), str(section.get("title")))
                found.setdefault(key, where)
    return found


def featured_before(
    paths: Iterable[Path], exclude: Path, number: int | None = None
) -> dict[str, Featured]:
    """Every article of the issues in `paths` except `exclude` (and, given the `number` of
    the issue at hand, except issues numbered after it), by normalised URL."""
    found: dict[str, Featured] = {}
    for path in sorted(paths, reverse=True):  # newest first: name the latest time it ran
        if path.resolve() == exclude.resolve():
            continue
        try:
            data = read_yaml(path).data
        except ProblemsError:
            continue  # an unreadable old issue must not stop this week's work
        later = data.get("number") if isinstance(data, dict) else None
        if number is not None and isinstance(later, int) and later >= number:
            continue
        for key, where in featured_in(data).items():
            found.setdefault(key, where)
    return found
