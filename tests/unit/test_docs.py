"""The documentation: its generated references match the code, and the README's quickstart."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import click
import pytest
from click.testing import CliRunner

from newsletter.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    """docs/hooks.py, the MkDocs hooks, which are not part of the package."""
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def command_names() -> list[str]:
    """The names of the group's visible commands, as click lists them."""
    ctx = click.Context(cli, info_name="newsletter")
    names = []
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None, name
        if not command.hidden:
            names.append(name)
    return names


def test_the_cli_reference_is_each_commands_help_with_its_example(hooks: ModuleType) -> None:
    reference: str = hooks.cli_reference()
    runner = CliRunner()
    width: int = hooks.HELP_WIDTH
    group = runner.invoke(cli, ["--help"], prog_name="newsletter", terminal_width=width)
    assert group.exit_code == 0
    assert f"## newsletter\n\n```text\n{group.output}```\n" in reference
    for name in command_names():
        result = runner.invoke(cli, [name, "--help"], prog_name="newsletter", terminal_width=width)
        assert result.exit_code == 0, result.output
        assert "\n  Example:\n\n      newsletter " + name in result.output, name
        assert f"## newsletter {name}\n\n```text\n{result.output}```\n" in reference, name


def test_the_cli_page_has_every_command(hooks: ModuleType) -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    built: str = hooks.expand(page, "cli.md")
    assert "<!-- cli-reference -->" not in built
    headings = re.findall(r"^## newsletter (\S+)$", built, flags=re.MULTILINE)
    assert headings == command_names()
    # The table of commands at the top is written by hand: it must not fall behind.
    glance = re.findall(r"^\| \[`([a-z-]+)`\]\(#newsletter-\1\) \|", page, flags=re.MULTILINE)
    assert sorted(glance) == sorted(command_names())


def test_the_checks_page_lists_every_code_in_its_table(hooks: ModuleType) -> None:
    built: str = hooks.expand((DOCS / "checks.md").read_text(encoding="utf-8"), "checks.md")
    assert "<!-- check-codes -->" not in built
    assert "<!-- input-codes -->" not in built
    checks, _, inputs = built.partition("## Problems of the input")
    for code in hooks.problem_codes():  # newsletter.model.codes.CODES
        row = f"| `{code.code}` | {code.severity} | "
        assert (row in checks, row in inputs) == (code.check, not code.check), code.code


def test_a_page_without_its_marker_fails_the_build(hooks: ModuleType) -> None:
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match="cli-reference"):
        hooks.expand("# CLI reference\n", "cli.md")


def test_the_readme_quickstart_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```sh\n(.*?)^```$", quickstart, flags=re.MULTILINE | re.DOTALL)
    assert block is not None
    commands = [line.partition("#")[0].strip() for line in block[1].splitlines()]
    assert commands == ["./dev build", "./dev test"]
