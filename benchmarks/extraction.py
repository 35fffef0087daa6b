"""How well `newsletter add` reads real article pages: right, acceptable and wrong, per field.

    .venv/bin/python benchmarks/extraction.py [-v]

Runs the extraction on every page of tests/pages/real/ with its URL, as `add --file` does,
and judges each field against what an editor would take (tests/pages/real/expected.yaml).
Run with another checkout's Python (its .venv/bin/python) to score that checkout's code on
this corpus: the package is imported from the environment, the corpus from here.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def _judging() -> object:
    """This checkout's tests/unit/test_real_pages.py, loaded by its path (another checkout's
    environment has its own `tests` package on the path)."""
    spec = importlib.util.spec_from_file_location(
        "test_real_pages", REPO / "tests" / "unit" / "test_real_pages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    """Print the counts per field, and with -v every field that is not right."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show what is not right")
    verbose = parser.parse_args().verbose
    judging: Any = _judging()
    FIELDS, corpus, found_on, judge = (
        judging.FIELDS,
        judging.corpus,
        judging.found_on,
        judging.judge,
    )
    counts: dict[str, Counter[str]] = {field: Counter() for field in FIELDS}
    for entry in corpus():
        found = found_on(entry["file"], entry["url"])
        for field, verdict in judge(entry, found).items():
            counts[field][verdict] += 1
            if verbose and verdict != "right":
                print(f"{entry['file']}: {field} {verdict}: {getattr(found, field)!r}")
    print(f"{'field':<10} {'right':>6} {'acceptable':>11} {'wrong':>6}")
    total: Counter[str] = Counter()
    for field, count in counts.items():
        total.update(count)
        print(f"{field:<10} {count['right']:>6} {count['acceptable']:>11} {count['wrong']:>6}")
    n = sum(total.values())
    print(f"{'all':<10} {total['right']:>6} {total['acceptable']:>11} {total['wrong']:>6}")
    print(
        f"{len(corpus())} pages, {n} fields: {100 * total['right'] / n:.0f}% right, "
        f"{100 * (total['right'] + total['acceptable']) / n:.0f}% right or acceptable"
    )


if __name__ == "__main__":
    main()
