"""What the archive knows of its folder: the pages it wrote there, and what each was built
from, so that a page is built again only when its sources change."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsletter import __version__
from newsletter.archive.pages import IssuePage
from newsletter.archive.quick import IMAGES
from newsletter.build.theme import Theme
from newsletter.model.problems import UserError

CACHE = ".newsletter-archive.json"
"""In the output folder: the content hash each issue's page was built from, and the issue
folders the archive wrote there. Its presence marks the folder as the archive's own."""

PAGE_FILES = ("index.html", "email.txt")
"""What the archive writes into an issue's folder, and all it removes from one."""

TOP_FILES = ("index.html", "feed.xml", "sitemap.xml", CACHE, IMAGES)
"""What the archive writes at the top of its folder: names no issue's folder can have."""


def reserved(slug: str) -> str | None:
    """The archive's own file that an issue named `slug` would collide with, if any."""
    # Case aside: on macOS and Windows, Index.HTML is the same file as index.html.
    return next((name for name in TOP_FILES if name.casefold() == slug.casefold()), None)


class FolderError(UserError):
    """The output folder holds files that the archive did not write."""


def fingerprint(source: str, page: IssuePage, settings: str, theme: str) -> str:
    """What an issue's page is built from (the hashes of its file, of the settings and of
    the theme): if this is unchanged, so is the page."""
    digest = hashlib.sha256()
    for part in (source, settings, theme, __version__):
        digest.update(f"{part}\0".encode())
    digest.update(f"{page.slug}|{page.previous}|{page.next}|{page.url}".encode())
    return digest.hexdigest()


def theme_fingerprint(theme: Theme) -> str:
    """A hash of every file in the theme's folders, as bytes: templates, images, anything."""
    digest = hashlib.sha256()
    for index, folder in enumerate(theme.folders):
        for name, content in _theme_files(folder, theme):
            digest.update(f"{index}/{name}\0".encode() + content)
    return digest.hexdigest()


def _theme_files(folder: Path, theme: Theme) -> Iterator[tuple[str, bytes]]:
    """The name and the hash of each regular file in `folder`, in order. What is no regular
    file (a FIFO, a device), or a link that leads out of the folder, no template can use:
    it is left out, never opened for reading (a FIFO would block)."""
    top = folder.resolve()
    for parent, folders, names in os.walk(folder):  # not into linked folders, as Jinja
        folders.sort()
        for name in sorted(names):
            path = Path(parent) / name
            if path.is_symlink() and not path.resolve().is_relative_to(top):
                continue
            content = _hash_file(path, theme)
            if content is not None:
                yield path.relative_to(folder).as_posix(), content


def _hash_file(path: Path, theme: Theme) -> bytes | None:
    """The hash of the regular file at `path`; None for anything else, or a dangling link."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # made a FIFO since: do not wait
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return hashlib.file_digest(f, "sha256").digest()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise UserError(f"{theme.display(str(path))}: cannot be read: {e.strerror}") from None


@dataclass(frozen=True)
class Marker:
    """The marker file's content: the fingerprint each page on disk was built from, every
    issue folder the archive wrote (the only ones it ever removes), and the derived images
    each page shows (in `images/`) and the kept originals it found missing in the project."""

    pages: dict[str, str]
    written: frozenset[str]
    images: dict[str, list[str]] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, value: Any) -> Marker:
        """The marker from its JSON; empty if it is unreadable."""
        found = value if isinstance(value, dict) else {}
        pages, written = found.get("pages"), found.get("written")
        pages = pages if isinstance(pages, dict) else {}
        written = written if isinstance(written, list) else []
        return cls(
            {k: v for k, v in pages.items() if isinstance(v, str)},
            frozenset(n for n in written if isinstance(n, str)),
            _lists(found.get("images")),
            _lists(found.get("missing")),
        )

    def pictures_changed(self, out: Path, root: Path) -> set[str]:
        """The pages (slugs) of which a derived image is gone from `out/images/`, or a kept
        original found missing in the project `root` is there now."""
        try:
            published = set(os.listdir(os.path.join(out, IMAGES)))
        except OSError:
            published = set()
        changed = {slug for slug, names in self.images.items() if not published.issuperset(names)}
        for slug, files in self.missing.items():
            if any(os.path.isfile(os.path.join(root, file)) for file in files):
                changed.add(slug)
        return changed

    def dumps(self) -> bytes:
        """The marker as the file holds it."""
        content = {
            "pages": self.pages,
            "written": sorted(self.written),
            "images": self.images,
            "missing": self.missing,
        }
        return json.dumps(content, indent=1, sort_keys=True).encode()


def _lists(value: Any) -> dict[str, list[str]]:
    """A dict of lists of names from the marker's JSON, without what is not one."""
    found = value if isinstance(value, dict) else {}
    lists = ((k, v) for k, v in found.items() if isinstance(v, list))
    return {k: [n for n in v if isinstance(n, str)] for k, v in lists}


def read_marker(out: Path) -> Marker:
    """The marker in the output folder `out`, or an empty one."""
    try:
        return Marker.parse(json.loads((out / CACHE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return Marker({}, frozenset())


def ensure_archive_folder(out: Path, shown: str) -> None:
    """Raise FolderError if `out` holds files and no marker: the archive would overwrite them."""
    if not out.is_dir() or (out / CACHE).exists() or next(out.iterdir(), None) is None:
        return
    raise FolderError(
        f"{shown} is not empty and was not written by newsletter archive (it has no {CACHE}):"
        " choose an empty or new folder, or remove its files"
    )


def remove_pages(out: Path, names: Iterable[str]) -> list[str]:
    """Remove what the archive wrote into each issue folder `names` in `out`, and the folder
    once nothing else is left in it; return the names of those that were there."""
    removed = []
    for name in sorted(names):
        folder = out / name
        if name in ("", ".", "..") or Path(name).name != name or folder.is_symlink():
            continue  # not a folder the archive can have written
        if not folder.is_dir():
            continue
        for file in PAGE_FILES:
            (folder / file).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the folder also holds someone else's files
            folder.rmdir()
        removed.append(name)
    return removed
