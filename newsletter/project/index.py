"""A cache of what each issue file featured, in SQLite, so that a build parses only the
issues that changed since the last one.

It is only a cache: deleting it loses nothing, and whatever goes wrong with it (a corrupt
file, a locked database, a folder that cannot be written) makes the caller read every file
as it did before the cache existed, never an error.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = 1
"""Bumped when what a row holds changes: an older database is then rebuilt."""

BUSY_MS = 2000
"""How long to wait for another process's write before giving up on the cache."""


@dataclass(frozen=True)
class Entry:
    """What one issue file featured: its number and date as read, and (URL, section) pairs."""

    number: Any
    date: Any
    articles: tuple[tuple[str, str], ...]


def cache_folder() -> Path:
    """Where the indexes live: `$XDG_CACHE_HOME/newsletter`, or `~/.cache/newsletter`."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "newsletter"


def index_path(issues: Path, folder: Path | None = None) -> Path:
    """The database of the issues folder `issues`, one per project by its resolved path."""
    key = hashlib.sha256(str(issues.resolve()).encode()).hexdigest()[:24]
    return (folder or cache_folder()) / f"history-{key}.sqlite"


def _encode(value: Any) -> Any:
    """A number or date as JSON; raises TypeError for what cannot be restored exactly."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "datetime" in value:
        return datetime.datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and "date" in value:
        return datetime.date.fromisoformat(value["date"])
    return value


class Index:
    """An open index of one issues folder; every method gives up quietly (None, or nothing)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection
        self.rows: dict[str, tuple[int, int, str]] = {}
        self.seen: set[str] = set()
        self.fresh: list[tuple[str, int, int, str]] = []

    @classmethod
    def open(cls, issues: Path, folder: Path | None = None) -> Index | None:
        """The index of `issues`, rebuilt if corrupt; None if it cannot be used at all."""
        path = index_path(issues, folder)
        for attempt in (1, 2):
            try:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                index = cls(_connect(path))
                index.rows = {
                    name: (size, mtime, entry)
                    for name, size, mtime, entry in index.db.execute(
                        "SELECT name, size, mtime_ns, entry FROM files"
                    )
                }
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

    def get(self, name: str, stat: os.stat_result) -> Entry | None:
        """What `name` featured if the index knows this very version of it."""
        self.seen.add(name)
        row = self.rows.get(name)
        if row is None or row[:2] != (stat.st_size, stat.st_mtime_ns):
            return None
        try:
            number, date, articles = json.loads(row[2])
            pairs = tuple((str(url), str(section)) for url, section in articles)
            return Entry(_decode(number), _decode(date), pairs)
        except (ValueError, TypeError):
            return None  # a row not as written: read the file instead

    def put(self, name: str, stat: os.stat_result, entry: Entry) -> None:
        """Remember what `name` featured, as of `stat`, when the index is saved."""
        try:
            blob = json.dumps([_encode(entry.number), _encode(entry.date), entry.articles])
        except (TypeError, ValueError):
            return  # a number or date that JSON cannot restore exactly: read it every time
        self.fresh.append((name, stat.st_size, stat.st_mtime_ns, blob))

    def save(self) -> None:
        """Write what changed and drop the rows of files that are gone, in one transaction."""
        gone = [(name,) for name in self.rows if name not in self.seen]
        try:
            if self.fresh or gone:
                with self.db:  # one transaction: another process sees all of it or none
                    self.db.execute("BEGIN IMMEDIATE")
                    self.db.executemany("DELETE FROM files WHERE name = ?", gone)
                    self.db.executemany(
                        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", self.fresh
                    )
        except sqlite3.Error:
            pass  # locked for too long or read-only: the next run tries again
        finally:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        if db.execute("PRAGMA user_version").fetchone()[0] not in (0, SCHEMA):
            raise sqlite3.DatabaseError("another schema")
        db.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
        db.execute(
            "CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, size INTEGER NOT NULL,"
            " mtime_ns INTEGER NOT NULL, entry TEXT NOT NULL)"
        )
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
