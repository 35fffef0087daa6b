"""`newsletter archive` publishes the derived images its pages show, in `site/images/`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from tests.cli.test_archive_incremental import HOUR_AGO, age
from tests.conftest import ISSUE, RunCli

IMAGES = Path(__file__).parent.parent / "images"
NAME = re.compile(r"[0-9a-f]{16}-[0-9]+\.(jpg|png|gif)")


def _keep(project: Path, data: bytes, extension: str) -> str:
    """Keep `data` in the project's images/ as `add` does; the `image_file:` that names it."""
    name = f"images/{hashlib.sha256(data).hexdigest()[:20]}.{extension}"
    (project / "images").mkdir(exist_ok=True)
    (project / name).write_bytes(data)
    return name


def _large(photo: Path) -> bytes:
    """`photo` enlarged to 1600 px wide: none of the real files is wide enough for a lead."""
    with Image.open(photo) as image:
        out = io.BytesIO()
        image.resize((1600, 1200)).save(out, "JPEG", quality=85)
        return out.getvalue()


def _with_images(project: Path, lead: str, thumb: str, *, number: int = 7) -> str:
    """The test issue with a kept original for the lead and a thumbnail for the list."""
    text = ISSUE.replace(
        "        image_alt: A lead picture\n",
        f"        image_alt: A lead picture\n        image_file: {lead}\n",
    ).replace(
        "        summary: More.\n",
        "        summary: More.\n"
        "        image: https://example.org/img/second.jpg\n"
        f"        image_file: {thumb}\n",
    )
    return text.replace("number: 7", f"number: {number}")


@pytest.fixture
def kept(project: Path) -> tuple[str, str]:
    """The project's issue showing two kept originals: a large lead and a list thumbnail."""
    lead = _keep(project, _large(IMAGES / "flower.jpg"), "jpg")
    thumb = _keep(project, (IMAGES / "flower.jpg").read_bytes(), "jpg")
    (project / "issues" / "2026-11-30.yaml").write_text(_with_images(project, lead, thumb))
    return lead, thumb


def _shown(page: Path) -> list[str]:
    """The address of each article's image on a page of the archive."""
    document = lxml.html.parse(str(page)).getroot()
    return [str(img.get("src")) for img in document.cssselect("img.picture")]


def _width(path: Path) -> int:
    with Image.open(path) as image:
        return image.width


def test_the_archive_publishes_the_images_its_pages_show(
    project: Path, kept: tuple[str, str], run: RunCli
) -> None:
    result = run("archive")
    assert result.exit_code == 0, result.output
    page = project / "site" / "2026-11-30" / "index.html"
    lead, thumb = _shown(page)
    for src in (lead, thumb):
        assert src.startswith("../images/") and NAME.fullmatch(src.removeprefix("../images/"))
        assert (page.parent / src).resolve().is_file()
    assert _width(page.parent / lead) == 1104
    assert _width(page.parent / thumb) == 240
    published = sorted(p.name for p in (project / "site" / "images").iterdir())
    assert published == sorted(src.removeprefix("../images/") for src in (lead, thumb))
    # Link previews need an absolute address: the lead's derived image, where it is published.
    head = lxml.html.parse(str(page)).getroot()
    og = head.cssselect('meta[property="og:image"]')[0].get("content")
    assert og == "https://example.org/weekly/images/" + lead.removeprefix("../images/")
    # The feed's copy of the page points at the published images.
    feed = (project / "site" / "feed.xml").read_text()
    assert "https://example.org/weekly/images/" + thumb.removeprefix("../images/") in feed


def test_a_second_run_keeps_them_and_writes_what_was_deleted(
    project: Path, kept: tuple[str, str], run: RunCli
) -> None:
    age(project)  # long unchanged: the second run is told so from the files' metadata alone
    os.utime(project / "images", (HOUR_AGO, HOUR_AGO))
    assert run("archive").exit_code == 0
    images = project / "site" / "images"
    before = {p.name: p.read_bytes() for p in images.iterdir()}
    again = run("archive")
    assert again.exit_code == 0, again.output
    assert "0 issues built, 1 unchanged" in again.stdout
    assert {p.name: p.read_bytes() for p in images.iterdir()} == before
    # An image deleted by hand is written again, though nothing it comes from changed.
    gone = sorted(before)[0]
    (images / gone).unlink()
    third = run("archive")
    assert third.exit_code == 0, third.output
    assert "1 issue built, 0 unchanged" in third.stdout
    assert (images / gone).read_bytes() == before[gone]


def test_an_original_kept_after_the_page_was_built_is_noticed(
    project: Path, kept: tuple[str, str], run: RunCli
) -> None:
    lead, _ = kept
    data = (project / lead).read_bytes()
    (project / lead).unlink()
    age(project)
    assert run("archive").exit_code == 0
    page = project / "site" / "2026-11-30" / "index.html"
    assert _shown(page)[0] == "https://example.org/img/lead.jpg"  # missing: the original
    (project / lead).write_bytes(data)
    age(project)  # the files, not the folder it was added to: that tells the archive
    result = run("archive")
    assert result.exit_code == 0, result.output
    assert "1 issue built" in result.stdout
    assert _shown(page)[0].startswith("../images/")


def test_an_image_two_issues_share_is_written_once(
    project: Path, kept: tuple[str, str], run: RunCli
) -> None:
    lead, thumb = kept
    later = _with_images(project, lead, thumb, number=8).replace("2026-11-30", "2026-12-07")
    (project / "issues" / "2026-12-07.yaml").write_text(later)
    result = run("archive", "--future")
    assert result.exit_code == 0, result.output
    first = _shown(project / "site" / "2026-11-30" / "index.html")
    second = _shown(project / "site" / "2026-12-07" / "index.html")
    assert first == second
    assert len(list((project / "site" / "images").iterdir())) == 2
    marker = json.loads((project / "site" / ".newsletter-archive.json").read_text())
    assert marker["images"]["2026-11-30"] == marker["images"]["2026-12-07"]


def test_without_an_archive_address_the_originals_are_shown(
    project: Path, kept: tuple[str, str], run: RunCli
) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(
        settings.read_text().replace("archive_url: https://example.org/weekly/\n", "")
    )
    result = run("archive")
    assert result.exit_code == 0, result.output
    shown = _shown(project / "site" / "2026-11-30" / "index.html")
    assert shown == ["https://example.org/img/lead.jpg", "https://example.org/img/second.jpg"]
    assert not (project / "site" / "images").exists()


def test_without_a_kept_original_the_original_is_shown(project: Path, run: RunCli) -> None:
    shutil.rmtree(project / "images", ignore_errors=True)
    result = run("archive")
    assert result.exit_code == 0, result.output
    assert _shown(project / "site" / "2026-11-30" / "index.html") == [
        "https://example.org/img/lead.jpg"
    ]
    assert not (project / "site" / "images").exists()


def test_no_issue_can_take_the_images_folder(project: Path, run: RunCli) -> None:
    (project / "issues" / "images.yaml").write_text(ISSUE.replace("number: 7", "number: 6"))
    result = run("archive")
    assert result.exit_code == 1
    assert "its page would take the name of the archive's own images" in result.stderr
