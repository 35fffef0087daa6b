"""`newsletter preview`: the preview server given a newsletter to build, and files to watch."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from newsletter.checks.offline import run_checks
from newsletter.model.issue import History, Issue
from newsletter.model.problems import ProblemsError, UserError
from newsletter.preview.server import Build, PreviewServer
from newsletter.project.folder import Project
from newsletter.project.root import ISSUES_DIR, SETTINGS_FILE, find_root

Echo = Callable[..., None]


class IssueBuilder:
    """What the preview calls on every change: the issue in `path` built and checked with the
    settings and templates as they are now, a line about it for the terminal.

    Between builds it keeps the project (until the settings change) and what earlier issues
    featured (until one of them changes): a save of the issue itself reads neither again.
    """

    def __init__(self, cwd: Path, path: Path, echo: Echo) -> None:
        self.cwd, self.path, self.echo = cwd, path, echo
        root = find_root(cwd.resolve()) or cwd.resolve()
        self.settings, self.issues = root / SETTINGS_FILE, root / ISSUES_DIR
        self.project: Project | None = None
        self.past: tuple[tuple[object, ...], History] | None = None

    def noticed(self, changed: Path) -> bool:
        """Whether a change to the file `changed` calls for a build (the issue, the settings,
        another issue); forgets what it made stale."""
        if changed == self.settings:
            self.project = None
        elif changed.parent == self.issues and changed.suffix == ".yaml" and changed != self.path:
            self.past = None  # an earlier issue: what it featured may be news to this one
        else:
            return changed == self.path
        return True

    def history(self, path: Path, issue: Issue) -> History:
        """What the issues before this one featured, as last read unless one changed."""
        assert self.project is not None
        key = (path, issue.number, issue.date)
        past = self.past
        if past is None or past[0] != key:
            past = self.past = (key, self.project.history(path, issue))
        return past[1]

    def __call__(self) -> Build:
        started = time.perf_counter()
        clock = time.strftime("%H:%M:%S")
        try:
            if self.project is None:
                self.project = Project.find(self.cwd)  # compiled templates stay warm
            project = self.project
            inspection = project.inspect(self.path, history=self.history)
        except (ProblemsError, UserError) as e:
            self.project = None  # read it again: the fix may be in the settings
            problems = [str(p) for p in e.problems] if isinstance(e, ProblemsError) else [str(e)]
            self.echo(f"{clock} {len(problems)} problem(s):", err=True)
            for problem in problems:
                self.echo(f"  {problem}", err=True)
            return Build(problems=tuple(problems), seconds=time.perf_counter() - started)
        checks = tuple(str(finding) for finding in run_checks(inspection))
        seconds = time.perf_counter() - started
        self.echo(f"{clock} built {project.show(self.path)} in {seconds * 1000:.0f} ms")
        r = inspection.rendition
        # The derived images are shown from the preview itself: they are published only with
        # the archive. The size is the email's as it is sent, with their published addresses.
        shown = [p.derived for p in r.pictures if p.derived and p.status == "derived"]
        return Build(
            r.with_images_at("/images/"),
            r.text,
            r.mjml,
            r.subject,
            checks=checks,
            seconds=seconds,
            images={source.name: source.data for source in shown},
            size=len(r.html.encode()),
        )


def serve(
    server: PreviewServer, project: Project, path: Path, *, open_browser: bool, echo: Echo
) -> None:
    """Build, watch the issue, the settings and the theme, and serve until Ctrl-C."""
    theme = (project.root / project.settings.theme).resolve()
    try:  # Ctrl-C at any moment from here stops cleanly
        builder = server.builder
        noticed = (
            builder.noticed
            if isinstance(builder, IssueBuilder)
            else lambda p: p == path or p == project.root / SETTINGS_FILE
        )
        folders = [path.parent, project.root, project.root / ISSUES_DIR]
        server.watch(folders, recursive=False, accept=noticed)
        server.watch([theme], recursive=True, accept=lambda p: True)
        echo(f"Previewing {project.show(path)} at {server.url} (Ctrl-C to stop)")
        server.start()  # after the line above, so the first build's line comes second
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    echo("Stopped.")
