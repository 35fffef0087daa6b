"""axe-core, the accessibility engine, finds no WCAG violation in the example issue's email,
at 600 and 375 px, light and dark, in English and in Russian."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from newsletter.project.folder import Project
from tests.browser import REPO, browser, npm_package, open_page, require_chromium

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
    return (npm_package("axe-core", AXE_VERSION) / "axe.min.js").read_text(encoding="utf-8")


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
