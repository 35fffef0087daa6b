"""`newsletter init`: a new newsletter project."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
def init(folder: Path) -> None:
    """Create a new newsletter project in FOLDER: settings, theme and a first issue.

    FOLDER must not exist yet, or be empty.

    Example:

        newsletter init my-weekly
    """
    from newsletter.project.scaffold import create_project

    with problems_exit():
        created = create_project(folder, dt.date.today())
    click.echo(f"Created a newsletter in {folder}:")
    for path in created:
        click.echo(f"  {path.relative_to(folder)}")
    go = "" if folder.resolve() == Path.cwd().resolve() else f"  cd {folder}\n"
    click.echo(f"Next:\n{go}  newsletter build")
