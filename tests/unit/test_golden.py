"""Golden files per layer: the generated MJML, the final HTML and the text of small issues.

Regenerate them after an intended change with `pytest tests/unit/test_golden.py --regen-golden`,
then read the diff before committing it.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from newsletter.project.folder import Project

GOLDEN = Path(__file__).parents[1] / "golden"
PARTS = {"email.mjml": "mjml", "email.html": "html", "email.txt": "text"}


def _lines(text: str) -> list[str]:
    # The HTML is mostly one long line: break it between tags so that a diff is readable.
    return re.sub(r">(?=<)", ">\n", text).splitlines(keepends=True)


@pytest.mark.parametrize("issue", sorted((GOLDEN / "issues").glob("*.yaml")), ids=lambda p: p.stem)
def test_golden(issue: Path, request: pytest.FixtureRequest) -> None:
    rendition = Project(GOLDEN, GOLDEN).inspect(issue).rendition
    folder = GOLDEN / "expected" / issue.stem
    for name, attribute in PARTS.items():
        actual: str = getattr(rendition, attribute)
        path = folder / name
        if request.config.getoption("--regen-golden"):
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual.encode())
            continue
        expected = path.read_bytes().decode()
        if actual != expected:
            diff = difflib.unified_diff(
                _lines(expected), _lines(actual), f"expected/{issue.stem}/{name}", "actual"
            )
            pytest.fail("".join(diff) + "\n(run pytest --regen-golden if this change is intended)")
