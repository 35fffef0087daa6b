"""Invalid input is data: each `cases/invalid/NAME.yaml` beside `NAME.txt`, the exact problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.build.load import load_issue, load_settings
from newsletter.model.problems import ProblemsError

CASES = Path(__file__).parents[1] / "cases" / "invalid"
LAYOUTS = frozenset({"lead", "list", "compact"})


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_invalid_case(case: Path) -> None:
    expected = case.with_suffix(".txt").read_text(encoding="utf-8")
    with pytest.raises(ProblemsError) as raised:
        if case.name.startswith("settings-"):
            load_settings(case, case.name)
        else:
            load_issue(case, case.name, LAYOUTS)
    assert "\n".join(str(p) for p in raised.value.problems) + "\n" == expected


def test_every_case_has_expected_problems() -> None:
    cases = {p.stem for p in CASES.glob("*.yaml")}
    expected = {p.stem for p in CASES.glob("*.txt")}
    assert cases == expected
    assert len(cases) >= 25
