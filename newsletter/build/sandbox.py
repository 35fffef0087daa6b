"""The sandbox a theme's templates run in: no code of the system, no pydantic internals,
and a bound on the work one render may do, so that a theme cannot hang a build."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

MAX_WORK = 1_000_000
"""The most steps of loops, and items made by repeating text or lists with `*`, that one
render may take: far more than a long issue's theme needs, and a second or two at most."""

_left: ContextVar[list[int] | None] = ContextVar("work left", default=None)


@contextmanager
def bounded_work(most: int = MAX_WORK) -> Iterator[None]:
    """Renders inside draw on `most` steps of work between them."""
    token = _left.set([most])
    try:
        yield
    finally:
        _left.reset(token)


def _spend(steps: int) -> None:
    left = _left.get()
    if left is None or steps <= 0:
        return
    left[0] -= steps
    if left[0] < 0:
        raise SecurityError(
            f"the templates do more than {MAX_WORK:,} steps of work (a loop in a loop?)"
        )


def _repeated(sequence: Any, times: Any) -> int:
    """How many items `sequence * times` makes, if it repeats text or a list."""
    if isinstance(sequence, str | list | tuple) and isinstance(times, int):
        return len(sequence) * times
    return 0


_COUNTED = "_newsletter_counted"
"""The filter every `{% for %}` of a template iterates through."""


def _counted(items: Iterable[Any]) -> Iterator[Any]:
    for item in items:
        _spend(1)
        yield item


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, and of the settings and the issue only their fields and properties:
    pydantic's own methods (parse_raw can unpickle) are out of a template's reach. Loops over
    `range` and repetition with `*` draw on the work a render may do (`bounded_work`)."""

    intercepted_binops = frozenset({"*"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters[_COUNTED] = _counted
        self._safe: dict[tuple[type, str], bool] = {}

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        # Every `{% for x in items %}` loops over `items | _newsletter_counted`: each step of
        # every loop, however its items were made, draws on the work left.
        for loop in source.find_all(nodes.For):
            counted = nodes.Filter(loop.iter, _COUNTED, [], [], None, None)
            loop.iter = counted.set_lineno(loop.lineno)
        return str(super()._generate(source, name, filename, defer_init))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _spend(_repeated(left, right) + _repeated(right, left))
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, type):
            return not issubclass(obj, BaseModel) and super().is_safe_attribute(obj, attr, value)
        # Decided by the object's type and the name alone: decided once (a render asks
        # thousands of times), and forgotten should a template make up names by the million.
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            if len(self._safe) > 4096:
                self._safe.clear()
            if isinstance(obj, BaseModel):
                cls = type(obj)
                safe = attr in cls.model_fields or isinstance(getattr(cls, attr, None), property)
            else:
                safe = bool(super().is_safe_attribute(obj, attr, value))
            self._safe[key] = safe
        return safe
