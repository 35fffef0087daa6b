"""premailer's reading of the theme's CSS, kept in the user's cache between builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsletter.build import parsedcss
from newsletter.build.mjml import inline_css

HTML = (
    "<!doctype html><html><head><style>.x { color: red }</style></head><body>"
    '<p class="x" style="font-size: 12px;color : #ABCDEF">Hi</p>'
    '<a href="{{ UnsubscribeURL }}">a</a><div class="box">b</div></body></html>'
)
CSS = "p { margin: 0; color: #123456 } a:hover { color: red } .box { padding: 1px !important }"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, and a process that has read no CSS yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(parsedcss, "_SHEETS", {})
    monkeypatch.setattr(parsedcss, "_PAIRS", {})
    return tmp_path / "cache" / "newsletter" / f"css-{parsedcss.FORMAT}"


def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a new process would start: nothing read in this one."""
    monkeypatch.setattr(parsedcss, "_SHEETS", {})
    monkeypatch.setattr(parsedcss, "_PAIRS", {})


def test_the_cache_gives_the_same_html_as_reading_the_css(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = inline_css(HTML, CSS)
    assert '<p class="x" style="margin:0; color:#ABCDEF; font-size:12px">' in first
    assert 'style="padding:1px !important"' in first
    assert len(list(cache.iterdir())) == 1
    _forget(monkeypatch)
    assert inline_css(HTML, CSS) == first


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b'{"rules": 5, "pairs": []}',
        b'{"rules": [[0, [[[0], 1, 2]], []]]}',
        b"\xff",
    ],
)
def test_a_broken_cache_file_is_ignored_and_written_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    first = inline_css(HTML, CSS)
    [file] = cache.iterdir()
    file.write_bytes(content)
    _forget(monkeypatch)
    assert inline_css(HTML, CSS) == first
    assert set(json.loads(file.read_text(encoding="utf-8"))) == {"rules", "pairs"}


def test_changed_css_is_read_again(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inline_css(HTML, CSS)
    _forget(monkeypatch)
    html = inline_css(HTML, CSS.replace("margin: 0", "margin: 3px"))
    assert "margin:3px" in html and "margin:0" not in html
    assert len(list(cache.iterdir())) == 2


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsedcss, "_SHEETS", {})
    expected = inline_css(HTML, CSS)
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # a file: no folder in it
    _forget(monkeypatch)
    assert inline_css(HTML, CSS) == expected
    if os.getuid() != 0:  # root writes to read-only folders
        folder = tmp_path / "read-only" / "newsletter" / f"css-{parsedcss.FORMAT}"
        folder.mkdir(parents=True)
        folder.chmod(0o500)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "read-only"))
        _forget(monkeypatch)
        assert inline_css(HTML, CSS) == expected


def test_the_cache_keeps_so_many_stylesheets(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsedcss, "MOST_FILES", 3)
    for n in range(5):
        inline_css(HTML, CSS.replace("1px", f"{n}px"))
    assert len(list(cache.iterdir())) == 3


def _build(project: Path, cache: Path, out: str) -> tuple[dict[str, bytes], bool, str]:
    """A build in a new process: its files, whether it imported cssutils, and its stderr."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('cssutils' in sys.modules))\n"
        "from newsletter.cli import main\n"
        f"sys.argv = ['newsletter', 'build', '-o', {out!r}]\n"
        "main()\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    folder = project / out / "2026-11-30"
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    return files, result.stdout.splitlines()[-1] == "True", result.stderr


def test_a_build_with_the_css_read_before_does_not_load_cssutils(
    project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cold, loaded, err = _build(project, cache, "cold")
    assert loaded and err == ""  # cssutils loaded during the build, and quiet
    warm, loaded, err = _build(project, cache, "warm")
    assert not loaded and err == ""
    assert warm == cold
    theme = project / "templates" / "issue.mjml.j2"
    theme.write_text(
        theme.read_text(encoding="utf-8").replace("p { margin: 0 0 12px; }", "p { margin: 0; }"),
        encoding="utf-8",
    )
    changed, loaded, _ = _build(project, cache, "changed")
    assert loaded and changed["email.html"] != cold["email.html"]


def test_cssutils_loaded_during_a_build_is_quiet_and_left_as_it_sets_itself(
    tmp_path: Path,
) -> None:
    script = (
        "import logging, sys\n"
        "from newsletter.build.mjml import inline_css\n"
        f"inline_css({HTML!r}, {CSS!r})\n"
        "print('cssutils' in sys.modules, logging.getLogger('CSSUTILS').level)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert [(r.stdout, r.stderr) for r in runs] == [("True 20\n", ""), ("False 0\n", "")]


def test_premailer_imported_before_is_used_with_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = (
        "import sys\n"
        "import premailer\n"
        "from newsletter.build.mjml import inline_css\n"
        f"sys.stdout.write(inline_css({HTML!r}, {CSS!r}))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parent.parent)}
    before = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert before.stdout == inline_css(HTML, CSS)
    [file] = cache.iterdir()
    assert json.loads(file.read_text(encoding="utf-8"))["pairs"]
