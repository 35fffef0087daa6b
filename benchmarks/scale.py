"""How the tool scales with the number of issues in a project.

    .venv/bin/python benchmarks/scale.py [--runs 3] [--sizes 1,52,200,1000] [--no-browser]

Generates projects of 1, 52, 200 and 1,000 weekly issues of 20 articles each, with the
repository's settings and theme, in a temporary folder (the repository is not touched).
For each size it measures `newsletter build` of the newest issue and `newsletter archive`
(cold, nothing changed, one issue changed, the theme changed) as processes, and the
preview's rebuild after a save in this process, warm. The sizes take turns in each round,
in an order reversed every other round (A B B A ...), so that a noisy machine weighs on
them alike. In a project with the repository's example issue and as many earlier ones, it
also times a save in the preview until the browser shows it (Chromium; --no-browser leaves
it out). It prints medians of CPU time (user + system of the command and of the workers
it waits for) and of wall time, peak memory, and the budgets, as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from run import NEWSLETTER, Usage, child_usage, compile_package, make_project

SIZES = (1, 52, 200, 1000)
ARTICLES = 20
SECTIONS = 4
PREVIEW_REPEATS = 10
"""Preview rebuilds timed per size and round, after one to warm up."""
VISIBLE_EDITS = 5
"""Saves timed per size and round until the browser shows them."""

MEASURES = (
    "build",
    "preview rebuild",
    "preview, save to visible",
    "archive, cold",
    "archive, nothing changed",
    "archive, one issue changed",
    "archive, theme changed",
)
Samples = dict[tuple[str, int], list[Usage]]


@dataclass(frozen=True)
class Row:
    """A line of the table: a label, the value for each size, and maybe a budget."""

    label: str
    values: dict[int, float]
    unit: str
    budget: float | None = None
    budget_text: str = ""

    def cell(self, size: int) -> str:
        """The value for `size`, formatted in the row's unit."""
        if size not in self.values:
            return ""
        value = self.values[size]
        if self.unit == "ms":
            return f"{value:.1f} ms"
        if self.unit == "s":
            return f"{value:.2f} s"
        if self.unit == "MB":
            return f"{value:.0f} MB"
        return f"{value:.2f}"

    def met(self, size: int) -> str:
        """Whether the value at `size` is within the budget, if there is one."""
        if self.budget is None or size not in self.values:
            return ""
        return "yes" if self.values[size] <= self.budget else "**no**"


def preview_usage(builder: Callable[[], object]) -> Usage:
    """One rebuild by the preview's own builder, as on a save of the issue, timed here."""
    wall, cpu = time.perf_counter(), time.process_time()
    builder()
    return Usage(time.perf_counter() - wall, time.process_time() - cpu, 0.0)


def visible_usage(root: Path, edits: int) -> list[Usage]:
    """Saves of the example issue in the project in `root`, each until the preview in the
    browser shows it: wall time only."""
    from preview_latency import measure

    latencies, _, _ = measure(root, edits, atomic=False)
    return [Usage(ms / 1000, 0.0, 0.0) for ms in latencies]


def edit(path: Path, change: Callable[[str], str]) -> None:
    """Rewrite the file at `path` with `change` applied to its text."""
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def age(root: Path) -> None:
    """Date every file of the project in `root` a day back, as the files of a project that
    has been going for years are: a file changed in the last seconds is read again in case
    it changed twice within the tick of the file system's clock."""
    day_ago = time.time() - 86400
    for path in root.rglob("*"):
        os.utime(path, (day_ago, day_ago))


def measure_round(root: Path, newest: Path, size: int, turn: int, samples: Samples) -> None:
    """Every measurement once for the project in `root`, leaving it as it found it but for
    the edits of this `turn`. It starts with an empty cache (`$XDG_CACHE_HOME`), as on a
    new machine: the cold archive fills it, and the rest use it."""

    def record(name: str, usage: Usage) -> None:
        samples.setdefault((name, size), []).append(usage)

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix=f"cache-{size}-", dir=root.parent)
    archive = [*NEWSLETTER, "archive"]
    shutil.rmtree(root / "site", ignore_errors=True)
    record("archive, cold", child_usage(archive, root))
    record("archive, nothing changed", child_usage(archive, root))
    edit(newest, lambda text: re.sub(r"^intro: .*$", f"intro: Edit {turn}.", text, flags=re.M))
    record("archive, one issue changed", child_usage(archive, root))
    # The theme's fingerprint is its files' bytes: a comment changes it, not the pages.
    edit(root / "templates" / "issue.txt.j2", lambda text: f"{text}{{# edit {turn} #}}\n")
    record("archive, theme changed", child_usage(archive, root))
    child_usage([*NEWSLETTER, "build"], root)  # its compiled templates, as every later build
    record("build", child_usage([*NEWSLETTER, "build"], root))
    from newsletter.preview.app import IssueBuilder

    builder = IssueBuilder(root, newest, lambda *args, **kwargs: None)
    preview_usage(builder)  # the preview's first build, when it starts
    for _ in range(PREVIEW_REPEATS):
        record("preview rebuild", preview_usage(builder))
    age(root)


