"""`newsletter move`: move an article to another section, or another place in its own."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit


@click.command()
@click.argument("url")
@click.option("-s", "--section", required=True, help="The section to move to (its title).")
@click.option(
    "--position",
    type=click.IntRange(min=1),
    default=None,
    help="Its place in that section, 1 being first (default: last).",
)
@click.option(
    "--issue", "issue_name", default=None, help="The issue file (default: the newest issue)."
)
@click.option("--create-section", is_flag=True, help="Create the section if the issue lacks it.")
def move(
    url: str, section: str, position: int | None, issue_name: str | None, create_section: bool
) -> None:
    """Move the article with this URL to a section, or to another place in its own.

    The article's lines move as they are, comments included; every other line of the file
    stays. A position past the end of the section is refused (the last place is the number
    of its articles, plus one when the article comes from another section).

    Example:

    \b
        newsletter move https://www.commonspace.eu/news/pashinyan-aliyev-vienna \\
            --section "Lead story" --position 1
    """
    from newsletter.curate.edit import move_in_issue
    from newsletter.project.folder import Project

    try:
        with problems_exit():
            project = Project.find(Path.cwd())
            path = project.issue_path(issue_name)
            done = move_in_issue(
                path,
                project.show(path),
                project.theme.layouts,
                url,
                section,
                position=position,
                create=create_section,
            )
    except KeyboardInterrupt:  # waiting for another command's lock, say
        click.echo("Interrupted: the issue file is as it was, or has every change.", err=True)
        sys.exit(130)
    old, new = done.old, done.new
    if done.stayed:
        click.echo(f"Already in {new.section}, position {new.position}: {new.title} {new.url}")
    else:
        click.echo(
            f"Moved from {old.section}, position {old.position}, to {new.section},"
            f" position {new.position}: {new.title} {new.url}"
        )
