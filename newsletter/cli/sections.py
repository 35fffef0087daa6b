"""`newsletter sections`: the issue's sections and their articles, numbered."""

from __future__ import annotations

import json
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit


@click.command()
@click.option(
    "--issue", "issue_name", default=None, help="The issue file (default: the newest issue)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
def sections(issue_name: str | None, as_json: bool) -> None:
    """List the issue's sections with their articles, numbered as --position counts.

    Each section is a line (its number, title and layout), each article an indented line
    (its position, title and URL). The issue may be a draft, with empty sections.

    Example:

    \b
        newsletter sections --issue 2026-11-30
    """
    from newsletter.build.load import load_issue
    from newsletter.curate.edit import outline
    from newsletter.project.folder import Project

    with problems_exit(""):
        project = Project.find(Path.cwd())
        path = project.issue_path(issue_name)
        issue = load_issue(path, project.show(path), project.theme.layouts, draft=True)
    listed = outline(issue)
    if as_json:
        click.echo(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    for section in listed:
        click.echo(f"{section['position']} {section['title']} ({section['layout']})")
        for article in section["articles"]:
            click.echo(f"  {article['position']}. {article['title']}  <{article['url']}>")
        if not section["articles"]:
            click.echo("  (no articles)")
