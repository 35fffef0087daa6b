"""How long a save takes to show in the preview: from the file write to the new text in the frame.

Runs the real `newsletter preview` on a copy of this repository's project (the repository
itself is never touched), opens it in headless Chromium, then edits the example issue's
subject and lead title N times and times each edit until the frame shows it.

    .venv/bin/python benchmarks/preview_latency.py [--runs 20] [--atomic] [--earlier 1000]

With --earlier N, the project also holds N earlier weekly issues (the example's articles
under other addresses), as a newsletter does after years: the featured-before check then
looks through all of them on every save. The budget is 300 ms, 150 ms with earlier issues.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.preview.snapshot import chromium, placeholder_png

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Route

REPO = Path(__file__).resolve().parent.parent
ISSUE = Path("issues") / "2026-11-30.yaml"
HEADLINE = "Putin prepares to step in"  # the example's subject and its lead story's title
COPIED = ("newsletter.yaml", "issue.schema.json", "templates", "issues")
BUILT = re.compile(r" built \S+ in (\d+) ms$")

# Armed before each write: the first animation frame whose email contains `text` records
# the time in the page's clock, and the frame's own navigation timing. MARKS: the marks
# preview.html leaves on the way (the long poll answered, the status read, the email loaded).
ARM = """(text) => {
  window.__seen = null;
  performance.clearMarks();
  const frame = document.querySelector('#email');
  const check = () => {
    const body = frame.contentDocument && frame.contentDocument.body;
    if (body && body.textContent.includes(text)) {
      window.__seen = performance.timeOrigin + performance.now();
      const timing = frame.contentWindow.performance;
      const nav = timing.getEntriesByType('navigation')[0];
      window.__frame = nav ? {
        'frame: navigation start': timing.timeOrigin,
        'frame: response end': timing.timeOrigin + nav.responseEnd,
        'frame: DOM interactive': timing.timeOrigin + nav.domInteractive,
      } : {};
    } else {
      requestAnimationFrame(check);
    }
  };
  check();
}"""
MARKS = """() => Object.fromEntries(performance.getEntriesByType('mark')
  .map((m) => [m.name, performance.timeOrigin + m.startTime]))"""
NOW = "() => performance.timeOrigin + performance.now()"


@dataclass
class Preview:
    """`newsletter preview` running in a subprocess, and the lines it printed."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    def build_times(self) -> list[int]:
        """Milliseconds of every successful build the server reported so far."""
        return [int(m.group(1)) for line in self.lines if (m := BUILT.search(line))]


@contextmanager
def preview(root: Path) -> Iterator[Preview]:
    """The preview of the example issue in `root`, on a free port of 127.0.0.1."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newsletter", "preview", "--port", "0", str(ISSUE)],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    found = re.search(r"at (http://\S+) ", first)
    if not found:
        process.kill()
        raise SystemExit(f"the preview did not start: {first!r}")
    running = Preview(process, found.group(1))
    stdout = process.stdout

    def read() -> None:
        for line in stdout:
            running.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield running
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        process.wait(timeout=10)
        reader.join(timeout=5)


def only_loopback(context: BrowserContext, url: str) -> None:
    """Let `context` reach the preview at `url` and nothing else; images get a placeholder."""

    def outside(route: Route) -> None:
        if route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/png", body=placeholder_png())
        else:
            route.abort("blockedbyclient")

    # A pattern, not a Python predicate: the preview's own requests never wait on Python.
    context.route(re.compile("^(?!" + re.escape(url) + ")"), outside)


def clock_offset(page: Page) -> float:
    """Milliseconds to add to time.time() * 1000 to get the page's clock."""
    best = (float("inf"), 0.0)
    for _ in range(5):
        before = time.time() * 1000
        browser = float(page.evaluate(NOW))
        after = time.time() * 1000
        best = min(best, (after - before, browser - (before + after) / 2))
    return best[1]


def save(path: Path, text: str, *, atomic: bool) -> None:
    """Save `text` to `path` as editors do: in place, or to a temporary file renamed over it."""
    if atomic:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    else:
        path.write_text(text, encoding="utf-8")


