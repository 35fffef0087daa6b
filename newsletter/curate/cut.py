"""Editing an issue file as text: articles are cut out, every other byte stays as it was."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsletter.build.yamlfile import Document
from newsletter.curate.splice import dash_of, end_of, refuse_flow
from newsletter.model.problems import UserError


@dataclass(frozen=True)
class Items:
    """Where the articles of one section stand in the file's lines: each one's first line
    (the comments just above its dash are its own), the line after its last, and the column
    of their dashes."""

    starts: list[int]
    ends: list[int]
    dash: int


def article_items(document: Document, lines: list[str], index: int, refusal: str) -> Items:
    """Where the articles of section `index` stand in `lines`, the file's lines; a flow list
    (`[...]`) is refused, as `refusal` says ("remove can only edit")."""
    sections = document.data["sections"]
    refuse_flow(document, sections, "sections", refusal)
    section = sections[index]
    seq = section["articles"]
    refuse_flow(document, seq, f"sections[{index}].articles", refusal)
    dash = dash_of(lines, seq, 0)[1]
    starts = []
    for i in range(len(seq)):
        at = dash_of(lines, seq, i)[0]
        while at > 0 and _comment_up_to(lines[at - 1], dash):
            at -= 1
        starts.append(at)
    after = [*starts[1:], end_of(lines, section, "articles", dash)]
    ends = [_trimmed(lines, start, end, dash) for start, end in zip(starts, after, strict=True)]
    return Items(starts, ends, dash)


def remove_articles(document: Document, text: str, targets: dict[int, set[int]]) -> str:
    """`text` (the file `document` was parsed from) without the articles `targets` names
    (section index: article indexes). Only their lines go, with a blank line that separated
    them; a section left without articles gets `articles: []`."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    cuts: list[tuple[int, int]] = []
    for index, gone in targets.items():
        items = article_items(document, lines, index, "remove can only edit")
        count = len(items.starts)
        if gone >= set(range(count)):
            section = document.data["sections"][index]
            key_line = section.lc.key("articles")[0]
            line = lines[key_line].rstrip("\r\n")
            match = re.match(r"(\s*articles\s*:)(\s*#.*)?$", line)
            if match is None:
                raise UserError(
                    f"{document.path}:{key_line + 1}: sections[{index}].articles is written"
                    " in a way remove cannot edit"
                )
            lines[key_line] = f"{match.group(1)} []{match.group(2) or ''}{newline}"
            cuts.append((key_line + 1, items.ends[-1]))
            continue
        for first, last in _runs(sorted(gone)):
            start, end = items.starts[first], items.ends[last]
            if last + 1 < count:  # the blank lines after it go with it
                while end < items.starts[last + 1] and not lines[end].strip():
                    end += 1
            else:  # the last article: the blank lines before it go with it
                while start > 0 and not lines[start - 1].strip():
                    start -= 1
            cuts.append((start, end))
    for start, end in sorted(cuts, reverse=True):
        del lines[start:end]
    return "".join(lines)


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive indexes as (first, last) pairs: [1, 2, 4] -> [(1, 2), (4, 4)]."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _trimmed(lines: list[str], start: int, end: int, dash: int) -> int:
    """`end`, before the blank lines and the comments no deeper than the dashes that follow
    the article from `start`: those introduce what comes next."""
    while end > start + 1 and (not lines[end - 1].strip() or _comment_up_to(lines[end - 1], dash)):
        end -= 1
    return end


def _comment_up_to(line: str, column: int) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("#") and len(line) - len(stripped) <= column
