"""Editing an issue file as text: new articles are spliced in, every other byte stays as it was."""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from newsletter.build.yamlfile import Document
from newsletter.model.problems import UserError


@dataclass(frozen=True)
class Where:
    """Where new articles go: section `index` of the issue, before article `before` (or at the
    end), or a new section `new_title` at the end of the issue."""

    index: int | None = None
    before: int | None = None
    new_title: str | None = None


def insert_articles(
    document: Document, text: str, where: Where, articles: list[dict[str, Any]]
) -> str:
    """`text` (the file `document` was parsed from) with `articles` added as `where` says.

    Only lines are inserted (and an empty `articles: []` opened up): comments, key order,
    blank lines and quoting elsewhere stay byte for byte.
    """

    def make(dash: int, offset: int, inner: int, newline: str, title: str | None) -> list[str]:
        items = articles if title is None else [{"title": title, "articles": articles}]
        return _article_lines(items, dash, offset, inner, newline)

    return _insert(document, text, where, make, "add can only extend")


def insert_lines(document: Document, text: str, where: Where, block: list[str], column: int) -> str:
    """`text` with `block`, the lines of one article as another list had them (its dash at
    `column`), inserted as `where` says: moved as they are, only indented as the new place is.
    """

    def make(dash: int, offset: int, inner: int, newline: str, title: str | None) -> list[str]:
        if title is None:
            return _shifted(block, dash - column)
        head = _article_lines([{"title": title}], dash, offset, inner, newline)
        key = " " * (dash + inner) + "articles:" + newline
        return [*head, key, *_shifted(block, dash + inner + offset - column)]

    return _insert(document, text, where, make, "move can only extend")


Lines = Callable[[int, int, int, str, "str | None"], list[str]]
"""Makes the lines to insert: dashes at a column, indented as the file is (dashes `offset`
after their key, keys `inner` after their dash), with the file's line ending; for a new
section, under its title."""


def _insert(document: Document, text: str, where: Where, make: Lines, refusal: str) -> str:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    data = document.data
    sections = data["sections"]
    refuse_flow(document, sections, "sections", refusal)
    offset, inner = _indents(lines, data, "sections", sections)
    if where.new_title is not None:
        dash = data.lc.key("sections")[1] + offset
        at = end_of(lines, data, "sections", dash)
        lines[at:at] = make(dash, offset, inner, newline, where.new_title)
        return "".join(lines)
    assert where.index is not None
    section = sections[where.index]
    loc = f"sections[{where.index}].articles"
    existing = section.get("articles")
    if isinstance(existing, CommentedSeq) and existing:
        refuse_flow(document, existing, loc, refusal)
        dash = dash_of(lines, existing, 0)[1]
        if where.before is not None and where.before < len(existing):
            at = dash_of(lines, existing, where.before)[0]
            while at > 0 and _comment_at(lines[at - 1], dash):  # it introduces that item
                at -= 1
        else:
            at = end_of(lines, section, "articles", dash)
        lines[at:at] = make(dash, offset, inner, newline, None)
        return "".join(lines)
    # `articles: []`, or `articles:` with nothing after it: open it up as a block list.
    key_line, key_col = section.lc.key("articles")
    line = lines[key_line]
    match = re.match(r"(\s*articles\s*:)\s*(?:\[\s*\]|~|null)?(\s*#.*)?$", line.rstrip("\r\n"))
    if match is None:
        command = refusal.split()[0]
        raise UserError(
            f"{document.path}:{key_line + 1}: {loc} is written in a way {command} cannot extend"
        )
    lines[key_line] = match.group(1) + (match.group(2) or "") + newline
    lines[key_line + 1 : key_line + 1] = make(key_col + offset, offset, inner, newline, None)
    return "".join(lines)


def _shifted(block: list[str], shift: int) -> list[str]:
    """The lines of `block` indented `shift` more (or less): blank lines stay empty."""
    if shift >= 0:
        return [" " * shift + line if line.strip() else line for line in block]
    return [line[min(-shift, len(line) - len(line.lstrip(" "))) :] for line in block]


