"""`newsletter export`: an issue as files for a mail service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from newsletter.checks.report import kilobytes
from newsletter.cli.exits import problems_exit
from newsletter.cli.options import output_folder


@click.command()
@click.argument("issue", required=False)
@click.option(
    "--to",
    "service_name",
    required=True,
    type=click.Choice(["mailchimp", "listmonk", "buttondown", "html", "eml"], case_sensitive=False),
    help="The mail service, or html / eml for the files alone.",
)
@output_folder("Folder to write into (default: dist/<issue name>/<service>/).")
@click.option("--no-utm", is_flag=True, help="Leave the links without UTM parameters this time.")
@click.option("--force", is_flag=True, help="Export even if the checks find errors.")
def export(
    issue: str | None, service_name: str, output: Path | None, no_utm: bool, force: bool
) -> None:
    """Export ISSUE for a mail service: its merge tags in the footer's links, UTM parameters.

    The pre-send checks run first: an issue they find errors in (a TODO left in, no
    unsubscribe link) is not exported unless --force says so.

    mailchimp: email.html, email.txt. listmonk: also campaign.json, the body of its
    POST /api/campaigns. buttondown: email.html for its raw HTML mode. html: the files with
    the settings' own links. eml: email.eml, a complete message to open or send.

    Example:

        newsletter export --to listmonk
    """
    from newsletter.export.services import export_files, preheader_for, service
    from newsletter.project.files import write_atomic
    from newsletter.project.folder import Project

    with problems_exit():
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        chosen = service(service_name)
        preheader = preheader_for(chosen, project.settings)
        inspection = project.inspect(path, chosen.links, preheader=preheader)
        now = dt.datetime.now(dt.UTC)
        files = export_files(chosen, inspection, utm=not no_utm, force=force, now=now)
        folder = output or project.root / "dist" / inspection.slug / chosen.name
        for file_name, data in files.items():
            write_atomic(folder / file_name, data, within=output or project.root)
    for file_name, data in files.items():
        click.echo(f"{project.show(folder / file_name)}  {kilobytes(len(data))}")
    click.echo(f"Exported {project.show(path)} for {chosen.name}.")
