"""`newsletter add`: from URLs, a saved page or a feed to articles in the issue, reported."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from newsletter.build.load import load_issue_document
from newsletter.curate.issuefile import Outcome, add_to_issue, find_section, repeat_of
from newsletter.model.problems import UserError
from newsletter.model.urls import http_url_problem
from newsletter.project.folder import Project
from newsletter.project.history import featured_before, featured_in
from newsletter.project.root import ISSUES_DIR


def gather(
    cwd: Path,
    *,
    urls: Sequence[str],
    saved: tuple[Path, str] | None,
    feed: str | None,
    since: str,
    limit: int | None,
    section: str,
    issue_name: str | None,
    position: int | None,
    create: bool,
    allow_repeat: bool,
    timeout: float,
    now: dt.datetime,
) -> tuple[str, list[Outcome]]:
    """Fetch and read what the editor gave, then add it to the issue: the section's title,
    and one outcome for each thing asked for, in order."""
    from newsletter.curate.extract import Found, extract_page, make_safe
    from newsletter.curate.feeds import FeedError, parse_since, read_feed
    from newsletter.web.client import FetchError
    from newsletter.web.pages import MAX_PAGE_BYTES, FetchedPage, fetch_pages

    project = Project.find(cwd)
    path = project.issue_path(issue_name)
    layouts = project.theme.layouts
    # Check the issue and the section before fetching anything: a typo costs no waiting.
    document, issue = load_issue_document(path, project.show(path), layouts, draft=True)
    where = find_section(document, issue, section, create)
    title = issue.sections[where.index].title if where.index is not None else section.strip()
    before = featured_before(
        project.root / ISSUES_DIR, path, issue.number, project.show, project.own, date=issue.date
    ).featured
    this_issue = featured_in(document.data)

    outcomes: dict[int, Outcome] = {}
    found: list[tuple[int, Found]] = []
    asked: dict[int, str] = {}  # the URL as the editor wrote it, for the report
    skip_repeats = False
    if saved is not None:
        file, url = saved
        if problem := http_url_problem(url):
            raise UserError(f"--url {url}: {problem}")
        found.append((0, extract_page(_saved_page(file), url)))
    elif feed is not None:
        try:
            window = parse_since(since)
        except ValueError as e:
            raise UserError(f"--since {since}: {e}") from None
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
        try:
            items = read_feed(data, feed_url, since=now - window, limit=limit)
        except FeedError as e:
            raise UserError(f"{feed}: {e}") from None
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
    results = add_to_issue(
        path,
        project.show(path),
        layouts,
        section,
        [make_safe(item) for _, item in found],  # pages, saved pages and feeds alike
        position=position,
        create=create,
        allow_repeat=allow_repeat,
        before=before,
    )
    for (i, _), result in zip(found, results, strict=True):
        if skip_repeats and result.repeat:
            result = Outcome(result.url, notes=(f"skipped: {result.error}",))
        outcomes[i] = replace(result, url=asked.get(i, result.url))
    return title, [outcomes[i] for i in sorted(outcomes)]


def _saved_page(file: Path) -> bytes:
    """The bytes of a page saved from a browser, refused if they cannot be one."""
    from newsletter.web.pages import MAX_PAGE_BYTES

    body = read_local(file, MAX_PAGE_BYTES, "--file")
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        raise UserError(f"--file {file}: the file is empty")
    if not start.startswith(b"<") or b"\0" in body[:4096]:
        raise UserError(f"--file {file}: not a saved web page (HTML)")
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


def report(outcomes: Sequence[Outcome], section: str, echo: Callable[..., None]) -> bool:
    """Print one line per article, errors on stderr; True if anything failed."""
    failed = False
    for outcome in outcomes:
        if outcome.added is not None:
            article = outcome.added
            source = f" ({article['source']})" if article.get("source") else ""
            echo(f"Added to {section}: {article['title']}{source} {article['url']}")
        elif outcome.error is not None:
            echo(f"Error: {outcome.url}: {outcome.error}", err=True)
            failed = True
        for note in outcome.notes:
            echo(f"  note: {outcome.url}: {note}")
    return failed