def rows(samples: Samples, sizes: Sequence[int]) -> list[Row]:
    """The table's rows: medians of CPU and wall time, the highest peak memory, budgets."""

    def median(name: str, part: Callable[[Usage], float], scale: float) -> dict[int, float]:
        return {n: statistics.median(part(u) for u in samples[name, n]) * scale for n in sizes}

    def cpu(u: Usage) -> float:
        return u.cpu

    def wall(u: Usage) -> float:
        return u.wall

    budgets: dict[str, tuple[float, str]] = {
        "preview rebuild": (25, "≤ 25 ms"),
        "preview, save to visible": (150, "≤ 150 ms"),
        "archive, nothing changed": (0.3, "≤ 0.3 s"),
        "archive, one issue changed": (0.5, "≤ 0.5 s"),
    }
    table = []
    for name in MEASURES:
        if (name, sizes[0]) not in samples:
            continue  # not measured: no browser
        unit, scale = ("ms", 1000.0) if name.startswith("preview") else ("s", 1.0)
        budget, text = budgets.get(name, (None, ""))
        parts = (
            (("wall", wall),)
            if name == "preview, save to visible"
            else (("CPU", cpu), ("wall", wall))
        )
        for label, part in parts:
            values = median(name, part, scale)
            table.append(Row(f"{name}, {label}", values, unit, budget, text))
        if name == "build":
            build = median(name, cpu, 1)
            ratio = {n: build[n] / build[sizes[0]] for n in sizes}
            label = f"build / build with {sizes[0]}, CPU"
            table.append(Row(label, ratio, "", 1.15, "≤ 1.15"))
    for name in ("build", "archive, cold"):
        peak = {n: max(u.peak_mb for u in samples[name, n]) for n in sizes}
        table.append(Row(f"peak memory, {name.split(',')[0]}", peak, "MB", 100, "≤ 100 MB"))
    return table


def print_table(table: list[Row], sizes: Sequence[int]) -> None:
    """The rows as a Markdown table; "met" is for the largest size."""
    head = ["files in issues/", *(f"{n:,}" for n in sizes), "budget", f"met at {sizes[-1]:,}"]
    lines = [head, ["---"] * len(head)]
    for row in table:
        lines.append(
            [row.label, *(row.cell(n) for n in sizes), row.budget_text, row.met(sizes[-1])]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        cells = (
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    """Generate the projects, measure them in turns, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds over every size (median)")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="numbers of issues, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="leave out the save-to-visible measure"
    )
    args = parser.parse_args()
    if not args.no_browser:
        from newsletter.model.problems import UserError
        from newsletter.preview.snapshot import find_chromium

        try:
            find_chromium()
        except UserError as e:
            print(f"scale: {e}; save to visible is left out", file=sys.stderr)
            args.no_browser = True
    sizes = sorted(int(n) for n in args.sizes.split(","))
    samples: Samples = {}
    started = time.perf_counter()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="newsletter-scale-") as tmp:
        projects, examples = {}, {}
        for size in sizes:
            root = Path(tmp) / f"issues-{size}"
            root.mkdir()
            projects[size] = (root, make_project(root, ARTICLES, size, SECTIONS)[-1])
            age(root)
            if not args.no_browser:
                from preview_latency import copy_project

                examples[size] = Path(tmp) / f"example-{size}"
                examples[size].mkdir()
                copy_project(examples[size], size - 1)
                age(examples[size])
        for turn in range(args.runs):
            for size in sizes if turn % 2 == 0 else sizes[::-1]:
                root, newest = projects[size]
                measure_round(root, newest, size, turn, samples)
                if size in examples:
                    visible = visible_usage(examples[size], VISIBLE_EDITS)
                    samples.setdefault(("preview, save to visible", size), []).extend(visible)
                print(f"round {turn + 1}/{args.runs}: {size} issues measured", file=sys.stderr)
    seconds = time.perf_counter() - started
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    print(
        f"Medians of {args.runs} runs ({args.runs * PREVIEW_REPEATS} for the preview rebuild,"
        f" {args.runs * VISIBLE_EDITS} for save to visible)"
    )
    print(f"of {ARTICLES} articles an issue, in {seconds:.0f} s; peak memory: the highest run.\n")
    print_table(rows(samples, sizes), sizes)


if __name__ == "__main__":
    main()
