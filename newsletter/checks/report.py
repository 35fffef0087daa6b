"""The report of `newsletter check`: as text for people, as JSON for CI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI imports this module at start-up: keep it light
    from newsletter.checks.budget import Budget, Images
    from newsletter.checks.spam import Spam
    from newsletter.model.problems import Problem


def kilobytes(n: int) -> str:
    """A size as the commands print it: `31.3 kB`, or `800 B`."""
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n} B"


def count(n: int, word: str) -> str:
    """`1 error`, `2 errors`."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def image_line(images: Images) -> str:
    """`images: 182.3 kB in 3, heaviest 'Title' 80.1 kB (line 10); 1 from elsewhere, unknown`."""
    parts = [f"images: {kilobytes(images.bytes)} in {images.count}"]
    if images.heaviest:
        c = images.heaviest
        parts[0] += f", heaviest {c.title[:40]!r} {kilobytes(c.bytes)} (line {c.line})"
    if images.not_counted:
        parts.append(f"{images.not_counted} from the publishers' servers, of unknown size")
    return "; ".join(parts)


@dataclass(frozen=True)
class Report:
    """What the checks found in one issue, its size budget when it could be built, and
    SpamAssassin's verdict with --spam."""

    issue: str
    findings: list[Problem]
    budget: Budget | None
    strict: bool
    spam: Spam | None = None

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return len(self.findings) - self.errors

    @property
    def failed(self) -> bool:
        """Errors, or warnings under --strict: exit status 1."""
        return bool(self.errors or (self.strict and self.warnings))

    def as_json(self) -> dict[str, Any]:
        """The report as newsletter/checks/report.schema.json describes it."""
        return {
            "version": 1,
            "issue": self.issue,
            "ok": not self.failed,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.as_json() for f in self.findings],
            "size": self.budget.as_json() if self.budget else None,
            "spam": self.spam.as_json() if self.spam else None,
        }

    def lines(self, style: Callable[[str, str], str]) -> list[str]:
        """The report as text: errors, then warnings, then the size; `style(text, colour)`
        colours a word where the terminal shows colours."""
        out = []
        for severity, colour in (("error", "red"), ("warning", "yellow")):
            for finding in (f for f in self.findings if f.severity == severity):
                label = style(severity, colour)
                out.append(str(finding).replace(f": {severity}: ", f": {label}: ", 1))
        if self.budget is not None:
            b = self.budget
            out.append(
                f"Size: {kilobytes(b.total)} of {kilobytes(b.clip)} ({b.total / b.clip:.0%}); "
                f"an article costs about {kilobytes(b.usual)}: room for {b.room} more."
            )
            heavy = "; ".join(
                f"{c.title[:40]!r} {kilobytes(c.bytes)} (line {c.line})" for c in b.heaviest()
            )
            out.append(f"  heaviest: {heavy}")
            out.append(
                "  sections: " + " · ".join(f"{c.title} {kilobytes(c.bytes)}" for c in b.sections)
            )
            if b.images.count or b.images.not_counted:
                out.append("  " + image_line(b.images))
        if self.spam is not None:
            out.extend(self.spam.lines())
        summary = f"{count(self.errors, 'error')}, {count(self.warnings, 'warning')}."
        out.append(style(summary, "red" if self.failed else "green"))
        return out
