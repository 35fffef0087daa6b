"""Read a YAML file safely, keeping where each key and value stands in it."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from newsletter.build.yamlfast import Loc as Loc  # a place in a document, used with it
from newsletter.build.yamlfast import Marks, parse_fast, shallow
from newsletter.build.yamlstrict import load_strict
from newsletter.model.problems import Problem, ProblemsError

MAX_BYTES = 1_000_000
"""A weekly issue is a few kilobytes; anything this large is a mistake, not content."""

MAX_NODES = 100_000
"""Aliases can make a tiny file expand to billions of values (a "YAML bomb")."""

MAX_TEXT = 2_000_000
"""...or a small file repeat one long text until it fills the memory (characters)."""


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and where each part of it stands.

    Parsed for reading, `data` is plain dicts and lists and `marks` says where they stand;
    parsed for editing (`roundtrip=True`), `data` is ruamel's round-trip types, which know
    their own positions, comments and style.
    """

    path: str
    data: Any
    marks: Marks | None = None

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """The 1-based (line, column) of the value at `loc`, or of its key with `key=True`.

        Where `loc` goes deeper than the file (a missing key), the deepest part found.
        """
        if self.marks is not None:
            return self._marked(loc, key)
        line, column = 1, 1
        node = self.data
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            try:
                if isinstance(node, CommentedMap) and part in node:
                    # An empty value has no position of its own: its key's is the right one.
                    empty = node[part] is None
                    where = node.lc.key(part) if (key and last) or empty else node.lc.value(part)
                    node = node[part]
                elif isinstance(node, CommentedSeq) and isinstance(part, int):
                    where = node.lc.item(part)
                    node = node[part]
                else:
                    break
            except (KeyError, IndexError, TypeError):
                break
            if where is None:  # a key merged in with `<<: *name` has no place of its own
                break
            line, column = where[0] + 1, where[1] + 1
        return line, column

    def _marked(self, loc: Loc, key: bool) -> tuple[int, int]:
        assert self.marks is not None
        where, node = (0, 0), self.data
        for i in range(len(loc)):
            marks = self.marks.get(loc[: i + 1])
            if marks is None:
                break
            try:
                node = node[loc[i]]
            except (KeyError, IndexError, TypeError):
                break
            # An empty value has no position of its own: its key's is the right one.
            where = marks[0] if (key and i == len(loc) - 1) or node is None else marks[1]
        return where[0] + 1, where[1] + 1

    def problem(self, code: str, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """A problem of `code` located at `loc` in this file."""
        line, column = self.position(loc, key=key)
        return Problem(code, self.path, line, column, format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    """`('sections', 1, 'url')` -> `sections[1].url`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read_yaml(path: Path, display: str | None = None) -> Document:
    """Read and parse a YAML file; raise ProblemsError for anything that stops its use."""
    name = display or str(path)
    return parse_yaml(read_bytes(path, name), name)


def read_bytes(path: Path, display: str | None = None) -> bytes:
    """What the YAML file at `path` holds; raise ProblemsError if it is no regular file, or
    too large to be what it should."""
    name = display or str(path)
    raw = _read_regular(path, name)
    if len(raw) > MAX_BYTES:
        message = f"the file is larger than {MAX_BYTES // 1_000_000} MB; is it the right file?"
        raise ProblemsError([Problem("file/unreadable", name, message=message)])
    return raw


def _read_regular(path: Path, name: str) -> bytes:
    """The first MAX_BYTES + 1 bytes of the regular file at `path`, refusing anything else at
    once: reading a named pipe waits for a writer forever, and a device never ends."""

    def refused(message: str) -> ProblemsError:
        return ProblemsError([Problem("file/unreadable", name, message=message)])

    try:
        # stat before open: opening a device or a pipe can block, or do something.
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            # O_NONBLOCK: should the file become a pipe before the open, it must not block.
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(path, flags)
            with open(fd, "rb") as f:
                info = os.fstat(fd)
                mode = info.st_mode
                if stat.S_ISREG(mode):
                    # What the file holds and a byte more, to see that it grew: a buffer of
                    # MAX_BYTES for each read took longer than reading an issue's 9 KB.
                    raw = f.read(min(info.st_size, MAX_BYTES) + 1)
                    if len(raw) > info.st_size:
                        raw += f.read(MAX_BYTES + 1 - len(raw))
                    return raw
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise refused("cannot read the file: its symbolic links go round in a loop") from e
        raise refused(f"cannot read the file: {e.strerror}") from e
    raise refused(f"not a regular file but {_kind(mode)}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def parse_yaml(raw: bytes, name: str, *, roundtrip: bool = False) -> Document:
    """Parse YAML bytes named `name`; raise ProblemsError for anything that stops their use.

    `roundtrip`: keep comments and style, for editing the file (slower).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        message = f"not valid UTF-8 (byte 0x{raw[e.start]:02x}); save the file as UTF-8"
        raise ProblemsError([Problem("yaml/syntax", name, line, column, "", message)]) from e
    if "\x00" in text:
        at = text.index("\x00")
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        raise ProblemsError(
            [Problem("yaml/syntax", name, line, column, "", "the file contains a NUL byte")]
        )
    # libyaml for speed, if it cannot crash on the nesting; the round-trip parser for the
    # rest and for every file the fast one finds irregular: its messages and positions are
    # the ones to report.
    if not roundtrip and shallow(text):
        fast = parse_fast(text)
        if fast is not None:
            _check_size(fast[0], name)
            return Document(name, fast[0], fast[1])
    data = load_strict(text, name)
    if data is None:
        raise ProblemsError([Problem("yaml/syntax", name, 1, 1, "", "the file is empty")])
    _check_size(data, name)
    return Document(name, data)


def _check_size(data: Any, name: str) -> None:
    """Count values and text as if every alias were expanded, without expanding them."""
    sizes: dict[int, tuple[int, int]] = {}
    too_large = (MAX_NODES + 1, MAX_TEXT + 1)

    def size(node: Any) -> tuple[int, int]:
        if isinstance(node, dict):
            children: list[Any] = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = node
        else:
            return 1, len(node) if isinstance(node, str) else 0
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = too_large  # a node that contains itself counts as too large
        values, text = 1, 0
        for child in children:
            more = size(child)
            values, text = values + more[0], text + more[1]
            if values > MAX_NODES or text > MAX_TEXT:
                break
        sizes[id(node)] = values, text
        return values, text

    try:
        values, text = size(data)
    except RecursionError:
        values, text = too_large
    if values > MAX_NODES:
        what, as_written = f"{MAX_NODES:,} values", _written(data)[0] > MAX_NODES
    elif text > MAX_TEXT:
        what, as_written = f"{MAX_TEXT // 1_000_000} MB of text", _written(data)[1] > MAX_TEXT
    else:
        return
    if as_written:
        message = f"the file has more than {what}; is it the right file?"
    else:
        message = f"the file expands to more than {what} through YAML aliases (*name)"
    raise ProblemsError([Problem("yaml/syntax", name, 1, 1, "", message)])


def _written(data: Any) -> tuple[int, int]:
    """Values and characters of text as the file writes them: an alias is one value."""
    values, text = 0, 0
    seen: set[int] = set()  # what an alias names is the same object
    todo = [data]
    while todo and values <= MAX_NODES:
        node = todo.pop()
        values += 1
        if id(node) in seen:
            continue
        if isinstance(node, dict):
            seen.add(id(node))
            todo += [*node.keys(), *node.values()]
        elif isinstance(node, list):
            seen.add(id(node))
            todo += node
        elif isinstance(node, str):
            seen.add(id(node))
            text += len(node)
    return values, text
