"""The checks of the articles' images and their weight, through `newsletter check` run as a
user would, with real image files kept in the project's images/ folder.

These checks need files beside the issue, which the data-driven cases of test_checks do not
have: each code is tripped here, and shown not to fire where the image is fine.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from newsletter.checks import pictures
from newsletter.model.codes import CODES
from tests.conftest import RunCli

KEPT_IMAGE_CODES = frozenset(
    {
        "image/not-fetched",
        "image/unusable",
        "image/hotlinked",
        "image/too-small",
        "image/portrait-lead",
        "size/images-heavy",
        "image/unpublished",  # with --online: test_online_images
    }
)
"""The check codes tested here and in test_online_images, not by cases of test_checks."""

ROOT = Path(__file__).parents[2]
IMAGES = Path(__file__).parents[1] / "images"
FILE = "issues/2026-11-30.yaml"

# Line 13 is the lead's image, 15 its image_file; line 16 may hold its image_focus.
ISSUE = """\
number: 7
date: 2026-11-30
subject: A small issue
preheader: Two stories and a picture, for the tests of images.
intro: Hello *readers*.
sections:
  - title: Lead story
    layout: lead
    articles:
      - title: The lead
        url: https://example.org/news/lead
        summary: What happened.
        image: https://example.org/img/lead.jpg
        image_alt: A lead picture
        image_file: {lead}{focus}
  - title: News
    articles:
      - title: Second story
        url: https://example.org/news/second
        summary: More.
        image: https://example.org/img/second.jpg
        image_alt: A second picture
        image_file: {second}
