"""What a command's start-up leaves on: the garbage collector for commands that run on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import click
import pytest

from newsletter.cli import COMMANDS, SHORT_LIVED, cli


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The collector off, as main() leaves it, and on again afterwards."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_only_short_lived_commands_run_without_the_collector(
    name: str, collector_off: None
) -> None:
    assert cli.get_command(click.Context(cli), name) is not None
    assert gc.isenabled() == (name not in SHORT_LIVED)
