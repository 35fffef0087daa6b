"""What the newsletter already featured: every article URL of every issue in `issues/`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newsletter.build.yamlfile import read_yaml
from newsletter.model.issue import Featured, History
from newsletter.model.problems import Problem, ProblemsError
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
    paths: Iterable[Path],
    exclude: Path,
    number: int | None = None,
    show: Callable[[Path], str] = str,
    own: Callable[[Path], Path] = lambda path: path,
) -> History:
    """Every article of the issues in `paths` except `exclude` (and, given the `number` of
    the issue at hand, except issues numbered after it), by normalised URL.

    A file that cannot be read is never the end of the work at hand: one named before
    `exclude` is a warning naming it (`show` says how), one named after it (next week's
    draft) is passed over. `own` refuses a file the project must not read (a link out).
    """
    found: dict[str, Featured] = {}
    unreadable: list[Problem] = []
    for path in sorted(paths, reverse=True):  # newest first: name the latest time it ran
        try:
            if path.name == exclude.name and path.resolve() == exclude.resolve():
                continue
            data = read_yaml(own(path), show(path)).data
        except ProblemsError as e:
            why = e.problems[0].message if e.problems else "it does not load"
        except (OSError, RuntimeError, ValueError) as e:  # a link loop, a FIFO, a bad name
            why = str(getattr(e, "strerror", None) or e)
        else:
            later = data.get("number") if isinstance(data, dict) else None
            if number is not None and isinstance(later, int) and later >= number:
                continue
            for key, where in featured_in(data).items():
                found.setdefault(key, where)
            continue
        if path.name < exclude.name:
            message = f"an earlier issue that cannot be read ({why}): its articles are not known"
            unreadable.append(Problem("history/unreadable", show(path), message=message))
    return History(found, tuple(reversed(unreadable)))
