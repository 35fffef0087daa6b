"""`newsletter new`: create the next issue file from the newest one, ready to fill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit
from newsletter.model.problems import UserError


@click.command()
@click.option(
    "--date",
    "date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The new issue's date, YYYY-MM-DD (default: a week after the newest issue).",
)
def new(date: dt.datetime | None) -> None:
    """Create the next issue file from the newest one, ready to fill.

    The next number, a week later, the same sections and layouts with no articles, and
    placeholders (TODO) for the subject, preheader and intro. Never overwrites a file.

    Example:

        newsletter new --date 2026-12-07
    """
    from newsletter.build.load import load_issue
    from newsletter.curate.new import next_issue
    from newsletter.project.files import write_atomic
    from newsletter.project.folder import Project
    from newsletter.project.root import ISSUES_DIR

    with problems_exit():
        project = Project.find(Path.cwd())
        newest = project.issue_path(None)
        issue = load_issue(newest, project.show(newest), project.theme.layouts, draft=True)
        name, text = next_issue(issue, newest.read_text(encoding="utf-8"), date and date.date())
        target = project.root / ISSUES_DIR / name
        try:
            write_atomic(target, text.encode("utf-8"), exclusive=True)
        except FileExistsError:
            message = f"{project.show(target)} exists already; new never overwrites an issue"
            raise UserError(message) from None
        except OSError as e:
            raise UserError(f"{project.show(target)}: cannot write it: {e.strerror}") from None
    sections = ", ".join(section.title for section in issue.sections)
    click.echo(f"Created {project.show(target)}: issue {issue.number + 1}; sections {sections}.")
    click.echo("Replace the TODO placeholders, then add articles with newsletter add.")
