"""Problems are values: where something is wrong, and what."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a file, printed compiler-style: `path:line:column: where: message`."""

    path: str
    line: int = 0
    column: int = 0
    where: str = ""
    message: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        location = self.path
        if self.line:
            location += f":{self.line}"
            if self.column:
                location += f":{self.column}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        where = f"{self.where}: " if self.where else ""
        return f"{location}: {prefix}{where}{self.message}"


class ProblemsError(Exception):
    """Raised by the core when input cannot be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UserError(Exception):
    """Something the user must fix, said in one line: no project here, no browser installed."""
