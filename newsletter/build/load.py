"""Load and validate settings and issues, reporting every problem with its file, line and column."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml.scalarstring import LiteralScalarString

from newsletter.build import markdown as markup
from newsletter.build.yamlfile import Document, Loc, format_loc, read_yaml
from newsletter.model import urls
from newsletter.model.fields import quoted
from newsletter.model.issue import Issue
from newsletter.model.problems import Problem, ProblemsError
from newsletter.model.settings import Settings

M = TypeVar("M", bound=BaseModel)


def load_settings(path: Path, display: str | None = None) -> Settings:
    """Read `newsletter.yaml`; raise ProblemsError listing everything wrong with it."""
    document = read_yaml(path, display)
    data = document.data if isinstance(document.data, dict) else {}
    # A missing templates/ is fine (the built-in theme serves); a theme named must exist.
    theme = data.get("theme")
    extra = []
    if isinstance(theme, str) and theme.strip() and not (path.parent / theme.strip()).is_dir():
        message = f"no such folder {quoted(theme.strip())} next to {path.name}"
        extra.append(document.problem("settings/invalid", ("theme",), message))
    return _validate_with(document, Settings, "settings/invalid", extra)


def load_issue(
    path: Path,
    display: str | None = None,
    layouts: frozenset[str] = frozenset(),
    *,
    draft: bool = False,
) -> Issue:
    """Read an issue file; raise ProblemsError listing everything wrong with it.

    `layouts` are the section layouts the theme has; when given, others are problems. A
    `draft` may have empty sections: the issue being put together, not yet sent.
    """
    return load_issue_document(path, display, layouts, draft=draft)[1]


def load_issue_document(
    path: Path,
    display: str | None = None,
    layouts: frozenset[str] = frozenset(),
    *,
    draft: bool = False,
) -> tuple[Document, Issue]:
    """`load_issue`, also returning the parsed file: what editing it needs."""
    return validate_issue(read_yaml(path, display), layouts, draft=draft)


def validate_issue(
    document: Document, layouts: frozenset[str] = frozenset(), *, draft: bool = False
) -> tuple[Document, Issue]:
    """The issue in a parsed file; raise ProblemsError listing everything wrong with it."""
    problems = list(_issue_problems(document, layouts, draft=draft))
    return document, _validate_with(document, Issue, "issue/invalid", problems)


def _validate_with(document: Document, model: type[M], code: str, extra: list[Problem]) -> M:
    """Validate, reporting the model's problems and `extra` ones found on the raw data together."""
    try:
        result = validate(document, model, code)
    except ProblemsError as e:
        raise ProblemsError([*e.problems, *extra]) from None
    if extra:
        raise ProblemsError(extra)
    return result


def validate(document: Document, model: type[M], code: str) -> M:
    """Turn the document's data into `model`, or raise ProblemsError with every problem
    (of `code`) located."""
    try:
        return model.model_validate(document.data)
    except ValidationError as e:
        problems = {_problem(document, model, code, error) for error in e.errors()}
        raise ProblemsError(problems) from None


def _problem(document: Document, model: type[BaseModel], code: str, error: ErrorDetails) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind, value = error["type"], error["input"]
    if kind == "extra_forbidden" or (kind == "invalid_key" and loc):
        parent, key = loc[:-1], loc[-1]
        line, column = document.position(loc, key=True)
        message = f"unknown key {_key(key)}" + _did_you_mean(model, parent, str(key))
        return Problem(code, document.path, line, column, format_loc(parent), message)
    if kind == "missing":
        line, column = document.position(loc[:-1])
        message = f"missing required key {loc[-1]!r}"
        return Problem(code, document.path, line, column, format_loc(loc[:-1]), message)
    return document.problem(code, loc, _message(kind, value, error))