"""
LEAD_IMAGE, LEAD_FILE, SECOND_IMAGE, SECOND_FILE = 13, 15, 21, 23


def keep(project: Path, name: str) -> str:
    """Copy tests/images/NAME into the project's images/, named as `newsletter images` names
    a kept original; its `image_file`."""
    data = (IMAGES / name).read_bytes()
    kept = f"images/{hashlib.sha256(data).hexdigest()[:20]}{Path(name).suffix}"
    (project / "images").mkdir(exist_ok=True)
    (project / kept).write_bytes(data)
    return kept


def write_issue(project: Path, lead: str, second: str, focus: str = "") -> None:
    """The issue with these kept files (and the lead's image_focus, if any)."""
    focus = f"\n        image_focus: {focus}" if focus else ""
    text = ISSUE.format(lead=lead, second=second, focus=focus)
    (project / FILE).write_text(text, encoding="utf-8")


def check(run: RunCli, *args: str) -> dict[str, Any]:
    """The JSON report of `newsletter check ARGS`."""
    result = run("check", "--format", "json", *args)
    report: dict[str, Any] = json.loads(result.stdout)
    assert result.exit_code == (0 if report["ok"] else 1), result.output
    return report


def found(report: dict[str, Any], code: str) -> list[tuple[int, str | None, str]]:
    """(line, where, message) of the report's findings of `code`, all warnings."""
    findings = [f for f in report["findings"] if f["code"] == code]
    assert all(f["severity"] == "warning" for f in findings)
    return [(f["line"] or 0, f["where"], f["message"]) for f in findings]


def without_archive(project: Path) -> None:
    settings = project / "newsletter.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(re.sub(r"archive_url: .*\n", "", text), encoding="utf-8")


def test_an_image_without_a_kept_file_is_not_fetched(project: Path, run: RunCli) -> None:
    # The fixture's issue: an image with no image_file, on line 14.
    assert found(check(run), "image/not-fetched") == [
        (
            14,
            "sections[0].articles[0].image",
            "not kept in the project: run `newsletter images` to keep it; until then the email"
            " shows it from the publisher's server",
        )
    ]


def test_a_kept_file_that_is_gone_is_not_fetched(project: Path, run: RunCli) -> None:
    gone = "images/0123456789abcdef0123.jpg"
    write_issue(project, gone, keep(project, "hopper.jpg"))
    assert found(check(run), "image/not-fetched") == [
        (
            LEAD_FILE,
            "sections[0].articles[0].image_file",
            f"{gone} is not in the project: `newsletter images` fetches it again (or is"
            " images/ not committed?)",
        )
    ]


def test_a_kept_file_that_is_no_image_is_unusable(project: Path, run: RunCli) -> None:
    (project / "images").mkdir()
    broken = "images/00000000000000000000.jpg"
    (project / broken).write_text("<html>not an image</html>", encoding="utf-8")
    write_issue(project, keep(project, "flower.jpg"), broken)
    report = check(run)
    [(line, where, message)] = found(report, "image/unusable")
    assert (line, where) == (SECOND_FILE, "sections[1].articles[0].image_file")
    assert message.startswith(f"{broken} cannot be shown: ")
    assert len(message) > len(f"{broken} cannot be shown: ")  # the reason
    assert found(report, "image/not-fetched") == []


def test_without_an_archive_a_kept_image_is_hotlinked(project: Path, run: RunCli) -> None:
    write_issue(project, keep(project, "flower.jpg"), keep(project, "hopper.jpg"))
    assert found(check(run), "image/hotlinked") == []  # derived, from the archive
    without_archive(project)
    message = (
        "kept, but newsletter.yaml has no archive_url: the email shows the publisher's address,"
        " which may refuse other sites or vanish; set archive_url and publish the archive"
    )
    assert found(check(run), "image/hotlinked") == [
        (LEAD_IMAGE, "sections[0].articles[0].image", message),
        (SECOND_IMAGE, "sections[1].articles[0].image", message),
    ]


def test_a_small_original_in_a_lead_is_too_small(project: Path, run: RunCli) -> None:
    flower = keep(project, "flower.jpg")  # 480 x 360: enough for a thumbnail, not a lead
    write_issue(project, flower, flower)
    message = (
        "the original (480 x 360) is narrower than the 1104 px this place needs for sharp"
        " screens: it will look soft"
    )
    assert found(check(run), "image/too-small") == [
        (LEAD_IMAGE, "sections[0].articles[0].image", message)
    ]
    without_archive(project)  # shown from the publisher, but its size is known all the same
    assert [line for line, _, _ in found(check(run), "image/too-small")] == [LEAD_IMAGE]


def test_a_portrait_image_cropped_for_a_lead_is_a_portrait_lead(project: Path, run: RunCli) -> None:
    portrait = keep(project, "sample.jpg")  # 290 x 442
    write_issue(project, portrait, portrait)  # in a thumbnail, a square crop is fine
    message = (
        "a portrait image (290 x 442): the 2:1 crop keeps 33% of its height; set image_focus:"
        " top (or the point to keep), or use a landscape image"
    )
    assert found(check(run), "image/portrait-lead") == [
        (LEAD_IMAGE, "sections[0].articles[0].image", message)
    ]
    write_issue(project, portrait, portrait, focus="top")
    assert found(check(run), "image/portrait-lead") == []


def test_a_portrait_image_shown_whole_and_large_is_a_portrait_lead(
    project: Path, run: RunCli
) -> None:
    lead = project / "templates" / "layouts" / "lead.mjml.j2"
    uncropped = lead.read_text(encoding="utf-8").replace('552, "2:1"', "552")
    lead.write_text(uncropped, encoding="utf-8")
    portrait = keep(project, "sample.jpg")
    write_issue(project, portrait, portrait, focus="top")  # no crop: the focus changes nothing
    message = (
        "a portrait image (290 x 442) shown 552 px wide is 841 px tall: it pushes the text"
        " down; use a landscape image"
    )
    assert found(check(run), "image/portrait-lead") == [
        (LEAD_IMAGE, "sections[0].articles[0].image", message)
    ]


def test_the_budget_weighs_the_images_the_email_loads(project: Path, run: RunCli) -> None:
    flower, hopper = keep(project, "flower.jpg"), keep(project, "hopper.jpg")
    write_issue(project, flower, hopper)
    size = check(run)["size"]
    assert run("build").exit_code == 0
    built = {p.name: p.stat().st_size for p in (project / "dist/2026-11-30/images").iterdir()}
    assert len(built) == 2
    assert (size["image_bytes"], size["image_count"]) == (sum(built.values()), 2)
    assert size["heaviest_image"] == {"title": "The lead", "bytes": max(built.values()), "line": 10}
    assert size["images_not_counted"] == 0
    text = run("check").stdout
    total, heavy = (f"{n / 1000:.1f} kB" for n in (sum(built.values()), max(built.values())))
    assert f"\n  images: {total} in 2, heaviest 'The lead' {heavy} (line 10)\n" in text


def test_images_from_elsewhere_are_counted_but_not_weighed(project: Path, run: RunCli) -> None:
    write_issue(project, "images/0123456789abcdef0123.jpg", keep(project, "hopper.jpg"))
    without_archive(project)
    size = check(run)["size"]
    assert (size["image_bytes"], size["image_count"], size["heaviest_image"]) == (0, 0, None)
    assert size["images_not_counted"] == 2
    assert "\n  images: 0 B in 0; 2 from the publishers' servers, of unknown size\n" in (
        run("check").stdout
    )


def test_heavy_images_in_all_are_a_warning(project: Path, run: RunCli) -> None:
    write_issue(project, keep(project, "flower.jpg"), keep(project, "hopper.jpg"))
    report = check(run)
    assert found(report, "size/images-heavy") == []
    weight = report["size"]["image_bytes"]
    settings = project / "newsletter.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + f"checks:\n  images_bytes: {weight - 1}\n", encoding="utf-8")
    message = (
        f"the email's 2 images weigh {weight:,} bytes, over {weight - 1:,}: readers on a phone"
        " wait for them"
    )
    assert found(check(run), "size/images-heavy") == [(0, "email.html", message)]


def test_the_example_project_passes_every_check(
    tmp_path: Path, run: RunCli, monkeypatch: Any
) -> None:
    shutil.copyfile(ROOT / "newsletter.yaml", tmp_path / "newsletter.yaml")
    for folder in ("issues", "templates", "images"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    report = check(run, "2026-11-30")
    assert report["findings"] == []
    assert report["size"]["image_count"] > 0 and report["size"]["images_not_counted"] == 0
    assert run("check", "2026-11-30").stdout.endswith("\n0 errors, 0 warnings.\n")


def test_the_codes_tested_here_are_the_image_checks_codes() -> None:
    source = Path(pictures.__file__).read_text(encoding="utf-8")
    offline = set(re.findall(r'"((?:image|size)/[a-z-]+)"', source))
    assert offline == KEPT_IMAGE_CODES - {"image/unpublished"}
    assert all(CODES[code].severity == "warning" for code in KEPT_IMAGE_CODES)
