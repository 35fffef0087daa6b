"""The command line, run through the real pipeline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from newsletter.cli import cli
from tests.conftest import RunCli


def _without_time(stdout: str) -> str:
    return re.sub(r"in \d+\.\d\d s\.", "in T s.", stdout)


def test_build_writes_the_three_files(project: Path, run: RunCli) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    out = project / "dist" / "2026-11-30"
    sizes = {
        name: (out / name).stat().st_size for name in ("email.html", "email.txt", "email.mjml")
    }
    shown = {n: f"{s / 1000:.1f} kB" if s >= 1000 else f"{s} B" for n, s in sizes.items()}
    assert _without_time(result.stdout) == (
        f"dist/2026-11-30/email.html  {shown['email.html']:>8}\n"
        f"dist/2026-11-30/email.txt   {shown['email.txt']:>8}\n"
        f"dist/2026-11-30/email.mjml  {shown['email.mjml']:>8}\n"
        "Built issues/2026-11-30.yaml in T s.\n"
        # The preheader's length, and the lead's image that is not kept in the project.
        "Checks: 0 errors, 2 warnings (newsletter check tells more).\n"
    )
    assert sizes["email.html"] > 10_000 and 200 < sizes["email.txt"] < 1000
    assert result.stderr == ""
    html = (out / "email.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "The lead" in html and "Second story" in html
    assert "\nThe lead (example.org)\nhttps://example.org/news/lead\nWhat happened.\n" in (
        (out / "email.txt").read_text()
    )


def test_build_takes_the_newest_issue_by_default(project: Path, run: RunCli) -> None:
    newer = (project / "issues" / "2026-11-30.yaml").read_text().replace("number: 7", "number: 8")
    (project / "issues" / "2026-12-07.yaml").write_text(newer)
    result = run("build")
    assert result.exit_code == 0
    assert "Built issues/2026-12-07.yaml" in result.stdout


def test_build_names_an_issue_by_path_or_name_and_writes_to_output(
    project: Path, run: RunCli
) -> None:
    assert run("build", "issues/2026-11-30.yaml", "-o", "out").exit_code == 0
    assert (project / "out" / "2026-11-30" / "email.html").is_file()
    assert run("build", "2026-11-30", "--output", "out2").exit_code == 0
    assert (project / "out2" / "2026-11-30" / "email.txt").is_file()


def test_build_from_a_subfolder_finds_the_project(project: Path, run: RunCli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(project / "issues")
    result = run("build", "2026-11-30.yaml")
    assert result.exit_code == 0, result.output
    assert "Built 2026-11-30.yaml in" in result.stdout
    assert (project / "dist" / "2026-11-30" / "email.html").is_file()


def test_an_invalid_issue_is_reported_with_locations_and_nothing_is_written(
    project: Path, run: RunCli
) -> None:
    path = project / "issues" / "2026-11-30.yaml"
    path.write_text(
        path.read_text()
        .replace("url: https://example.org/news/second", "url: /news/second")
        .replace("subject: A small issue", "subjet: A small issue")
    )
    result = run("build")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "issues/2026-11-30.yaml:1:1: error: missing required key 'subject' [issue/invalid]\n"
        "issues/2026-11-30.yaml:3:1: error: unknown key 'subjet' (did you mean 'subject'?)"
        " [issue/invalid]\n"
        "issues/2026-11-30.yaml:19:14: error: sections[1].articles[0].url: must be an absolute "
        "http(s) URL, not the relative '/news/second' [issue/invalid]\n"
        "3 problems found; nothing was written.\n"
    )
    assert not (project / "dist").exists()


def test_a_failed_build_keeps_the_previous_output(project: Path, run: RunCli) -> None:
    assert run("build").exit_code == 0
    html = project / "dist" / "2026-11-30" / "email.html"
    before = html.read_bytes()
    issue = project / "issues" / "2026-11-30.yaml"
    issue.write_text(issue.read_text().replace("number: 7", "number: seven"))
    assert run("build").exit_code == 1
    assert html.read_bytes() == before


def test_invalid_settings_are_reported(project: Path, run: RunCli) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(settings.read_text().replace("theme: templates", "theme: templatez"))
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr == (
        "newsletter.yaml:10:8: error: theme: no such folder 'templatez' next to newsletter.yaml"
        " [settings/invalid]\n"
        "1 problem found; nothing was written.\n"
    )


def test_outside_a_project(tmp_path: Path, run: RunCli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no newsletter.yaml in {tmp_path.resolve()} or any folder above it; "
        "is this a newsletter project?\n"
    )


def test_no_such_issue(project: Path, run: RunCli) -> None:
    result = run("build", "2026-01-01")
    assert result.exit_code == 1
    assert result.stderr == "Error: no issue file '2026-01-01' (looked in issues/ too)\n"


@pytest.mark.parametrize("name", ["...yaml", ".hidden.yaml", "special #2?.yaml", "a b.yaml"])
@pytest.mark.parametrize("command", [["build"], ["export", "--to", "html"], ["check"]])
def test_an_issue_file_name_unfit_for_a_folder_or_address_is_refused(
    project: Path, run: RunCli, name: str, command: list[str]
) -> None:
    issues = project / "issues"
    (issues / name).write_bytes((issues / "2026-11-30.yaml").read_bytes())
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run(*command, f"issues/{name}")
    assert result.exit_code == 1
    message, summary = result.stderr.splitlines()
    assert message.startswith(f"issues/{name}: error: an issue's file name becomes a folder")
    assert message.endswith(" [file/name]")
    assert summary.startswith("1 problem found")
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_no_issues_yet(project: Path, run: RunCli) -> None:
    (project / "issues" / "2026-11-30.yaml").unlink()
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr == "Error: no issues in issues/; create one first\n"


def test_an_unwritable_output_is_one_line(project: Path, run: RunCli) -> None:
    (project / "blocked").write_text("a file where a folder should be")
    result = run("build", "-o", "blocked/sub")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1


def test_unknown_option_is_a_usage_error(project: Path, run: RunCli) -> None:
    result = run("build", "--nope")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such option '--nope'.\n")
    assert result.stderr.startswith("Usage: newsletter build")


def test_every_command_has_help_with_an_example() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert command.help, name
        assert "Example:" in command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


def test_python_dash_m_runs_the_cli(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsletter", "build"],
        capture_output=True,
        text=True,
        check=False,
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    assert "Built issues/2026-11-30.yaml" in result.stdout


def test_check_on_an_invalid_issue_says_what_is_wrong_and_writes_nothing(
    project: Path, run: RunCli
) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    issue.write_text(issue.read_text().replace("number: 7", "number: seven"))
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr == (
        "issues/2026-11-30.yaml:1:9: error: number: expected a whole number, got 'seven'"
        " [issue/invalid]\n"
        "1 problem found.\n"
    )


def test_a_cache_folder_that_cannot_be_made_only_costs_time(
    project: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = project / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_without_a_theme_folder_the_built_in_theme_serves(project: Path, run: RunCli) -> None:
    settings = project / "newsletter.yaml"
    settings.write_text(settings.read_text().replace("theme: templates\n", ""))
    shutil.rmtree(project / "templates")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert "The lead" in (project / "dist" / "2026-11-30" / "email.html").read_text()
    # Named, a theme folder must be there: a typo must not silently drop the editor's theme.
    settings.write_text(settings.read_text() + "theme: templats\n")
    result = run("build")
    assert result.exit_code == 1
    assert "theme: no such folder 'templats' next to newsletter.yaml" in result.stderr


@pytest.mark.parametrize(
    # --future: the project's issue is of 2026-11-30, which may be after today.
    "command",
    [["build"], ["export", "--to", "html"], ["archive", "--future"]],
    ids=lambda c: c[0],
)
def test_an_output_folder_that_links_elsewhere_is_refused(
    project: Path, run: RunCli, tmp_path_factory: pytest.TempPathFactory, command: list[str]
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    out = project / ("site" if command[0] == "archive" else "dist")
    out.mkdir()
    if command[0] == "archive":
        (out / ".newsletter-archive.json").write_text("{}")
    (out / "2026-11-30").symlink_to(elsewhere, target_is_directory=True)
    result = run(*command)
    assert result.exit_code == 1
    assert "through a symbolic link, outside" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_symbolic_link_in_place_of_an_output_file_is_replaced_not_followed(
    project: Path, run: RunCli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = tmp_path_factory.mktemp("elsewhere") / "secret.html"
    target.write_text("keep me")
    target.chmod(0o600)
    folder = project / "dist" / "2026-11-30"
    folder.mkdir(parents=True)
    (folder / "email.html").symlink_to(target)
    assert run("build").exit_code == 0
    assert target.read_text() == "keep me"
    assert not (folder / "email.html").is_symlink()
    assert (folder / "email.html").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    "command", [["build"], ["export", "--to", "html"], ["export", "--to", "eml"]]
)
def test_a_dist_folder_that_is_itself_a_link_out_is_refused(
    project: Path, run: RunCli, tmp_path_factory: pytest.TempPathFactory, command: list[str]
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (project / "dist").symlink_to(elsewhere, target_is_directory=True)
    result = run(*command)
    assert result.exit_code == 1
    assert "through a symbolic link, outside" in result.stderr
    assert list(elsewhere.iterdir()) == []
    # A folder the editor names with -o is theirs to choose, link or not.
    chosen = run(*command, "-o", str(project / "dist"))
    assert chosen.exit_code == 0, chosen.output
    assert list(elsewhere.iterdir()) != []


@pytest.mark.parametrize("target", ["fifo", "folder", "device"])
def test_an_output_that_is_no_regular_file_is_never_replaced(
    project: Path, run: RunCli, target: str
) -> None:
    """Renaming over /dev/null would replace the device with a file, as root: refused."""
    if target == "fifo":
        path = project / "schema.json"
        os.mkfifo(path)
    elif target == "folder":
        path = project / "schema.json"
        path.mkdir()
    else:
        path = Path("/dev/null")
    before = path.lstat()
    result = run("schema", "-o", str(path))
    if target == "folder":  # click refuses a folder for -o FILE already
        assert result.exit_code == 2 and "is a directory" in result.stderr
    else:
        assert result.exit_code == 1
        assert result.stderr == f"Error: {path} is not a regular file: refused to replace it\n"
    after = path.lstat()
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode,
        before.st_ino,
        before.st_rdev,
    )
