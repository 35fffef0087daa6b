"""The round-trip parser (ruamel.yaml, pure Python) with the limits of an issue file, its
errors in an editor's words: it reads every file the fast path leaves to it and every file to
edit, so it refuses, with a place in the file, what no issue needs and what would crash it."""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, StreamMark, YAMLError
from ruamel.yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from ruamel.yaml.nodes import CollectionNode, MappingNode, ScalarNode
from ruamel.yaml.scanner import RoundTripScanner

from newsletter.build.yamlfast import MAX_DEPTH, MAX_NUMBER_TEXT
from newsletter.model.problems import Problem, ProblemsError


class Refused(Exception):
    """Valid YAML that an issue file may not hold, and where it stands."""

    def __init__(self, message: str, mark: StreamMark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Scanner(RoundTripScanner):
    """Refuses a %YAML directive other than 1.2, where it stands."""

    def scan_yaml_directive_value(self, start_mark: StreamMark) -> Any:
        # YAML 1.1 reads yes as true and 010 as eight (and ruamel warns about its floats on
        # stderr); libyaml, the fast path, reads every file as 1.2 whatever it says; ruamel
        # fails an assertion on 1.0 or 1.3.
        major, minor = version = super().scan_yaml_directive_value(start_mark)
        if (major, minor) != (1, 2):
            message = f"%YAML {major}.{minor}: the files are read as YAML 1.2; remove this line"
            raise Refused(message, start_mark)
        return version


class _Composer(Composer):
    """Refuses, where they start: explicit tags (`!!python/object`, `!!binary`, `!custom`:
    never needed here), nesting deeper than MAX_DEPTH, a list or a mapping as a key, and an
    alias inside the value it names."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        # YAML 1.2 lets an anchor be defined again, an alias naming the latest one: valid,
        # and no problem to report. ruamel would print a warning of many lines to stderr,
        # where nothing but the tool's own lines may go.
        self.warn_double_anchors = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        is_key = isinstance(parent, MappingNode) and index is None  # a value has its key
        if isinstance(event, AliasEvent):
            node = self.anchors.get(event.anchor)
            if isinstance(node, CollectionNode):
                if node.end_mark is None:  # still being composed: the alias is inside it
                    message = (
                        f"the alias *{_cut(event.anchor)} is inside the value it names,"
                        " which would never end"
                    )
                    raise Refused(message, event.start_mark)
                if is_key:
                    raise Refused(_NOT_A_KEY, event.start_mark)
        else:
            tag = event.ctag
            if tag is not None and str(tag) != "!":  # `!` alone means no tag: plain text
                written = f"{tag.handle}{tag.suffix}" if tag.handle else f"!<{tag.suffix}>"
                message = f"YAML tag {_cut(written)!r} is not allowed: write plain values"
                raise Refused(message, event.start_mark)
            if is_key and isinstance(event, MappingStartEvent | SequenceStartEvent):
                raise Refused(_NOT_A_KEY, event.start_mark)
            if self.depth >= MAX_DEPTH:
                # Also what keeps Python's recursion in the composer and the constructor short.
                message = f"the YAML nests more than {MAX_DEPTH} levels deep here"
                raise Refused(message, event.start_mark)
        return super().compose_node(parent, index)


_NOT_A_KEY = "a list or a mapping cannot be a key; a key is a word such as title"


def _cut(name: str) -> str:
    """A name from the file, short enough for a one-line message."""
    return name if len(name) <= 40 else name[:37] + "..."


class _Constructor(RoundTripConstructor):
    """Keeps timestamps and over-long numbers as text, so that a bad date or number is a
    validation problem with a location."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        if isinstance(node, ScalarNode):
            return node.value
        return super().construct_yaml_timestamp(node, values)

    def construct_yaml_int(self, node: Any) -> Any:
        if isinstance(node, ScalarNode) and len(node.value) > MAX_NUMBER_TEXT:
            return node.value
        return super().construct_yaml_int(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


def load_strict(text: str, name: str) -> Any:
    """The data of `text` (the file `name`) as ruamel's round-trip types; raises ProblemsError
    with the problem located."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Scanner = _Scanner
    yaml.Composer = _Composer
    yaml.Constructor = _Constructor
    try:
        return yaml.load(text)
    except Refused as e:
        problem = Problem("yaml/syntax", name, e.mark.line + 1, e.mark.column + 1, "", e.message)
        raise ProblemsError([problem]) from e
    except MarkedYAMLError as e:
        raise ProblemsError([_yaml_problem(name, text, e)]) from e
    except YAMLError as e:
        raise ProblemsError([Problem("yaml/syntax", name, message=f"YAML error: {e}")]) from e
    except RecursionError as e:  # not expected below MAX_DEPTH; never a traceback, though
        raise ProblemsError(
            [Problem("yaml/syntax", name, message="the YAML is nested too deeply")]
        ) from e


_UNCLOSED = {
    "while scanning a quoted scalar": "the quote opened here is never closed",
    "while parsing a flow sequence": "the list opened here with '[' is never closed",
    "while parsing a flow mapping": "the mapping opened here with '{' is never closed",
}


def _yaml_problem(name: str, text: str, e: MarkedYAMLError) -> Problem:
    problem, context = e.problem or "", e.context or ""
    mark = e.problem_mark or e.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    at_end = mark is not None and mark.index >= len(text.rstrip())
    if at_end and e.context_mark is not None and context:
        # "unexpected end of stream" helps nobody: point at what was left open.
        line, column = e.context_mark.line + 1, e.context_mark.column + 1
        what = _UNCLOSED.get(context, f"{context}, {problem}")
    elif "duplicate key" in problem:
        what = problem.split(" with value")[0]
    elif problem.startswith(_AFTER_A_KEY) and (key := _long_key(text, mark)):
        column -= key  # at the key's start
        what = f"a key longer than {_KEY_LIMIT:,} characters, YAML's limit for a key"
    elif problem.startswith("mapping values are not allowed"):
        what = (
            "a ': ' inside text that is not in quotes (write it in quotes:"
            ' title: "Ferry strike: islands cut off"), or a line indented too deep'
        )
    elif problem.startswith("expected <block end>"):
        what = "this line is not indented like the lines around it"
    elif problem.startswith("but ") and context:
        what = f"{context}, {problem}"
    else:
        what = problem or context or "invalid YAML"
    if len(what) > 300:  # a long key quoted in it: one line, a screen wide
        what = what[:297] + "..."
    return Problem("yaml/syntax", name, line, column, "", f"YAML syntax error: {what}")


_KEY_LIMIT = 1024
"""A key on one line is at most this long (characters), or YAML takes it for text."""
_AFTER_A_KEY = ("mapping values are not allowed", "could not find expected ':'")


def _long_key(text: str, mark: Any) -> int:
    """The length of the key before `mark` (a ':') if it is too long to be one, else 0."""
    if mark is None:
        return 0
    before = text[text.rfind("\n", 0, mark.index) + 1 : mark.index].lstrip(" -?")
    return len(before) if len(before) > _KEY_LIMIT and ": " not in before else 0
