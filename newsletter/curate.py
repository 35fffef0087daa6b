"""Putting an issue together: the next issue's file, and articles added to an issue safely."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from newsletter.edit import Where, insert_articles
from newsletter.history import Featured, featured_before, featured_in
from newsletter.load import check_issue
from newsletter.model import Issue
from newsletter.problems import UserError
from newsletter.urls import normalize_url
from newsletter.writers import write_atomic
from newsletter.yamlfile import Document, parse_yaml

if TYPE_CHECKING:
    from newsletter.extract import Found

PLACEHOLDER = "TODO"
"""What `newsletter new` writes where the editor must: the pre-send checks refuse it."""

MODELINE = "# yaml-language-server: $schema="


def next_issue(newest: Issue, newest_text: str, date: dt.date | None) -> tuple[str, str]:
    """The file name and text of the issue after `newest`: number + 1, a week later (or
    `date`), the same sections and layouts, empty, with placeholders to replace."""
    try:
        when = date or newest.date + dt.timedelta(days=7)
    except OverflowError:
        message = f"issue {newest.number} is dated {newest.date}: no week comes after it"
        raise UserError(message) from None
    if when <= newest.date:
        raise UserError(
            f"--date {when.isoformat()} is not after issue {newest.number}"
            f" of {newest.date.isoformat()}: a new issue comes after the newest one"
        )
    issue = CommentedMap()
    issue["number"] = newest.number + 1
    issue["date"] = when
    issue["subject"] = f"{PLACEHOLDER}: the subject line"
    issue["preheader"] = f"{PLACEHOLDER}: the preview text shown after the subject"
    issue["intro"] = f"{PLACEHOLDER}: a few sentences from the editor."
    sections = CommentedSeq()
    for section in newest.sections:
        entry = CommentedMap(title=section.title, layout=section.layout)
        entry["articles"] = CommentedSeq()
        entry["articles"].fa.set_flow_style()
        sections.append(entry)
    issue["sections"] = sections
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    first = newest_text.splitlines()[0] if newest_text else ""
    if first.startswith(MODELINE):
        stream.write(first + "\n")
    yaml.dump(issue, stream)
    return f"{when.isoformat()}.yaml", stream.getvalue()


@dataclass(frozen=True)
class Outcome:
    """What happened to one thing the editor asked to add."""

    url: str
    added: dict[str, Any] | None = None  # the article as written into the issue
    error: str | None = None
    notes: tuple[str, ...] = ()


def _lock_path(path: Path) -> Path:
    # Outside the editor's repository, one per issue file, shared by every process here.
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"newsletter-{digest}.lock"


def _article(found: Found) -> dict[str, Any]:
    article: dict[str, Any] = {"title": found.title, "url": found.url}
    if found.source:
        article["source"] = found.source
    if found.summary:
        article["summary"] = found.summary
    if found.image:
        article["image"] = found.image
        if found.image_alt:
            article["image_alt"] = found.image_alt
    if found.published:
        article["published"] = found.published
    return article


def find_section(document: Document, issue: Issue, name: str, create: bool) -> Where:
    """Where `--section NAME` puts articles: a section of the issue, or a new one."""
    if not name.strip():
        raise UserError("--section is empty: name a section of the issue, such as --section News")
    titles = [section.title for section in issue.sections]
    for index, title in enumerate(titles):
        if title.casefold() == name.strip().casefold():
            return Where(index=index)
    if create:
        return Where(new_title=name.strip())
    close = difflib.get_close_matches(name, titles, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UserError(
        f"no section {name!r} in {document.path} ({hint}its sections: {', '.join(titles)}); "
        "--create-section adds it"
    )


def repeat_of(url: str, this_issue: dict[str, Featured], before: dict[str, Featured]) -> str | None:
    """Why `url` must not be added again, or None."""
    key = normalize_url(url)
    if key in this_issue:
        return f"already in this issue ({this_issue[key].section})"
    if key in before:
        return f"already featured in {before[key]}"
    return None


def add_to_issue(
    path: Path,
    display: str,
    layouts: frozenset[str],
    section: str,
    found: Sequence[Found],
    *,
    position: int | None = None,
    create: bool = False,
    allow_repeat: bool = False,
    before: dict[str, Featured] | None = None,
) -> list[Outcome]:
    """Add the articles `found` to the issue in `path`, each unless it is a repeat.

    Holds a lock from reading the file to replacing it, so that concurrent additions all
    land; validates the result before writing it atomically. Raises ProblemsError when the
    issue does not validate (then nothing is written), UserError for a missing section.
    """
    from filelock import FileLock

    if before is None:
        before = featured_before(path.parent.glob("*.yaml"), exclude=path)
    with FileLock(_lock_path(path)):
        raw = path.read_bytes()
        parsed = parse_yaml(raw, display, roundtrip=True)  # to edit: comments, style, places
        document, issue = check_issue(parsed, layouts, draft=True)
        where = find_section(document, issue, section, create)
        this_issue = featured_in(document.data)
        outcomes, articles = [], []
        for item in found:
            # The same article twice in one issue is never right; an earlier issue's may be.
            why = repeat_of(item.url, this_issue, {} if allow_repeat else before)
            if why:
                outcomes.append(Outcome(item.url, error=why, notes=item.notes))
                continue
            article = _article(item)
            this_issue[normalize_url(item.url)] = Featured(issue.number, issue.date, section)
            articles.append(article)
            outcomes.append(Outcome(item.url, added=article, notes=item.notes))
        if not articles:
            return outcomes
        if position is not None and where.index is not None:
            where = Where(index=where.index, before=max(position - 1, 0))
        new = insert_articles(document, raw.decode("utf-8"), where, articles).encode("utf-8")
        # Never write what would not load: the edited file is validated like any other.
        check_issue(parse_yaml(new, display), layouts, draft=True)
        write_atomic(path, new)
    return outcomes
