"""`newsletter add`: from URLs, a saved page or a feed to articles in the issue, reported."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.build.load import load_issue_document
from newsletter.curate.issuefile import Outcome, add_to_issue, find_section, repeat_of
from newsletter.model.problems import UserError
from newsletter.model.urls import http_url_problem
from newsletter.project.folder import Project
from newsletter.project.history import featured_before, featured_in
from newsletter.project.root import ISSUES_DIR

if TYPE_CHECKING:
    from newsletter.curate.extract import Found

Pick = Callable[[Sequence["Found"]], Sequence[int]]
"""Shows the editor a feed's items and answers the indexes of those to add."""


@dataclass(frozen=True)
class FeedChoice:
    """Which items of a feed to add (see `newsletter add --help`)."""

    since: str = "7d"
    limit: int | None = None
    words: tuple[str, ...] = ()  # each must be in the title or the summary
    skip_sponsored: bool = False
    pick: Pick | None = None


@dataclass(frozen=True)
class Gathered:
    """What `gather` did: the section's title, one outcome per thing asked for, and where the
    first article added goes (or went) in the section, counting from 1."""

    section: str
    outcomes: list[Outcome]
    position: int
    candidates: int = 0  # the feed's items in the window that passed the filters


def gather(
    cwd: Path,
    *,
    urls: Sequence[str],
    saved: tuple[Path, str] | None,
    feed: str | None,
    choice: FeedChoice,
    section: str,
    issue_name: str | None,
    position: int | None,
    create: bool,
    allow_repeat: bool,
    timeout: float,
    now: dt.datetime,
    write: bool = True,
) -> Gathered:
    """Fetch and read what the editor gave, then add it to the issue (with `write` False,
    only say what would be added)."""
    from newsletter.curate.choose import matches
    from newsletter.curate.extract import extract_page, make_safe
    from newsletter.curate.feeds import FeedError, read_feed, since_moment
    from newsletter.curate.originals import keep_images
    from newsletter.web.client import FetchError
    from newsletter.web.pages import MAX_PAGE_BYTES, FetchedPage, fetch_pages

    project = Project.find(cwd)
    path = project.issue_path(issue_name)
    layouts = project.theme.layouts
    # Check the issue and the section before fetching anything: a typo costs no waiting.
    document, issue = load_issue_document(path, project.show(path), layouts, draft=True)
    where = find_section(document, issue, section, create)
    title = issue.sections[where.index].title if where.index is not None else section.strip()
    count = len(issue.sections[where.index].articles) if where.index is not None else 0
    first = min(position - 1, count) + 1 if position is not None else count + 1
    before = featured_before(
        project.root / ISSUES_DIR, path, issue.number, project.show, project.own, date=issue.date
    ).featured
    this_issue = featured_in(document.data)

    outcomes: dict[int, Outcome] = {}
    found: list[tuple[int, Found]] = []
    asked: dict[int, str] = {}  # the URL as the editor wrote it, for the report
    skip_repeats = False
    candidates = 0
    if saved is not None:
        file, url = saved
        if problem := http_url_problem(url):
            raise UserError(f"--url {url}: {problem}")
        found.append((0, extract_page(_saved_page(file), url)))
    elif feed is not None:
        try:
            start = since_moment(choice.since, now)
        except ValueError as e:
            raise UserError(f"--since {choice.since}: {e}") from None
        if http_url_problem(feed) is None:
            page = fetch_pages([feed], timeout=timeout, accept="feed")[0]
            if isinstance(page, FetchError):
                raise UserError(f"{feed}: {page}")
            data, feed_url = page.body, page.final_url
        else:
            feed_path = Path(feed)
            if not feed_path.is_file():
                raise UserError(f"--feed {feed}: neither an http(s) URL nor a file")
            data = read_local(feed_path, MAX_PAGE_BYTES, "--feed")
            feed_url = feed_path.resolve().as_uri()

        def keep(item: Found) -> bool:
            if choice.skip_sponsored and item.sponsored:
                return False
            if choice.pick is not None and repeat_of(item.url, this_issue, before):
                return False  # not offered: it would be skipped
            return matches(item, choice.words)

        try:
            items = read_feed(data, feed_url, since=start, limit=choice.limit, keep=keep)
        except FeedError as e:
            raise UserError(f"{feed}: {e}") from None
        candidates = len(items)
        if choice.pick is not None and items:
            items = [items[i] for i in choice.pick(items)]
        found.extend(enumerate(items))  # read_feed keeps only items with http(s) links
        skip_repeats = True  # a feed overlaps last week's: its repeats are expected
    else:
        wanted: list[tuple[int, str]] = []
        for i, url in enumerate(urls):
            if problem := http_url_problem(url):
                outcomes[i] = Outcome(url, error=problem)
            elif why := repeat_of(url, this_issue, {} if allow_repeat else before):
                outcomes[i] = Outcome(url, error=why, repeat=True)
            else:
                wanted.append((i, url))
        pages = fetch_pages([url for _, url in wanted], timeout=timeout)
        for (i, url), page in zip(wanted, pages, strict=True):
            asked[i] = url
            if isinstance(page, FetchedPage):
                found.append((i, extract_page(page.body, page.final_url, page.charset)))
            else:
                outcomes[i] = Outcome(url, error=str(page))
    items = [make_safe(item) for _, item in found]  # pages, saved pages and feeds alike
    # Each new article's image is kept in the project as it is added (not in a dry run).
    images = [
        item.image
        for item in items
        if item.image and not repeat_of(item.url, this_issue, {} if allow_repeat else before)
    ]
    kept = keep_images(project.root, images, timeout=timeout) if write and images else None
    results = add_to_issue(
        path,
        project.show(path),
        layouts,
        section,
        items,
        position=position,
        create=create,
        allow_repeat=allow_repeat,
        before=before,
        write=write,
        image_files=kept.files if kept else None,
    )
    for (i, _), result in zip(found, results, strict=True):
        if skip_repeats and result.repeat:
            result = Outcome(result.url, notes=(f"skipped: {result.error}",))
        image = result.added.get("image") if result.added else None
        if kept and image in kept.failures:
            warning = f"image not kept: {kept.failures[image]}: {image}"
            result = replace(result, warnings=(warning,))
        outcomes[i] = replace(result, url=asked.get(i, result.url))
    return Gathered(title, [outcomes[i] for i in sorted(outcomes)], first, candidates)


