"""The template syntax of mail services: what their engines would run if an issue had it."""

from __future__ import annotations

import re
from urllib.parse import unquote

TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|\{#|\*\||@Track(?:Link|View)\b")
"""listmonk's and Buttondown's `{{`, `{%` and `{#`, Mailchimp's `*|`, and listmonk's
`@TrackLink` and `@TrackView`."""

_INSIDE_DELIMITER = re.compile(
    # Between the two characters of a delimiter; Markdown's escaping backslash may sit between
    # them, and the rendered text drops it.
    r"(?<=\{)(?=\\?[{%#])|(?<=[}%#])(?=\\?\})|(?<=\*)(?=\\?\|)|(?<=\|)(?=\\?\*)"
    r"|(?<=@)(?=Track(?:Link|View))"  # listmonk turns URL@TrackLink into its tracked link
)


def has_template_syntax(text: str) -> re.Match[str] | None:
    """The first piece of template syntax in `text` (also %-encoded, as in a URL), or None."""
    return TEMPLATE_SYNTAX.search(text) or TEMPLATE_SYNTAX.search(unquote(text))


def break_template_syntax(text: str) -> str:
    """`text` with a space inside every `{{`, `}}`, `{%`, `%}`, `{#`, `#}`, `*|` and `|*`, and
    after the `@` of listmonk's `@TrackLink` and `@TrackView`: text from the web must not be
    read as code by a mail service's template engine."""
    return _INSIDE_DELIMITER.sub(" ", text)
