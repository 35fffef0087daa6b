"""What a command starts with: the garbage collector for commands that run on, and no
imports a build has no use for."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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


HEAVY = ("importlib.metadata", "email", "urllib.request", "ssl", "socket", "requests", "cssutils")
"""Modules a build has no use for (the second time, for cssutils), each ~2 to 60 ms to import."""


def test_a_build_imports_nothing_it_does_not_use(project: Path, tmp_path: Path) -> None:
    script = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print(sorted(set({HEAVY!r}) & set(sys.modules))))\n"
        "from newsletter.cli import main\n"
        "sys.argv = ['newsletter', 'build']\n"
        "main()\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    for _ in range(2):  # the first build fills the cache of parsed CSS
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