def refuse_flow(
    document: Document, seq: CommentedSeq, loc: str, refusal: str = "add can only extend"
) -> None:
    if seq and seq.fa.flow_style():
        raise UserError(
            f"{document.path}:{seq.lc.line + 1}: {loc} is a flow list [...]; {refusal}"
            " a block list (one `- ` item per line)"
        )


def dash_of(lines: list[str], seq: CommentedSeq, index: int) -> tuple[int, int]:
    """The line and column of the dash of item `index` of the block list `seq`: before its
    value on the same line, or alone on a line above it (`-`, the value below)."""
    line, col = seq.lc.item(index)
    if lines[line][:col].strip():
        return line, lines[line].rindex("-", 0, col)
    above = line - 1
    while above > 0 and (not lines[above].strip() or lines[above].lstrip().startswith("#")):
        above -= 1
    if above >= 0 and lines[above].lstrip().startswith("-"):
        return above, lines[above].index("-")
    return line, col


def _indents(lines: list[str], data: CommentedMap, key: str, seq: CommentedSeq) -> tuple[int, int]:
    """How this file indents: the dash of a list item after its key, the keys after the dash."""
    if not seq:
        return 2, 2
    col = seq.lc.item(0)[1]
    dash = dash_of(lines, seq, 0)[1]
    return dash - data.lc.key(key)[1], col - dash


def _comment_at(line: str, column: int) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("#") and len(line) - len(stripped) == column


def end_of(lines: list[str], mapping: CommentedMap, key: str, dash: int) -> int:
    """The line after the last item of the list at `mapping[key]`, before the blank lines and
    the comments that introduce what follows it."""
    keys = list(mapping)
    after = keys[keys.index(key) + 1 :]
    end = (
        mapping.lc.key(after[0])[0]
        if after
        else _next_outdented(lines, mapping.lc.key(key)[0], dash)
    )
    while end > 0 and (not lines[end - 1].strip() or _comment_below(lines[end - 1], dash)):
        end -= 1
    return end


def _next_outdented(lines: list[str], start: int, column: int) -> int:
    """The first line after `start` that is indented less than `column`, or the end."""
    for i in range(start + 1, len(lines)):
        text = lines[i]
        stripped = text.lstrip(" ")
        if stripped.strip() and not stripped.startswith("#") and len(text) - len(stripped) < column:
            return i
    return len(lines)


def _comment_below(line: str, column: int) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("#") and len(line) - len(stripped) < column


def _article_lines(
    items: list[dict[str, Any]], dash: int, offset: int, inner: int, newline: str
) -> list[str]:
    """YAML lines for `items` as a block list whose dashes stand at column `dash`, indented
    as the file is: dashes `offset` after their key, keys `inner` after their dash."""
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096  # never fold a long title onto two lines
    yaml.indent(mapping=inner, sequence=offset + inner, offset=offset)
    stream = io.StringIO()
    yaml.dump([_prepare(item) for item in items], stream)
    dumped = stream.getvalue().splitlines(True)
    shift = dash - dumped[0].index("-")  # the dump indents even its outermost list by `offset`
    return [(" " * shift if line.strip() else "") + line.rstrip("\n") + newline for line in dumped]


def _prepare(value: Any, key: str = "") -> Any:
    """A long summary as a `|` block wrapped at 76 columns (Markdown takes its line breaks as
    spaces); every other text on one line; lists and mappings as block YAML."""
    if isinstance(value, dict):
        return CommentedMap((k, _prepare(v, k)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return CommentedSeq(_prepare(v) for v in value)
    if key == "summary" and isinstance(value, str) and len(value) > 60 and "\n" not in value:
        wrapped = textwrap.fill(value, 76, break_long_words=False, break_on_hyphens=False)
        if not _BLOCK_START.search(wrapped):
            return LiteralScalarString(wrapped + "\n")
    return value


_BLOCK_START = re.compile(r"\n(?:[-+*#>=|`~<]|\d+[.)])")
"""A line that Markdown could read as a list, heading, quote or code: the text stays one line."""
