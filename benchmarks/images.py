"""What the email's images cost a reader: bytes loaded and the email's height, in Chromium.

    .venv/bin/python benchmarks/images.py [--runs 5]

For the example issue, twice: as built (the images derived from the originals kept in
images/), and with the originals themselves, as an email that hotlinks the publishers'
files loads them (the issue without `image_file:`, each original served at its `image:`
address). For each it prints the bytes of every image the email loads, the heaviest, and
the page's height at 600 and 375 px. Then it times `newsletter build` with an empty image
cache (every image derived) against a warm one, interleaved (A B B A ...), CPU and wall.

`--issue FILE` measures another issue; `--originals FILE` takes the `image:` to
`image_file:` pairs from another issue file (and its project's images/), so that an older
checkout, whose issue has no `image_file:`, can be measured with the same originals.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
from pathlib import Path

from run import NEWSLETTER, Usage, child_usage, compile_package

REPO = Path(__file__).resolve().parent.parent
WIDTHS = (600, 375)


def originals(issue: Path) -> dict[str, bytes]:
    """The bytes of each kept original, by the `image:` address it was kept from."""
    text = issue.read_text(encoding="utf-8")
    pairs = re.findall(r"image: (\S+)\n(?:\s+image_alt: .*\n)?\s+image_file: (\S+)", text)
    return {url: (issue.parent.parent / file).read_bytes() for url, file in pairs}


def without_kept_files(project: Path, issue: Path) -> Path:
    """A copy of the project whose issue has no `image_file:`: every image hotlinked."""
    copy = project / ".bench-originals"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".*", "dist", "site"))
    target = copy / issue.relative_to(project)
    text = target.read_text(encoding="utf-8")
    target.write_text(re.sub(r"\n\s+image_(file|focus): \S+", "", text), encoding="utf-8")
    return target


def measure(project: Path, issue: Path, served: dict[str, bytes]) -> dict[str, object]:
    """Bytes of each image the email loads, and its height at each width."""
    from newsletter.preview.snapshot import chromium
    from newsletter.project.folder import Project

    rendition = Project.find(project).inspect(issue).rendition
    served = {**served, **getattr(rendition, "published", {})}
    loaded: dict[str, int] = {}

    def answer(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url in served:
            loaded[url] = len(served[url])
            route.fulfill(status=200, body=served[url])  # type: ignore[attr-defined]
        else:
            route.abort("blockedbyclient")  # type: ignore[attr-defined]

    heights = {}
    with chromium(offline=True) as context:
        context.route("**/*", answer)
        for width in WIDTHS:
            page = context.new_page()
            page.set_viewport_size({"width": width, "height": 800})
            page.set_content(rendition.html, wait_until="load")
            heights[width] = page.evaluate("document.documentElement.scrollHeight")
            page.close()
    heaviest = max(loaded.items(), key=lambda item: item[1], default=("", 0))
    return {
        "images": len(loaded),
        "bytes": sum(loaded.values()),
        "heaviest": heaviest,
        "heights": heights,
    }


def build_usage(project: Path, issue: Path, cache: Path, *, cold: bool) -> Usage:
    """What one `newsletter build` costs, with the image cache emptied first if `cold`."""
    if cold:
        for folder in (cache / "newsletter").glob("images-*"):
            shutil.rmtree(folder)
    os.environ["XDG_CACHE_HOME"] = str(cache)
    return child_usage([*NEWSLETTER, "build", str(issue), "-o", str(cache / "dist")], project)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issue", type=Path, default=REPO / "issues" / "2026-11-30.yaml")
    parser.add_argument("--originals", type=Path, help="take the kept originals from this issue")
    parser.add_argument("--runs", type=int, default=5, help="builds of each kind to time")
    args = parser.parse_args()
    issue = args.issue.resolve()
    project = issue.parent.parent
    served = originals((args.originals or issue).resolve())

    hotlinked = without_kept_files(project, issue)
    try:
        rows = {
            "as built": measure(project, issue, {}),
            "originals": measure(hotlinked.parent.parent, hotlinked, served),
        }
    finally:
        shutil.rmtree(hotlinked.parent.parent, ignore_errors=True)
    print(f"{'':<10} {'images':>6} {'bytes':>10} {'heaviest':>10} {'600 px':>8} {'375 px':>8}")
    for name, row in rows.items():
        heights = row["heights"]
        assert isinstance(heights, dict)
        heaviest = row["heaviest"]
        assert isinstance(heaviest, tuple)
        print(
            f"{name:<10} {row['images']:>6} {row['bytes']:>10,} {heaviest[1]:>10,}"
            f" {heights[600]:>8,} {heights[375]:>8,}"
        )

    compile_package()
    with tempfile.TemporaryDirectory(prefix="newsletter-bench-") as folder:
        cache = Path(folder)
        times: dict[bool, list[Usage]] = {True: [], False: []}
        build_usage(project, issue, cache, cold=True)  # templates and CSS cached once
        for run in range(args.runs):
            for cold in (True, False) if run % 2 == 0 else (False, True):
                times[cold].append(build_usage(project, issue, cache, cold=cold))
    cpu = {cold: statistics.median(u.cpu for u in runs) for cold, runs in times.items()}
    for cold, label in ((True, "every image derived"), (False, "images from the cache")):
        wall = statistics.median(u.wall for u in times[cold])
        print(f"build, {label}: {cpu[cold] * 1000:,.0f} ms CPU, {wall * 1000:,.0f} ms wall")
    print(f"CPU ratio: {cpu[True] / cpu[False]:.2f} ({args.runs} runs each, interleaved)")


if __name__ == "__main__":
    main()
