"""The command line: each command parses options, calls the core, prints what came back.

Each command lives in its own module, imported only when that command runs, so that
`newsletter --help` stays instant.
"""

from __future__ import annotations

import gc
import importlib

import click

from newsletter import __version__

COMMANDS = {
    "init": "init",
    "new": "new",
    "add": "add",
    "remove": "remove",
    "move": "move",
    "sections": "sections",
    "images": "images",
    "build": "build",
    "check": "check",
    "preview": "preview",
    "snapshot": "snapshot",
    "export": "export",
    "send-test": "send_test",
    "archive": "archive",
    "schema": "schema",
}
"""Each command's name, and its module in this package (which defines a function of that
module's name)."""

SHORT_LIVED = frozenset({"build"})
"""Commands that run for a moment and exit: the garbage collector stays off while they run."""


class LazyGroup(click.Group):
    """A group whose commands are imported when they are run or their help is shown."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        if cmd_name not in SHORT_LIVED:
            gc.enable()
        module = importlib.import_module(f"{__name__}.{module_name}")
        command = getattr(module, module_name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsletter")
def cli() -> None:
    """Build a curated email newsletter from YAML issue files.

    Run the commands inside a newsletter project: a folder with newsletter.yaml,
    issues/ and a theme (templates/).
    """


def main() -> None:
    """The `newsletter` console script."""
    # Starting up makes many objects and few reference cycles: collecting garbage costs a
    # build ~4% of its time and frees next to nothing. Commands that run on (the preview, the
    # archive) turn it on again when they are chosen, before they load.
    gc.disable()
    try:
        cli(prog_name="newsletter")
    finally:
        if not gc.isenabled():
            # Python collects once more as it exits, through every object a build made (~10%
            # of a build's time): they go with the process anyway.
            gc.freeze()
