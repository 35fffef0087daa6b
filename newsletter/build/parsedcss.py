"""premailer, loaded for a build, and its reading of the theme's CSS kept between builds.

premailer reads CSS with cssutils, whose import and parsing are a sixth of a cold build.
What it makes of the CSS (its rules, and each declaration block as property-value pairs)
depends only on the CSS text and the versions of premailer and cssutils, and the theme's
CSS rarely changes: it is kept in the user's cache folder, so that cssutils is loaded only
when it meets CSS it has not read before. The cache is only ever a help: a missing, broken
or unwritable file in it costs the time to read the CSS again, never the build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from newsletter.build.usercache import user_cache_folder, write_cached

FORMAT = 1
"""The version of the files in the cache: a file of another format is not read."""

MOST_FILES = 64
"""The most stylesheets kept in the cache; the least recently written go first."""

MOST_PAIRS = 10_000
"""The most declaration blocks remembered in a process (the preview runs for hours)."""

Pairs = list[tuple[str, str]]
Rules = tuple[list[tuple[tuple[int, ...], str, str]], list[Any]]

_PAIRS: dict[tuple[str, bool], Pairs] = {}
"""Declaration blocks as premailer reads them (`csstext_to_pairs`), by (text, validate)."""

_used: ContextVar[dict[tuple[str, bool], Pairs] | None] = ContextVar("pairs used", default=None)
_restore: ContextVar[list[int] | None] = ContextVar("cssutils level", default=None)
_lock = threading.Lock()
_loaded = threading.Event()


def import_premailer() -> None:
    """Import premailer without importing `requests` or `cssutils` yet.

    premailer needs requests only to fetch stylesheets over the network, which it never does
    here (allow_network=False), so it gets an empty stand-in; requests takes ~60 ms to import.
    premailer's cssutils is a stand-in that imports cssutils when premailer first uses it:
    with the cache, a build whose CSS was read before never does. Other code importing
    requests or cssutils later gets the real one.
    """
    if "premailer" not in sys.modules:
        stand_ins = {
            name: module
            for name, module in (("requests", types.ModuleType("requests")), ("cssutils", _Later()))
            if name not in sys.modules
        }
        sys.modules.update(stand_ins)
        try:
            import premailer.merge_style
            import premailer.premailer
        finally:
            for name in stand_ins:
                del sys.modules[name]
    import premailer.merge_style
    import premailer.premailer

    # premailer reads declaration blocks through this function of its own, from two modules.
    original = premailer.merge_style.csstext_to_pairs
    if getattr(original, "_newsletter", False):
        return
    pairs = _pairs_function(original)
    premailer.merge_style.csstext_to_pairs = pairs
    premailer.premailer.csstext_to_pairs = pairs


class _Later(types.ModuleType):
    """cssutils, imported when premailer first uses it."""

    def __init__(self) -> None:
        super().__init__("cssutils")

    def __getattr__(self, name: str) -> Any:
        load_cssutils()
        return getattr(importlib.import_module("cssutils"), name)


def _pairs_function(original: Callable[..., Pairs]) -> Callable[..., Pairs]:
    """premailer's `csstext_to_pairs`, answering from what was read before where it can."""

    def csstext_to_pairs(csstext: str, validate: bool = True) -> Pairs:
        key = (csstext, validate)
        pairs = _PAIRS.get(key)
        if pairs is None:
            load_cssutils()
            pairs = original(csstext, validate=validate)
            if len(_PAIRS) >= MOST_PAIRS:
                _PAIRS.clear()
            _PAIRS[key] = pairs
        used = _used.get()
        if used is not None:
            used[key] = pairs
        return pairs

    # It locks with an attribute of itself, looked up by its module-level name.
    csstext_to_pairs._lock = original._lock  # type: ignore[attr-defined]
    csstext_to_pairs._newsletter = True  # type: ignore[attr-defined]
    return csstext_to_pairs


def load_cssutils() -> None:
    """Import cssutils, quietly inside quiet_cssutils (it sets its logger's level)."""
    if _loaded.is_set():
        return
    with _lock:
        if _loaded.is_set():
            return
        logger = logging.getLogger("CSSUTILS")
        level = logger.level
        imported = "cssutils" not in sys.modules
        importlib.import_module("cssutils")
        restore = _restore.get()
        if imported and restore is not None:
            # Inside quiet_cssutils: stay quiet, and leave cssutils' own level after it.
            restore[0] = logger.level
            logger.setLevel(level)
        _loaded.set()


@contextmanager
def quiet_cssutils() -> Iterator[None]:
    """cssutils warns about every mso-* property; quiet its own logger only, and only here."""
    logger = logging.getLogger("CSSUTILS")
    restore = [logger.level]
    token = _restore.set(restore)
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        _restore.reset(token)
        logger.setLevel(restore[0])


