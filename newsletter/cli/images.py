"""`newsletter images`: keep the originals of the images that hand-written articles show."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit
from newsletter.cli.options import SECONDS


@click.command()
@click.option(
    "--issue", "issue_name", default=None, help="The issue file (default: the newest issue)."
)
@click.option("--all", "every", is_flag=True, help="Every issue in issues/, not only one.")
@click.option(
    "--timeout", type=SECONDS, default=10.0, show_default=True, help="Seconds to wait per image."
)
def images(issue_name: str | None, every: bool, timeout: float) -> None:
    """Fetch and keep the images of articles that have `image:` but no `image_file:`.

    Each image is fetched once, checked to be a JPEG, PNG, GIF, WebP or AVIF of at most
    10 MB, and kept in images/ under the hash of its bytes (the same image is kept once);
    the article gets `image_file: images/<hash>.<ext>` next to its `image:`. Every other
    byte of the issue file stays. Run again, it fetches only what is still missing. Exit 1
    if any image could not be had.

    Example:

    \b
        newsletter images
        newsletter images --all
    """
    from newsletter.curate.originals import fetch_missing
    from newsletter.project.folder import Project
    from newsletter.project.root import ISSUES_DIR

    if every and issue_name is not None:
        raise click.UsageError("give --issue or --all, not both")
    failed = False
    try:
        with problems_exit():
            project = Project.find(Path.cwd())
            if every:
                paths = sorted((project.root / ISSUES_DIR).glob("*.yaml"))
            else:
                paths = [project.issue_path(issue_name)]
            for path in paths:
                shown = project.show(path)
                missing = fetch_missing(
                    path, shown, project.theme.layouts, project.root, timeout=timeout
                )
                for item in missing:
                    if item.file is not None:
                        click.echo(f"Kept {item.file} for {item.title} ({shown})")
                    else:
                        message = f"{item.image}: {item.failure} ({shown}: {item.title})"
                        click.echo(f"Error: {message}", err=True)
                        failed = True
                if not missing:
                    click.echo(f"{shown}: every image is kept.")
    except KeyboardInterrupt:
        click.echo("Interrupted: the issue file is as it was, or has every image.", err=True)
        sys.exit(130)
    if failed:
        sys.exit(1)
