"""What `newsletter add` takes from real article pages as published (tests/pages/real/), field
by field, against what an editor would take (tests/pages/real/expected.yaml)."""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path
from typing import Any, Literal

import pytest
from ruamel.yaml import YAML

from newsletter.curate.extract import Found, extract_page, make_safe

REAL = Path(__file__).parents[1] / "pages" / "real"
FIELDS = ("title", "source", "image", "image_alt", "summary", "published")

Verdict = Literal["right", "acceptable", "wrong"]


def corpus() -> list[dict[str, Any]]:
    """The pages and what an editor would take from each, as expected.yaml gives them."""
    entries: list[dict[str, Any]] = YAML(typ="safe").load(REAL / "expected.yaml")
    return entries


@functools.cache
def found_on(file: str, url: str) -> Found:
    """What `add --file FILE --url URL` would add for a page of the corpus."""
    return make_safe(extract_page(gzip.decompress((REAL / file).read_bytes()), url))


def judge(expected: dict[str, Any], found: Found) -> dict[str, Verdict]:
    """Each field of `found`: right, acceptable or wrong for the page `expected` describes."""
    verdicts: dict[str, Verdict] = {}
    for field in FIELDS:
        if field == "summary":
            verdicts[field] = _summary(expected, found)
            continue
        value = getattr(found, field)
        if field == "published":
            value = value.isoformat() if value else None
        elif field == "image_alt":
            value = value or ""
        if _same(value, expected.get(field)):
            verdicts[field] = "right"
        elif any(_same(value, other) for other in expected.get(f"{field}_acceptable", [])):
            verdicts[field] = "acceptable"
        else:
            verdicts[field] = "wrong"
    return verdicts


def _same(found: object, expected: object) -> bool:
    if not isinstance(found, str) or not isinstance(expected, str):
        return found == expected
    found, expected = " ".join(found.split()), " ".join(str(expected).split())
    # A long value cut short for the issue ("…") is the same value.
    return found == expected or (found.endswith("…") and expected.startswith(found[:-1].rstrip()))


_ESCAPE = re.compile(r"\\([\\*_`\[\]&<#>+.)-])")
_CREDIT = re.compile(r"^\W*(?:photo|image|picture|credit|getty)", re.IGNORECASE)


def _summary(expected: dict[str, Any], found: Found) -> Verdict:
    text = " ".join(_ESCAPE.sub(r"\1", found.summary).split())
    if (
        not text
        or text.endswith("……")
        or text.casefold() in found.title.casefold()
        or _CREDIT.match(text)
    ):
        return "wrong"
    starts = " ".join(expected["summary_starts"].split())
    ends = expected.get("summary_ends")
    if text.startswith(starts) and (ends is None or text.endswith(ends)):
        return "right"
    if text.startswith(starts) or any(
        text.startswith(" ".join(other.split())) for other in expected.get("summary_acceptable", [])
    ):
        return "acceptable"
    return "wrong"


def _cases() -> list[Any]:
    cases = []
    for entry in corpus():
        for field in FIELDS:
            why = entry.get("still_wrong", {}).get(field)
            marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
            cases.append(pytest.param(entry, field, id=f"{entry['file']}-{field}", marks=marks))
    return cases


@pytest.mark.parametrize(("entry", "field"), _cases())
def test_each_field_is_what_an_editor_would_take(entry: dict[str, Any], field: str) -> None:
    found = found_on(entry["file"], entry["url"])
    verdict = judge(entry, found)[field]
    assert verdict != "wrong", f"{field}: {getattr(found, field)!r}"


def test_the_corpus_is_real_and_varied() -> None:
    entries = corpus()
    files = {entry["file"] for entry in entries}
    assert len(entries) >= 22
    assert files == {path.name for path in REAL.glob("*.html.gz")}
    assert len({entry["publisher"].split(" (")[0] for entry in entries}) >= 22
    origin = (REAL / "ORIGIN.md").read_text(encoding="utf-8")
    assert all(file in origin for file in files)
    assert sum(path.stat().st_size for path in REAL.iterdir()) < 6_000_000
