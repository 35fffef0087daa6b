"""Writing output files: atomically, so a crash never leaves half a file."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from newsletter.build.render import Rendition
from newsletter.model.problems import UserError

STALE_AFTER = 60.0
"""Seconds after which a temporary file is left over, where the file system has no locks to
tell whether its writer is still at work."""

_RANDOM = re.compile(r"[a-z0-9_]{8}")  # the part of a name that tempfile.mkstemp makes up


def write_atomic(
    path: Path, data: bytes, *, within: Path | None = None, exclusive: bool = False
) -> None:
    """Write `data` to `path` through a temporary file and a rename: a crash at any moment
    leaves either the old file or the new one, never a mix. The file keeps its mode; a
    symbolic link at `path` is replaced, never followed; anything else but a regular file
    (a device, a FIFO, a folder) is refused (a UserError). With `within`, a folder of the
    path that is a symbolic link leading out of `within` is refused (a UserError). With
    `exclusive`, an existing file is never replaced (FileExistsError). Then the temporary
    files that killed writes to `path` left are removed. An OSError names `path`."""
    if within is not None:
        ensure_within(path.parent, within)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        info = path.lstat()
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
            # A device (/dev/null), a FIFO, a folder: renaming over it would replace it.
            raise UserError(f"{path} is not a regular file: refused to replace it")
        mode = info.st_mode & 0o7777 if stat.S_ISREG(info.st_mode) else 0o644
    except FileNotFoundError:
        mode = 0o644
    try:
        fd, tmp = _temporary(path)
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from None
    try:
        # Open until renamed: its lock tells a later write that this one is still at work.
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), mode)
            if exclusive:
                os.link(tmp, path)  # fails if the file exists: created whole, or not at all
            else:
                os.replace(tmp, path)
    except FileExistsError:
        raise
    except OSError as e:  # a full disk, say: which file could not be written
        raise OSError(e.errno, e.strerror, str(path)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)  # gone after a rename; the linked one's name
    remove_leftovers(path)


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path`, open and locked: its name `.NAME.XXXXXXXX.tmp`."""
    for _ in range(10):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except FileNotFoundError:
            pass  # another write took it for a leftover in the instant before the lock
        except OSError:
            return fd, tmp  # no locks on this file system: its age protects it
        os.close(fd)
    raise OSError(errno.EAGAIN, "its temporary files keep disappearing", str(path))


def remove_leftovers(path: Path) -> None:
    """Remove the temporary files that writes to `path` left when they were killed: those
    of write_atomic's making, whose writer is gone (none holds its lock) or, where the file
    system has no locks, that are older than STALE_AFTER."""
    prefix = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if (
            name.startswith(prefix)
            and name.endswith(".tmp")
            and _RANDOM.fullmatch(name[len(prefix) : -len(".tmp")])
        ):
            with contextlib.suppress(OSError):  # gone already, or not ours to remove
                _remove_if_abandoned(path.parent / name)


def _remove_if_abandoned(tmp: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # its writer is still at work
        except OSError:
            if time.time() - info.st_mtime < STALE_AFTER:
                return
        if os.lstat(tmp).st_ino == info.st_ino:  # still the file that was looked at
            tmp.unlink()
    finally:
        os.close(fd)


def ensure_within(folder: Path, root: Path) -> None:
    """Refuse `folder` if it is, or lies under, a symbolic link that leads out of `root`: an
    output folder planted as a link (say, in a pull request) must not send files elsewhere."""
    real, top = folder.resolve(), root.resolve()
    if not real.is_relative_to(top):
        raise UserError(
            f"{folder} leads to {real} through a symbolic link, outside {root}; remove the link"
        )


def write_build(rendition: Rendition, folder: Path, within: Path) -> list[tuple[Path, int]]:
    """Write `email.html`, `email.txt` and `email.mjml` into `folder` (which must stay
    `within` that folder), and the derived images the email points at into its `images/`;
    return paths and sizes (the images as one entry, their folder)."""
    written = []
    for name, text in (
        ("email.html", rendition.html),
        ("email.txt", rendition.text),
        ("email.mjml", rendition.mjml),
    ):
        data = text.encode()
        write_atomic(folder / name, data, within=within)
        written.append((folder / name, len(data)))
    images = write_images(rendition, folder, within)
    if images:
        written.append((folder / "images", sum(images.values())))
    return written


def write_images(rendition: Rendition, folder: Path, within: Path) -> dict[str, int]:
    """Write the derived images the email points at into `folder/images/`, each unless a
    file of its name and size is there already (the name is a hash of the bytes); their
    names and sizes."""
    written: dict[str, int] = {}
    for picture in rendition.pictures:
        source, file = picture.derived, picture.file
        if source is None or file is None or picture.status != "derived" or source.name in written:
            continue
        path = folder / file
        if not path.is_file() or path.stat().st_size != len(source.data):
            write_atomic(path, source.data, within=within)
        written[source.name] = len(source.data)
    return written
