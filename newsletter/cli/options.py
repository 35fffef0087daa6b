"""Option types the commands share."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click


class Seconds(click.FloatRange):
    """A timeout: more than 0 seconds, at most 10 minutes."""

    name = "number of seconds"

    def __init__(self) -> None:
        super().__init__(0, 600, min_open=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):  # every comparison with nan is false: the range lets it by
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


SECONDS = Seconds()


F = TypeVar("F", bound=Callable[..., Any])


def output_folder(help: str) -> Callable[[F], F]:
    """The `-o/--output FOLDER` option of a command that writes files."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help,
    )
