"""Reading plain YAML fast: libyaml (ruamel.yaml.clib) composes, and each key and value keeps
its place in the file; anything irregular is left to the round-trip parser to report."""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

Loc = tuple[str | int, ...]

Marks = dict[Loc, tuple[tuple[int, int], tuple[int, int]]]
"""Where each key and value stands: loc -> ((key line, column), (value line, column)), 0-based."""


class _Irregular(Exception):
    """Something the fast parser leaves to the round-trip one to report."""


_CORE = "tag:yaml.org,2002:"
_SCALARS = frozenset(_CORE + t for t in ("int", "float", "bool", "null"))


def parse_fast(text: str) -> tuple[Any, Marks] | None:
    """Plain data and positions through libyaml (ruamel.yaml.clib), ten times faster than the
    round-trip parser; None for an empty or irregular file."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

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
        if node.tag in _SCALARS:
            return yaml.constructor.construct_object(node, deep=True)
        raise _Irregular  # any other tag

    def build(node: Any, loc: Loc) -> Any:
        if id(node) in built:
            return built[id(node)]
        if isinstance(node, MappingNode):
            if node.tag != _CORE + "map":
                raise _Irregular
            mapping: dict[Any, Any] = {}
            built[id(node)] = mapping
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
            return mapping
        if isinstance(node, SequenceNode):
            if node.tag != _CORE + "seq":
                raise _Irregular
            items: list[Any] = []
            built[id(node)] = items
            for i, item in enumerate(node.value):
                at = (item.start_mark.line, item.start_mark.column)
                marks[(*loc, i)] = (at, at)
                items.append(build(item, (*loc, i)))
            return items
        return scalar(node)

    try:
        return build(root, ()), marks
    except (_Irregular, ValueError, TypeError):
        return None
