"""The command line: each command parses options, calls the core, prints what came back."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from newsletter import __version__
from newsletter.problems import UserError
from newsletter.report import count, kilobytes


class Seconds(click.FloatRange):
    """A timeout: more than 0 seconds, at most 10 minutes."""

    name = "number of seconds"

    def __init__(self) -> None:
        super().__init__(0, 600, min_open=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):  # every comparison with nan is false: the range lets it by
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


SECONDS = Seconds()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsletter")
def cli() -> None:
    """Build a curated email newsletter from YAML issue files.

    Run the commands inside a newsletter project: a folder with newsletter.yaml,
    issues/ and a theme (templates/).
    """


@contextmanager
def problems_exit(outcome: str = "nothing was written") -> Iterator[None]:
    """Turn the core's errors into messages and exit codes: 1 for problems in the input;
    `outcome` says what that means for the command ("nothing was written")."""
    from newsletter.problems import ProblemsError

    try:
        yield
    except ProblemsError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        count = len(e.problems)
        found = f"{count} problem{'s' if count != 1 else ''} found"
        click.echo(f"{found}; {outcome}." if outcome else f"{found}.", err=True)
        sys.exit(1)
    except UserError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)
    except OSError as e:
        click.echo(f"Error: {e.filename or ''}: {e.strerror or e}", err=True)
        sys.exit(1)


def _color() -> bool | None:
    """No colours when NO_COLOR is set (https://no-color.org); else click decides (a tty)."""
    return False if os.environ.get("NO_COLOR") else None


@cli.command()
@click.argument("issue", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into (default: dist/ in the project).",
)
def build(issue: str | None, output: Path | None) -> None:
    """Build ISSUE into email.html, email.txt and email.mjml.

    ISSUE is an issue file, or its name in issues/ (default: the newest issue).
    The files go to DIR/<issue name>/.

    Example:

        newsletter build issues/2026-11-30.yaml -o dist
    """
    started = time.perf_counter()
    from newsletter.checks import run_checks
    from newsletter.project import Project, slug
    from newsletter.writers import write_build

    with problems_exit():
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        subject = project.inspect(path)
        root = output or project.root / "dist"
        written = write_build(subject.rendition, root / slug(path), root)
    width = max(len(project.show(p)) for p, _ in written)
    for p, size in written:
        click.echo(f"{project.show(p):<{width}}  {kilobytes(size):>8}")
    click.echo(f"Built {project.show(path)} in {time.perf_counter() - started:.2f} s.")
    findings = run_checks(subject)
    errors = sum(f.severity == "error" for f in findings)
    if findings:
        click.echo(
            f"Checks: {count(errors, 'error')}, {count(len(findings) - errors, 'warning')}"
            " (newsletter check tells more)."
        )
    else:
        click.echo("Checks: all passed.")


@cli.command()
@click.option(
    "--date",
    "date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The new issue's date, YYYY-MM-DD (default: a week after the newest issue).",
)
def new(date: dt.datetime | None) -> None:
    """Create the next issue file from the newest one, ready to fill.

    The next number, a week later, the same sections and layouts with no articles, and
    placeholders (TODO) for the subject, preheader and intro. Never overwrites a file.

    Example:

        newsletter new --date 2026-12-07
    """
    from newsletter.curate import next_issue
    from newsletter.load import load_issue
    from newsletter.project import ISSUES_DIR, Project

    with problems_exit():
        project = Project.find(Path.cwd())
        newest = project.issue_path(None)
        issue = load_issue(newest, project.show(newest), project.theme.layouts, draft=True)
        name, text = next_issue(issue, newest.read_text(encoding="utf-8"), date and date.date())
        target = project.root / ISSUES_DIR / name
        try:
            with target.open("x", encoding="utf-8") as f:  # "x": never overwrite an issue
                f.write(text)
        except FileExistsError:
            message = f"{project.show(target)} exists already; new never overwrites an issue"
            raise UserError(message) from None
    sections = ", ".join(section.title for section in issue.sections)
    click.echo(f"Created {project.show(target)}: issue {issue.number + 1}; sections {sections}.")
    click.echo("Replace the TODO placeholders, then add articles with newsletter add.")


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("-s", "--section", required=True, help="The section to add to (its title).")
@click.option(
    "--issue", "issue_name", default=None, help="The issue file (default: the newest issue)."
)
@click.option(
    "--position",
    type=click.IntRange(min=1),
    default=None,
    help="Put the articles at this place in the section, 1 being first (default: last).",
)
@click.option("--create-section", is_flag=True, help="Create the section if the issue lacks it.")
@click.option(
    "--allow-repeat", is_flag=True, help="Add articles even if an issue featured them already."
)
@click.option(
    "--file",
    "saved",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the article from a web page saved on disk (with --url, its address).",
)
@click.option("--url", "saved_url", default=None, help="The address of the page given by --file.")
@click.option("--feed", default=None, help="Add the items of this RSS or Atom feed (URL or file).")
@click.option(
    "--since",
    default="7d",
    show_default=True,
    help="With --feed: only items published in this window (e.g. 7d, 36h, 2w).",
)
@click.option(
    "--timeout", type=SECONDS, default=10.0, show_default=True, help="Seconds to wait per page."
)
def add(
    urls: tuple[str, ...],
    section: str,
    issue_name: str | None,
    position: int | None,
    create_section: bool,
    allow_repeat: bool,
    saved: Path | None,
    saved_url: str | None,
    feed: str | None,
    since: str,
    timeout: float,
) -> None:
    """Fetch each URL and add it as an article to a section of the issue.

    The title, summary, image, source and date come from the page (Open Graph, Twitter
    cards, JSON-LD, HTML). Articles already featured in this or an earlier issue are
    refused. Comments and formatting of the issue file are kept; exit 1 if any URL failed.

    Example:

        newsletter add https://www.commonspace.eu/news/pashinyan-aliyev-vienna --section News
    """
    from newsletter.additions import gather, report

    if sum(bool(x) for x in (urls, saved, feed)) != 1:
        raise click.UsageError("give URLs, or --file with --url, or --feed")
    if saved is not None and not saved_url:
        raise click.UsageError("--file needs --url, the address of the saved page")
    try:
        with problems_exit():
            title, outcomes = gather(
                Path.cwd(),
                urls=urls,
                saved=(saved, saved_url) if saved and saved_url else None,
                feed=feed,
                since=since,
                section=section,
                issue_name=issue_name,
                position=position,
                create=create_section,
                allow_repeat=allow_repeat,
                timeout=timeout,
                now=dt.datetime.now(dt.UTC),
            )
    except KeyboardInterrupt:
        # The file is written once every page is in, atomically: it is never half-written.
        # Exit at once, without waiting for the fetches under way to time out.
        click.echo("Interrupted: the issue file is as it was, or has every article.", err=True)
        sys.stderr.flush()
        os._exit(130)
    if not outcomes:
        click.echo(f"Nothing added: the feed has no items from the last {since}.")
    failed = report(outcomes, title, click.echo)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("issue", required=False)
@click.option("--online", is_flag=True, help="Also request every link and image.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the stable format for CI, described by check.schema.json.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
@click.option(
    "--timeout",
    type=SECONDS,
    default=10.0,
    show_default=True,
    help="With --online: seconds per request.",
)
def check(
    issue: str | None, online: bool, output_format: str, strict: bool, timeout: float
) -> None:
    """Check ISSUE before sending: size, subject, leftovers, links, images, text, footer.

    Every finding has a code (e.g. size/clipped), a severity and, where it can, the line
    of the issue file to fix. Exit status 1 on errors, and on warnings with --strict.

    Example:

        newsletter check --online --strict
    """
    from newsletter.budget import measure
    from newsletter.checks import Finding, finding_order, run_checks
    from newsletter.problems import ProblemsError
    from newsletter.project import Project
    from newsletter.report import Report

    as_json = output_format == "json"
    budget = None
    with problems_exit(outcome=""):
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        try:
            subject = project.inspect(path)
        except ProblemsError as e:
            if not as_json:
                raise
            findings = [
                Finding(p.path, p.line, p.column, "error", "issue/invalid", p.message, p.where)
                for p in e.problems
            ]
        else:
            findings = run_checks(subject)
            if online:
                from newsletter.online import check_online

                findings += check_online(subject, timeout=timeout, progress=not as_json)
                findings.sort(key=finding_order)
            budget = measure(subject, project.theme)
    report = Report(project.show(path), findings, budget, strict)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines(lambda text, colour: click.style(text, fg=colour, bold=True)):
            click.echo(line, color=_color())
    if report.failed:
        sys.exit(1)


@cli.command()
@click.argument("issue", required=False)
@click.option(
    "--to",
    "service_name",
    required=True,
    type=click.Choice(["mailchimp", "listmonk", "buttondown", "html", "eml"], case_sensitive=False),
    help="The mail service, or html / eml for the files alone.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into (default: dist/<issue name>/<service>/).",
)
@click.option("--no-utm", is_flag=True, help="Leave the links without UTM parameters this time.")
@click.option("--force", is_flag=True, help="Export even if the checks find errors.")
def export(
    issue: str | None, service_name: str, output: Path | None, no_utm: bool, force: bool
) -> None:
    """Export ISSUE for a mail service: its merge tags in the footer's links, UTM parameters.

    The pre-send checks run first: an issue they find errors in (a TODO left in, no
    unsubscribe link) is not exported unless --force says so.

    mailchimp: email.html, email.txt. listmonk: also campaign.json, the body of its
    POST /api/campaigns. buttondown: email.html for its raw HTML mode. html: the files with
    the settings' own links. eml: email.eml, a complete message to open or send.

    Example:

        newsletter export --to listmonk
    """
    from newsletter.checks import run_checks
    from newsletter.project import Project, slug
    from newsletter.services import export_files, service
    from newsletter.writers import write_atomic

    with problems_exit():
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        chosen = service(service_name)
        subject = project.inspect(path)
        findings = run_checks(subject)
        errors = sum(f.severity == "error" for f in findings)
        if errors and not force:
            raise UserError(
                f"the checks find {count(errors, 'error')} in {project.show(path)} (newsletter"
                " check tells which); nothing was exported (--force exports it anyway)"
            )
        issue_model = subject.issue
        name = slug(path)
        files = export_files(
            chosen,
            issue_model,
            project.settings,
            project.theme,
            name,
            utm=not no_utm,
            now=dt.datetime.now(dt.UTC),
        )
        folder = output or project.root / "dist" / name / chosen.name
        for file_name, data in files.items():
            write_atomic(folder / file_name, data, within=output or project.root / "dist")
    for file_name, data in files.items():
        click.echo(f"{project.show(folder / file_name)}  {kilobytes(len(data))}")
    click.echo(f"Exported {project.show(path)} for {chosen.name}.")


def smtp_address(server: str, security: str) -> tuple[str, int]:
    """The host and port of `--smtp HOST[:PORT]`: without a port, the usual one for `security`."""
    host, _, port_text = server.rpartition(":")
    if not host and port_text and not port_text.isdigit():
        host, port_text = port_text, {"ssl": "465", "starttls": "587"}.get(security, "25")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise click.BadParameter(f"not HOST or HOST:PORT: {server!r}", param_hint="--smtp")
    return host, int(port_text)


@cli.command("send-test")
@click.argument("issue", required=False)
@click.option(
    "--to",
    "recipients",
    required=True,
    multiple=True,
    help="Who gets the test: an address, or several separated by commas.",
)
@click.option(
    "--smtp",
    "server",
    default="localhost:25",
    show_default=True,
    help="HOST:PORT; HOST alone: port 25, 587 with --starttls, 465 with --ssl.",
)
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS.")
@click.option("--ssl", "use_ssl", is_flag=True, help="Connect with TLS from the start.")
@click.option(
    "--user",
    default=None,
    help="Log in as this user; the password comes from NEWSLETTER_SMTP_PASSWORD.",
)
def send_test(
    issue: str | None,
    recipients: tuple[str, ...],
    server: str,
    starttls: bool,
    use_ssl: bool,
    user: str | None,
) -> None:
    """Send ISSUE as a test email, its subject marked [TEST], over SMTP.

    The password is never an option (it would stay in the shell's history): set it in the
    NEWSLETTER_SMTP_PASSWORD environment variable.

    Example:

        newsletter send-test --to me@example.org --smtp smtp.example.org:587 --starttls
    """
    from newsletter.message import Smtp, check_address, compose, send
    from newsletter.project import Project, slug
    from newsletter.services import prepare, service

    if starttls and use_ssl:
        raise click.UsageError("--starttls and --ssl exclude each other")
    host, port = smtp_address(server, "ssl" if use_ssl else "starttls" if starttls else "none")
    password = os.environ.get("NEWSLETTER_SMTP_PASSWORD")
    if user and password is None:
        raise click.UsageError("--user needs the password in NEWSLETTER_SMTP_PASSWORD")
    addresses = [a for value in recipients for a in value.split(",") if a.strip()]
    if not addresses:
        raise click.BadParameter("no address given", param_hint="--to")
    with problems_exit(outcome="nothing was sent"):
        # Every address is checked before anything is built or any connection made.
        to = [check_address(a) for a in addresses]
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        issue_model = project.load_issue(path)
        rendition = prepare(
            service("html"), issue_model, project.settings, project.theme, slug(path)
        )
        message = compose(
            rendition,
            project.settings,
            now=dt.datetime.now(dt.UTC),
            to=to,
            subject=f"[TEST] {rendition.subject}",
            unsubscribe=project.settings.links.unsubscribe,
            one_click=project.settings.links.one_click,
        )
        security = "ssl" if use_ssl else "starttls" if starttls else "none"
        send(message, Smtp(host, port, security, user, password))
    click.echo(f"Sent {message['Subject']} to {', '.join(to)} through {server}.")


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the site into (default: site/ in the project).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Issues rendered at once (default: one per processor).",
)
@click.option("--future", is_flag=True, help="Publish issues dated after today too.")
def archive(output: Path | None, jobs: int | None, future: bool) -> None:
    """Build the public archive: a page per issue, an index, an Atom feed and a sitemap.

    Only issues whose file, neighbours, settings or theme changed since the last build in
    that folder are rendered again, and the pages of issue files that are gone are removed.
    An issue with problems is reported (exit 1) and the others are still built. Issues
    dated after today are drafts, left out until their day (--future publishes them). The
    folder must be new, empty, or one this command wrote.

    Example:

        newsletter archive -o site
    """
    from newsletter.archive import write_archive
    from newsletter.project import Project

    started = time.perf_counter()
    with problems_exit():
        project = Project.find(Path.cwd())
        out = output or project.root / "site"
        bar: Any = None
        if sys.stderr.isatty():
            bar = click.progressbar(length=0, label="Rendering", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if bar is not None and total > 4:
                bar.length = total
                bar.update(1)

        summary = write_archive(
            project,
            out,
            jobs=jobs or os.cpu_count() or 1,
            until=None if future else dt.date.today(),
            progress=progress,
        )
        if bar is not None:
            bar.render_finish()
    for problem in summary.problems:
        click.echo(str(problem), err=True)
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    seconds = time.perf_counter() - started
    removed = f"{len(summary.removed)} removed, " if summary.removed else ""
    click.echo(
        f"Archive in {project.show(out)}: {count(summary.built, 'issue')} built, "
        f"{summary.skipped} unchanged, {removed}{count(len(summary.problems), 'problem')}, "
        f"in {seconds:.2f} s."
    )
    if summary.future:
        later = count(summary.future, "issue")
        click.echo(f"Left out {later} dated after today (--future publishes them).")
    if summary.problems:
        sys.exit(1)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
def init(folder: Path) -> None:
    """Create a new newsletter project in FOLDER: settings, theme and a first issue.

    FOLDER must not exist yet, or be empty.

    Example:

        newsletter init my-weekly
    """
    from newsletter.scaffold import create_project

    with problems_exit():
        created = create_project(folder, dt.date.today())
    click.echo(f"Created a newsletter in {folder}:")
    for path in created:
        click.echo(f"  {path.relative_to(folder)}")
    go = "" if folder.resolve() == Path.cwd().resolve() else f"  cd {folder}\n"
    click.echo(f"Next:\n{go}  newsletter build")


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the schema to this file instead of the standard output.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the issue format, for completion and validation in editors.

    Inside a project, the schema lists the layouts of its theme.

    Example:

        newsletter schema -o issue.schema.json
    """
    from newsletter.project import Project, ProjectError
    from newsletter.schema import issue_schema_text

    with problems_exit():
        try:
            layouts: frozenset[str] | None = Project.find(Path.cwd()).theme.layouts
        except ProjectError:
            layouts = None
        text = issue_schema_text(layouts)
        if output is None:
            click.echo(text, nl=False)
            return
        from newsletter.writers import write_atomic

        write_atomic(output, text.encode())
    click.echo(f"Wrote {output}")


@cli.command()
@click.argument("issue", required=False)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; anything but this machine shares the preview.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def preview(issue: str | None, port: int, host: str, open_browser: bool) -> None:
    """Preview ISSUE in a browser, rebuilt whenever its file, the settings or a template changes.

    The page shows the email at desktop and phone widths, in dark mode, its text and MJML,
    its size against Gmail's clip, and every problem; a broken file shows as an error page
    until it is fixed. Ctrl-C stops it.

    Example:

        newsletter preview --open
    """
    from newsletter.preview import PreviewServer
    from newsletter.project import Project
    from newsletter.serve import issue_builder, serve

    cwd = Path.cwd()
    with problems_exit():
        project = Project.find(cwd)
        path = project.issue_path(issue).resolve()
        project.settings  # noqa: B018  (bad settings: reported now, not at the first build)
    try:
        server = PreviewServer((host, port), issue_builder(cwd, path, click.echo))
    except OSError as e:
        message = f"cannot listen on {host}:{port}: {e.strerror}"
        if port:
            message += " (--port 0 picks a free port)"
        raise click.ClickException(message) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"Warning: listening on {host}: others on the network can see the preview.", err=True
        )
    serve(server, project, path, open_browser=open_browser, echo=click.echo)


@cli.command()
@click.argument("issue", required=False)
@click.option(
    "--width",
    "widths",
    default="600,375",
    show_default=True,
    help="Viewport widths in pixels, separated by commas.",
)
@click.option("--dark", is_flag=True, help="Also take each width in dark mode.")
@click.option(
    "--offline",
    is_flag=True,
    help="Draw placeholders instead of fetching images: nothing leaves the machine.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the PNG files into (default: dist/<issue name>/).",
)
def snapshot(
    issue: str | None, widths: str, dark: bool, offline: bool, output: Path | None
) -> None:
    """Write PNG screenshots of ISSUE's email, taken in headless Chromium.

    One file per width, email-WIDTH.png, and email-WIDTH-dark.png with --dark.

    Example:

        newsletter snapshot --width 600,375 --dark -o review/
    """
    from newsletter.project import Project, slug
    from newsletter.snapshot import screenshots
    from newsletter.writers import write_atomic

    try:
        sizes = [int(w) for w in widths.split(",")]
    except ValueError:
        raise click.BadParameter(
            f"not a list of numbers: {widths!r}", param_hint="--width"
        ) from None
    if any(not 200 <= w <= 4000 for w in sizes):
        raise click.BadParameter("widths must be between 200 and 4000", param_hint="--width")
    with problems_exit():
        project = Project.find(Path.cwd())
        path = project.issue_path(issue)
        rendition = project.render(path)
        folder = output or project.root / "dist" / slug(path)
        shots = screenshots(rendition.html, sizes, dark=dark, offline=offline)
        for name, png in shots.items():
            write_atomic(folder / name, png)
            click.echo(f"{project.show(folder / name)}")


def main() -> None:
    """The `newsletter` console script."""
    cli(prog_name="newsletter")
