"""The benchmark: each stage of a build, whole commands, memory, and official MJML beside us.

    .venv/bin/python benchmarks/run.py [--runs 30]

Generates issues of 20 and 100 articles and an archive of 52 issues in a temporary project
(the repository is not touched), prints medians over repeated runs and compares them with
the budgets. Official MJML (npm package `mjml`) is installed into .cache/ when npm is there.
Numbers from one run on one machine are comparable with each other, not across machines:
the comparison with official MJML is a ratio for that reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
MJML_VERSION = "5.4.1"
NEWSLETTER = [sys.executable, "-m", "newsletter"]
LAST_ISSUE = dt.date(2026, 11, 30)
SECTION_TITLES = ("News", "Analysis", "Elsewhere", "Opinion", "In brief", "Long reads")


def compile_package(*, compiling: bool = True) -> Path:
    """The package's folder, its modules compiled to bytecode, as installing it does (pip
    compiles them): under PYTHONDONTWRITEBYTECODE, which keeps Python from writing what it
    compiles, every command would compile them again."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("newsletter")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    if compiling:
        compileall.compile_dir(package, quiet=1)
    return package


def median_ms(action: Callable[[], object], runs: int) -> float:
    """The median wall time of `action` in milliseconds, after one warm-up run."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def make_project(root: Path, articles: int, issues: int = 1, sections: int = 2) -> list[Path]:
    """A project with the repository's settings and theme and `issues` generated issues, one
    a week up to LAST_ISSUE (all in the past, so the archive publishes them), numbered from 1,
    each of `articles` articles with distinct URLs over `sections` sections (a lead first)."""
    shutil.copy(REPO / "newsletter.yaml", root / "newsletter.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "images", root / "images")  # the originals the example keeps
    (root / "issues").mkdir()
    example = (REPO / "issues" / "2026-11-30.yaml").read_text(encoding="utf-8")
    # One article of the example (with image and summary) and one without an image.
    blocks = re.findall(r"      - title: .*?(?=\n      - title: |\n  - title: |\Z)", example, re.S)
    # Where each section starts: the lead's one article, then the rest shared out evenly.
    others = max(sections - 1, 1)
    starts = sorted({0} | {1 + i * (articles - 1) // others for i in range(others)})
    paths = []
    for n in range(issues):
        date = LAST_ISSUE - dt.timedelta(weeks=issues - 1 - n)
        lines = [
            f"number: {n + 1}",
            f"date: {date.isoformat()}",
            f"subject: Issue {n + 1} of the week in the South Caucasus",
            "preheader: Talks in Moscow, the EU in Armenia, Georgia's opposition and more.",
            "intro: Good morning. A *busy* week; the [archive](https://example.org/a) has more.",
            "sections:",
        ]
        for a in range(articles):
            if a in starts:
                index = starts.index(a) - 1
                title = "Lead story" if a == 0 else SECTION_TITLES[index % len(SECTION_TITLES)]
                lines += [f"  - title: {title}"]
                lines += ["    layout: lead" if a == 0 else "    layout: list", "    articles:"]
            block = blocks[a % len(blocks)]
            block = re.sub(r"(url: https://\S+)", rf"\1?n={n}-{a}", block)
            lines.append(block.rstrip("\n"))
        path = root / "issues" / f"{date.isoformat()}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def stages(root: Path, runs: int) -> dict[str, float]:
    """Each stage of a build in this process, warm, as the preview repeats them."""
    from newsletter.build.load import load_issue
    from newsletter.build.mjml import _INLINE_STYLE, check_mjml, inline_css
    from newsletter.build.render import MJML_TEMPLATE, TEXT_TEMPLATE, settings_links
    from newsletter.checks.offline import run_checks
    from newsletter.project.folder import Project

    project = Project(root, root)
    path = sorted((root / "issues").glob("*.yaml"))[0]
    layouts = project.theme.layouts
    issue = load_issue(path, "i", layouts)
    context = {
        "issue": issue,
        "settings": project.settings,
        "links": settings_links(project.settings, "i"),
    }
    mjml_text = project.theme.render(MJML_TEMPLATE, context)
    import mjml

    bare = _INLINE_STYLE.sub("", mjml_text)
    css = "\n".join(_INLINE_STYLE.findall(mjml_text))
    html = mjml.mjml2html(bare, fonts={})
    inspection = project.inspect(path)

    def preview_rebuild() -> None:
        # What the preview's builder does on a save: the project found and its settings and
        # issue read again (the theme's compiled templates stay warm), rendered and checked.
        run_checks(Project.find(root).inspect(path))

    return {
        "load + validate": median_ms(lambda: load_issue(path, "i", layouts), runs),
        "Jinja (MJML)": median_ms(lambda: project.theme.render(MJML_TEMPLATE, context), runs),
        "MJML check + compile": median_ms(
            lambda: (check_mjml(mjml_text, project.theme, "i"), mjml.mjml2html(bare, fonts={})),
            runs,
        ),
        "inlining (premailer)": median_ms(lambda: inline_css(html, css), runs),
        "Jinja (text)": median_ms(lambda: project.theme.render(TEXT_TEMPLATE, context), runs),
        "checks": median_ms(lambda: run_checks(inspection), runs),
        "warm rebuild (preview)": median_ms(preview_rebuild, runs),
    }


def process_ms(command: list[str], cwd: Path, runs: int) -> float:
    """The median wall time of running `command` as a process."""
    return median_ms(
        lambda: subprocess.run(command, cwd=cwd, check=True, capture_output=True), runs
    )


class Usage(NamedTuple):
    """What one run of a command cost: wall and CPU seconds, and its peak memory."""

    wall: float
    cpu: float
    peak_mb: float


def child_usage(command: list[str], cwd: Path) -> Usage:
    """Run `command` from a separate parent process, whose children are only it (and what it
    waits for), so that its CPU time (user + system) and peak memory are its own."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        f"subprocess.run({command!r}, cwd={str(cwd)!r}, check=True, capture_output=True)\n"
        "wall = time.perf_counter() - started\n"
        "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, use.ru_utime + use.ru_stime, use.ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    wall, cpu, maxrss = out.stdout.split()
    return Usage(float(wall), float(cpu), int(maxrss) / 1024)


