"""axe-core, the accessibility engine, finds no WCAG violation in the example issue's email,
at 600 and 375 px, light and dark, in English and in Russian."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from newsletter.project.folder import Project
from tests.browser import REPO, browser, open_page, require_chromium

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from tests.browser import Scheme

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_VERSION = "4.14.1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def context() -> Iterator[BrowserContext]:
    yield from browser()


@pytest.fixture(scope="session")
def axe() -> str:
    """axe-core's script, installed with npm once into .cache/ and reused."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is needed to install axe-core: apt-get install npm")
    folder = REPO / ".cache" / f"axe-core-{AXE_VERSION}"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        command = [npm, "install", "--prefix", str(partial), "--save-exact", "--no-audit"]
        command += ["--no-fund", "--loglevel=error", f"axe-core@{AXE_VERSION}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"npm could not install axe-core@{AXE_VERSION}:\n{done.stderr}")
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    return script.read_text(encoding="utf-8")


def example(tmp_path: Path, language: str) -> Path:
    """A copy of the repository's newsletter, in `language`; its example issue."""
    for name in ("newsletter.yaml", "templates", "issues", "images"):
        source = REPO / name
        copy: Any = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    settings = tmp_path / "newsletter.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("language: en-GB", f"language: {language}"))
    return tmp_path / "issues" / "2026-11-30.yaml"


@pytest.mark.parametrize("language", ["en-GB", "ru"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [600, 375])
def test_axe_finds_no_violation(
    context: BrowserContext, axe: str, tmp_path: Path, width: int, scheme: Scheme, language: str
) -> None:
    require_chromium()
    issue = example(tmp_path, language)
    html = Project(tmp_path, tmp_path).inspect(issue).rendition.html
    page = open_page(context, html, width, scheme)
    page.add_script_tag(content=axe)
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + json.dumps([n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
    ]
    assert violations == []
    assert len(result["passes"]) > 10  # it ran, and checked something
