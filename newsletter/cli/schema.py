"""`newsletter schema`: the JSON Schema of the issue format."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.cli.exits import problems_exit


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the schema to this file instead of the standard output.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the issue format, for completion and validation in editors.

    Inside a project, the schema lists the layouts of its theme.

    Example:

        newsletter schema -o issue.schema.json
    """
    from newsletter.model.jsonschema import issue_schema_text
    from newsletter.project.folder import Project, ProjectError

    with problems_exit():
        try:
            layouts: frozenset[str] | None = Project.find(Path.cwd()).theme.layouts
        except ProjectError:
            layouts = None
        text = issue_schema_text(layouts)
        if output is None:
            click.echo(text, nl=False)
            return
        from newsletter.project.files import write_atomic

        write_atomic(output, text.encode())
    click.echo(f"Wrote {output}")
