"""How the core's errors reach the user: one line each, and an exit status."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from newsletter.model.problems import ProblemsError, UserError


@contextmanager
def problems_exit(outcome: str = "nothing was written") -> Iterator[None]:
    """Turn the core's errors into messages and exit codes: 1 for problems in the input;
    `outcome` says what that means for the command ("nothing was written")."""
    try:
        yield
    except ProblemsError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        count = len(e.problems)
        found = f"{count} problem{'s' if count != 1 else ''} found"
        click.echo(f"{found}; {outcome}." if outcome else f"{found}.", err=True)
        sys.exit(1)
    except UserError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)
    except OSError as e:
        click.echo(f"Error: {e.filename or ''}: {e.strerror or e}", err=True)
        sys.exit(1)


def use_colour() -> bool | None:
    """No colours when NO_COLOR is set (https://no-color.org); else click decides (a tty)."""
    return False if os.environ.get("NO_COLOR") else None


@contextmanager
def progress_bar(label: str, *, shown: bool = True) -> Iterator[Callable[[int], None]]:
    """A bar on stderr when it is a terminal; nothing at all on a pipe, in a log or in CI.
    Yields `advance(total)`: one more step of `total`."""
    if not (shown and sys.stderr.isatty()):
        yield lambda total: None
        return
    with click.progressbar(length=0, label=label, file=sys.stderr) as bar:

        def advance(total: int) -> None:
            bar.length = total
            bar.update(1)

        yield advance
