"""The user's cache folder: what a build keeps between runs to start faster next time."""

from __future__ import annotations

import contextlib
import os
import tempfile


def user_cache_folder(name: str) -> str | None:
    """The folder `name` in the user's cache ($XDG_CACHE_HOME/newsletter or
    ~/.cache/newsletter), made private to the user; None where it cannot be made or is not
    the user's own, since what another user put there is not to be trusted."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # a relative one is to be ignored, says the specification
        base = os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "newsletter", name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.stat(folder).st_uid != os.getuid() or not os.access(folder, os.W_OK):
            return None
    except OSError:
        return None
    return folder


def write_cached(folder: str, name: str, data: bytes, *, most: int) -> None:
    """Write `data` as the file `name` in `folder`, whole or not at all (a reader never sees
    half a file), then keep only the `most` files written last. Quietly does nothing when the
    disk is full or the folder cannot be written: a cache is only ever a help."""
    with contextlib.suppress(OSError):
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, os.path.join(folder, name))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        entries = list(os.scandir(folder))
        if len(entries) > most:
            entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
            for entry in entries[: len(entries) - most]:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
