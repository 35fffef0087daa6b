"""Images in the built email: derived from the originals kept in the project, through the
real pipeline, with real image files (tests/images/ORIGIN.md says where they come from)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from newsletter.build import pictures
from newsletter.project.folder import Project
from tests.conftest import RunCli
from tests.unit.test_images_hostile import png_declaring

IMAGES = Path(__file__).parents[1] / "images"
ISSUE = Path("issues") / "2026-11-30.yaml"


def keep(project: Path, name: str) -> str:
    """Copy tests/images/NAME into the project's images/ as `add` would name it."""
    data = (IMAGES / name).read_bytes()
    kept = f"images/{hashlib.sha256(data).hexdigest()[:20]}{Path(name).suffix}"
    (project / kept).parent.mkdir(exist_ok=True)
    (project / kept).write_bytes(data)
    return kept


def with_kept(project: Path, lead: str | None, thumbnail: str | None = None, **more: str) -> None:
    """The test issue with `image_file:` lines (and more keys) on its two articles; the second
    article gets an image too when `thumbnail` is given."""
    text = (project / ISSUE).read_text(encoding="utf-8")
    if lead:
        extra = "".join(f"\n        {key}: {value}" for key, value in more.items())
        text = text.replace(
            "image_alt: A lead picture",
            f"image_alt: A lead picture\n        image_file: {lead}{extra}",
        )
    if thumbnail:
        text = text.replace(
            "        summary: More.\n",
            "        summary: More.\n        image: https://example.org/img/second.jpg\n"
            f"        image_alt: A second picture\n        image_file: {thumbnail}\n",
        )
    (project / ISSUE).write_text(text, encoding="utf-8")


def images_of(html: str) -> list[dict[str, str]]:
    """Each <img> of the articles (class picture) as its attributes."""
    return [
        dict(re.findall(r'(\w+)="([^"]*)"', tag))
        for tag in re.findall(r"<img\b[^>]*>", html)
        if 'class="picture"' in tag
    ]


def render(project: Path) -> pictures.Picture | None:
    shown = Project.find(project).inspect(project / ISSUE).rendition.pictures
    return shown[0] if shown else None


def test_build_writes_the_derived_images_and_the_email_points_at_the_archive(
    project: Path, run: RunCli
) -> None:
    with_kept(project, keep(project, "flower.jpg"), keep(project, "sample.jpg"))
    result = run("build")
    assert result.exit_code == 0, result.output
    assert re.search(r"dist/2026-11-30/images +\d+\.\d kB", result.output), result.output
    html = (project / "dist" / "2026-11-30" / "email.html").read_text(encoding="utf-8")
    lead, thumbnail = images_of(html)
    # The lead: 480 x 360 cropped to 2:1 (480 x 240: narrower than 1104, never enlarged),
    # shown 552 x 276; the thumbnail: 290 x 442 cropped square, 240 x 240, shown 120 x 120.
    assert (lead["width"], lead["height"]) == ("552", "276")
    assert (thumbnail["width"], thumbnail["height"]) == ("120", "120")
    for attributes, size in ((lead, (480, 240)), (thumbnail, (240, 240))):
        assert attributes["src"].startswith("https://example.org/weekly/images/")
        name = attributes["src"].removeprefix("https://example.org/weekly/images/")
        data = (project / "dist" / "2026-11-30" / "images" / name).read_bytes()
        assert name == f"{hashlib.sha256(data).hexdigest()[:16]}-{size[0]}.jpg"
        with Image.open(io.BytesIO(data)) as image:
            assert (image.format, image.size) == ("JPEG", size)
    # Each image links to its article.
    assert '<a href="https://example.org/news/lead"' in html.split(lead["src"])[0][-300:]


