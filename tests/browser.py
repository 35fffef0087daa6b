"""Helpers for the tests that look at the email in a real headless Chromium."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest
from PIL import Image

from newsletter.build.render import Rendition, render_issue, settings_links
from newsletter.model.problems import UserError
from newsletter.preview.snapshot import chromium, find_chromium, placeholder_png
from newsletter.project.folder import Project, slug

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Route

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "issues" / "2026-11-30.yaml"
EVERY_LAYOUT = REPO / "tests" / "golden" / "issues" / "layouts.yaml"
"""Every layout, sponsored articles in each, a link in a sponsored summary."""
Scheme = Literal["light", "dark"]


def require_chromium() -> None:
    """Skip the calling test, saying what to install, when Playwright or Chromium is missing."""
    pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'"
    )
    try:
        find_chromium()
    except UserError as e:
        pytest.skip(f"no Chromium for the browser tests: {e}")


def render_repository_issue(path: Path) -> Rendition:
    """`path` rendered with this repository's settings and theme, as `newsletter build` would."""
    return Project(REPO, REPO).inspect(path).rendition


def render_with_brand(path: Path, color: str) -> Rendition:
    """`path` rendered as `render_repository_issue` does, with another brand colour."""
    project = Project(REPO, REPO)
    brand = project.settings.brand.model_copy(update={"color": color})
    settings = project.settings.model_copy(update={"brand": brand})
    links = settings_links(settings, slug(path))
    return render_issue(project.load_issue(path), settings, project.theme, links)


def browser() -> Iterator[BrowserContext]:
    """The body of a fixture: one offline Chromium (placeholder images) for a module's tests."""
    require_chromium()
    with chromium(offline=True) as context:
        yield context


def loopback_browser() -> Iterator[BrowserContext]:
    """The body of a fixture: one Chromium that reaches 127.0.0.1 (a preview) and nothing
    else; images from elsewhere get a placeholder."""
    require_chromium()
    # Not offline=True: its resolver rules block 127.0.0.1 too. The route keeps us offline.
    with chromium(offline=False) as context:
        context.route(re.compile(r"^(?!http://127\.0\.0\.1:\d+/)"), _outside)
        yield context


def _outside(route: Route) -> None:
    """Anything but the preview on loopback: images get a placeholder, the rest is refused."""
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=placeholder_png())
    else:
        route.abort("blockedbyclient")


def open_page(context: BrowserContext, html: str, width: int, scheme: Scheme) -> Page:
    """A new page showing `html` at `width` CSS pixels in the given colour scheme."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    page.set_content(html, wait_until="load")
    return page


def image(png: bytes) -> Image.Image:
    """A PNG as an RGB Pillow image."""
    return Image.open(io.BytesIO(png)).convert("RGB")


def npm_package(name: str, version: str) -> Path:
    """The npm package `name` at `version`, installed with npm once into .cache/ and reused;
    the test is skipped where npm is missing (CI installs it, and fails on a skip)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is needed to install {name}: apt-get install nodejs npm")
    folder = REPO / ".cache" / f"{name}-{version}"
    package = folder / "node_modules" / name
    if not _installed(package, version):
        # Installed beside the final folder and moved into place: an interrupted install
        # must not be taken for a finished one next time.
        partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        command = [npm, "install", "--prefix", str(partial), "--save-exact", "--no-audit"]
        command += ["--no-fund", "--loglevel=error", f"{name}@{version}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"npm could not install {name}@{version}:\n{done.stderr}")
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    return package


def _installed(package: Path, version: str) -> bool:
    try:
        return bool(json.loads((package / "package.json").read_text())["version"] == version)
    except (OSError, ValueError, KeyError):
        return False
