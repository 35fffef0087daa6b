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


def _build(project: Path, cache: Path, report: str) -> str:
    """What `report`, a Python expression, says as a build in a new process exits."""
    script = (
        "import atexit, gc, sys\n"
        f"atexit.register(lambda: print({report}))\n"
        "from newsletter.cli import main\n"
        "sys.argv = ['newsletter', 'build']\n"
        "main()\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_a_build_imports_nothing_it_does_not_use(project: Path, tmp_path: Path) -> None:
    report = f"sorted(set({HEAVY!r}) & set(sys.modules))"
    _build(project, tmp_path / "cache", report)  # the first build fills the cache of parsed CSS
    assert _build(project, tmp_path / "cache", report) == "[]"


def test_a_build_leaves_its_objects_to_the_exit(project: Path, tmp_path: Path) -> None:
    # Frozen: Python's last collection as it exits does not go through them.
    report = "gc.isenabled(), gc.get_freeze_count() > 0"
    assert _build(project, tmp_path / "cache", report) == "False True"
