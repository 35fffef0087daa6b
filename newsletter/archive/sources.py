"""The archive's issues: each file read and validated once, and kept in the project's index
(`project.index`), so that a file that has not changed is neither parsed nor validated again,
and what it featured is known to the featured-before check too."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.archive.kept import ISSUE, ISSUE_HEAD, Kept, Loaded, Where, version_of
from newsletter.archive.marker import reserved
from newsletter.model.problems import Problem, ProblemsError
from newsletter.project.index import Index


@dataclass(frozen=True)
class Source:
    """An issue file read for the archive."""

    slug: str
    path: Path
    shown: str  # the path as the user sees it
    kept: Kept  # the issue
    number_at: tuple[int, int]  # the line and column of its number
    sha: str  # the hash of its content


@dataclass(frozen=True)
class Sources:
    """Every issue file of the archive: the valid ones, the problems of the others, and how
    many were left out for their date."""

    valid: list[Source]
    problems: list[Problem]
    future: int


def read_sources(
    project: Any,
    files: Sequence[Path],
    until: dt.date | None,
    load: Callable[[Iterable[str]], Iterable[Loaded | tuple[Problem, ...]]],
    index: Index | None,
) -> Sources:
    """The issues in `files`, each from `index` if it holds this version of the file, the
    others read by `load` (on every core), and `index` told of them. An issue dated after
    `until` is left out unchecked: a draft for next week is not published, nor need it be
    valid."""
    version = version_of(project.theme.layouts)
    if index:
        index.scan()
    kept = _Kept(index.values_of(f"{ISSUE_HEAD} {version}") if index else iter(()))
    stored = index.versions(f"{ISSUE} {version}") if index else {}
    folder = project.show(files[0].parent) if files else ""
    found: list[tuple[Path, dt.date | None, Source | tuple[Problem, ...]]] = []
    todo: list[Path] = []
    shown = {f: f.name if folder == "." else os.path.join(folder, f.name) for f in files}
    with _collecting_later():  # many objects, none of them garbage
        for file in files:
            name = _name_problem(file, shown[file])
            if index:
                index.saw(file.name)
            if isinstance(name, Problem):
                found.append((file, None, (name,)))
                continue
            known = _known(index, file)
            sha, value = kept.get(file.name)
            if known is not None and sha == known == stored.get(file.name):
                where = Where(str(project.root), str(file), sha, f"{ISSUE} {version}")
                source = _source(file, shown[file], known, value, None, where)
                if source is not None:
                    found.append((file, *source))
                    continue
            todo.append(file)
    for file, loaded in zip(todo, load(str(f) for f in todo), strict=True):
        if isinstance(loaded, tuple):
            found.append((file, None, loaded))
            continue
        if index:
            index.put(loaded.name, loaded.info, loaded.sha, loaded.entry)
            if loaded.kept is not None and loaded.issue is not None:
                index.keep(loaded.name, loaded.sha, f"{ISSUE_HEAD} {version}", loaded.kept)
                index.keep(loaded.name, loaded.sha, f"{ISSUE} {version}", loaded.issue)
        if loaded.kept is None:
            found.append((file, loaded.when, loaded.problems))
        elif source := _source(file, shown[file], loaded.sha, loaded.kept, loaded.issue):
            found.append((file, *source))
    if index:
        index.save()
    valid: list[Source] = []
    problems: list[Problem] = []
    future = 0
    for _, when, outcome in sorted(found, key=lambda item: item[0]):
        if until is not None and when is not None and when > until:
            future += 1
        elif isinstance(outcome, Source):
            valid.append(outcome)
        else:
            problems.extend(outcome)
    return Sources(valid, problems, future)


def _name_problem(file: Path, shown: str) -> str | Problem:
    """The page name of `file` (shown as `shown`), or why it cannot have one."""
    from newsletter.project.folder import slug

    try:
        name = slug(file, shown)
    except ProblemsError as e:
        return e.problems[0]
    if (own := reserved(name)) is not None:
        message = f"its page would take the name of the archive's own {own}; rename the file"
        return Problem("file/name", shown, message=message)
    return name


@contextlib.contextmanager
def _collecting_later() -> Iterator[None]:
    """No garbage collection while the block runs, and none of what it made looked through
    again: it makes many objects that all live on (the issues), which the collector would
    only go through again and again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


class _Kept:
    """What the index kept of each file, read in the order of the file names."""

    def __init__(self, rows: Iterator[tuple[str, str, bytes]]) -> None:
        self.rows = rows
        self.row = next(rows, None)

    def get(self, name: str) -> tuple[str, bytes]:
        """The (sha, value) kept for `name`, asked for in order; ("", b"") if none."""
        while self.row is not None and self.row[0] < name:
            self.row = next(self.rows, None)
        if self.row is not None and self.row[0] == name:
            return self.row[1], self.row[2]
        return "", b""


def _known(index: Index | None, file: Path) -> str | None:
    """The content hash of `file` if the index vouches for it by its size and time."""
    if index is None:
        return None
    try:
        row = index.known(file.name, os.stat(file))
    except OSError:
        return None
    return row.sha if row else None


def _source(
    file: Path, shown: str, sha: str, kept: bytes, issue: bytes | None, where: Where | None = None
) -> tuple[dt.date | None, Source] | None:
    """The issue kept for `file`, None if what was kept cannot be read back."""
    from newsletter.project.folder import slug

    try:
        when, number_at, (number, date, head) = pickle.loads(kept)
    except Exception:  # kept by another version of the code: read the file again
        return None
    held = Kept(number, date, head, issue, where)
    return when, Source(slug(file, shown), file, shown, held, number_at, sha)


def duplicates(sources: Iterable[Source]) -> list[Problem]:
    """Two files with the same slug or the same number: the archive cannot hold both."""
    problems = []
    slugs: dict[str, Source] = {}
    numbers: dict[int, Source] = {}
    for source in sources:
        number = source.kept.number
        if source.slug in slugs:
            message = (
                f"the same name as {slugs[source.slug].path.name}: the archive needs one page each"
            )
            problems.append(Problem("archive/duplicate", source.shown, 0, 0, "", message))
        elif number in numbers:
            message = f"the same number ({number}) as {numbers[number].path.name}"
            problems.append(
                Problem("archive/duplicate", source.shown, *source.number_at, "number", message)
            )
        slugs.setdefault(source.slug, source)
        numbers.setdefault(number, source)
    return problems
