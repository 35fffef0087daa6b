"""Where the project is, found without loading anything: a command that may have nothing to
do (an archive with nothing changed) asks this first."""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_FILE = "newsletter.yaml"
ISSUES_DIR = "issues"


def find_root(start: Path) -> Path | None:
    """The nearest folder upwards from `start` (resolved) with `newsletter.yaml`, if any."""
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def shown(path: Path, start: Path) -> str:
    """A path as the user should see it: relative to `start` (where they are), when below
    it; a symbolic link as itself, not its target."""
    path = Path(os.path.abspath(path))
    return str(path.relative_to(start)) if path.is_relative_to(start) else str(path)
