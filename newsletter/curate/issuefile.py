"""Issue files edited safely (under a lock, validated, written atomically); articles added."""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsletter.build.load import validate_issue
from newsletter.build.yamlfile import MAX_BYTES, Document, parse_yaml, read_bytes
from newsletter.curate.splice import Where, insert_articles
from newsletter.model.issue import Featured, Issue
from newsletter.model.problems import UserError
from newsletter.model.urls import normalize_url
from newsletter.project.files import write_atomic
from newsletter.project.history import featured_before, featured_in

if TYPE_CHECKING:
    from newsletter.curate.extract import Found


@dataclass(frozen=True)
class Outcome:
    """What happened to one thing the editor asked to add."""

    url: str
    added: dict[str, Any] | None = None  # the article as written into the issue
    error: str | None = None
    notes: tuple[str, ...] = ()
    repeat: bool = False  # the error is that an issue has the article already
    warnings: tuple[str, ...] = ()  # added, but not all of it: e.g. its image was not kept


def lock_folder() -> Path:
    """The user's own folder of locks: $XDG_RUNTIME_DIR/newsletter, else
    ~/.cache/newsletter/locks ($XDG_CACHE_HOME), made private to the user."""
    # Not the shared temporary folder: there another user can make a lock's file first and
    # block `add` for good.
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):  # the specification says to ignore a relative one
        folder = Path(runtime) / "newsletter"
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(cache) / "newsletter" / "locks"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o077:
            folder.chmod(0o700)  # ours, but open to others: theirs to block
    except OSError as e:
        raise UserError(f"cannot make {folder}, the folder for locks: {e.strerror}") from None
    if info.st_uid != os.getuid():
        raise UserError(
            f"{folder}, the folder for locks, belongs to another user: remove it, or set"
            " XDG_RUNTIME_DIR to a folder of your own"
        )
    return folder


def _lock_path(path: Path) -> Path:
    # Outside the editor's repository, one per issue file, shared by the user's processes.
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return lock_folder() / f"{digest}.lock"


def _article(found: Found, image_file: str | None = None) -> dict[str, Any]:
    article: dict[str, Any] = {"title": found.title, "url": found.url}
    if found.source:
        article["source"] = found.source
    if found.summary:
        article["summary"] = found.summary
    if found.image:
        article["image"] = found.image
        if image_file:
            article["image_file"] = image_file
        if found.image_alt:
            article["image_alt"] = found.image_alt
    if found.sponsored:
        article["sponsored"] = True
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


def repeat_of(
    url: str, this_issue: Mapping[str, Featured], before: Mapping[str, Featured]
) -> str | None:
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
    before: Mapping[str, Featured] | None = None,
    write: bool = True,
    image_files: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Add the articles `found` to the issue in `path`, each unless it is a repeat.

    Holds a lock from reading the file to replacing it, so that concurrent additions all
    land; validates the result before writing it atomically. Raises ProblemsError when the
    issue does not validate (then nothing is written), UserError for a missing section.
    With `write` False, all of that happens except the writing: a dry run. `image_files`
    gives the kept file of an image address, written as the article's `image_file`.
    """
    if before is None:
        before = featured_before(path.parent, path).featured
    outcomes: list[Outcome] = []

    def change(text: str, document: Document, issue: Issue) -> bytes | None:
        where = find_section(document, issue, section, create)
        this_issue = featured_in(document.data)
        articles = []
        for item in found:
            # The same article twice in one issue is never right; an earlier issue's may be.
            why = repeat_of(item.url, this_issue, {} if allow_repeat else before)
            if why:
                outcomes.append(Outcome(item.url, error=why, notes=item.notes, repeat=True))
                continue
            article = _article(item, (image_files or {}).get(item.image or ""))
            this_issue[normalize_url(item.url)] = Featured(issue.number, issue.date, section)
            articles.append(article)
            outcomes.append(Outcome(item.url, added=article, notes=item.notes))
        if not articles:
            return None
        if position is not None and where.index is not None:
            where = Where(index=where.index, before=max(position - 1, 0))
        new = insert_articles(document, text, where, articles).encode("utf-8")
        if len(new) > MAX_BYTES:  # it would be refused the next time it is read
            raise UserError(
                f"with {len(articles)} more articles {display} would be {len(new) / 1e6:.2f} MB,"
                f" past the {MAX_BYTES // 1_000_000} MB an issue file may have; add fewer"
                " (--limit N takes the newest N items of a feed)"
            )
        return new

    edit_issue(path, display, layouts, change, write=write)
    return outcomes


def edit_issue(
    path: Path,
    display: str,
    layouts: frozenset[str],
    change: Callable[[str, Document, Issue], bytes | None],
    *,
    write: bool = True,
) -> None:
    """Edit the issue in `path` the one safe way every command does: under the user's lock for
    that file, from reading it to replacing it, so that concurrent edits all land.

    `change` gets the file's text, its round-trip parse and the issue (valid as a draft) and
    returns the new bytes, or None to leave the file alone. The result must validate as a
    draft, else nothing is written (a ProblemsError); it replaces the file atomically
    (with `write` False, it is only validated: a dry run).
    """
    from filelock import FileLock

    with FileLock(_lock_path(path)):
        raw = read_bytes(path, display)
        parsed = parse_yaml(raw, display, roundtrip=True)  # to edit: comments, style, places
        document, issue = validate_issue(parsed, layouts, draft=True)
        new = change(raw.decode("utf-8"), document, issue)
        if new is None:
            return
        # Never write what would not load: the edited file is validated like any other.
        validate_issue(parse_yaml(new, display), layouts, draft=True)
        if write:
            write_atomic(path, new)
