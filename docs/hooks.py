"""MkDocs hooks: the reference pages take their text from the code when the site is built.

In `cli.md`, `<!-- cli-reference -->` becomes the --help text of `newsletter` and of each of
its commands. In `checks.md`, `<!-- check-codes -->` becomes the table of the pre-send
checks' codes and `<!-- input-codes -->` that of the problems of the input, both from
`newsletter.model.codes.CODES`. Code that cannot be imported, or a marker missing from its
page, fails the build: the reference pages cannot drift from the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

import click
from mkdocs.exceptions import PluginError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

HELP_WIDTH = 80
"""Columns of the --help text: fixed, so that the pages do not depend on the terminal."""


class Code(Protocol):
    """What the tables need of an entry of `newsletter.model.codes.CODES`."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def meaning(self) -> str: ...
    @property
    def check(self) -> bool: ...


def _group() -> click.Group:
    """The `newsletter` click group."""
    try:
        from newsletter.cli import cli
    except ImportError as e:
        raise PluginError(f"the CLI reference needs newsletter.cli.cli: {e}") from e
    if not isinstance(cli, click.Group):
        raise PluginError(f"newsletter.cli.cli is not a click group but {cli!r}")
    return cli


def problem_codes() -> list[Code]:
    """Every problem code, in the order the documentation shows them."""
    try:
        from newsletter.model.codes import CODES
    except ImportError as e:
        raise PluginError(f"the checks reference needs newsletter.model.codes.CODES: {e}") from e
    return list(CODES.values())


def _help_section(title: str, text: str) -> str:
    """One command's help under a heading of its own."""
    return f"## {title}\n\n```text\n{text.rstrip()}\n```\n"


def cli_reference() -> str:
    """The --help text of the `newsletter` group and of each of its commands, as Markdown."""
    group = _group()
    settings: dict[str, Any] = {
        **group.context_settings,
        "terminal_width": HELP_WIDTH,
        "max_content_width": HELP_WIDTH,
    }
    ctx = click.Context(group, info_name="newsletter", **settings)
    sections = [_help_section("newsletter", group.get_help(ctx))]
    # list_commands + get_command rather than group.commands: a lazy group fills that only
    # for commands it has loaded.
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            raise PluginError(f"the CLI lists a command {name!r} that it cannot load")
        if command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx, **command.context_settings)
        sections.append(_help_section(f"newsletter {name}", command.get_help(sub)))
    return "\n".join(sections)


_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)


def _cell(text: str) -> str:
    """Markdown for a cell of a table: on one line, and a pipe outside a code span escaped
    (it would end the cell; inside one, the table reads it as a pipe, and a backslash would
    show)."""
    parts: list[str] = []
    end = 0
    for span in _CODE_SPAN.finditer(text):
        parts += [text[end : span.start()].replace("|", "\\|"), span[0]]
        end = span.end()
    parts.append(text[end:].replace("|", "\\|"))
    return " ".join("".join(parts).split())


def _codes_table(codes: Iterable[Code]) -> str:
    """A Markdown table of codes: code, severity, meaning."""
    rows = [f"| `{c.code}` | {c.severity} | {_cell(c.meaning)} |" for c in codes]
    if not rows:
        raise PluginError("newsletter.model.codes.CODES has no codes for this table")
    return "\n".join(["| code | severity | meaning |", "|---|---|---|", *rows])


def check_codes_table() -> str:
    """The codes `newsletter check` reports and `checks.ignore` accepts."""
    return _codes_table(c for c in problem_codes() if c.check)


def input_codes_table() -> str:
    """The codes of problems of the input, which stop a build and cannot be ignored."""
    return _codes_table(c for c in problem_codes() if not c.check)


MARKERS: dict[str, dict[str, Callable[[], str]]] = {
    "cli.md": {"<!-- cli-reference -->": cli_reference},
    "checks.md": {
        "<!-- check-codes -->": check_codes_table,
        "<!-- input-codes -->": input_codes_table,
    },
}
"""For each page (its path in docs/), its markers and what replaces each."""


def expand(markdown: str, page: str) -> str:
    """The page's Markdown with each of its markers replaced by the text it stands for."""
    for marker, make in MARKERS.get(page, {}).items():
        if markdown.count(marker) != 1:
            raise PluginError(f"docs/{page} must hold {marker} once: the generated text goes there")
        markdown = markdown.replace(marker, make())
    return markdown


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """MkDocs event: fill in the markers of the page being built."""
    return expand(markdown, page.file.src_uri)