class Stylesheet:
    """What premailer made of one stylesheet: its rules, and the declaration blocks read while
    inlining it, from the cache folder where it was kept and saved back when it grew."""

    def __init__(self, css: str, folder: str | None) -> None:
        self.path = os.path.join(folder, f"{_key(css)}.json") if folder else None
        self.rules: dict[int, Rules] = {}
        self.pairs: dict[tuple[str, bool], Pairs] = {}
        self.changed = False
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError, TypeError, LookupError):
                with open(self.path, encoding="utf-8") as file:
                    self.rules, self.pairs = _decode(json.load(file))
                _PAIRS.update(self.pairs)

    def parse(self, parse: Callable[[str, int], Any], css: str, index: int) -> Rules:
        """premailer's `_parse_style_rules(css, index)` (done by `parse`), read once only."""
        if index not in self.rules:
            load_cssutils()
            rules, leftover = parse(css, index)
            self.rules[index] = (rules, leftover)
            # Rules left over are cssutils objects when they are @media rules: those are kept
            # for this process only (premailer uses left-over rules only in modes not used here).
            self.changed |= all(isinstance(item, tuple) for item in leftover)
        rules, leftover = self.rules[index]
        return list(rules), list(leftover)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Declaration blocks premailer reads inside are remembered with this stylesheet."""
        used: dict[tuple[str, bool], Pairs] = {}
        token = _used.set(used)
        try:
            yield
        finally:
            _used.reset(token)
        if any(key not in self.pairs for key in used):
            self.pairs.update(used)
            self.changed = True

    def save(self) -> None:
        """Write what was read for the next build, if anything new was; quietly fails."""
        if self.path is None or not self.changed:
            return
        self.changed = False
        with contextlib.suppress(TypeError, ValueError):
            text = json.dumps(_encode(self.rules, self.pairs), ensure_ascii=False)
            folder, name = os.path.split(self.path)
            write_cached(folder, name, text.encode("utf-8"), most=MOST_FILES)


_SHEETS: dict[str, Stylesheet] = {}


def stylesheet(css: str) -> Stylesheet:
    """What premailer made of `css` before, in this process or the user's cache."""
    sheet = _SHEETS.get(css)
    if sheet is None:
        if len(_SHEETS) >= MOST_FILES:
            _SHEETS.clear()
        sheet = _SHEETS[css] = Stylesheet(css, user_cache_folder(f"css-{FORMAT}"))
    return sheet


def _key(css: str) -> str:
    """The name of the cache file of `css`: the CSS and the installed premailer and cssutils
    decide it."""
    digest = hashlib.sha256(f"{FORMAT}\n{_libraries()}\n".encode())
    digest.update(css.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@functools.cache
def _libraries() -> str:
    """premailer and cssutils as installed: their files, and the size and time of each file,
    which change when either is upgraded (cssutils has no version to ask without importing
    it, and importlib.metadata is slow to import)."""
    found = []
    for name in ("premailer.premailer", "premailer.merge_style", "cssutils"):
        spec = importlib.util.find_spec(name)
        origin = (spec.origin if spec else None) or ""
        with contextlib.suppress(OSError):
            stat = os.stat(origin)
            origin += f" {stat.st_size} {stat.st_mtime_ns}"
        found.append(f"{name} {origin}")
    return "\n".join(found)


def _encode(rules: dict[int, Rules], pairs: dict[tuple[str, bool], Pairs]) -> dict[str, Any]:
    return {
        "rules": [
            [index, [[list(s), selector, bulk] for s, selector, bulk in found], leftover]
            for index, (found, leftover) in rules.items()
            if all(isinstance(item, tuple) for item in leftover)
        ],
        "pairs": [[text, validate, found] for (text, validate), found in pairs.items()],
    }


def _decode(data: Any) -> tuple[dict[int, Rules], dict[tuple[str, bool], Pairs]]:
    """The contents of a cache file; TypeError, ValueError or LookupError if it is broken."""
    rules: dict[int, Rules] = {}
    for index, found, leftover in data["rules"]:
        rules[_int(index)] = (
            [(tuple(map(_int, s)), _str(selector), _str(bulk)) for s, selector, bulk in found],
            [(_str(selector), _str(bulk)) for selector, bulk in leftover],
        )
    pairs: dict[tuple[str, bool], Pairs] = {}
    for text, validate, found in data["pairs"]:
        if not isinstance(validate, bool):
            raise TypeError(validate)
        pairs[_str(text), validate] = [(_str(name), _str(value)) for name, value in found]
    return rules, pairs


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(value)
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value
