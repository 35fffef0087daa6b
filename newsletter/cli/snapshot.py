"""`newsletter snapshot`: write PNG screenshots of ISSUE's email, taken in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.cli.exits import problems_exit
from newsletter.cli.options import output_folder


@click.command()
@click.argument("issue", required=False)
@click.option(
    "--width",
    "widths",
    default="600,375",
    show_default=True,
    help="Viewport widths in pixels, separated by commas.",
)
@click.option("--dark", is_flag=True, help="Also take each width in dark mode.")
@click.option(
    "--offline",
    is_flag=True,
    help="Draw placeholders instead of fetching images: nothing leaves the machine.",
)
@output_folder("Folder to write the PNG files into (default: dist/<issue name>/).")
def snapshot(
    issue: str | None, widths: str, dark: bool, offline: bool, output: Path | None
) -> None:
    """Write PNG screenshots of ISSUE's email, taken in headless Chromium.

    One file per width, email-WIDTH.png, and email-WIDTH-dark.png with --dark.

    Example:

        newsletter snapshot --width 600,375 --dark -o review/
    """
    from newsletter.preview.snapshot import screenshots
    from newsletter.project.files import write_atomic
    from newsletter.project.folder import Project, slug

    try:
        sizes = [int(w) for w in widths.split(",")]
    except ValueError:
        raise click.BadParameter(
            f"not a list of numbers: {widths!r}", param_hint="--width"
        ) from None
    if any(not 200 <= w <= 4000 for w in sizes):
        raise click.BadParameter("widths must be between 200 and 4000", param_hint="--width")
    with problems_exit():
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        rendition = project.inspect(path).rendition
        folder = output or project.root / "dist" / slug(path)
        shots = screenshots(
            rendition.html, sizes, dark=dark, offline=offline, images=rendition.published
        )
        for name, png in shots.items():
            write_atomic(folder / name, png, within=output or project.root)
            click.echo(f"{project.show(folder / name)}")
