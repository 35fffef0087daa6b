"""What the newsletter already featured: every article URL of every issue in `issues/`."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.build.yamlfile import parse_yaml, read_bytes
from newsletter.model.issue import Featured, History
from newsletter.model.problems import Problem, ProblemsError
from newsletter.model.urls import normalize_url
from newsletter.project.index import Index
from newsletter.project.rows import Entry, content_hash, decode

_DATED = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


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
    folder: Path,
    exclude: Path,
    number: int | None = None,
    show: Callable[[Path], str] = str,
    own: Callable[[Path], Path] = lambda path: path,
    cache: Path | None = None,
    indexed: bool = True,
    date: dt.date | None = None,
) -> History:
    """Every article of the issues (`*.yaml`) in `folder` except `exclude` (and, given the
    `number` and `date` of the issue at hand, except later issues), by normalised URL.

    A file that cannot be read is never the end of the work at hand: one named before
    `exclude` is a warning naming it (`show` says how), one named after it (next week's
    draft) is passed over. `own` refuses a file the project must not read (a link out).
    A file named by a date after `date` (as `new` names them) is not read at all.

    What each file featured is kept in an index (`project.index`) in the folder `cache`
    (by default the user's cache folder; `indexed=False` reads every file) so that only the
    files that changed since the last run are parsed, and only the URLs asked about are
    looked up.
    """
    try:
        with os.scandir(folder) as found:
            files = sorted(
                (f for f in found if f.name.endswith(".yaml")), key=lambda f: f.name, reverse=True
            )  # newest first: name the latest time it ran
    except OSError:
        files = []
    skip = exclude.name if os.path.abspath(exclude.parent) == os.path.abspath(folder) else None
    index = Index.open(folder, cache) if indexed and files else None
    scan = Scan(folder, skip, exclude.name, number, date, show, own)
    try:
        return scan.history(files, index)
    except sqlite3.Error:  # the index went wrong as it was read: it is only a cache
        if index:
            index.close()
        return scan.history(files, None)


@dataclass(frozen=True)
class Scan:
    """What `featured_before` was asked."""

    folder: Path
    skip: str | None  # the file of the issue at hand, if it is in `folder`
    current: str  # its name, to tell earlier files from later ones
    number: int | None
    date: dt.date | None
    show: Callable[[Path], str]
    own: Callable[[Path], Path]

    def history(self, files: list[os.DirEntry[str]], index: Index | None) -> History:
        """What `files` featured, through `index` if there is one."""
        entries: dict[str, Entry | None] = {}  # by name, newest first; None: as indexed
        unreadable: list[Problem] = []
        iso = self.date.isoformat() if self.date else None
        if index:
            index.scan()
        for file in files:
            name = file.name
            if name == self.skip or (iso and name[:10] > iso and _dated_after(name, iso)):
                if index:
                    index.saw(name)  # kept for the week it is an earlier issue
                continue
            if index and _indexed(file, index):
                entries[name] = None
                continue
            try:
                entries[name] = _entry(file, index, self.show, self.own)
                continue
            except ProblemsError as e:
                why = e.problems[0].message if e.problems else "it does not load"
            except (OSError, RuntimeError, ValueError) as e:  # a link loop, a FIFO, a bad name
                why = str(getattr(e, "strerror", None) or e)
            if name < self.current:
                path = Path(file.path)
                message = (
                    f"an earlier issue that cannot be read ({why}): its articles are not known"
                )
                unreadable.append(Problem("history/unreadable", self.show(path), message=message))
        if index:
            index.save()

        def rescan() -> Mapping[str, Featured]:
            return self.history(files, None).featured

        earlier = Earlier(entries, self.number, index, rescan)
        return History(earlier, tuple(reversed(unreadable)))


def _dated_after(name: str, iso: str) -> bool:
    """Whether the file `name` is named by a date after `iso` (as YYYY-MM-DD)."""
    found = _DATED.match(name)
    try:
        return found is not None and dt.date(*map(int, found.groups())).isoformat() > iso
    except ValueError:
        return False  # 2026-13-45: not a date, so not a later one


def _indexed(file: os.DirEntry[str], index: Index) -> bool:
    """Whether the index vouches for what `file`, a regular file, featured: the quick way."""
    if file.is_symlink():
        return False
    try:
        return index.known(file.name, os.stat(file.path)) is not None
    except OSError:
        return False


def _entry(
    file: os.DirEntry[str],
    index: Index | None,
    show: Callable[[Path], str],
    own: Callable[[Path], Path],
) -> Entry | None:
    """What `file` featured; None when the index vouches for this version of it. A file
    that cannot be read is never indexed: it is read again, so its warning is as fresh."""
    path = Path(file.path)
    info: os.stat_result | None = None
    with contextlib.suppress(OSError):  # reading it says why, in the words it always has
        info = os.stat(own(path) if file.is_symlink() else path)
    if index and info and index.known(file.name, info):
        return None
    real = own(path) if file.is_symlink() else path  # a link out is refused, never read
    raw = read_bytes(real, show(path))
    sha = content_hash(raw)
    entry = index.same_content(sha) if index and info else None
    if entry is None:
        data = parse_yaml(raw, show(path)).data
        number, date = (
            (data.get("number"), data.get("date")) if isinstance(data, dict) else (None, None)
        )
        articles = tuple((key, where.section) for key, where in featured_in(data).items())
        entry = Entry(number, date, articles)
    if index and info:
        index.put(path.name, info, sha, entry)
    return entry


class Earlier(Mapping[str, Featured]):
    """What earlier issues featured, by normalised URL: the newest issue that featured each.
    A URL is looked up in the index when asked; what the index does not hold (a file read
    this time and not saved in it) is kept in memory."""

    def __init__(
        self,
        entries: dict[str, Entry | None],
        number: int | None,
        index: Index | None,
        rescan: Callable[[], Mapping[str, Featured]],
    ) -> None:
        self.index, self.rescan, self.entries, self.number = index, rescan, entries, number
        self.memory: dict[str, tuple[str, Featured]] = {}
        for name in sorted(entries, reverse=True):
            entry = entries[name]
            if entry is None or not self._earlier(name):
                continue
            if index is None or name in index.stale:
                for url, section in entry.articles:
                    where = Featured(entry.number, entry.date, section)
                    self.memory.setdefault(url, (name, where))
        self._all: dict[str, Featured] | None = None
        if index is None:
            self._all = {url: where for url, (_, where) in self.memory.items()}

    def _value(self, name: str, key: str) -> Any:
        entry = self.entries[name]
        if entry is not None:
            return getattr(entry, key)
        assert self.index is not None
        return decode(getattr(self.index.rows[name], key))

    def _earlier(self, name: str) -> bool:
        """Whether the file `name` was read for this issue and is not numbered after it."""
        if name not in self.entries:
            return False
        later = self._value(name, "number") if self.number is not None else None
        return not isinstance(later, int) or self.number is None or later < self.number

    def _newest(self, hits: Iterable[tuple[str, str]], url: str) -> tuple[str, Featured] | None:
        """Of the index's (file, section) hits for `url` and what is in memory, the newest."""
        assert self.index is not None
        stale = self.index.stale
        found = max((h for h in hits if h[0] not in stale and self._earlier(h[0])), default=None)
        best = None
        if found is not None:
            name, section = found
            where = Featured(self._value(name, "number"), self._value(name, "date"), section)
            best = (name, where)
        memory = self.memory.get(url)
        if memory is not None and (best is None or memory[0] > best[0]):
            best = memory
        return best

    def __getitem__(self, url: str) -> Featured:
        if self._all is None:
            try:
                assert self.index is not None
                best = self._newest(self.index.where(url), url)
            except sqlite3.Error:
                self._all = dict(self.rescan())
            else:
                if best is None:
                    raise KeyError(url)
                return best[1]
        return self._all[url]

    def _everything(self) -> dict[str, Featured]:
        if self._all is None:
            try:
                assert self.index is not None
                by_url: dict[str, list[tuple[str, str]]] = {}
                for url, name, section in self.index.everything():
                    by_url.setdefault(url, []).append((name, section))
                found = {url: self._newest(hits, url) for url, hits in by_url.items()}
                for url in self.memory.keys() - by_url.keys():
                    found[url] = self._newest((), url)
                self._all = {url: best[1] for url, best in found.items() if best is not None}
            except sqlite3.Error:
                self._all = dict(self.rescan())
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())