def _saved_page(file: Path) -> bytes:
    """The bytes of a page saved from a browser, refused if they cannot be one."""
    from newsletter.web.pages import MAX_PAGE_BYTES, is_feed

    body = read_local(file, MAX_PAGE_BYTES, "--file")
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        raise UserError(f"--file {file}: the file is empty")
    if not start.startswith(b"<") or b"\0" in body[:4096]:
        raise UserError(f"--file {file}: not a saved web page (HTML)")
    if is_feed(body):
        raise UserError(f"--file {file}: a feed, not a web page: add its items with --feed {file}")
    return body


def read_local(file: Path, limit: int, option: str) -> bytes:
    """The bytes of a regular file named by `option`, at most `limit` of them; a device
    (/dev/zero), a FIFO or a folder is refused at once, never read without end."""
    from newsletter.web.client import size_text

    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
    except OSError as e:
        raise UserError(f"{option} {file}: {e.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UserError(f"{option} {file}: not a regular file")
        body = f.read(limit + 1)
    if len(body) > limit:
        raise UserError(f"{option} {file}: larger than {size_text(limit)}")
    return body


FIELDS = ("title", "url", "summary", "image", "image_alt", "source", "sponsored", "published")
"""The fields of an article a dry run shows, in the order of the issue format."""


def report(gathered: Gathered, echo: Callable[..., None], *, dry_run: bool = False) -> bool:
    """Print one line per article (with `dry_run`, each field of the article that would be
    added), errors on stderr; True if anything failed."""
    failed = False
    section, position = gathered.section, gathered.position
    for outcome in gathered.outcomes:
        if outcome.added is not None and dry_run:
            echo(f"Would add to {section}:")
            for name in FIELDS:
                value = outcome.added.get(name)
                if value is True:
                    echo(f"  {name}: true")
                elif name != "sponsored":
                    shown = " ".join(str(value).split()) if value is not None else "(none)"
                    echo(f"  {name}: {shown}")
            echo(f"  section: {section}")
            echo(f"  position: {position}")
            position += 1
        elif outcome.added is not None:
            article = outcome.added
            source = f" ({article['source']})" if article.get("source") else ""
            echo(f"Added to {section}: {article['title']}{source} {article['url']}")
        elif outcome.error is not None:
            echo(f"Error: {outcome.url}: {outcome.error}", err=True)
            failed = True
        for note in outcome.notes:
            echo(f"  note: {outcome.url}: {note}")
        for warning in outcome.warnings:
            echo(f"Warning: {outcome.url}: {warning}", err=True)
    return failed