def test_the_same_originals_give_the_same_bytes_in_another_process(project: Path) -> None:
    with_kept(project, keep(project, "hopper_orientation_6.jpg"), image_focus="0.3,0.6")
    here = render(project)
    assert here is not None and here.derived is not None
    code = (
        "import sys; from pathlib import Path; from newsletter.project.folder import Project;"
        "p = Project.find(Path(sys.argv[1]));"
        "s = p.inspect(Path(sys.argv[1]) / 'issues' / '2026-11-30.yaml').rendition.pictures[0];"
        "sys.stdout.write(s.derived.name + ' ' + s.derived.data.hex())"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(project / "another-cache")}
    out = subprocess.run(
        [sys.executable, "-c", code, str(project)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name, data = out.split()
    assert (name, bytes.fromhex(data)) == (here.derived.name, here.derived.data)
    assert (project / "another-cache" / "newsletter").is_dir()  # derived there, not read back


def test_a_rebuild_reads_the_cache_and_a_broken_cache_file_is_derived_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = keep(project, "flower.jpg")
    with_kept(project, kept)
    first = render(project)
    assert first is not None and first.derived is not None
    pictures._REMEMBERED.clear()
    os.utime(project / kept, (1_000_000_000, 1_000_000_000))  # a checkout's times: still known

    def no_pillow(*args: object) -> pictures.Source:
        raise AssertionError("derived again instead of read from the cache")

    monkeypatch.setattr(pictures, "_derive", no_pillow)
    again = render(project)
    assert again is not None and again.derived == first.derived
    pictures._REMEMBERED.clear()
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "newsletter" / f"images-{pictures.FORMAT}"
    for cached in folder.iterdir():
        cached.write_bytes(cached.read_bytes()[:-100])  # cut short: a full disk, a crash
    monkeypatch.undo()
    repaired = render(project)
    assert repaired is not None and repaired.derived == first.derived


def test_the_focus_chooses_what_the_crop_keeps(project: Path) -> None:
    kept = keep(project, "sample.jpg")  # portrait: the lead's 2:1 crop keeps a third of it
    crops = {}
    for focus in ("top", "bottom", "0.5,0.5"):
        with_kept(project, None)
        text = (project / ISSUE).read_text(encoding="utf-8")
        text = re.sub(r"\n        image_(file|focus): .*", "", text)
        (project / ISSUE).write_text(text, encoding="utf-8")
        with_kept(project, kept, image_focus=focus)
        picture = render(project)
        assert picture is not None and picture.derived is not None
        crops[focus] = picture.derived
    assert len({c.data for c in crops.values()}) == 3
    with Image.open(IMAGES / "sample.jpg") as original:
        width = original.width
        strips = {  # the original's top and bottom 2:1 strips
            side: original.convert("L").crop(box)
            for side, box in (
                ("top", (0, 0, width, width // 2)),
                ("bottom", (0, original.height - width // 2, width, original.height)),
            )
        }
    for focus, crop in crops.items():
        if focus in strips:
            with Image.open(io.BytesIO(crop.data)) as derived:
                grey = derived.convert("L")
                distance = {side: _difference(grey, strip) for side, strip in strips.items()}
            other = "bottom" if focus == "top" else "top"
            # Near (the original is Adobe RGB, the crop sRGB), and far from the other end.
            assert distance[focus] < 8 and distance[other] > 20, (focus, distance)


def _difference(a: Image.Image, b: Image.Image) -> float:
    """The mean difference of two grey images' pixels, 0 to 255."""
    histogram = ImageChops.difference(a, b).histogram()
    return sum(value * count for value, count in enumerate(histogram)) / (a.width * a.height)


@pytest.mark.parametrize(
    ("kept", "status", "shown"),
    [
        (None, "not-fetched", "https://example.org/img/lead.jpg"),
        ("images/00000000000000000000.jpg", "missing", "https://example.org/img/lead.jpg"),
        ("truncated", "unusable", "https://example.org/img/lead.jpg"),
    ],
)
def test_without_a_usable_kept_file_the_original_address_is_shown(
    project: Path, run: RunCli, kept: str | None, status: str, shown: str
) -> None:
    if kept == "truncated":
        kept = keep(project, "truncated.jpg")
        (project / kept).write_bytes(b"not an image at all, though named .jpg")
    with_kept(project, kept)
    picture = render(project)
    assert picture is not None and (picture.status, picture.src) == (status, shown)
    result = run("build")
    assert result.exit_code == 0, result.output
    html = (project / "dist" / "2026-11-30" / "email.html").read_text(encoding="utf-8")
    (lead,) = images_of(html)
    assert lead["src"] == shown and lead["width"] == "552" and "height" not in lead
    assert not (project / "dist" / "2026-11-30" / "images").exists()


def test_without_an_archive_the_kept_image_is_measured_but_the_original_shown(
    project: Path,
) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "archive_url: https://example.org/weekly/\n", ""
        ),
        encoding="utf-8",
    )
    with_kept(project, keep(project, "flower.jpg"))
    picture = render(project)
    assert picture is not None and picture.status == "hotlinked"
    assert picture.src == "https://example.org/img/lead.jpg" and picture.height is None
    assert picture.derived is not None and picture.derived.too_small
    assert picture.derived.original == (480, 360)


def test_an_original_replaced_under_the_same_name_is_derived_again(project: Path) -> None:
    kept = keep(project, "flower.jpg")
    with_kept(project, kept)
    before = render(project)
    (project / kept).write_bytes((IMAGES / "hopper.jpg").read_bytes())
    after = render(project)
    assert before is not None and after is not None and before.derived and after.derived
    assert before.derived.name != after.derived.name
    assert after.derived.original == (128, 128)


def test_a_local_copy_of_the_html_points_at_the_derived_files(project: Path) -> None:
    with_kept(project, keep(project, "flower.jpg"))
    rendition = Project.find(project).inspect(project / ISSUE).rendition
    (picture,) = rendition.pictures
    assert picture.derived is not None
    local = rendition.with_images_at("../images/")
    assert f'src="../images/{picture.derived.name}"' in local
    assert picture.src not in local
    assert rendition.published == {picture.src: picture.derived.data}


@pytest.mark.parametrize(
    ("focus", "message"),
    [
        ("middle", "expected centre, top, bottom, left, right, or x,y as fractions"),
        ("1.5,0", "not '1.5,0'"),
        ("0.5", "not '0.5'"),
    ],
)
def test_a_wrong_focus_is_refused_with_its_line(
    project: Path, run: RunCli, focus: str, message: str
) -> None:
    with_kept(project, keep(project, "flower.jpg"), image_focus=f"'{focus}'")
    result = run("build")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    line = next(
        n
        for n, text in enumerate((project / ISSUE).read_text().splitlines(), 1)
        if "image_focus" in text
    )
    assert f"issues/2026-11-30.yaml:{line}:" in result.output and message in result.output


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ('pictures.show(article, 552, "2x1")', 'an aspect is "W:H" in whole numbers'),
        ('pictures.show(article, 0, "2:1")', "an image's width is 1 to 2000 CSS pixels, not 0"),
        ('pictures.show(article, "552", "2:1")', "an image's width is 1 to 2000 CSS pixels"),
    ],
)
def test_a_place_a_template_gets_wrong_is_a_theme_error_with_its_line(
    project: Path, run: RunCli, call: str, message: str
) -> None:
    with_kept(project, keep(project, "flower.jpg"))
    lead = project / "templates" / "layouts" / "lead.mjml.j2"
    text = lead.read_text(encoding="utf-8")
    assert 'pictures.show(article, 552, "2:1")' in text
    lead.write_text(text.replace('pictures.show(article, 552, "2:1")', call), encoding="utf-8")
    result = run("build")
    assert result.exit_code != 0 and "Traceback" not in result.output
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "pictures.show" in t)
    assert f"templates/layouts/lead.mjml.j2:{line}:" in result.output
    assert message in result.output


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_kept_file_linking_out_of_the_project_is_not_published(
    project: Path, tmp_path_factory: pytest.TempPathFactory, link: str
) -> None:
    private = tmp_path_factory.mktemp("private")
    kept = "images/0123456789abcdef0123.jpg"
    (private / "0123456789abcdef0123.jpg").write_bytes((IMAGES / "flower.jpg").read_bytes())
    if link == "file":
        (project / "images").mkdir()
        (project / kept).symlink_to(private / "0123456789abcdef0123.jpg")
    else:
        (project / "images").symlink_to(private)
    with_kept(project, kept)
    rendition = Project.find(project).inspect(project / ISSUE).rendition
    (picture,) = rendition.pictures
    assert picture.status == "unusable" and "outside the project" in picture.reason
    assert picture.derived is None and rendition.published == {}


def test_a_decompression_bomb_kept_in_the_project_is_refused_in_bounded_memory(
    project: Path,
) -> None:
    bomb = png_declaring(12000, 12000)  # a few dozen bytes declaring 144 megapixels
    (project / "images").mkdir()
    kept = "images/" + hashlib.sha256(bomb).hexdigest()[:20] + ".png"
    (project / kept).write_bytes(bomb)
    with_kept(project, kept)
    # The build's peak is VmHWM, its own memory's high-water mark (ru_maxrss would count
    # pytest's, inherited at the fork).
    code = (
        "from click.testing import CliRunner; from newsletter.cli import cli;"
        "r = CliRunner().invoke(cli, ['build']);"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0];"
        "print(r.exit_code, int(status) // 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    exit_code, peak_mb = int(out[-2]), int(out[-1])
    assert exit_code == 0 and peak_mb < 300, out
    picture = render(project)
    assert picture is not None and picture.status == "unusable"
    assert "megapixels" in picture.reason
