"""What the newsletter already featured: every article URL of every issue in `issues/`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newsletter.build.yamlfile import read_yaml
from newsletter.model.issue import Featured, History
from newsletter.model.problems import Problem, ProblemsError
from newsletter.model.urls import normalize_url
from newsletter.project.index import Entry, Index


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
    cache: Path | None = None,
    indexed: bool = True,
) -> History:
    """Every article of the issues in `paths` except `exclude` (and, given the `number` of
    the issue at hand, except issues numbered after it), by normalised URL.

    A file that cannot be read is never the end of the work at hand: one named before
    `exclude` is a warning naming it (`show` says how), one named after it (next week's
    draft) is passed over. `own` refuses a file the project must not read (a link out).

    What each file featured is kept in an index (`project.index`) in the folder `cache`
    (by default the user's cache folder; `indexed=False` reads every file) so that only the files
    that changed since the last run are parsed.
    """
    found: dict[str, Featured] = {}
    unreadable: list[Problem] = []
    paths = sorted(paths, reverse=True)  # newest first: name the latest time it ran
    index = Index.open(exclude.parent, cache) if indexed and paths else None
    for path in paths:
        try:
            if path.name == exclude.name and path.resolve() == exclude.resolve():
                if index:
                    index.seen.add(path.name)  # kept for the week it is an earlier issue
                continue
            same = index if path.parent == exclude.parent else None  # one folder, one index
            entry = _entry(path, same, show, own)
        except ProblemsError as e:
            why = e.problems[0].message if e.problems else "it does not load"
        except (OSError, RuntimeError, ValueError) as e:  # a link loop, a FIFO, a bad name
            why = str(getattr(e, "strerror", None) or e)
        else:
            later = entry.number
            if number is not None and isinstance(later, int) and later >= number:
                continue
            for key, section in entry.articles:
                found.setdefault(key, Featured(entry.number, entry.date, section))
            continue
        if path.name < exclude.name:
            message = f"an earlier issue that cannot be read ({why}): its articles are not known"
            unreadable.append(Problem("history/unreadable", show(path), message=message))
    if index:
        index.save()
    return History(found, tuple(reversed(unreadable)))


def _entry(
    path: Path, index: Index | None, show: Callable[[Path], str], own: Callable[[Path], Path]
) -> Entry:
    """What `path` featured, from the index if it knows this version of the file. A file
    that cannot be read is never indexed: it is read again, so its warning is as fresh."""
    real = own(path)  # first, as without the index: a link out is refused, never looked at
    try:
        stat = os.stat(real) if index else None
    except OSError:
        stat = None  # reading it says why, in the words it always has
    if index and stat:
        known = index.get(path.name, stat)
        if known is not None:
            return known
    data = read_yaml(real, show(path)).data
    number, date = (
        (data.get("number"), data.get("date")) if isinstance(data, dict) else (None, None)
    )
    articles = tuple((key, where.section) for key, where in featured_in(data).items())
    entry = Entry(number, date, articles)
    if index and stat:
        index.put(path.name, stat, entry)
    return entry
