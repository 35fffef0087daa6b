"""The user's cache folder: what a build keeps between runs to start faster next time."""

from __future__ import annotations

import os


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