def peak_memory_mb(command: list[str], cwd: Path) -> float:
    """The peak resident memory of `command`, measured from a separate parent process."""
    return child_usage(command, cwd).peak_mb


def official_mjml_binary() -> Path | None:
    """The official MJML command-line compiler, installed into .cache/ on first use; None
    without npm and node."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    prefix = REPO / ".cache" / f"mjml-{MJML_VERSION}"
    binary = prefix / "node_modules" / ".bin" / "mjml"
    if not binary.exists():
        subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
             "--loglevel=error", f"mjml@{MJML_VERSION}"],
            check=True,
        )  # fmt: skip
    return binary


def official_mjml(runs: int, mjml_file: Path) -> float | None:
    """The median time of the official MJML command-line compiler on `mjml_file`, or None."""
    binary = official_mjml_binary()
    if binary is None:
        return None
    out = mjml_file.with_suffix(".official.html")
    return process_ms([str(binary), str(mjml_file), "-o", str(out)], mjml_file.parent, runs)


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per in-process median")
    args = parser.parse_args()
    runs, process_runs = args.runs, max(args.runs // 3, 5)
    results: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="newsletter-bench-") as tmp:
        base = Path(tmp)
        for articles in (20, 100):
            root = base / f"a{articles}"
            root.mkdir()
            make_project(root, articles)
            for name, ms in stages(root, runs).items():
                budget = "≤ 25 ms" if name.startswith("warm") and articles == 20 else ""
                results.append((f"{name}, {articles} articles", f"{ms:.1f} ms", budget))
        root = base / "a20"
        build = process_ms([*NEWSLETTER, "build"], root, process_runs)
        help_ms = process_ms([*NEWSLETTER, "--help"], root, process_runs)
        memory = peak_memory_mb([*NEWSLETTER, "build"], root)
        mjml_file = next((root / "dist").glob("*/email.mjml"))
        official = official_mjml(process_runs, mjml_file)
        results.append(("newsletter build, cold process, 20 articles", f"{build:.0f} ms", ""))
        if official is not None:
            ratio = build / official
            results.append(
                ("official MJML CLI, compile alone, same MJML", f"{official:.0f} ms", "")
            )
            results.append(("build / official MJML CLI", f"{ratio:.2f}", "≤ 0.50"))
        else:
            results.append(("official MJML CLI", "npm not found", "≤ 0.50"))
        results.append(("newsletter --help, process", f"{help_ms:.0f} ms", "≤ 150 ms"))
        results.append(("peak memory of a build", f"{memory:.0f} MB", "≤ 100 MB"))
        archive_root = base / "archive"
        archive_root.mkdir()
        make_project(archive_root, 13, issues=52)

        def cold_archive() -> None:
            shutil.rmtree(archive_root / "site", ignore_errors=True)
            subprocess.run(
                [*NEWSLETTER, "archive"], cwd=archive_root, check=True, capture_output=True
            )

        archive = median_ms(cold_archive, 3)
        warm = process_ms([*NEWSLETTER, "archive"], archive_root, 3)
        results.append(("archive of 52 issues, cold", f"{archive / 1000:.2f} s", "≤ 3 s"))
        results.append(("archive of 52 issues, nothing changed", f"{warm / 1000:.2f} s", ""))
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    width = max(len(r[0]) for r in results)
    print(f"{'measure':<{width}}  {'median':>10}  budget")
    for name, value, budget in results:
        print(f"{name:<{width}}  {value:>10}  {budget}")


if __name__ == "__main__":
    main()
