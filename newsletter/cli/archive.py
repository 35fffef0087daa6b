"""`newsletter archive`: the public archive of every issue."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from newsletter.archive.quick import Summary
from newsletter.checks.report import count
from newsletter.cli.exits import problems_exit
from newsletter.cli.options import output_folder
from newsletter.cli.startup import without_pydantic_plugins


@click.command()
@output_folder("Folder to write the site into (default: site/ in the project).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Issues rendered at once (default: one per processor).",
)
@click.option("--future", is_flag=True, help="Publish issues dated after today too.")
def archive(output: Path | None, jobs: int | None, future: bool) -> None:
    """Build the public archive: a page per issue, an index, an Atom feed and a sitemap.

    Only issues whose file, neighbours, settings or theme changed since the last build in
    that folder are rendered again, and the pages of issue files that are gone are removed.
    An issue with problems is reported (exit 1) and the others are still built. Issues
    dated after today are drafts, left out until their day (--future publishes them). The
    folder must be new, empty, or one this command wrote.

    Example:

        newsletter archive -o site
    """
    from newsletter.archive import quick
    from newsletter.project.root import find_root, shown

    started = time.perf_counter()
    until = None if future else dt.date.today()
    start = Path.cwd().resolve()
    root = find_root(start)
    built = quick.unchanged(root, output or root / "site", until) if root else None
    if root and built is not None:  # nothing to do: known without loading anything
        out = output or root / "site"
        summary = Summary(0, len(built.pages), (), tuple(built.warnings), (), built.future)
        _report(summary, shown(out, start), started)
        return
    without_pydantic_plugins()
    from newsletter.archive.site import write_archive
    from newsletter.project.folder import Project

    with problems_exit():
        project = Project.find(Path.cwd())
        out = output or project.root / "site"
        bar: Any = None
        if sys.stderr.isatty():
            bar = click.progressbar(length=0, label="Rendering", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if bar is not None and total > 4:
                bar.length = total
                bar.update(1)

        summary = write_archive(
            project,
            out,
            jobs=jobs or os.cpu_count() or 1,
            until=until,
            progress=progress,
        )
        if bar is not None:
            bar.render_finish()
    _report(summary, project.show(out), started)


def _report(summary: Summary, out: str, started: float) -> None:
    """Say what the archive did, and exit 1 if it found problems."""
    for problem in summary.problems:
        click.echo(str(problem), err=True)
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    seconds = time.perf_counter() - started
    removed = f"{len(summary.removed)} removed, " if summary.removed else ""
    click.echo(
        f"Archive in {out}: {count(summary.built, 'issue')} built, "
        f"{summary.skipped} unchanged, {removed}{count(len(summary.problems), 'problem')}, "
        f"in {seconds:.2f} s."
    )
    if summary.future:
        later = count(summary.future, "issue")
        click.echo(f"Left out {later} dated after today (--future publishes them).")
    if summary.problems:
        sys.exit(1)
