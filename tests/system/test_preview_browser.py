"""The preview end to end: the real `newsletter preview` process, driven in headless Chromium.

The page is never reloaded by a test: every change comes from editing the issue file, as an
editor does, and the tests wait (with timeouts) for the page to show it by itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import loopback_browser
from tests.system.test_preview_server import preview_process

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

TIMEOUT = 15_000  # ms: the most any wait for the page may take
ISSUE = Path("issues") / "2026-11-30.yaml"

# The text of the email in the frame ("" while the frame has no document yet).
FRAME_TEXT = "() => document.querySelector('#email').contentDocument?.body?.innerText ?? ''"


@pytest.fixture(scope="module")
def context() -> Iterator[BrowserContext]:
    """One headless Chromium for the module that reaches 127.0.0.1 and nothing else."""
    yield from loopback_browser()


@pytest.fixture
def page(project: Path, context: BrowserContext) -> Iterator[Page]:
    """The preview of the project's issue, open and showing its first build."""
    with preview_process(project, "--port", "0") as running:
        opened = context.new_page()
        opened.set_viewport_size({"width": 1280, "height": 600})
        opened.goto(running.url)
        opened.wait_for_selector("body[data-epoch]", timeout=TIMEOUT)
        yield opened
        opened.close()


def edit(project: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in the issue file, as many editors save it: written aside, then
    renamed over (written in place, the preview may first catch it empty, and show that)."""
    path = project / ISSUE
    text = path.read_text(encoding="utf-8")
    assert old in text
    aside = path.with_name(f".{path.name}.swp")
    aside.write_text(text.replace(old, new), encoding="utf-8")
    os.replace(aside, path)


def wait_for_frame_text(page: Page, text: str, *, present: bool = True) -> None:
    """Wait until the email in the frame shows `text` (or no longer does)."""
    page.wait_for_function(
        f"(t) => ({FRAME_TEXT})().includes(t) === {'true' if present else 'false'}",
        arg=text,
        timeout=TIMEOUT,
    )


def test_the_page_shows_the_issue(page: Page) -> None:
    assert page.locator("#subject").inner_text() == "A small issue"
    assert page.title() == "A small issue · preview"
    wait_for_frame_text(page, "The lead")
    assert re.fullmatch(r"\d+\.\d kB of 102 kB", page.locator("#size").inner_text())
    assert page.locator("#problems li").count() == 0


def test_editing_the_issue_updates_the_frame_without_reloading_the_page(
    project: Path, page: Page
) -> None:
    page.evaluate("window.notReloaded = true")  # gone if the page itself reloads
    edit(project, "subject: A small issue", "subject: A changed issue")
    edit(project, "title: The lead", "title: A brand new lead")
    wait_for_frame_text(page, "A brand new lead")
    page.wait_for_function(
        "() => document.querySelector('#subject').textContent === 'A changed issue'",
        timeout=TIMEOUT,
    )
    assert page.evaluate("window.notReloaded") is True


def test_a_broken_file_shows_the_error_page_and_fixing_it_brings_the_email_back(
    project: Path, page: Page
) -> None:
    edit(project, "subject: A small issue", "subject: [A small issue")
    wait_for_frame_text(page, "The email could not be built")
    frame = page.frame_locator("#email")
    problem = frame.locator("#problems li").first.inner_text()
    assert problem.startswith("issues/2026-11-30.yaml:4:10: error: YAML syntax error"), problem
    page.wait_for_function(
        "() => document.querySelector('#subject').textContent === 'Build failed'",
        timeout=TIMEOUT,
    )
    assert page.locator("#problems li").first.inner_text() == problem
    edit(project, "subject: [A small issue", "subject: A small issue")
    wait_for_frame_text(page, "The lead")
    wait_for_frame_text(page, "could not be built", present=False)
    page.wait_for_function(
        "() => document.querySelectorAll('#problems li').length === 0", timeout=TIMEOUT
    )
    page.wait_for_function(
        "() => document.querySelector('#subject').textContent === 'A small issue'",
        timeout=TIMEOUT,
    )


def _frame_width(page: Page) -> float:
    box = page.locator("#email").bounding_box()
    assert box is not None
    return box["width"]


def test_the_width_presets_and_the_free_width_size_the_frame(page: Page) -> None:
    assert _frame_width(page) == 800
    for preset in (375, 360, 800):
        page.click(f"[data-width='{preset}']")
        assert _frame_width(page) == preset
        assert page.get_attribute(f"[data-width='{preset}']", "aria-pressed") == "true"
        assert page.input_value("#width") == str(preset)
    page.fill("#width", "520")
    page.press("#width", "Enter")
    assert _frame_width(page) == 520
    assert page.locator("[data-width][aria-pressed='true']").count() == 0
    page.fill("#width", "5")  # below any phone: the smallest width instead
    page.press("#width", "Enter")
    assert _frame_width(page) == 200
    # The email itself lays out at the frame's width.
    assert page.frame_locator("#email").locator("body").evaluate("b => innerWidth") == 200


def test_the_text_tab_shows_the_text_version(project: Path, page: Page) -> None:
    page.click("[data-tab='text']")
    assert page.locator("#email").is_hidden()
    text = page.locator("#text")
    assert text.is_visible()
    shown = text.text_content() or ""
    assert "A small issue" in shown and "The lead" in shown
    assert "https://example.org/news/lead" in shown
    assert "<" not in shown  # text, not markup
    page.click("[data-tab='mjml']")
    assert (page.locator("#mjml").text_content() or "").lstrip().startswith("<mjml")
    page.click("[data-tab='html']")
    assert page.locator("#email").is_visible()


def _body_background(page: Page) -> tuple[int, int, int]:
    colour = (
        page.frame_locator("#email")
        .locator("body")
        .evaluate("b => getComputedStyle(b).backgroundColor")
    )
    found = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(, [\d.]+)?\)", colour)
    assert found, colour
    red, green, blue = (int(found.group(i)) for i in (1, 2, 3))
    return red, green, blue


def test_dark_mode_shows_the_emails_dark_styles(page: Page) -> None:
    light = _body_background(page)
    assert min(light) > 200, light
    page.check("#dark")
    page.wait_for_function(
        "() => { const d = document.querySelector('#email').contentDocument;"
        " return d.readyState === 'complete' && d.location.search.includes('dark=1'); }",
        timeout=TIMEOUT,
    )
    dark = _body_background(page)
    assert max(dark) < 60, dark
    page.uncheck("#dark")
    page.wait_for_function(
        "() => { const d = document.querySelector('#email').contentDocument;"
        " return d.readyState === 'complete' && !d.location.search.includes('dark=1'); }",
        timeout=TIMEOUT,
    )
    assert _body_background(page) == light


SCROLL_Y = "() => document.querySelector('#email').contentWindow.scrollY"


def test_the_scroll_position_is_kept_across_rebuilds_and_failed_builds(
    project: Path, page: Page
) -> None:
    page.click("[data-width='360']")  # narrow: the email is taller than the frame
    wanted = page.evaluate(
        "() => { const w = document.querySelector('#email').contentWindow;"
        " const most = w.document.documentElement.scrollHeight - w.innerHeight;"
        " w.scrollTo(0, Math.floor(most * 0.6)); return w.scrollY; }"
    )
    assert wanted > 100
    edit(project, "title: Second story", "title: The second story, retitled")
    wait_for_frame_text(page, "The second story, retitled")
    page.wait_for_function(f"() => ({SCROLL_Y})() === {wanted}", timeout=TIMEOUT)
    # An error page in between (short, never scrolled) must not lose the reader's place.
    edit(project, "subject: A small issue", "subject: [A small issue")
    wait_for_frame_text(page, "The email could not be built")
    edit(project, "subject: [A small issue", "subject: A small issue")
    wait_for_frame_text(page, "The second story, retitled")
    page.wait_for_function(f"() => ({SCROLL_Y})() === {wanted}", timeout=TIMEOUT)


def test_the_page_comes_back_after_the_preview_is_restarted(
    project: Path, context: BrowserContext
) -> None:
    opened = context.new_page()
    with preview_process(project, "--port", "0") as first:
        opened.goto(first.url)
        wait_for_frame_text(opened, "The lead")
        port = first.url.rsplit(":", 1)[1].strip("/")
        assert first.interrupt() == 0
    edit(project, "title: The lead", "title: Edited while the preview was stopped")
    # The same port again: the open page notices the new server and shows its build.
    with preview_process(project, "--port", port):
        wait_for_frame_text(opened, "Edited while the preview was stopped")
    opened.close()


def test_an_earlier_issue_that_changes_is_read_again(project: Path, page: Page) -> None:
    # The preview keeps what earlier issues featured between saves of this one; a change to
    # one of them shows at once.
    checks = "() => document.querySelector('#checks').innerText"
    featured = "already featured in #6"
    assert featured not in page.evaluate(checks)
    earlier = project / "issues" / "2026-11-23.yaml"
    text = (project / ISSUE).read_text(encoding="utf-8")
    earlier.write_text(text.replace("number: 7", "number: 6").replace("11-30", "11-23"))
    page.wait_for_function(f"() => ({checks})().includes('{featured}')", timeout=TIMEOUT)
    edit(project, "subject: A small issue", "subject: A saved issue")  # kept, not read again
    page.wait_for_function(
        "() => document.querySelector('#subject').textContent === 'A saved issue'",
        timeout=TIMEOUT,
    )
    assert featured in page.evaluate(checks)
    earlier.unlink()
    page.wait_for_function(f"() => !({checks})().includes('{featured}')", timeout=TIMEOUT)
