"""A cache of the project's issue files, in SQLite: what each featured (so that a command
parses only the issues that changed and looks up only the URLs it asks about), and what
callers keep of each (the archive: a validated issue, a feed entry).

A file is known by its name, size, modification time and content hash: one whose size and
time are as recorded is taken as read (unless recorded within two seconds of a change, when
only its hash can tell); one whose content is known under another name is not parsed again.
It is only a cache: deleting it loses nothing, and whatever goes wrong with it (a corrupt
file, a locked database, a folder that cannot be written) makes the caller read every file
as it did before the cache existed, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from newsletter.build.usercache import user_cache_folder
from newsletter.project.rows import Entry, Row, decode, encode

SCHEMA = 4
"""Bumped when what the tables hold changes: an older database is then rebuilt."""
BUSY_MS = 2000
"""How long to wait for another process's write before giving up on the cache."""

RACY_NS = 2 * 10**9
"""A file changed this close to being recorded may have changed again within the same tick
of the file system's clock: its size and time alone do not vouch for it."""

TABLES = (
    "CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    " mtime_ns INTEGER NOT NULL, sha TEXT NOT NULL, recorded_ns INTEGER NOT NULL,"
    " number NOT NULL, date NOT NULL)",
    "CREATE TABLE IF NOT EXISTS featured (name TEXT NOT NULL, url TEXT NOT NULL,"
    " section TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS featured_url ON featured (url)",
    "CREATE INDEX IF NOT EXISTS featured_name ON featured (name)",
    "CREATE TABLE IF NOT EXISTS kept (name TEXT NOT NULL, kind TEXT NOT NULL,"
    " sha TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (name, kind))",
)


def index_path(issues: Path, folder: Path) -> Path:
    """The database of the issues folder `issues` in `folder`, one per project."""
    key = hashlib.sha256(str(issues.resolve()).encode()).hexdigest()[:24]
    return folder / f"history-{key}.sqlite"


_OPEN: dict[tuple[int, Path], Index] = {}
"""The indexes this process has open, by process and path."""


