"""Reading plain YAML fast: libyaml (ruamel.yaml.clib) composes, and each key and value keeps
its place in the file; anything irregular is left to the round-trip parser to report."""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

Loc = tuple[str | int, ...]

Marks = dict[Loc, tuple[tuple[int, int], tuple[int, int]]]
"""Where each key and value stands: loc -> ((key line, column), (value line, column)), 0-based."""

MAX_DEPTH = 64
"""Levels of nesting, the top value being the first: an issue needs six, settings four."""

MAX_NUMBER_TEXT = 30
"""No number of an issue or its settings is written longer (characters); a longer one stays
text, so that the validation reports it: `-0x` and 4,000 digits is no number to compute with."""


class _Irregular(Exception):
    """Something the fast parser leaves to the round-trip one to report."""


_CORE = "tag:yaml.org,2002:"
_SCALARS = frozenset(_CORE + t for t in ("int", "float", "bool", "null"))
_OPEN = object()
"""In place of a collection still being built: an alias to it is inside it."""

# libyaml's composer recurses in C once per level of nesting, and 30,000 levels (60 KB)
# overflow the C stack: a crash no handler can catch. A block collection starts at a line's
# indentation or after the `- `, `? ` or `: ` that begin it, and one column holds at most two
# levels (a mapping, and the list that is the value of one of its keys); a flow collection
# opens every level with `[` or `{`. So text whose lines begin with fewer than 32 of those
# characters and that has at most 128 brackets nests at most 2 * 32 + 128 + 1 levels deep:
# under 70 KB of C stack, which even a thread with 128 KB of stack has.
_INDENT = "[ \t\ufeff?:-]"
_DEEP_FIRST_LINE = re.compile(f"{_INDENT}{{32}}")
_DEEP_LINE = re.compile(f"\n{_INDENT}{{32}}")
_DEEP_LINE_ANY_BREAK = re.compile(f"[\n\r\x85\u2028\u2029]{_INDENT}{{32}}")
_BRACKETS = 128


def shallow(text: str) -> bool:
    """Whether libyaml can compose `text` without running out of C stack: a linear scan that
    bounds the nesting from above (Markdown's `[` in an ordinary issue are far below it)."""
    if text.count("[") + text.count("{") > _BRACKETS or _DEEP_FIRST_LINE.match(text):
        return False
    # Every line break libyaml knows; a search for `\n` alone is six times faster.
    other = "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text
    return (_DEEP_LINE_ANY_BREAK if other else _DEEP_LINE).search(text) is None


_TAG_AFTER = frozenset("\n\r\x85\u2028\u2029,[{")
"""What a node, and so its tag, can follow at once: a line break, a flow collection's `[{,`."""
_TAG_AFTER_BLANK = frozenset("-?:")
"""...and after a blank: the indicators `- `, `? `, `: ` (`What?!` is no tag)."""


def _tagged(text: str) -> bool:
    """Whether `text` may hold an explicit tag (`!!str 12`, `!custom x`): libyaml's nodes do
    not say whether their tag was written, and the round-trip parser refuses every one."""
    at = text.find("!")
    while at >= 0:
        j = at - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        blank = j < at - 1
        if j < 0 or text[j] in _TAG_AFTER or (blank and text[j] in _TAG_AFTER_BLANK):
            return True
        if text[j] == ":" and j > 0 and text[j - 1] in "\"']}":  # {"key":!!str 1}
            return True
        if blank:  # a word, blanks, then `!`: the word may be an anchor (`&a !!str 12`)
            word = text[max(0, j - 200) : j + 1].split()[-1].lstrip("[{,")
            if word.startswith("&") or len(word) > 200:
                return True
        at = text.find("!", at + 1)
    return False


def parse_fast(text: str) -> tuple[Any, Marks] | None:
    """Plain data and positions through libyaml (ruamel.yaml.clib), ten times faster than the
    round-trip parser; None for an empty or irregular file. Only for `shallow` text."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if _tagged(text) or text.startswith("%") or "\n%" in text or "\r%" in text:
        return None  # a tag, or a directive (%YAML 1.1): the round-trip parser says which
    yaml = YAML(typ="safe", pure=False)  # libyaml when ruamel.yaml.clib is there
    try:
        root = yaml.compose(text)
    except Exception:  # any error: the round-trip parser reports it, with its message
        return None
    if root is None:
        return None
    marks: Marks = {}
    built: dict[int, Any] = {}  # by node: an alias is the same node, built once

    def scalar(node: Any) -> Any:
        if node.tag == _CORE + "str":
            return LiteralScalarString(node.value) if node.style == "|" else node.value
        if node.tag == _CORE + "timestamp":
            return node.value  # as text: a bad date is a validation problem with a place
        if node.tag == _CORE + "int" and len(node.value) > MAX_NUMBER_TEXT:
            return node.value
        if node.tag in _SCALARS:
            try:
                return yaml.constructor.construct_object(node, deep=True)
            except Exception as e:  # whatever it is, the round-trip parser reports it
                raise _Irregular from e
        raise _Irregular  # any other tag

    def build(node: Any, loc: Loc) -> Any:
        if id(node) in built:
            done = built[id(node)]
            if done is _OPEN:
                raise _Irregular  # an alias inside the value it names
            return done
        if isinstance(node, MappingNode):
            if node.tag != _CORE + "map" or (len(loc) >= MAX_DEPTH - 1 and node.value):
                raise _Irregular  # the round-trip parser says where it nests too deep
            mapping: dict[Any, Any] = {}
            built[id(node)] = _OPEN
            for key_node, value_node in node.value:
                if isinstance(key_node, MappingNode | SequenceNode):
                    raise _Irregular
                key = scalar(key_node)
                if key in mapping:
                    raise _Irregular  # a duplicate key
                at = (key_node.start_mark.line, key_node.start_mark.column)
                marks[(*loc, key)] = (
                    at,
                    (value_node.start_mark.line, value_node.start_mark.column),
                )
                mapping[key] = build(value_node, (*loc, key))
            built[id(node)] = mapping
            return mapping
        if isinstance(node, SequenceNode):
            if node.tag != _CORE + "seq" or (len(loc) >= MAX_DEPTH - 1 and node.value):
                raise _Irregular
            items: list[Any] = []
            built[id(node)] = _OPEN
            for i, item in enumerate(node.value):
                at = (item.start_mark.line, item.start_mark.column)
                marks[(*loc, i)] = (at, at)
                items.append(build(item, (*loc, i)))
            built[id(node)] = items
            return items
        return scalar(node)

    try:
        return build(root, ()), marks
    except (_Irregular, ValueError, TypeError):
        return None
