"""`newsletter preview`: the issue in a browser, rebuilt on every change."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.cli.exits import problems_exit


@click.command()
@click.argument("issue", required=False)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; anything but this machine shares the preview.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def preview(issue: str | None, port: int, host: str, open_browser: bool) -> None:
    """Preview ISSUE in a browser, rebuilt whenever its file, the settings or a template changes.

    The page shows the email at desktop and phone widths, in dark mode, its text and MJML,
    its size against Gmail's clip, and every problem; a broken file shows as an error page
    until it is fixed. Ctrl-C stops it.

    Example:

        newsletter preview --open
    """
    from newsletter.preview.app import IssueBuilder, serve
    from newsletter.preview.server import PreviewServer
    from newsletter.project.folder import Project

    cwd = Path.cwd()
    with problems_exit():
        project = Project.find(cwd)
        path = project.issue_path(issue).resolve()
        project.settings  # noqa: B018  (bad settings: reported now, not at the first build)
    try:
        server = PreviewServer((host, port), IssueBuilder(cwd, path, click.echo))
    except OSError as e:
        message = f"cannot listen on {host}:{port}: {e.strerror}"
        if port:
            message += " (--port 0 picks a free port)"
        raise click.ClickException(message) from None
    if not server.local:  # 127.0.0.2 and ::1 are this machine as much as 127.0.0.1
        click.echo(
            f"Warning: listening on {host}: others on the network can see the preview.", err=True
        )
    serve(server, project, path, open_browser=open_browser, echo=click.echo)
