"""Writing output files: atomically, so a crash never leaves half a file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from newsletter.build.render import Rendition
from newsletter.model.problems import UserError


def write_atomic(path: Path, data: bytes, *, within: Path | None = None) -> None:
    """Write `data` to `path` through a temporary file and a rename: a crash at any moment
    leaves either the old file or the new one, never a mix. The file keeps its mode; a
    symbolic link at `path` is replaced, never followed. With `within`, a folder of the
    path that is a symbolic link leading out of `within` is refused (a UserError)."""
    if within is not None:
        ensure_within(path.parent, within)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        info = path.lstat()
        mode = info.st_mode & 0o7777 if stat.S_ISREG(info.st_mode) else 0o644
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    `within` that folder); return paths and sizes."""
    written = []
    for name, text in (
        ("email.html", rendition.html),
        ("email.txt", rendition.text),
        ("email.mjml", rendition.mjml),
    ):
        data = text.encode()
        write_atomic(folder / name, data, within=within)
        written.append((folder / name, len(data)))
    return written


def create_atomic(path: Path, data: bytes, shown: str) -> None:
    """Create `path` with `data`, never overwriting a file (FileExistsError): written aside
    and linked into place, so that a full disk or a crash leaves no partial file behind. A
    failure to write is a UserError naming the file as `shown`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # fails if the file exists: created whole, or not at all
    except FileExistsError:
        raise
    except OSError as e:
        raise UserError(f"{shown}: cannot write it: {e.strerror or e}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
