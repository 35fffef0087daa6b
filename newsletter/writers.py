"""Writing output files: atomically, so a crash never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from newsletter.render import Rendition


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename: a crash at any moment
    leaves either the old file or the new one, never a mix. The file keeps its mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
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


def write_build(rendition: Rendition, folder: Path) -> list[tuple[Path, int]]:
    """Write `email.html`, `email.txt` and `email.mjml` into `folder`; return paths and sizes."""
    written = []
    for name, text in (
        ("email.html", rendition.html),
        ("email.txt", rendition.text),
        ("email.mjml", rendition.mjml),
    ):
        data = text.encode()
        write_atomic(folder / name, data)
        written.append((folder / name, len(data)))
    return written
