"""`newsletter preview`: the preview server given a newsletter to build, and files to watch."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from newsletter.checks.offline import run_checks
from newsletter.model.problems import ProblemsError, UserError
from newsletter.preview.server import Build, PreviewServer
from newsletter.project.folder import Project
from newsletter.project.root import SETTINGS_FILE

Echo = Callable[..., None]


def issue_builder(cwd: Path, path: Path, echo: Echo) -> Callable[[], Build]:
    """What the preview calls on every change: the issue in `path` built and checked with the
    settings and templates as they are now, a line about it for the terminal."""

    def build() -> Build:
        started = time.perf_counter()
        clock = time.strftime("%H:%M:%S")
        try:
            project = Project.find(cwd)  # the theme's compiled templates stay warm
            inspection = project.inspect(path)
        except (ProblemsError, UserError) as e:
            problems = [str(p) for p in e.problems] if isinstance(e, ProblemsError) else [str(e)]
            echo(f"{clock} {len(problems)} problem(s):", err=True)
            for problem in problems:
                echo(f"  {problem}", err=True)
            return Build(problems=tuple(problems), seconds=time.perf_counter() - started)
        checks = tuple(str(finding) for finding in run_checks(inspection))
        seconds = time.perf_counter() - started
        echo(f"{clock} built {project.show(path)} in {seconds * 1000:.0f} ms")
        r = inspection.rendition
        return Build(r.html, r.text, r.mjml, r.subject, checks=checks, seconds=seconds)

    return build


def serve(
    server: PreviewServer, project: Project, path: Path, *, open_browser: bool, echo: Echo
) -> None:
    """Build, watch the issue, the settings and the theme, and serve until Ctrl-C."""
    theme = (project.root / project.settings.theme).resolve()
    try:  # Ctrl-C at any moment from here stops cleanly
        server.watch(
            [path.parent, project.root],
            recursive=False,
            accept=lambda p: p == path or (p.name == SETTINGS_FILE and p.parent == project.root),
        )
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
