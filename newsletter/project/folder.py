"""A newsletter project: the folder with `newsletter.yaml`, its `issues/` and its theme."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

from newsletter.build.load import load_issue, load_issue_document, load_settings
from newsletter.build.render import FooterLinks, render_issue, settings_links
from newsletter.build.theme import Theme
from newsletter.checks.inspection import Inspection
from newsletter.model.issue import History, Issue
from newsletter.model.problems import Problem, ProblemsError, UserError
from newsletter.model.settings import Settings
from newsletter.project.history import featured_before
from newsletter.project.root import ISSUES_DIR, SETTINGS_FILE, find_root, shown


class ProjectError(UserError):
    """The command cannot find what it works on: no project, no such issue."""


@dataclass(frozen=True)
class Project:
    """Where the project is, and the folder its file names are shown relative to."""

    root: Path
    shown_from: Path

    @classmethod
    def find(cls, start: Path) -> Project:
        """The project containing `start`: the nearest folder upwards with `newsletter.yaml`."""
        start = start.resolve()
        if (root := find_root(start)) is not None:
            return cls(root, start)
        raise ProjectError(
            f"no {SETTINGS_FILE} in {start} or any folder above it; is this a newsletter project?"
        )

    def show(self, path: Path) -> str:
        """A path as the user should see it: relative to where they are, when below it; a
        symbolic link as itself, not its target."""
        return shown(path, self.shown_from)

    def own(self, path: Path) -> Path:
        """`path`, refused (a ProblemsError) if it is in the project but a symbolic link leads
        it out: a link committed to the repository must not put the text of another file
        (a key, a password) in a message or an email."""
        written = Path(os.path.abspath(path))
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            return path  # a link loop: reading it says so
        if written.is_relative_to(self.root) and not real.is_relative_to(self.root):
            shown = self.show(written)
            message = f"a symbolic link to {real}, outside the project: refused"
            raise ProblemsError([Problem("file/unreadable", shown, message=message)])
        return path

    @cached_property
    def settings(self) -> Settings:
        """The validated settings; raises ProblemsError."""
        path = self.own(self.root / SETTINGS_FILE)
        return load_settings(path, self.show(path))

    @cached_property
    def theme(self) -> Theme:
        """The project's theme, on top of the built-in one."""
        return Theme.load(self.root / self.settings.theme, self.shown_from)

    def issue_path(self, name: str | None) -> Path:
        """The issue file `name` names (a path, or a file name in `issues/`), or the newest one."""
        issues = self.root / ISSUES_DIR
        if name is None:
            found = sorted(issues.glob("*.yaml")) if issues.is_dir() else []
            if not found:
                raise ProjectError(f"no issues in {self.show(issues)}/; create one first")
            return self.own(found[-1])
        for candidate in (Path(name), issues / name, issues / f"{name}.yaml"):
            if candidate.is_file():
                return self.own(candidate)
        raise ProjectError(f"no issue file {name!r} (looked in {self.show(issues)}/ too)")

    def load_issue(self, path: Path) -> Issue:
        """The validated issue in `path`; raises ProblemsError."""
        return load_issue(path, self.show(path), self.theme.layouts)

    def inspect(
        self,
        path: Path,
        links: FooterLinks | None = None,
        *,
        preheader: str | None = None,
        history: Callable[[Path, Issue], History] | None = None,
    ) -> Inspection:
        """The issue in `path` loaded, validated and rendered once (with `links`, by default
        the settings' own, and `preheader` in place of the issue's): what a command builds,
        checks, exports or shows. Earlier issues are read (by `history`, by default
        `self.history`) only if a check asks what they featured. Raises ProblemsError."""
        document, issue = load_issue_document(path, self.show(path), self.theme.layouts)
        name = slug(path, self.show(path))
        links = links or settings_links(self.settings, name)
        rendition = render_issue(
            issue, self.settings, self.theme, links, preheader=preheader, images=self.root
        )
        past = partial(history or self.history, path, issue)
        return Inspection(
            document, issue, self.settings, rendition, links, name, past, images=self.root
        )

    def history(self, path: Path, issue: Issue) -> History:
        """What the issues before `issue` (in `path`) featured."""
        issues = self.root / ISSUES_DIR
        return featured_before(issues, path, issue.number, self.show, self.own, date=issue.date)


def slug(path: Path, shown: str | None = None) -> str:
    """The issue's name in output folders and URLs: its file name without `.yaml`; refused
    unless it is safe as both (`...yaml` would name the folder above)."""
    name = path.stem if path.suffix in (".yaml", ".yml") else os.path.basename(path)
    if not _SLUG.fullmatch(name):
        message = (
            "an issue's file name becomes a folder and a web address; use only"
            " a-z, A-Z, 0-9, '-', '_' and '.' (not first), such as 2026-11-30.yaml"
        )
        raise ProblemsError([Problem("file/name", shown or path.name, message=message)])
    return name


_SLUG = re.compile(r"[^\W_][\w.-]*", re.ASCII)
