"""A cold `newsletter build` against the official MJML command-line compiler, in CPU time.

    .venv/bin/python benchmarks/coldstart.py [--rounds 10]

Generates a 20-article issue in a temporary project, builds it once (which also fills the
user's cache of compiled templates and parsed CSS, as any earlier build would have), then
runs `newsletter build` as a new process and the official MJML CLI on the `email.mjml`
that build wrote, taking turns A B B A ... for `--rounds` rounds so that a busy spell of
the machine falls on both alike. Each command runs under a small parent process whose only
child it is, so its CPU time (user + system) is its own. Prints the medians and the ratio
of the CPU times, whose budget is 0.50.

The package's modules are compiled to bytecode first, as installing it does (pip compiles
them), so that a run under PYTHONDONTWRITEBYTECODE (which keeps Python from writing what it
compiles) does not compile them again in every build; --as-is leaves them as they are.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from run import (
    NEWSLETTER,
    Usage,
    child_usage,
    compile_package,
    make_project,
    official_mjml_binary,
)

BUDGET = 0.50


def main() -> None:
    """Measure, print the medians and say whether the budget is met."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds of A B (B A the next)")
    parser.add_argument("--articles", type=int, default=20, help="articles in the issue")
    parser.add_argument("--as-is", action="store_true", help="do not compile to bytecode first")
    args = parser.parse_args()
    package = compile_package(compiling=not args.as_is)
    binary = official_mjml_binary()
    if binary is None:
        sys.exit("coldstart: npm and node are needed for the official MJML CLI")
    with tempfile.TemporaryDirectory(prefix="newsletter-cold-") as tmp:
        root = Path(tmp)
        make_project(root, args.articles)
        build = [*NEWSLETTER, "build"]
        child_usage(build, root)  # the first build: caches filled, email.mjml written
        mjml_file = next((root / "dist").glob("*/email.mjml"))
        official = [str(binary), str(mjml_file), "-o", str(mjml_file.with_suffix(".mjml.html"))]
        ours: list[Usage] = []
        theirs: list[Usage] = []
        for n in range(args.rounds):
            turns = [(build, ours), (official, theirs)]
            for command, runs in turns if n % 2 == 0 else reversed(turns):
                runs.append(child_usage(command, root))
    cpu = statistics.median(u.cpu for u in ours)
    cpu_official = statistics.median(u.cpu for u in theirs)
    wall = statistics.median(u.wall for u in ours)
    wall_official = statistics.median(u.wall for u in theirs)
    ratio = cpu / cpu_official
    bytecode = "as it was" if args.as_is else "compiled first"
    print(f"{package}, bytecode {bytecode}")
    print(f"{args.rounds} rounds, {args.articles} articles, medians")
    print(f"{'':<20} {'CPU':>8} {'wall':>8}")
    print(f"{'newsletter build':<20} {cpu * 1000:>5.0f} ms {wall * 1000:>5.0f} ms")
    print(
        f"{'official MJML CLI':<20} {cpu_official * 1000:>5.0f} ms {wall_official * 1000:>5.0f} ms"
    )
    print(f"{'ratio':<20} {ratio:>8.2f} {wall / wall_official:>8.2f}")
    print(f"CPU ratio ≤ {BUDGET:.2f}: {'met' if ratio <= BUDGET else 'not met'}")


if __name__ == "__main__":
    main()