def _message(kind: str, value: Any, error: ErrorDetails) -> str:
    got = _describe(value)
    if kind in ("string_type", "str_type"):
        return f"expected text, got {got}"
    if kind in ("int_type", "int_parsing", "int_from_float", "finite_number"):
        return f"expected a whole number, got {got}"
    if kind.startswith(("date_", "datetime_")):
        return f"not a valid date: {got} (write it as YYYY-MM-DD)"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {got}"
    if kind == "string_unicode":
        return "contains half of a character (an escape such as \\ud800 on its own)"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys to values, got {got}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "greater_than_equal":
        return f"must be at least {error.get('ctx', {}).get('ge')}, got {got}"
    if kind == "greater_than":
        return f"must be more than {error.get('ctx', {}).get('gt')}, got {got}"
    if kind == "literal_error":
        return f"must be {error.get('ctx', {}).get('expected')}, not {got}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"a date ({value})"
    if isinstance(value, str):
        return quoted(value)
    return f"a {type(value).__name__}"


def _key(key: Any) -> str:
    return quoted(key) if isinstance(key, str) else repr(key)  # 2026, True, None


def _did_you_mean(model: type[BaseModel], loc: Loc, key: str) -> str:
    """`(did you mean 'title'?)` when the unknown key is close to a known one."""
    if len(key) > 40:
        return ""  # a typo is short; comparing a long text with every name takes long
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[str(part)].annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return ""
        model = inner
    close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _issue_problems(
    document: Document, layouts: frozenset[str], *, draft: bool
) -> Iterator[Problem]:
    """What the model alone cannot see: repeated links, bad Markdown links, unknown layouts.

    Works on the raw data, so that these are reported together with the model's problems.
    """
    data = document.data if isinstance(document.data, dict) else {}
    yield from _markdown_problems(document, ("intro",), data.get("intro"))
    seen: dict[str, Loc] = {}
    for s, section in _items(data.get("sections")):
        layout = section.get("layout")
        if layouts and isinstance(layout, str) and layout not in layouts:
            known = ", ".join(sorted(layouts))
            message = f"unknown layout {quoted(layout)}; the theme has: {known}"
            yield document.problem("issue/invalid", ("sections", s, "layout"), message)
        if section.get("articles") in ([], None) and "articles" in section and not draft:
            yield document.problem(
                "issue/invalid", ("sections", s, "articles"), "must not be empty"
            )
        for a, article in _items(section.get("articles")):
            loc: Loc = ("sections", s, "articles", a)
            url = article.get("url")
            if isinstance(url, str) and not urls.http_url_problem(url):
                key = urls.normalize_url(url)
                if key in seen:
                    line, _ = document.position((*seen[key], "url"))
                    message = f"the same URL as {format_loc(seen[key])} (line {line})"
                    yield document.problem("issue/invalid", (*loc, "url"), message)
                seen.setdefault(key, loc)
            if "image_alt" in article and article.get("image") is None:
                yield document.problem(
                    "issue/invalid", (*loc, "image_alt"), "image_alt without an image"
                )
            yield from _markdown_problems(document, (*loc, "summary"), article.get("summary"))


def _items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings in a list, with their index; anything else is the model's problem."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _markdown_problems(document: Document, loc: Loc, text: Any) -> Iterator[Problem]:
    if not isinstance(text, str):
        return
    line, column = document.position(loc)
    if (deep := markup.depth(text)) > markup.MAX_DEPTH:
        message = f"the Markdown nests {deep} levels deep, at most {markup.MAX_DEPTH} make sense"
        yield Problem("issue/invalid", document.path, line, column, format_loc(loc), message)
        return
    for href in markup.links(text):
        if urls.is_mailto(href):
            continue
        problem = urls.http_url_problem(href)
        if problem:
            where = Problem("issue/invalid", document.path, line, column, format_loc(loc))
            if isinstance(text, LiteralScalarString) and href in text:
                # In a `|` block, the line with the link: the text starts below the `|`.
                where = replace(
                    where, line=line + 1 + text.count("\n", 0, text.index(href)), column=0
                )
            yield replace(where, message=f"a link in the Markdown {problem}")
