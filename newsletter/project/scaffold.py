"""A new newsletter project: settings, a copy of the built-in theme, a first issue, its schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from newsletter.build.theme import BUILTIN, Theme
from newsletter.model.jsonschema import issue_schema_text
from newsletter.model.problems import UserError

STARTER = Path(__file__).parent / "starter"
"""The starter files: settings, a first issue (with `{date}` and `{layouts}`), `.gitignore`."""

THEME_DIR = "templates"
SCHEMA_FILE = "issue.schema.json"


def create_project(folder: Path, today: dt.date) -> list[Path]:
    """Create a project in `folder` (new, or empty) and return the files created, sorted."""
    _check_free(folder)
    folder.mkdir(parents=True, exist_ok=True)
    created = _copy_theme(folder / THEME_DIR)
    layouts = Theme.load(folder / THEME_DIR).layouts
    issue = _starter("issue.yaml").replace("{date}", today.isoformat())
    issue = issue.replace("{layouts}", ", ".join(sorted(layouts)))
    created += [
        _create(folder / "newsletter.yaml", _starter("newsletter.yaml").encode()),
        _create(folder / "issues" / f"{today.isoformat()}.yaml", issue.encode()),
        _create(folder / SCHEMA_FILE, issue_schema_text(layouts).encode()),
        _create(folder / ".gitignore", _starter("gitignore").encode()),
    ]
    return sorted(created)


def _check_free(folder: Path) -> None:
    """Refuse a folder that has something in it: a new project never overwrites anything."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file; give the name of a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UserError(f"{folder} is not empty; give the name of a new or empty folder")


def _starter(name: str) -> str:
    return (STARTER / name).read_text(encoding="utf-8")


def _create(path: Path, data: bytes) -> Path:
    """Write a new file; fail if it exists rather than overwrite it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as f:
        f.write(data)
    return path


def _copy_theme(target: Path) -> list[Path]:
    """Copy every file of the built-in theme, as new files the editor can change."""
    # Not shutil.copytree: it copies permissions, and an installed package may be read-only.
    return [
        _create(target / source.relative_to(BUILTIN), source.read_bytes())
        for source in sorted(BUILTIN.rglob("*"))
        if source.is_file()
    ]
