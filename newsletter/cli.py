"""The command line: each command parses options, calls the core, prints what came back."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from newsletter import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsletter")
def cli() -> None:
    """Build a curated email newsletter from YAML issue files.

    Run the commands inside a newsletter project: a folder with newsletter.yaml,
    issues/ and a theme (templates/).
    """


@contextmanager
def problems_exit() -> Iterator[None]:
    """Turn the core's errors into messages and exit codes: 1 for problems in the input."""
    from newsletter.problems import ProblemsError
    from newsletter.project import ProjectError

    try:
        yield
    except ProblemsError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        count = len(e.problems)
        click.echo(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True
        )
        sys.exit(1)
    except ProjectError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)
    except OSError as e:
        click.echo(f"Error: {e.filename or ''}: {e.strerror or e}", err=True)
        sys.exit(1)


def _size(n: int) -> str:
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n} B"


@cli.command()
@click.argument("issue", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into (default: dist/ in the project).",
)
def build(issue: str | None, output: Path | None) -> None:
    """Build ISSUE into email.html, email.txt and email.mjml.

    ISSUE is an issue file, or its name in issues/ (default: the newest issue).
    The files go to DIR/<issue name>/.

    Example:

        newsletter build issues/2026-11-30.yaml -o dist
    """
    started = time.perf_counter()
    from newsletter.project import Project, slug
    from newsletter.writers import write_build

    with problems_exit():
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        rendition = project.render(path)
        folder = (output or project.root / "dist") / slug(path)
        written = write_build(rendition, folder)
    width = max(len(project.show(p)) for p, _ in written)
    for p, size in written:
        click.echo(f"{project.show(p):<{width}}  {_size(size):>8}")
    click.echo(f"Built {project.show(path)} in {time.perf_counter() - started:.2f} s.")


def main() -> None:
    """The `newsletter` console script."""
    cli(prog_name="newsletter")
