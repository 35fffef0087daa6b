"""`newsletter build`: build ISSUE into email.html, email.txt and email.mjml."""

from __future__ import annotations

import time
from pathlib import Path

import click

from newsletter.checks.report import count, kilobytes
from newsletter.cli.exits import problems_exit
from newsletter.cli.options import output_folder
from newsletter.cli.startup import without_pydantic_plugins


@click.command()
@click.argument("issue", required=False)
@output_folder("Folder to write into (default: dist/ in the project).")
def build(issue: str | None, output: Path | None) -> None:
    """Build ISSUE into email.html, email.txt and email.mjml.

    ISSUE is an issue file, or its name in issues/ (default: the newest issue).
    The files go to DIR/<issue name>/.

    Example:

        newsletter build issues/2026-11-30.yaml -o dist
    """
    started = time.perf_counter()
    without_pydantic_plugins()
    from newsletter.checks.offline import run_checks
    from newsletter.project.files import write_build
    from newsletter.project.folder import Project

    with problems_exit():
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        inspection = project.inspect(path)
        root = output or project.root / "dist"
        # dist/ itself may not lead out of the project; a folder given with -o is the user's.
        within = output or project.root
        written = write_build(inspection.rendition, root / inspection.slug, within)
    width = max(len(project.show(p)) for p, _ in written)
    for p, size in written:
        click.echo(f"{project.show(p):<{width}}  {kilobytes(size):>8}")
    click.echo(f"Built {project.show(path)} in {time.perf_counter() - started:.2f} s.")
    findings = run_checks(inspection)
    errors = sum(f.severity == "error" for f in findings)
    if findings:
        click.echo(
            f"Checks: {count(errors, 'error')}, {count(len(findings) - errors, 'warning')}"
            " (newsletter check tells more)."
        )
    else:
        click.echo("Checks: all passed.")
