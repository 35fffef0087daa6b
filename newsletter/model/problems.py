"""Problems are values: what is wrong (a code from the registry), where, and in what words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from newsletter.model.codes import CODES, Severity


@dataclass(frozen=True)
class Problem:
    """One thing wrong, printed compiler-style:
    `path:line:column: severity: where: message [code]`."""

    code: str
    path: str
    line: int = 0
    column: int = 0
    where: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"no problem has the code {self.code!r}")

    @property
    def severity(self) -> Severity:
        """How grave the problem is: its code's severity."""
        return CODES[self.code].severity

    def __str__(self) -> str:
        location = self.path
        if self.line:
            location += f":{self.line}"
            if self.column:
                location += f":{self.column}"
        where = f"{self.where}: " if self.where else ""
        return f"{location}: {self.severity}: {where}{self.message} [{self.code}]"

    def as_json(self) -> dict[str, Any]:
        """The problem in the JSON output of `newsletter check --format json`."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.path,
            "line": self.line or None,
            "column": self.column or None,
            "where": self.where or None,
        }


def in_file_order(problem: Problem) -> tuple[str, bool, int, int, str, str]:
    """Problems by file, in the order of its lines; those about a whole file (line 0) last."""
    return (
        problem.path,
        problem.line == 0,
        problem.line,
        problem.column,
        problem.code,
        problem.message,
    )


class ProblemsError(Exception):
    """Raised by the core when input cannot be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=in_file_order)
        super().__init__("\n".join(str(p) for p in self.problems))


class UserError(Exception):
    """Something the user must fix, said in one line: no project here, no browser installed."""
