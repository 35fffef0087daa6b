"""The archive's issues: each file read and validated once, and kept in the project's index
(`project.index`), so that a file that has not changed is neither parsed nor validated again,
and what it featured is known to the featured-before check too."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.archive.marker import reserved
from newsletter.archive.pages import Kept
from newsletter.model.problems import Problem, ProblemsError
from newsletter.project.index import Entry, Index


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
class Loaded:
    """What a worker made of one issue file: what it featured and, if it is valid, the
    issue as it is kept (its `date:`, the issue, where its number is); else its problems."""

    name: str
    info: os.stat_result
    sha: str
    entry: Entry
    when: dt.date | None
    kept: bytes | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Sources:
    """Every issue file of the archive: the valid ones, the problems of the others, and how
    many were left out for their date."""

    valid: list[Source]
    problems: list[Problem]
    future: int


_WORKER: dict[str, Any] = {}


def project_of(root: str) -> Any:
    """The project in `root`, read once per process: its settings and theme stay loaded."""
    from newsletter.project.folder import Project

    if _WORKER.get("root") != root:
        _WORKER.update(root=root, project=Project(Path(root), Path.cwd()))
    return _WORKER["project"]


def share_project(project: Any) -> None:
    """Let `project_of` give `project` itself, here and in processes forked from now on."""
    _WORKER.update(root=str(project.root), project=project)


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
    kind = _kind(project.theme.layouts)
    kept = _Kept(index.values_of(kind) if index else iter(()))
    found: list[tuple[Path, dt.date | None, Source | tuple[Problem, ...]]] = []
    todo: list[Path] = []
    folder = project.show(files[0].parent) if files else ""
    shown = {f: f.name if folder == "." else os.path.join(folder, f.name) for f in files}
    with _collecting_later():  # many objects, none of them garbage
        for file in files:
            name = _name_problem(file, shown[file])
            if isinstance(name, Problem):
                found.append((file, None, (name,)))
                continue
            known = _known(index, file)
            sha, value = kept.get(file.name)
            if known is not None and sha == known:
                source = _source(file, shown[file], known, value)
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
            if loaded.kept is not None:
                index.keep(loaded.name, loaded.sha, kind, loaded.kept)
        if loaded.kept is None:
            found.append((file, loaded.when, loaded.problems))
        elif (source := _source(file, shown[file], loaded.sha, loaded.kept)) is not None:
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


def _source(file: Path, shown: str, sha: str, kept: bytes) -> tuple[dt.date | None, Source] | None:
    """The issue kept for `file`, None if what was kept cannot be read back."""
    from newsletter.project.folder import slug

    try:
        when, number_at, issue = pickle.loads(kept)
        issue = Kept(*issue)
    except Exception:  # kept by another version of the code: read the file again
        return None
    return when, Source(slug(file, shown), file, shown, issue, number_at, sha)


def load_file(root: str, path: str) -> Loaded | tuple[Problem, ...]:
    """Read, check and validate one issue file (in a worker process)."""
    from newsletter.build.load import validate_issue
    from newsletter.build.yamlfile import parse_yaml, read_bytes
    from newsletter.project.history import featured_in
    from newsletter.project.index import content_hash

    project = project_of(root)
    file = Path(path)
    shown = project.show(file)
    try:
        real = project.own(file)
        info = _stat(real)  # before reading: a later change shows as a change next time
        raw = read_bytes(real, shown)  # says why a file cannot be read, if it cannot
        document = parse_yaml(raw, shown)
        info = info or os.stat(real)
    except ProblemsError as e:
        return tuple(e.problems)
    except OSError as e:
        return (Problem("file/unreadable", shown, message=f"cannot be read: {e.strerror}"),)
    data = document.data
    number, date = (data.get("number"), data.get("date")) if isinstance(data, dict) else (None,) * 2
    featured = tuple((url, where.section) for url, where in featured_in(data).items())
    entry, when, sha = Entry(number, date, featured), _date_of(data), content_hash(raw)
    try:
        document, issue = validate_issue(document, project.theme.layouts)
    except ProblemsError as e:
        return Loaded(file.name, info, sha, entry, when, None, tuple(e.problems))
    held = Kept.of(issue)
    number_at = document.position(("number",))
    kept = pickle.dumps((when, number_at, (held.number, held.date, held.head, held.value)))
    return Loaded(file.name, info, sha, entry, when, kept)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _date_of(data: Any) -> dt.date | None:
    """The `date:` of an issue's data, before it is checked; None if it has no such date."""
    value = data.get("date") if isinstance(data, dict) else None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _kind(layouts: frozenset[str]) -> str:
    """What a kept issue depends on besides its file: the theme's layouts, and the code that
    validates it (its version, and the files that define an issue)."""
    from newsletter import __version__
    from newsletter.build import load
    from newsletter.model import fields, issue

    digest = hashlib.sha256(__version__.encode())
    for file in (load.__file__, fields.__file__, issue.__file__, __file__):
        digest.update(Path(file or "").read_bytes())
    return f"archive {digest.hexdigest()[:16]} {' '.join(sorted(layouts))}"


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
