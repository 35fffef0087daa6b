"""The originals of the articles' images, kept in the project's `images/` folder: each file
named by a hash of its bytes, so that the same image is never stored twice, and recorded in
the issue as `image_file` next to the `image` address it came from."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from newsletter.build.load import load_issue_document
from newsletter.build.yamlfile import Document
from newsletter.curate.issuefile import edit_issue
from newsletter.model.issue import Issue
from newsletter.model.problems import UserError
from newsletter.project.files import write_atomic

IMAGES_DIR = "images"
HASH_LENGTH = 20
"""Hex digits of the SHA-256 of an image's bytes in its file's name (80 bits)."""


@dataclass(frozen=True)
class Kept:
    """The images asked for: the file each one is kept in, and why the others are not."""

    files: dict[str, str]  # image URL -> "images/<hash>.<ext>", relative to the project
    failures: dict[str, str]  # image URL -> why it could not be had, in one line


def store(root: Path, body: bytes, extension: str) -> str:
    """Keep `body` in the project's images folder under the hash of its bytes, unless a file
    holds those bytes already; its name relative to `root`, `images/<hash>.<extension>`."""
    name = f"{hashlib.sha256(body).hexdigest()[:HASH_LENGTH]}.{extension}"
    path = root / IMAGES_DIR / name
    try:
        same = path.is_file() and path.stat().st_size == len(body) and path.read_bytes() == body
    except OSError:
        same = False
    if not same:  # new, or damaged since (written atomically, it cannot be half a file)
        write_atomic(path, body, within=root)
    return f"{IMAGES_DIR}/{name}"


def keep_images(root: Path, urls: Sequence[str], *, timeout: float) -> Kept:
    """Fetch each distinct image in `urls` (bounded: see newsletter.web.images) and store it."""
    from newsletter.web.client import FetchError
    from newsletter.web.images import fetch_images

    distinct = list(dict.fromkeys(urls))
    kept = Kept({}, {})
    for url, result in zip(distinct, fetch_images(distinct, timeout=timeout), strict=True):
        if isinstance(result, FetchError):
            kept.failures[url] = str(result)
            continue
        try:
            kept.files[url] = store(root, result.body, result.extension)
        except (OSError, UserError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            kept.failures[url] = f"it could not be stored: {reason}"
    return kept


@dataclass(frozen=True)
class Missing:
    """An article with an image address but no kept file, and what became of it."""

    title: str
    image: str
    file: str | None = None
    failure: str | None = None


def fetch_missing(
    path: Path, display: str, layouts: frozenset[str], root: Path, *, timeout: float
) -> list[Missing]:
    """Keep the image of every article of the issue in `path` that has `image:` but no
    `image_file:`, and record each kept one in the issue, every other byte of it unchanged."""
    _, issue = load_issue_document(path, display, layouts, draft=True)
    wanted = _missing(issue)
    if not wanted:
        return []
    kept = keep_images(root, [m.image for m in wanted], timeout=timeout)

    def change(text: str, document: Document, issue: Issue) -> bytes | None:
        lines = text.splitlines(keepends=True)
        newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
        # From the end, so that the lines of articles still to do stay where they were.
        places = [
            (s, a, kept.files[article.image])
            for s, section in enumerate(issue.sections)
            for a, article in enumerate(section.articles)
            if article.image in kept.files and article.image_file is None
        ]
        for s, a, file in reversed(places):
            mapping = document.data["sections"][s]["articles"][a]
            at, column = _after_image(lines, mapping, display)
            lines[at:at] = [" " * column + f"image_file: {file}" + newline]
        return "".join(lines).encode("utf-8") if places else None

    if kept.files:
        edit_issue(path, display, layouts, change)
    return [
        Missing(m.title, m.image, kept.files.get(m.image), kept.failures.get(m.image))
        for m in wanted
    ]


def _missing(issue: Issue) -> list[Missing]:
    return [
        Missing(article.title, article.image)
        for article in issue.articles
        if article.image is not None and article.image_file is None
    ]


def _after_image(lines: list[str], mapping: Any, display: str) -> tuple[int, int]:
    """Where the line `image_file: ...` goes in an article's block mapping: the line after
    its `image:` value, indented as that key is."""
    if not isinstance(mapping, CommentedMap) or mapping.fa.flow_style():
        line = mapping.lc.line + 1 if isinstance(mapping, CommentedMap) else "?"
        raise UserError(f"{display}:{line}: an article written {{...}}; write image_file by hand")
    line, column = mapping.lc.key("image")
    end = line + 1
    # A long address may go on over more lines, indented more than its key.
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > column
    ):
        end += 1
    while end > line + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    return end, column
