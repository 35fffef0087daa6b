"""Our HTML renders pixel for pixel as official MJML's HTML of the same MJML, in Chromium."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from newsletter.preview.snapshot import screenshots
from newsletter.project.folder import Project
from tests.browser import (
    EXAMPLE,
    REPO,
    image,
    npm_package,
    render_repository_issue,
    require_chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MJML_VERSION = "5.4.1"
WIDTHS = (600, 375)

# The options that match our pipeline: no web fonts (compile_mjml passes fonts={}), MJML's
# default soft validation, no minifying or beautifying. mjml 5's mjml2html returns a Promise.
NODE_SCRIPT = """
const mjml2html = require(process.argv[1]);
const mjml = require('fs').readFileSync(0, 'utf8');
Promise.resolve(
  mjml2html(mjml, {fonts: {}, validationLevel: 'soft', minify: false, beautify: false})
).then((result) => {

  for (const error of result.errors) console.error(error.formattedMessage);
  process.stdout.write(result.html);
}).catch((error) => { console.error(String(error)); process.exit(1); });
"""

SMALL_ISSUE = """\
number: 113
date: 2026-12-07
subject: Every layout once
preheader: A lead, a list with and without images, a compact list and a sponsor.
intro: |
  A short *intro* with [a link](https://example.org/intro).
sections:
  - title: Lead story
    layout: lead
    articles:
      - title: A lead with an image
        url: https://example.org/news/lead
        source: example.org
        summary: What happened, with **emphasis** and `code`.
        image: https://example.org/img/lead.jpg
        image_alt: A wide picture
  - title: News
    layout: list
    articles:
      - title: A listed story with a thumbnail
        url: https://example.org/news/thumbnail
        source: example.org
        summary: One sentence.
        image: https://example.org/img/thumb.jpg
        image_alt: A small picture
      - title: A listed story without an image, whose headline is long enough to wrap
        url: https://example.org/news/no-image
        summary: Another sentence, with [a link](https://example.org/x).
      - title: A word from our sponsor
        url: https://sponsor.example.com/offer
        source: sponsor.example.com
        summary: Paid for, and labelled so.
        image: https://sponsor.example.com/banner.png
        image_alt: The sponsor's logo
        sponsored: true
  - title: In brief
    layout: compact
    articles:
      - title: A compact item
        url: https://example.org/news/compact-1
        source: example.org
      - title: Another compact item without a source
        url: https://example.org/news/compact-2
"""


@pytest.fixture(scope="session")
def official_mjml() -> Path:
    """The official `mjml` package, installed with npm once into .cache/ and reused."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to compare with official MJML: apt-get install nodejs npm")
    return npm_package("mjml", MJML_VERSION)


def compile_officially(package: Path, mjml: str) -> tuple[str, str]:
    """Official MJML's HTML for `mjml`, and the validation messages it printed."""
    done = subprocess.run(
        ["node", "-e", NODE_SCRIPT, str(package)],
        input=mjml,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"official MJML failed:\n{done.stderr}"
    return done.stdout, done.stderr


@dataclass(frozen=True)
class Compared:
    """One issue's HTML from both compilers, and their screenshots."""

    ours: str
    official: str
    messages: str
    our_shots: dict[str, bytes]
    official_shots: dict[str, bytes]


@pytest.fixture(scope="module")
def compared(
    official_mjml: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Compared]:
    """Compare an issue ("example" or "small") once, however many tests look at it."""
    require_chromium()
    done: dict[str, Compared] = {}

    def compare(name: str) -> Compared:
        if name not in done:
            rendition = render_repository_issue(_issue_path(name, tmp_path_factory))
            official, messages = compile_officially(official_mjml, rendition.mjml)
            images = rendition.published
            assert images or name != "example", "the example's images are not derived"
            done[name] = Compared(
                rendition.html,
                official,
                messages,
                # The derived images (the example's) load in both; others are placeholders.
                screenshots(rendition.html, WIDTHS, dark=True, offline=True, images=images),
                screenshots(official, WIDTHS, dark=True, offline=True, images=images),
            )
        return done[name]

    return compare


def _issue_path(name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if name == "example":
        return EXAMPLE
    path = tmp_path_factory.mktemp("small") / "2026-12-07.yaml"
    path.write_text(SMALL_ISSUE, encoding="utf-8")
    return path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("issue", ["example", "small"])
def test_pixel_identical_to_official_mjml(
    compared: Callable[[str], Compared], issue: str, width: int, scheme: str, tmp_path: Path
) -> None:
    result = compared(issue)
    name = f"email-{width}{'-dark' if scheme == 'dark' else ''}.png"
    ours, official = image(result.our_shots[name]), image(result.official_shots[name])
    box = ImageChops.difference(ours, official).getbbox() if ours.size == official.size else None
    if ours.size == official.size and box is None:
        return
    # Keep the evidence: both screenshots, a diff with every differing pixel in red, the HTML.
    ours.save(tmp_path / "ours.png")
    official.save(tmp_path / "official.png")
    (tmp_path / "ours.html").write_text(result.ours, encoding="utf-8")
    (tmp_path / "official.html").write_text(result.official, encoding="utf-8")
    if ours.size == official.size:
        mask = ImageChops.difference(ours, official).convert("L").point(lambda v: 255 if v else 0)
        Image.composite(Image.new("RGB", ours.size, (255, 0, 0)), ours, mask).save(
            tmp_path / "diff.png"
        )
        count = mask.histogram()[255]
        what = f"{count} pixels differ, within {box}"
    else:
        what = f"sizes differ: ours {ours.size}, official {official.size}"
    messages = f"\nofficial MJML said:\n{result.messages}" if result.messages else ""
    pytest.fail(
        f"{issue} issue at {width} px, {scheme}: {what}.\n"
        f"Screenshots, diff and HTML are in {tmp_path}{messages}",
        pytrace=False,
    )


def test_the_small_issue_uses_every_layout_of_the_theme(tmp_path: Path) -> None:
    path = tmp_path / "2026-12-07.yaml"
    path.write_text(SMALL_ISSUE, encoding="utf-8")
    project = Project(REPO, REPO)
    issue = project.load_issue(path)
    assert {section.layout for section in issue.sections} == project.theme.layouts
    assert any(article.sponsored for section in issue.sections for article in section.articles)
