"""`check --spam`: SpamAssassin's verdict on the exported message, as values and findings.

Running SpamAssassin is newsletter/checks/spamassassin.py's part.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from newsletter.model.problems import Problem, UserError

SPAM = 5.0
"""SpamAssassin's own threshold: a message scoring this much or more is spam."""
NOT_INSTALLED = "spamassassin is not installed: no spam score (apt-get install spamassassin)"
_SCORE = re.compile(r"^X-Spam-Status: .*?\bscore=(-?\d+(?:\.\d+)?)", re.M)
_RULE = re.compile(r"^\s*(-?\d+(?:\.\d+)?) ([A-Z0-9_]+)\s+(.*)$")
_MORE = re.compile(r"^\s{20,}(\S.*)$")
"""A rule's description goes on, indented, on the next lines of the table."""


@dataclass(frozen=True)
class Rule:
    """A SpamAssassin rule that fired: its name, its points, what it means."""

    name: str
    points: float
    description: str

    def as_json(self) -> dict[str, Any]:
        """The rule in the JSON output of `newsletter check --spam`."""
        return {"name": self.name, "points": self.points, "description": self.description}


@dataclass(frozen=True)
class Spam:
    """SpamAssassin's verdict: the score and the rules that fired; no score, and a note,
    when it is not installed."""

    score: float | None
    rules: tuple[Rule, ...] = ()
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The verdict as newsletter/checks/report.schema.json describes it."""
        return {
            "score": self.score,
            "threshold": SPAM,
            "rules": [r.as_json() for r in self.rules],
            "note": self.note,
        }

    def lines(self) -> list[str]:
        """The verdict as the text report shows it."""
        if self.score is None:
            return [f"Spam: {self.note}"]
        rules = ", ".join(f"{r.name} {r.points:+.1f}" for r in self.rules)
        return [
            f"Spam: SpamAssassin scores the message {self.score:.1f} ({SPAM:.0f} or more is "
            "spam; local tests only)",
            f"  rules: {rules or 'none'}",
        ]

    def findings(self, path: str, ignored: Collection[str] = ()) -> list[Problem]:
        """The verdict as findings about the issue `path`: each rule that adds points a
        warning, a score of 5 or more an error; but not the codes `ignored`."""
        found = [
            Problem(
                "spam/rule",
                path,
                where="email.eml",
                message=f"{r.name} {r.points:+.1f}: {r.description}",
            )
            for r in self.rules
            if r.points > 0
        ]
        if self.score is not None and self.score >= SPAM:
            message = (
                f"SpamAssassin scores the message {self.score:.1f}: {SPAM:.0f} or more is spam"
            )
            found.append(Problem("spam/score", path, where="email.eml", message=message))
        return [p for p in found if p.code not in ignored]


def verdict(report: str) -> Spam:
    """The score and rules of the report `spamassassin -t` writes."""
    found = _SCORE.search(report)
    if found is None:
        raise UserError("spamassassin gave no score (no X-Spam-Status header)")
    start = report.rfind("Content analysis details")
    rules: list[Rule] = []
    for line in _table(report[start:] if start >= 0 else ""):
        if rule := _RULE.match(line):
            rules.append(Rule(rule.group(2), _number(rule.group(1)), rule.group(3).strip()))
        elif (more := _MORE.match(line)) and rules:
            last = rules.pop()
            rules.append(Rule(last.name, last.points, f"{last.description} {more.group(1)}"))
    return Spam(_number(found.group(1)), tuple(rules))


def _number(text: str) -> float:
    """A score as SpamAssassin prints it, -0.0 as 0.0."""
    return float(text) + 0.0


def _table(details: str) -> Sequence[str]:
    """The lines of the table of rules, below its `---- ----` rule."""
    lines = details.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("----"):
            return lines[n + 1 :]
    return []
