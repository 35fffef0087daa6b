"""Shared fixtures: a small newsletter project in a temporary folder, and running the CLI."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsletter.build.theme import BUILTIN
from newsletter.cli import cli
from newsletter.model.problems import Problem

pytest_plugins = ["tests.httpserver"]  # the `site` fixture: a real HTTP server on 127.0.0.1

SETTINGS = """\
name: Test Weekly
language: en
sender:
  name: Test Weekly
  email: weekly@example.org
postal_address: 1 Example Street, Amsterdam
archive_url: https://example.org/weekly/
links:
  unsubscribe: https://example.org/weekly/unsubscribe
theme: templates
"""

ISSUE = """\
number: 7
date: 2026-11-30
subject: A small issue
preheader: Two stories and a link, for the tests.
intro: Hello *readers*.
sections:
  - title: Lead story
    layout: lead
    articles:
      - title: The lead
        url: https://example.org/news/lead
        source: example.org
        summary: What happened.
        image: https://example.org/img/lead.jpg
        image_alt: A lead picture
  - title: News
    articles:
      - title: Second story
        url: https://example.org/news/second
        summary: More.
"""


def pytest_configure(config: pytest.Config) -> None:
    """Compiled templates go to a cache of the test run's own, not the user's."""
    cache = tempfile.mkdtemp(prefix="newsletter-test-cache-")
    os.environ["XDG_CACHE_HOME"] = cache
    config.add_cleanup(lambda: shutil.rmtree(cache, ignore_errors=True))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden", action="store_true", help="Rewrite the golden files from the output."
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every test must run: a skip there means a part CI should provide is missing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("CI") and skipped and reporter is not None:
        reporter.write_line(
            f"CI: {len(skipped)} tests were skipped; CI must run them all:", red=True
        )
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {report.longrepr[2]}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _is_address(name: object) -> bool:
    """Whether `name` is an IP address written out, which needs no look-up."""
    try:
        ipaddress.ip_address(str(name).strip("[]"))
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def no_compat_findings(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mail-client check finds nothing, unless a test is marked `compat`: the tests
    written before it assert every finding of the default theme, which it would add to."""
    if "compat" not in request.keywords:
        monkeypatch.setattr("newsletter.checks.compat.used", lambda html: {})


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this machine answers: a host name other than localhost is not found, at once, so
    that no test reaches the internet (the images of the test pages name real sites)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host
        if name in ("localhost", None) or _is_address(name):
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (in the tests)")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newsletter project with the built-in theme and one issue; the current directory."""
    (tmp_path / "newsletter.yaml").write_text(SETTINGS, encoding="utf-8")
    shutil.copytree(BUILTIN, tmp_path / "templates")
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "2026-11-30.yaml").write_text(ISSUE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run() -> Iterator[RunCli]:
    """Run the real CLI in-process, as a user would from the current directory."""
    yield RunCli()


class RunCli:
    """Calls `newsletter ARGS...` through click's CliRunner."""

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args), prog_name="newsletter", catch_exceptions=False)


def located(problem: Problem) -> str:
    """A problem as `path:line:column: where: message`: where it is and what, without the
    severity and code that every printed problem also has."""
    return (
        str(problem).replace(f": {problem.severity}: ", ": ", 1).removesuffix(f" [{problem.code}]")
    )


def self_signed(folder: Path, name: str, alt_names: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (and `alt_names`, e.g. `IP:127.0.0.1`) made with
    openssl in `folder`, and its key; the test is skipped where there is no openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make the test certificate (apt-get install openssl)")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-addext", f"subjectAltName={alt_names}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