class Index:
    """An open index of one issues folder. Reading it raises sqlite3.Error, which callers
    take as "read the files instead"; `save` gives up quietly."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection
        self.rows: dict[str, Row] = {}
        self.seen: set[str] | None = None  # the files a scan saw; None: no scan this time
        self.fresh: dict[str, tuple[Row | None, tuple[tuple[str, str], ...]]] = {}
        self.stale: set[str] = set()
        self.values: dict[tuple[str, str], tuple[str, bytes]] = {}  # (name, kind): sha, value
        self.only: dict[str, set[str]] = {}  # kind: the only names to keep values of
        self._by_sha: dict[str, str] | None = None
        self.path = Path()
        self.version = 0  # of the database, as `PRAGMA data_version` tells it
        self.file = (0, 0, 0)  # its file as last seen: one replaced or deleted is opened anew

    @classmethod
    def open(cls, issues: Path, folder: Path | None = None) -> Index | None:
        """The index of `issues`, rebuilt if corrupt; None if it cannot be used at all. A
        process that asks again (the preview, on every save) gets the index it had, its rows
        read again only if another process wrote to it since."""
        found = folder or user_cache_folder("index")
        if found is None:
            return None  # no cache folder of the user's own
        path = index_path(issues, Path(found))
        key = (os.getpid(), path)  # a process made by fork never uses its parent's database
        kept = _OPEN.pop(key, None)
        if kept is not None and (index := kept.again(path)) is not None:
            _OPEN[key] = index
            return index
        for attempt in (1, 2):
            try:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                index = cls(_connect(path))
                index.path = path
                index.read_rows()
                _OPEN[key] = index
                return index
            except sqlite3.OperationalError:
                return None  # locked past the timeout, or a folder that cannot be written
            except sqlite3.DatabaseError:
                # Garbage in the file, or an older schema: it is a cache, start again.
                if attempt == 2 or not _remove(path):
                    return None
            except (OSError, sqlite3.Error):
                return None  # a folder that cannot be made
        return None

    def read_rows(self) -> None:
        """Read what the database knows of every file, and note which version of it."""
        query = "SELECT name, size, mtime_ns, sha, recorded_ns, number, date FROM files"
        self.rows = {row[0]: Row._make(row[1:]) for row in self.db.execute(query)}
        self.version = self.db.execute("PRAGMA data_version").fetchone()[0]
        self.file = _identity(self.path)
        self._by_sha = None

    def again(self, path: Path) -> Index | None:
        """This index, ready for another run; None if it is no longer the one at `path`."""
        try:
            if self.stale or _identity(path) != self.file:
                raise sqlite3.DatabaseError("not saved, or deleted since")
            if self.db.execute("PRAGMA data_version").fetchone()[0] != self.version:
                self.read_rows()  # another process wrote to it
            return self
        except (OSError, sqlite3.Error):
            self.close()
            return None

    def scan(self) -> None:
        """Begin a look at every file: those it does not see (`known`, `saw`) are gone."""
        self.seen = set()

    def saw(self, name: str) -> None:
        """The file `name` is there, whether or not it is looked at."""
        if self.seen is not None:
            self.seen.add(name)

    def known(self, name: str, stat: os.stat_result) -> Row | None:
        """The row of `name` if its size and time vouch that the file is as recorded."""
        self.saw(name)
        row = self.rows.get(name)
        if row is None or (row.size, row.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            return None
        return None if row.mtime_ns >= row.recorded_ns - RACY_NS else row

    def same_content(self, sha: str) -> Entry | None:
        """What a file with content `sha` featured, if the index has read that content (under
        any name: a file renamed, or touched)."""
        if self._by_sha is None:
            self._by_sha = {row.sha: name for name, row in self.rows.items()}
        name = self._by_sha.get(sha)
        row = self.rows.get(name) if name is not None else None
        if name is None or row is None or row.sha != sha:
            return None
        if name in self.fresh:
            pairs = self.fresh[name][1]
        else:
            query = "SELECT url, section FROM featured WHERE name = ? ORDER BY rowid"
            pairs = tuple((str(url), str(s)) for url, s in self.db.execute(query, (name,)))
        return Entry(decode(row.number), decode(row.date), pairs)

    def put(self, name: str, stat: os.stat_result, sha: str, entry: Entry) -> None:
        """Remember what `name` featured, as of `stat`, when the index is saved. Until then,
        or for good if its number or date cannot be kept exactly, the index's rows of `name`
        are stale: the caller holds what the file featured."""
        self.stale.add(name)
        row: Row | None = None
        try:
            number, date = encode(entry.number), encode(entry.date)
        except TypeError:  # a number or date that JSON cannot restore exactly: read it each time
            self.rows.pop(name, None)
        else:
            row = Row(stat.st_size, stat.st_mtime_ns, sha, time.time_ns(), number, date)
            self.rows[name] = row
            if self._by_sha is not None:
                self._by_sha[sha] = name
        self.fresh[name] = (row, entry.articles)

    def value(self, name: str, sha: str, kind: str) -> bytes | None:
        """What a caller kept for file `name`: a value of kind `kind` (a validated issue, a
        feed entry) made from version `sha` (of the file, of a page); None if none is kept."""
        query = "SELECT value FROM kept WHERE name = ? AND sha = ? AND kind = ?"
        try:
            found = self.db.execute(query, (name, sha, kind)).fetchone()
        except sqlite3.Error:
            return None
        return bytes(found[0]) if found else None

    def values_of(self, kind: str) -> Iterator[tuple[str, str, bytes]]:
        """Every (file name, sha, value) of `kind`, by name; nothing more once the database
        fails."""
        query = "SELECT name, sha, value FROM kept WHERE kind = ? ORDER BY name"
        with contextlib.suppress(sqlite3.Error):
            for name, sha, value in self.db.execute(query, (kind,)):
                yield str(name), str(sha), bytes(value)

    def versions(self, kind: str) -> dict[str, str]:
        """The version (sha) of what is kept of `kind`, by file name."""
        with contextlib.suppress(sqlite3.Error):
            return dict(self.db.execute("SELECT name, sha FROM kept WHERE kind = ?", (kind,)))
        return {}

    def keep(self, name: str, sha: str, kind: str, value: bytes) -> None:
        """Keep `value` (of `kind`, made from version `sha`) for file `name` when the index
        is saved; dropped with the file."""
        self.values[name, kind] = (sha, value)

    def keep_only(self, kind: str, names: Iterable[str]) -> None:
        """Drop, when the index is saved, what is kept of `kind` for files not in `names`."""
        self.only[kind] = set(names)

    def save(self) -> None:
        """Write what changed and drop the rows of files that are gone, in one transaction."""
        seen, self.seen = self.seen, None
        gone = [name for name in self.rows if name not in seen] if seen is not None else []
        for name in gone:
            del self.rows[name]
        if not (self.fresh or gone or self.values or self.only):
            return
        values = [(*key, *rest) for key, rest in self.values.items()]
        names = [(name,) for name in gone + list(self.fresh)]
        rows = [(n, *row) for n, (row, _) in self.fresh.items() if row]
        pairs = [(n, *pair) for n, (row, pairs) in self.fresh.items() if row for pair in pairs]
        try:
            with self.db:  # one transaction: another process sees all of it or none
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("DELETE FROM files WHERE name = ?", names)
                self.db.executemany("DELETE FROM featured WHERE name = ?", names)
                self.db.executemany("DELETE FROM kept WHERE name = ?", [(n,) for n in gone])
                self.db.executemany("INSERT OR REPLACE INTO kept VALUES (?, ?, ?, ?)", values)
                for kind, kept in self.only.items():
                    marks = ", ".join("?" * len(kept))
                    drop = f"DELETE FROM kept WHERE kind = ? AND name NOT IN ({marks})"
                    self.db.execute(drop, (kind, *sorted(kept)))
                self.db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                self.db.executemany("INSERT INTO featured VALUES (?, ?, ?)", pairs)
            self.file = _identity(self.path)
        except (OSError, sqlite3.Error):
            return  # locked for too long or read-only: the next run tries again
        self.stale -= {name for name, (row, _) in self.fresh.items() if row}
        self.fresh.clear()
        self.values.clear()
        self.only.clear()

    def where(self, url: str) -> list[tuple[str, str]]:
        """Every (file name, section) that featured `url`, as saved. Raises sqlite3.Error."""
        return list(self.db.execute("SELECT name, section FROM featured WHERE url = ?", (url,)))

    def everything(self) -> list[tuple[str, str, str]]:
        """Every (URL, file name, section) saved. Raises sqlite3.Error."""
        return list(self.db.execute("SELECT url, name, section FROM featured ORDER BY rowid"))

    def close(self) -> None:
        """Let the database go."""
        with contextlib.suppress(sqlite3.Error):
            self.db.close()


def _identity(path: Path) -> tuple[int, int, int]:
    info = os.stat(path)  # the database's file: another one, or changed by hand?
    return info.st_ino, info.st_size, info.st_mtime_ns


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        if db.execute("PRAGMA user_version").fetchone()[0] not in (0, SCHEMA):
            raise sqlite3.DatabaseError("another schema")
        db.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
        for table in TABLES:
            db.execute(table)
        db.execute(f"PRAGMA user_version = {SCHEMA}")
    except BaseException:
        db.close()
        raise
    return db


def _remove(path: Path) -> bool:
    """Delete a database and its WAL files; False if it cannot be deleted."""
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    except OSError:
        return False
    return True
