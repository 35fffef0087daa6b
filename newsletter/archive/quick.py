"""Whether the archive has anything to do, told from file metadata alone: the size and time
of the settings, of every issue file, of every file of the theme and of the folder of kept
images (a file added there changes it), against what they were when the archive was last
built without a problem. Nothing is parsed, nothing loaded.

What the last build left is kept in the user's cache folder, per output folder; it is only a
cache: without it, or with anything amiss in it, the archive is built as usual.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from newsletter import __version__
from newsletter.build.usercache import user_cache_folder
from newsletter.model.problems import Problem
from newsletter.project.index import RACY_NS
from newsletter.project.root import ISSUES_DIR, SETTINGS_FILE

IMAGES = "images"
"""The archive's folder of derived images; the project's folder of kept originals too."""


@dataclass(frozen=True)
class Built:
    """What the last build of an output folder saw and did."""

    inputs: str  # the hash of the inputs' metadata, as the build began
    theme: list[str]  # the theme's folders, absolute
    at: int  # when the build began, in ns
    pages: list[str]  # the issue folders it holds
    future: int
    warnings: list[str]
    images: list[str]  # the derived images in its `images/`


@dataclass(frozen=True)
class Summary:
    """What a build of the archive did."""

    built: int
    skipped: int
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]
    removed: tuple[str, ...] = ()
    future: int = 0  # issues left out for their date, after the day the archive is built


def _state(out: Path) -> Path:
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:24]
    folder = user_cache_folder("archive")
    if folder is None:
        raise OSError("no cache folder of the user's own")
    return Path(folder) / f"{key}.json"


def inputs(root: Path, theme: Iterable[Path], until: dt.date | None) -> tuple[str, int]:
    """The hash of what the archive is built from, as metadata, and the latest modification
    time among them."""
    digest = hashlib.sha256(f"{__version__}\0{until}\0".encode())
    newest = 0

    def add(path: str, label: str) -> None:
        nonlocal newest
        try:
            info = os.stat(path)
        except OSError:
            digest.update(f"{label}\0missing\0".encode())
            return
        newest = max(newest, info.st_mtime_ns)
        digest.update(f"{label}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}\0".encode())

    add(str(root / SETTINGS_FILE), SETTINGS_FILE)
    # Its names are hashes of the bytes: only a kept original that was missing can appear.
    add(str(root / IMAGES), "kept images")
    try:
        with os.scandir(root / ISSUES_DIR) as found:
            names = sorted(f.name for f in found if f.name.endswith(".yaml"))
    except OSError:
        names = []
    for name in names:
        add(str(root / ISSUES_DIR / name), f"issue {name}")
    for number, folder in enumerate(theme):
        for parent, folders, files in os.walk(folder):  # as the theme's fingerprint walks it
            folders.sort()
            for name in sorted(files):
                path = os.path.join(parent, name)
                add(path, f"theme {number} {os.path.relpath(path, folder)}")
    return digest.hexdigest(), newest


def unchanged(root: Path, out: Path, until: dt.date | None) -> Built | None:
    """What the last build of `out` did, if nothing it was built from has changed since and
    every page and derived image it wrote is still there; else None."""
    try:
        built = Built(**json.loads(_state(out).read_text(encoding="utf-8")))
        key, newest = inputs(root, map(Path, built.theme), until)
    except (OSError, ValueError, TypeError):
        return None
    if key != built.inputs or newest >= built.at - RACY_NS:
        return None  # changed, or changed so close to the build that the time cannot tell
    pages = [out / name / "index.html" for name in built.pages]
    if not all(page.is_file() for page in [out / "index.html", *pages]):
        return None
    try:
        published = set(os.listdir(os.path.join(out, IMAGES))) if built.images else set()
    except OSError:
        return None
    if not published.issuperset(built.images):
        return None
    return built


def remember(out: Path, built: Built) -> None:
    """Keep what this build of `out` saw and did, for `unchanged` to compare with."""
    with contextlib.suppress(OSError):
        state = _state(out)
        state.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = state.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(asdict(built)), encoding="utf-8")
        os.replace(temporary, state)


def forget(out: Path) -> None:
    """Drop what is kept of `out`: its last build had problems, or did not end."""
    with contextlib.suppress(OSError):
        _state(out).unlink()
