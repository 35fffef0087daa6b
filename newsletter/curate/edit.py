"""`newsletter remove`, `move` and `sections`: articles taken out of an issue file or moved
within it, every other byte kept, and the sections listed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.build.yamlfile import Document, parse_yaml
from newsletter.curate.cut import article_items, remove_articles
from newsletter.curate.issuefile import edit_issue, find_section
from newsletter.curate.splice import Where, insert_lines
from newsletter.model.issue import Issue
from newsletter.model.problems import UserError
from newsletter.model.urls import normalize_url


@dataclass(frozen=True)
class Place:
    """An article and where it stands in the issue: its section, and its position there
    (1 being first)."""

    title: str
    url: str
    section: str
    position: int


def places(issue: Issue, url: str) -> list[tuple[int, int]]:
    """Where the article at `url` (compared as normalised) stands: (section, article) indexes,
    in file order; more than one when the issue has it twice."""
    key = normalize_url(url)
    return [
        (s, a)
        for s, section in enumerate(issue.sections)
        for a, article in enumerate(section.articles)
        if normalize_url(str(article.url)) == key
    ]


def _place(issue: Issue, s: int, a: int) -> Place:
    article = issue.sections[s].articles[a]
    return Place(article.title, str(article.url), issue.sections[s].title, a + 1)


def _not_in(urls: Sequence[str], display: str) -> UserError:
    urls = [url if url.strip() else repr(url) for url in urls]  # an empty one is seen
    if len(urls) == 1:
        return UserError(f"{urls[0]} is not in {display}")
    return UserError(f"{len(urls)} URLs are not in {display}: {', '.join(urls)}")


def remove_from_issue(
    path: Path, display: str, layouts: frozenset[str], urls: Sequence[str]
) -> list[Place]:
    """Remove the articles at `urls` from the issue in `path`: every copy of each, where the
    issue has one twice. All or nothing: a URL the issue lacks, or one given twice, is a
    UserError and nothing is written. Returns what was removed, in file order."""
    seen: dict[str, str] = {}
    for url in urls:
        key = normalize_url(url)
        if key in seen:
            same = "" if seen[key] == url else f" (as {seen[key]})"
            raise UserError(f"{url} is given twice{same}; nothing was removed")
        seen[key] = url
    removed: list[Place] = []

    def change(text: str, document: Document, issue: Issue) -> bytes:
        found = {url: places(issue, url) for url in urls}
        missing = [url for url, where in found.items() if not where]
        if missing:
            raise _not_in(missing, display)
        targets: dict[int, set[int]] = {}
        for s, a in sorted(where for each in found.values() for where in each):
            targets.setdefault(s, set()).add(a)
            removed.append(_place(issue, s, a))
        return remove_articles(document, text, targets).encode("utf-8")

    edit_issue(path, display, layouts, change)
    return removed


@dataclass(frozen=True)
class Move:
    """An article moved: where it stood, and where it stands now (the same when it stayed)."""

    old: Place
    new: Place
    stayed: bool = False  # it was where it was asked to go already: nothing was written


def move_in_issue(
    path: Path,
    display: str,
    layouts: frozenset[str],
    url: str,
    section: str,
    *,
    position: int | None = None,
    create: bool = False,
) -> Move:
    """Move the article at `url` to `section` (a new one at the end with `create`), at
    `position` there (1 being first; by default last). Its lines move as they are, comments
    included. A position past the end, an article the issue lacks or has twice, or an unknown
    section is a UserError, and nothing is written."""
    moves: list[Move] = []

    def change(text: str, document: Document, issue: Issue) -> bytes | None:
        found = places(issue, url)
        if not found:
            raise _not_in([url], display)
        if len(found) > 1:
            where = ", ".join(f"{issue.sections[s].title} {a + 1}" for s, a in found)
            raise UserError(
                f"{url} is in the issue {len(found)} times ({where}): move cannot tell which"
                " to move; remove it and add it again"
            )
        s, a = found[0]
        old = _place(issue, s, a)
        to = find_section(document, issue, section, create)
        title = issue.sections[to.index].title if to.index is not None else section.strip()
        room = 1 if to.index is None else len(issue.sections[to.index].articles) + (to.index != s)
        at = room if position is None else position
        if not 1 <= at <= room:
            span = "1" if room == 1 else f"1 to {room}"
            raise UserError(f"--position {at} is past the end of {title}; it can go at {span}")
        stayed = to.index == s and at == a + 1
        moves.append(Move(old, Place(old.title, old.url, title, at), stayed))
        if stayed:
            return None
        return _moved(document, text, s, a, Where(to.index, at - 1, to.new_title), display)

    edit_issue(path, display, layouts, change)
    return moves[0]


def _moved(document: Document, text: str, s: int, a: int, where: Where, display: str) -> bytes:
    """`text` with article `a` of section `s` taken out, and put back as `where` says."""
    lines = text.splitlines(keepends=True)
    items = article_items(document, lines, s, "move can only edit")
    block = lines[items.starts[a] : items.ends[a]]
    if not block[-1].endswith("\n"):  # the last line of a file without a final newline
        block[-1] += "\r\n" if lines[0].endswith("\r\n") else "\n"
    cut = remove_articles(document, text, {s: {a}})
    return insert_lines(
        parse_yaml(cut.encode("utf-8"), display, roundtrip=True), cut, where, block, items.dash
    ).encode("utf-8")


def outline(issue: Issue) -> list[dict[str, Any]]:
    """The sections of `issue` with their articles, positions counted from 1: what
    `newsletter sections` prints, and gives as JSON."""
    return [
        {
            "position": s + 1,
            "title": section.title,
            "layout": section.layout,
            "articles": [
                {"position": a + 1, "title": article.title, "url": str(article.url)}
                for a, article in enumerate(section.articles)
            ],
        }
        for s, section in enumerate(issue.sections)
    ]
