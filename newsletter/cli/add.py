"""`newsletter add`: fetch each URL and add it as an article to a section of the issue."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsletter.cli.exits import problems_exit
from newsletter.cli.options import SECONDS

if TYPE_CHECKING:
    from newsletter.curate.add import FeedChoice
    from newsletter.curate.extract import Found

FEED_ONLY = ("--since", "--limit", "--match", "--skip-sponsored", "--pick")


def stdin_is_terminal() -> bool:
    """Whether an editor is there to answer `--pick` (tests replace this)."""
    return sys.stdin.isatty()


@click.command()
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
    default=None,
    help="With --feed: only items published in this window (7d, 36h, 2w; default: 7d) or"
    " since this day (2026-11-23).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="With --feed: at most this many items, the newest.",
)
@click.option(
    "--match",
    default=None,
    help="With --feed: only items whose title or summary has all these words (any case).",
)
@click.option("--skip-sponsored", is_flag=True, help="With --feed: leave out sponsored items.")
@click.option("--pick", is_flag=True, help="With --feed: list the items and ask which to add.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show each article that would be added, field by field; write nothing.",
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
    since: str | None,
    limit: int | None,
    match: str | None,
    skip_sponsored: bool,
    pick: bool,
    dry_run: bool,
    timeout: float,
) -> None:
    """Fetch each URL and add it as an article to a section of the issue.

    The title, summary, image, source and date come from the page (Open Graph, Twitter
    cards, JSON-LD, HTML). Articles already featured in this or an earlier issue are
    refused. Comments and formatting of the issue file are kept; exit 1 if any URL failed.
    Sponsored feed items are added marked `sponsored: true`.

    Example:

    \b
        newsletter add https://www.commonspace.eu/news/pashinyan-aliyev-vienna --section News
        newsletter add --feed https://www.commonspace.eu/rss --since 2026-11-23 \\
            --match Armenia --skip-sponsored --pick --dry-run --section News
    """
    from newsletter.curate.add import gather, report

    given = (since is not None, limit is not None, match is not None, skip_sponsored, pick)
    if feed is None and any(given):
        raise click.UsageError(f"{FEED_ONLY[given.index(True)]} goes with --feed")
    now = dt.datetime.now(dt.UTC)
    choice = _feed_choice(since or "7d", limit, match, skip_sponsored, pick, now)
    if sum(bool(x) for x in (urls, saved, feed)) != 1:
        raise click.UsageError("give URLs, or --file with --url, or --feed")
    if saved is not None and not saved_url:
        raise click.UsageError("--file needs --url, the address of the saved page")
    try:
        with problems_exit():
            gathered = gather(
                Path.cwd(),
                urls=urls,
                saved=(saved, saved_url) if saved and saved_url else None,
                feed=feed,
                choice=choice,
                section=section,
                issue_name=issue_name,
                position=position,
                create=create_section,
                allow_repeat=allow_repeat,
                timeout=timeout,
                now=now,
                write=not dry_run,
            )
    except KeyboardInterrupt:
        # The file is written once every page is in, atomically: it is never half-written.
        # Exit at once, without waiting for the fetches under way to time out.
        click.echo("Interrupted: the issue file is as it was, or has every article.", err=True)
        sys.stderr.flush()
        os._exit(130)
    if not gathered.outcomes and pick and gathered.candidates:
        click.echo("Nothing picked: nothing added.")
    elif not gathered.outcomes:
        window = f"since {since}" if since and "-" in since else f"from the last {since or '7d'}"
        words = f" with the words {' '.join(choice.words)}" if choice.words else ""
        click.echo(f"Nothing added: the feed has no items {window}{words}.")
    failed = report(gathered, click.echo, dry_run=dry_run)
    if dry_run:
        click.echo("Dry run: the issue file was not changed.")
    if failed:
        sys.exit(1)


def _feed_choice(
    since: str, limit: int | None, match: str | None, skip: bool, pick: bool, now: dt.datetime
) -> FeedChoice:
    """The feed options, checked: a bad value is a one-line error (exit 2) before any work."""
    from newsletter.curate.add import FeedChoice
    from newsletter.curate.choose import match_words
    from newsletter.curate.feeds import since_moment

    def usage_error(message: str) -> None:
        click.echo(f"Error: {message}", err=True)
        sys.exit(2)

    try:
        since_moment(since, now)
    except ValueError as e:
        usage_error(f"--since {since}: {e}")
    words: tuple[str, ...] = ()
    if match is not None:
        try:
            words = match_words(match)
        except ValueError as e:
            usage_error(f"--match {match!r}: {e}")
    if pick and not stdin_is_terminal():
        usage_error("--pick asks which items to add: run it in a terminal, not with input piped in")
    return FeedChoice(since, limit, words, skip, _ask if pick else None)


def _ask(items: Sequence[Found]) -> list[int]:
    """Lists the items on stderr and reads the editor's pick from stdin."""
    from newsletter.curate.choose import listing, parse_pick
    from newsletter.model.problems import UserError

    click.echo(f"{len(items)} item{'s' if len(items) != 1 else ''}:", err=True)
    for line in listing(items):
        click.echo(line, err=True)
    answer = click.prompt(
        "Add which? (like 1 3 5-7, or all; nothing for none)",
        default="",
        show_default=False,
        err=True,
    )
    try:
        return parse_pick(answer, len(items))
    except ValueError as e:
        raise UserError(f"--pick: {e}") from None
