"""An issue as the archive keeps it in the project's index (`project.index`): its fields
at hand, the issue itself read back only when a page is rendered or a template asks."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from newsletter.model.issue import Article, Issue, Section
from newsletter.model.problems import Problem, ProblemsError
from newsletter.project.index import Index
from newsletter.project.rows import Entry

ISSUE_HEAD = "archive head"
"""What the index keeps of a valid issue file for the archive: (date, number's place, fields)."""
ISSUE = "archive issue"
"""...and the issue, pickled."""


class Where(NamedTuple):
    """Where a kept issue is: the project, the file, its version, what the index keeps."""

    root: str
    path: str
    sha: str
    kind: str


@dataclass(frozen=True)
class Kept:
    """An issue as the archive holds it: its number, date and other fields at hand, its
    sections read back only when asked for, so that a thousand issues take little memory
    and time (the index and the feed ask for none)."""

    number: int
    date: dt.date
    head: dict[str, Any]  # every field of the issue but its sections
    value: bytes | None  # the issue, pickled; None: still in the index, at `where`
    where: Where | None = None

    @classmethod
    def of(cls, issue: Issue) -> Kept:
        """`issue`, kept."""
        head = {name: getattr(issue, name) for name in type(issue).model_fields}
        del head["sections"]
        return cls(issue.number, issue.date, head, pickle.dumps(issue, pickle.HIGHEST_PROTOCOL))

    @property
    def issue(self) -> Issue:
        """The issue itself."""
        return _read_back(self.value if self.value is not None else _fetch(self.where))


@lru_cache(maxsize=4)  # a template asks for the same page's issue many times in a row
def _read_back(value: bytes) -> Issue:
    issue = pickle.loads(value)
    assert isinstance(issue, Issue)
    return issue


class IssueHead:
    """An issue as the archive's templates see it: its fields as attributes (subject,
    date, preheader, ...), its `sections` and `articles` read back when a template asks."""

    def __init__(self, kept: Kept) -> None:
        self.__dict__.update(kept.head)
        self._kept = kept

    @property
    def sections(self) -> list[Section]:
        """The sections of the issue."""
        return self._kept.issue.sections

    @property
    def articles(self) -> list[Article]:
        """Every article of the issue, in order."""
        return self._kept.issue.articles


def _fetch(where: Where | None) -> bytes:
    """The issue kept at `where`, or, should the index no longer have it, read again."""
    assert where is not None
    index = Index.open(Path(where.path).parent)
    value = index.value(Path(where.path).name, where.sha, where.kind) if index else None
    if value is not None:
        return value
    loaded = load_file(where.root, where.path)
    if isinstance(loaded, tuple) or loaded.issue is None:
        raise ProblemsError(list(loaded if isinstance(loaded, tuple) else loaded.problems))
    return loaded.issue


@dataclass(frozen=True)
class Loaded:
    """What a worker made of one issue file: what it featured and, if it is valid, the
    issue as it is kept (its `date:`, the issue, where its number is); else its problems."""

    name: str
    info: os.stat_result
    sha: str
    entry: Entry
    when: dt.date | None
    kept: bytes | None  # its date, where its number is, and its fields: `ISSUE_HEAD`
    issue: bytes | None = None  # the issue, pickled: `ISSUE`
    problems: tuple[Problem, ...] = ()


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


def load_file(root: str, path: str) -> Loaded | tuple[Problem, ...]:
    """Read, check and validate one issue file (in a worker process)."""
    from newsletter.build.load import validate_issue
    from newsletter.build.yamlfile import parse_yaml, read_bytes
    from newsletter.project.history import featured_in
    from newsletter.project.rows import content_hash

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
        return Loaded(file.name, info, sha, entry, when, None, None, tuple(e.problems))
    held = Kept.of(issue)
    number_at = document.position(("number",))
    kept = pickle.dumps((when, number_at, (held.number, held.date, held.head)))
    return Loaded(file.name, info, sha, entry, when, kept, held.value)


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


def version_of(layouts: frozenset[str]) -> str:
    """What a kept issue depends on besides its file: the theme's layouts, and the code that
    validates it (its version, and the files that define an issue)."""
    from newsletter import __version__
    from newsletter.build import load
    from newsletter.model import fields, issue

    digest = hashlib.sha256(__version__.encode())
    for file in (load.__file__, fields.__file__, issue.__file__, __file__):
        digest.update(Path(file or "").read_bytes())
    return f"archive {digest.hexdigest()[:16]} {' '.join(sorted(layouts))}"
