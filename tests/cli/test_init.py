"""`newsletter init`: a new project that builds as it is, from the source tree and a wheel."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from newsletter.build.theme import BUILTIN
from newsletter.build.yamlfile import read_yaml
from newsletter.project.scaffold import create_project
from tests.conftest import RunCli

ROOT = Path(__file__).parents[2]
THEME = sorted(
    Path("templates") / p.relative_to(BUILTIN) for p in BUILTIN.rglob("*") if p.is_file()
)


def _created(today: dt.date) -> list[str]:
    """The files `init` creates, as it lists them."""
    files = [Path(".gitignore"), Path("issue.schema.json"), Path("newsletter.yaml")]
    files += [Path("issues") / f"{today.isoformat()}.yaml", *THEME]
    return [str(path) for path in sorted(files)]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_init_creates_a_project_and_says_what_next(
    tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    today = dt.date.today()
    result = run("init", "demo")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        "Created a newsletter in demo:\n"
        + "".join(f"  {name}\n" for name in _created(today))
        + "Next:\n  cd demo\n  newsletter build\n"
    )
    assert sorted(_tree(tmp_path / "demo")) == _created(today)
    for path in THEME:
        assert (tmp_path / "demo" / path).read_bytes() == (
            BUILTIN / path.relative_to("templates")
        ).read_bytes()
    issue = (tmp_path / "demo" / "issues" / f"{today}.yaml").read_text(encoding="utf-8")
    assert issue.splitlines()[0] == "# yaml-language-server: $schema=../issue.schema.json"
    ignored = (tmp_path / "demo" / ".gitignore").read_text().splitlines()
    assert {"dist/", "site/"} <= set(ignored)  # what build, export and archive write
    # The tutorial shows this very output, for a project made on 2026-11-30.
    shown = result.stdout.replace("demo", "my-weekly").replace(today.isoformat(), "2026-11-30")
    tutorial = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    assert f"prints what it created:\n\n```\n{shown}```" in tutorial


def test_the_new_project_builds_as_it_is(
    tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "demo").exit_code == 0
    monkeypatch.chdir(tmp_path / "demo")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    today = dt.date.today().isoformat()
    assert f"Built issues/{today}.yaml in" in result.stdout
    html = (tmp_path / "demo" / "dist" / today / "email.html").read_text(encoding="utf-8")
    assert "My Newsletter" in html and "An example article" in html


def test_the_new_schema_is_the_one_schema_writes_and_accepts_the_first_issue(
    tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_project(tmp_path / "demo", dt.date(2026, 1, 5))
    monkeypatch.chdir(tmp_path / "demo")
    text = (tmp_path / "demo" / "issue.schema.json").read_text(encoding="utf-8")
    assert text == run("schema").stdout
    issue = json.loads(json.dumps(read_yaml(tmp_path / "demo" / "issues" / "2026-01-05.yaml").data))
    assert issue["number"] == 1 and issue["date"] == "2026-01-05"
    assert [e.message for e in Draft202012Validator(json.loads(text)).iter_errors(issue)] == []


def test_init_into_an_empty_folder_and_new_parents(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    created = create_project(tmp_path / "empty", dt.date(2026, 1, 5))
    assert [str(p.relative_to(tmp_path / "empty")) for p in created] == _created(
        dt.date(2026, 1, 5)
    )
    create_project(tmp_path / "a" / "b", dt.date(2026, 1, 5))
    assert (tmp_path / "a" / "b" / "newsletter.yaml").is_file()


def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine")
    (tmp_path / "site" / "newsletter.yaml").write_text("name: Mine\n")
    before = _tree(tmp_path / "site")
    result = run("init", "site")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: site is not empty; give the name of a new or empty folder\n"
    assert _tree(tmp_path / "site") == before
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["newsletter.yaml", "notes.txt"]


def test_init_refuses_a_file(tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").write_text("a file")
    result = run("init", "site")
    assert result.exit_code == 1
    assert result.stderr == "Error: site is a file; give the name of a new or empty folder\n"
    assert (tmp_path / "site").read_text() == "a file"


@pytest.mark.slow
def test_a_regular_install_creates_a_project_that_builds(tmp_path: Path) -> None:
    """Slow (a wheel, a virtual environment, dependencies from the index): the user's path."""
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", wheels, ROOT], check=True, timeout=600)
    (wheel,) = wheels.glob("curated_newsletter-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    for path in (ROOT / "newsletter" / "project" / "starter").rglob("*"):
        if path.is_file():
            assert path.relative_to(ROOT).as_posix() in shipped
    theme = [p for p in (ROOT / "templates").rglob("*") if p.is_file()]
    assert len(theme) >= 9
    for path in theme:  # the repository's templates/ is the package's theme
        assert f"newsletter/theme/{path.relative_to(ROOT / 'templates').as_posix()}" in shipped

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=600)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [venv / "bin" / "python", *pip[1:], "install", wheel], check=True, env=env, timeout=600
    )
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import newsletter; print(newsletter.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)

    def newsletter(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [venv / "bin" / "newsletter", *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
            env=env,
            timeout=120,
        )

    init = newsletter("init", "site", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    build = newsletter("build", cwd=tmp_path / "site")
    assert build.returncode == 0, build.stderr
    today = dt.date.today().isoformat()
    assert (tmp_path / "site" / "dist" / today / "email.html").is_file()
