"""`newsletter send-test`: send ISSUE as a test email, its subject marked [TEST], over SMTP."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit


@click.command("send-test")
@click.argument("issue", required=False)
@click.option(
    "--to",
    "recipients",
    required=True,
    multiple=True,
    help="Who gets the test: an address, or several separated by commas.",
)
@click.option(
    "--smtp",
    "server",
    default="localhost:25",
    show_default=True,
    help="HOST:PORT; HOST alone: port 25, 587 with --starttls, 465 with --ssl.",
)
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS.")
@click.option("--ssl", "use_ssl", is_flag=True, help="Connect with TLS from the start.")
@click.option(
    "--user",
    default=None,
    help="Log in as this user; the password comes from NEWSLETTER_SMTP_PASSWORD.",
)
def send_test(
    issue: str | None,
    recipients: tuple[str, ...],
    server: str,
    starttls: bool,
    use_ssl: bool,
    user: str | None,
) -> None:
    """Send ISSUE as a test email, its subject marked [TEST], over SMTP.

    The password is never an option (it would stay in the shell's history): set it in the
    NEWSLETTER_SMTP_PASSWORD environment variable.

    Example:

    \b
        newsletter send-test --to me@example.org --smtp smtp.example.org:587 --starttls
    """
    from newsletter.export.message import compose, safe_address
    from newsletter.export.smtp import Smtp, send, smtp_address
    from newsletter.project.folder import Project

    if starttls and use_ssl:
        raise click.UsageError("--starttls and --ssl exclude each other")
    security = "ssl" if use_ssl else "starttls" if starttls else "none"
    try:
        host, port = smtp_address(server, security)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--smtp") from None
    password = os.environ.get("NEWSLETTER_SMTP_PASSWORD")
    if user and password is None:
        raise click.UsageError("--user needs the password in NEWSLETTER_SMTP_PASSWORD")
    addresses = [a for value in recipients for a in value.split(",") if a.strip()]
    if not addresses:
        raise click.BadParameter("no address given", param_hint="--to")
    with problems_exit(outcome="nothing was sent"):
        # Every address is checked before anything is built or any connection made.
        to = [safe_address(a) for a in addresses]
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        inspection = project.inspect(path)
        rendition = inspection.exported(inspection.rendition)
        message = compose(
            rendition,
            project.settings,
            now=dt.datetime.now(dt.UTC),
            to=to,
            subject=f"[TEST] {rendition.subject}",
        )
        send(message, Smtp(host, port, security, user, password))
    click.echo(f"Sent {message['Subject']} to {', '.join(to)} through {server}.")
