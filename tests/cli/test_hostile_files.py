"""Files that others, or a killed command, leave in the way: a lock's name taken in the
shared temporary folder, a lock folder of another user, temporary files of killed writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.httpserver import Site

pytestmark = pytest.mark.network

ROOT = Path(__file__).parents[2]
ISSUE = Path("issues") / "2026-11-30.yaml"
WAIT = 30.0

# `newsletter ARGS` whose first fsync (the first file it writes) waits until a line comes on
# stdin: a writer caught in the middle of a write, to kill or to let go.
HELD = """\
import os, sys
real = os.fsync
def held(fd):
    os.fsync = real
    print("writing", flush=True)
    sys.stdin.readline()
    real(fd)
os.fsync = held
from newsletter.cli import cli
cli(sys.argv[1:], prog_name="newsletter")
"""


@contextmanager
def held_writer(folder: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """`newsletter ARGS` in `folder`, stopped in the middle of writing its first file."""
    process = subprocess.Popen(
        [sys.executable, "-c", HELD, *args],
        cwd=folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "writing\n", process.communicate(timeout=WAIT)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(WAIT)
        for stream in (process.stdin, process.stdout, process.stderr):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]


def leftovers(folder: Path) -> list[str]:
    """The names of the temporary files of writes in `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _page(site: Site, path: str, title: str) -> str:
    return site.add(path, f"<html><head><title>{title}</title></head></html>")


def test_a_killed_add_leaves_a_temporary_file_that_the_next_add_removes(
    project: Path, run: RunCli, site: Site
) -> None:
    with held_writer(project, "add", _page(site, "/one", "One"), "-s", "News") as writer:
        [left] = leftovers(project / "issues")
        writer.kill()  # kill -9, in the middle of the write
        writer.wait(WAIT)
    assert left.startswith(".2026-11-30.yaml.") and leftovers(project / "issues") == [left]
    assert "One" not in (project / ISSUE).read_text()
    # Files alike that the writes did not make are never touched.
    others = [
        ".2026-11-30.yaml.notes.tmp",  # not the 8 letters tempfile makes up
        ".2026-11-30.yaml.abcdefgh.tmp.bak",
        ".2026-12-07.yaml.abcdefgh.tmp",  # another file's
        "2026-11-30.yaml.abcdefgh.tmp",
    ]
    for name in others:
        (project / "issues" / name).write_text("mine\n")
    result = run("add", _page(site, "/two", "Two"), "-s", "News")
    assert result.exit_code == 0, result.output
    assert "title: Two" in (project / ISSUE).read_text()
    assert sorted(p.name for p in (project / "issues").iterdir()) == sorted(
        [*others, "2026-11-30.yaml"]
    )


def test_the_temporary_file_of_a_write_still_at_work_is_kept(project: Path, run: RunCli) -> None:
    dist = project / "dist" / "2026-11-30"
    with held_writer(project, "build") as writer:
        [working] = leftovers(dist)
        old = time.time() - 3600  # an hour old, and yet its writer is alive
        os.utime(dist / working, (old, old))
        result = run("build")  # writes the same files meanwhile
        assert result.exit_code == 0, result.output
        assert leftovers(dist) == [working]
        assert writer.stdin is not None
        writer.stdin.write("go on\n")
        writer.stdin.flush()
        _, err = writer.communicate(timeout=WAIT)
        assert writer.returncode == 0, err
    assert leftovers(dist) == []
    assert (dist / "email.html").read_text().startswith("<!doctype html>")


def test_temporary_files_are_ignored_by_git(
    tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a project `newsletter init` made, and in this repository (its example newsletter).
    monkeypatch.chdir(tmp_path)
    assert run("init", "demo").exit_code == 0
    subprocess.run(["git", "init", "-q", "demo"], check=True)
    for repository in (tmp_path / "demo", ROOT):
        for name in ("issues/.2026-11-30.yaml.k3j_9x0a.tmp", "dist/x/.email.html.abcdefgh.tmp"):
            ignored = subprocess.run(
                ["git", "-C", str(repository), "check-ignore", "--no-index", "-q", name]
            )
            assert ignored.returncode == 0, (repository, name)
        kept = subprocess.run(
            ["git", "-C", str(repository), "check-ignore", "--no-index", "-q", "issues/a.yaml"]
        )
        assert kept.returncode == 1


def old_lock(path: Path) -> Path:
    """Where `add` used to keep the lock of the issue file `path`: a name anyone can take."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"newsletter-{digest}.lock"


def test_a_lock_name_taken_in_the_shared_temporary_folder_does_not_block_add(
    project: Path, site: Site, tmp_path: Path
) -> None:
    squatted = old_lock(project / ISSUE)
    squatted.mkdir()  # as another user could, before anyone here ran `add`
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    try:
        added = subprocess.run(
            [sys.executable, "-m", "newsletter", "add", _page(site, "/one", "One"), "-s", "News"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=WAIT,
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        )
    finally:
        squatted.rmdir()
    assert added.returncode == 0, added.stderr
    assert "title: One" in (project / ISSUE).read_text()
    folder = runtime / "newsletter"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.suffix for p in folder.iterdir()] == [".lock"]


def test_without_a_runtime_folder_locks_are_in_the_users_cache(
    project: Path, run: RunCli, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    result = run("add", _page(site, "/one", "One"), "-s", "News")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "cache" / "newsletter" / "locks"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.suffix for p in folder.iterdir()] == [".lock"]
    assert not old_lock(project / ISSUE).exists()


def test_a_lock_folder_open_to_others_is_made_private(
    project: Path, run: RunCli, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "newsletter").mkdir()
    (tmp_path / "newsletter").chmod(0o777)
    assert run("add", _page(site, "/one", "One"), "-s", "News").exit_code == 0
    assert stat.S_IMODE((tmp_path / "newsletter").stat().st_mode) == 0o700


def test_a_lock_folder_of_another_user_is_refused(
    project: Path, run: RunCli, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "newsletter"
    if os.getuid() == 0:
        folder.mkdir(mode=0o700)
        os.chown(folder, 65534, 65534)  # nobody's
    else:
        folder.symlink_to("/")  # a folder of root's
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    before = (project / ISSUE).read_bytes()
    result = run("add", _page(site, "/one", "One"), "-s", "News")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder}, the folder for locks, belongs to another user: remove it, or set"
        " XDG_RUNTIME_DIR to a folder of your own\n"
    )
    assert (project / ISSUE).read_bytes() == before
    if folder.is_symlink():
        folder.unlink()
    else:
        shutil.rmtree(folder)
