"""`newsletter add`: fetch each URL and add it as an article to a section of the issue."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from newsletter.cli.exits import problems_exit
from newsletter.cli.options import SECONDS


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
    default="7d",
    show_default=True,
    help="With --feed: only items published in this window (e.g. 7d, 36h, 2w).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="With --feed: at most this many items, the newest.",
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
    limit: int | None,
    timeout: float,
) -> None:
    """Fetch each URL and add it as an article to a section of the issue.

    The title, summary, image, source and date come from the page (Open Graph, Twitter
    cards, JSON-LD, HTML). Articles already featured in this or an earlier issue are
    refused. Comments and formatting of the issue file are kept; exit 1 if any URL failed.

    Example:

    \b
        newsletter add https://www.commonspace.eu/news/pashinyan-aliyev-vienna --section News
    """
    from newsletter.curate.add import gather, report

    if limit is not None and feed is None:
        raise click.UsageError("--limit goes with --feed")
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
                limit=limit,
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