def measure(
    root: Path, runs: int, *, atomic: bool
) -> tuple[list[float], dict[str, list[float]], list[int]]:
    """Latencies in ms of `runs` edits, the time to each mark, and the server's build times."""
    issue = root / ISSUE
    original = issue.read_text(encoding="utf-8")
    assert original.count(HEADLINE) == 2, "the example issue changed: update HEADLINE"
    latencies: list[float] = []
    stages: dict[str, list[float]] = {}
    with preview(root) as server, chromium(offline=False) as context:
        only_loopback(context, server.url)
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(server.url)
        page.wait_for_function(
            "(t) => document.querySelector('#email').contentDocument?.body?.innerText.includes(t)",
            arg=HEADLINE,
            timeout=15_000,
        )
        offset = clock_offset(page)
        builds_before = len(server.build_times())
        for run in range(runs):
            headline = f"Benchmark headline number {run}"
            page.evaluate(ARM, headline)
            written = time.time() * 1000 + offset
            save(issue, original.replace(HEADLINE, headline), atomic=atomic)
            page.wait_for_function("() => window.__seen !== null", timeout=10_000, polling=10)
            seen = float(page.evaluate("window.__seen"))
            latencies.append(seen - written)
            marks = {**page.evaluate(MARKS), **page.evaluate("window.__frame")}
            for name, at in marks.items():
                stages.setdefault(name, []).append(float(at) - written)
            time.sleep(0.25)  # a pause between saves, so that one run's build is not the next's
        builds = server.build_times()[builds_before:]
    issue.write_text(original, encoding="utf-8")  # as it was, for the next measure
    return latencies, stages, builds


def summary(values: Sequence[float]) -> str:
    """min / median / max of `values`, in ms."""
    return (
        f"min {min(values):6.1f}  median {statistics.median(values):6.1f}"
        f"  max {max(values):6.1f} ms"
    )


def copy_project(root: Path, earlier: int) -> None:
    """This repository's project copied into `root`, with `earlier` issues before its own."""
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.is_file():
            shutil.copy2(source, root / name)
    add_earlier_issues(root, earlier)


def add_earlier_issues(root: Path, count: int) -> None:
    """`count` weekly issues before the example one, numbered and dated back from it."""
    example = (root / ISSUE).read_text(encoding="utf-8")
    number = int(re.search(r"^number: (\d+)$", example, re.M).group(1))  # type: ignore[union-attr]
    day = dt.date.fromisoformat(ISSUE.stem)
    for weeks in range(1, count + 1):
        date = day - dt.timedelta(weeks=weeks)
        text = re.sub(r"^number: \d+$", f"number: {number - weeks}", example, flags=re.M)
        text = text.replace(f"date: {day}", f"date: {date}")
        text = re.sub(r"(url: https://\S+)", rf"\1?week={weeks}", text)
        (root / ISSUE.parent / f"{date}.yaml").write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the numbers, and exit 1 when the median is over the budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20, help="edits to time (default: 20)")
    parser.add_argument(
        "--atomic", action="store_true", help="save to a temporary file renamed over the issue"
    )
    parser.add_argument(
        "--earlier", type=int, default=0, help="earlier issues in the project (default: 0)"
    )
    args = parser.parse_args(argv)
    budget = 150 if args.earlier else 300
    with tempfile.TemporaryDirectory(prefix="newsletter-benchmark-") as folder:
        root = Path(folder)
        copy_project(root, args.earlier)
        latencies, stages, builds = measure(root, args.runs, atomic=args.atomic)
    earlier = f", {args.earlier:,} earlier issues" if args.earlier else ""
    print(f"save -> new text in the frame, {len(latencies)} edits of {ISSUE}{earlier}:")
    print(f"  {'visible':<24}{summary(latencies)}")
    for name, values in sorted(stages.items(), key=lambda item: statistics.median(item[1])):
        print(f"  {name:<24}{summary(values)}")
    if builds:
        print(f"  {'server build':<24}{summary(builds)}  ({len(builds)} builds)")
    seen = stages.get("preview: build seen", [])
    if builds and len(builds) == len(seen):
        # What is left of "build seen" without the build: the watcher and the long poll.
        rest = [at - built for at, built in zip(seen, builds, strict=True)]
        print(f"  {'watch + answer':<24}{summary(rest)}")
    median = statistics.median(latencies)
    verdict = "within" if median <= budget else "OVER"
    print(f"median {median:.0f} ms: {verdict} the {budget} ms budget")
    return 0 if median <= budget else 1


if __name__ == "__main__":
    raise SystemExit(main())
