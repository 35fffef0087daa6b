"""`newsletter remove`: take articles out of the issue by their URLs."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit


@click.command()
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--issue", "issue_name", default=None, help="The issue file (default: the newest issue)."
)
def remove(urls: tuple[str, ...], issue_name: str | None) -> None:
    """Remove the articles with these URLs from the issue.

    URLs are compared as `add` compares them (without tracking parameters, fragments or a
    trailing slash). An article the issue has twice is removed wherever it is. All or
    nothing: if a URL is not in the issue, nothing is removed. A section left without
    articles keeps its title with `articles: []`. Every other line of the file stays.

    Example:

    \b
        newsletter remove https://www.commonspace.eu/news/pashinyan-aliyev-vienna
    """
    from newsletter.curate.edit import remove_from_issue
    from newsletter.model.urls import normalize_url
    from newsletter.project.folder import Project

    try:
        with problems_exit():
            project = Project.find(Path.cwd())
            path = project.issue_path(issue_name)
            removed = remove_from_issue(path, project.show(path), project.theme.layouts, urls)
    except KeyboardInterrupt:  # waiting for another command's lock, say
        click.echo("Interrupted: the issue file is as it was, or has every change.", err=True)
        sys.exit(130)
    for place in removed:
        click.echo(
            f"Removed from {place.section}, position {place.position}: {place.title} {place.url}"
        )
    copies = Counter(normalize_url(place.url) for place in removed)
    for url in urls:
        if (count := copies[normalize_url(url)]) > 1:
            click.echo(f"  note: {url} was in the issue {count} times; every copy was removed")
