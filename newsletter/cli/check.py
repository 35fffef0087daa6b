"""`newsletter check`: the pre-send checks of an issue."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit, progress_bar, use_colour
from newsletter.cli.options import SECONDS


@click.command()
@click.argument("issue", required=False)
@click.option("--online", is_flag=True, help="Also request every link and image.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the stable format for CI, described by newsletter/checks/report.schema.json.",
)
@click.option(
    "--spam",
    is_flag=True,
    help="Also score the message (as export --to eml writes it) with SpamAssassin, if installed.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
@click.option(
    "--timeout",
    type=SECONDS,
    default=10.0,
    show_default=True,
    help="With --online: seconds per request.",
)
def check(
    issue: str | None, online: bool, spam: bool, output_format: str, strict: bool, timeout: float
) -> None:
    """Check ISSUE before sending: size, subject, leftovers, links, images, text, footer.

    Every finding has a code (e.g. size/clipped), a severity and, where it can, the line
    of the issue file to fix. Exit status 1 on errors, and on warnings with --strict.
    --spam runs SpamAssassin's local tests (no network) on the message: a score of 5 or
    more is an error, each rule that adds points a warning.

    Example:

        newsletter check --online --spam --strict
    """
    from newsletter.checks.budget import measure
    from newsletter.checks.offline import run_checks
    from newsletter.checks.report import Report
    from newsletter.model.problems import ProblemsError, in_file_order
    from newsletter.project.folder import Project

    as_json = output_format == "json"
    budget = verdict = None
    with problems_exit(outcome=""):
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        try:
            inspection = project.inspect(path)
        except ProblemsError as e:
            if not as_json:
                raise
            findings = e.problems
        else:
            findings = run_checks(inspection)
            if online:
                from newsletter.checks.online import check_online

                with progress_bar("Requesting links and images", shown=not as_json) as advance:
                    findings += check_online(inspection, timeout=timeout, progress=advance)
            if spam:
                import datetime as dt

                from newsletter.checks.spamassassin import assess
                from newsletter.export.services import eml

                rendition = inspection.exported(inspection.rendition)
                verdict = assess(eml(rendition, project.settings, now=dt.datetime.now(dt.UTC)))
                findings += verdict.findings(project.show(path), project.settings.checks.ignore)
            if online or spam:
                findings.sort(key=in_file_order)
            budget = measure(inspection, project.theme)
    report = Report(project.show(path), findings, budget, strict, verdict)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines(lambda text, colour: click.style(text, fg=colour, bold=True)):
            click.echo(line, color=use_colour())
    if report.failed:
        sys.exit(1)
