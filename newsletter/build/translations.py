"""The theme's words in the issue's language, and dates as that language writes them.

A theme's templates are written in English and mark what they say for translation
(`{% trans %}...{% endtrans %}`, `_("...")`); the translations are the theme's own, one
gettext catalog per language in `locale/LANG/LC_MESSAGES/theme.po`, so that an editor who
copies the theme can change them too. A catalog in the project's theme comes before the
built-in theme's. A language without a catalog, and any string a catalog lacks, stays in
English. Dates come from CLDR, through Babel: "30 November 2026" in British English,
"30. November 2026" in German, "30 novembre 2026" in French.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from jinja2.ext import _make_new_gettext, _make_new_ngettext  # the newstyle wrappers

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

CATALOG = "theme.po"
"""A catalog's file name, in `locale/LANG/LC_MESSAGES/` of a theme folder."""


class CatalogError(ValueError):
    """A catalog that cannot be read: where, and why."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line = path, line


def candidates(language: str) -> list[str]:
    """The catalog folders to look for, most specific first: pt-BR -> pt_BR, pt."""
    tag = language.replace("-", "_")
    base = tag.split("_")[0]
    return list(dict.fromkeys([tag, base]))


def gettext_functions(folders: Sequence[Path], language: str) -> dict[str, Callable[..., Any]]:
    """`gettext`, `ngettext` and `_` for a template, from the catalog of `language` in the
    first of `folders` that has one (a theme's, then the built-in one's).
    Raises CatalogError for a catalog that cannot be read."""
    translations: gettext.NullTranslations = gettext.NullTranslations()
    names = candidates(language)
    for path in (f / "locale" / n / "LC_MESSAGES" / CATALOG for f in folders for n in names):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        translations = _read(str(path), stat.st_mtime_ns, stat.st_size)
        break
    new_gettext = _make_new_gettext(translations.gettext)
    return {
        "gettext": new_gettext,
        "_": new_gettext,
        "ngettext": _make_new_ngettext(translations.ngettext),
    }


@functools.lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int, size: int) -> gettext.NullTranslations:
    """The catalog in `path`, compiled as gettext reads it: fuzzy and untranslated entries
    left out, the plural rule from its header. (Time and size: a catalog edited during a
    preview is read again.)"""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        with open(path, "rb") as file:
            catalog = read_po(file, abort_invalid=True)
    except PoFileError as error:
        raise CatalogError(path, error.lineno, f"translation catalog: {error}") from None
    except (OSError, ValueError) as error:  # unreadable, or not UTF-8
        raise CatalogError(path, 0, f"translation catalog cannot be read: {error}") from None
    for message in catalog:  # a placeholder the template does not give would fail the build
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        given = {name for text in ids for name in _PLACEHOLDER.findall(str(text))}
        unknown = {name for text in texts for name in _PLACEHOLDER.findall(str(text or ""))}
        unknown -= given
        if unknown:
            names = ", ".join(f"%({name})s" for name in sorted(unknown))
            said = f"the translation of {ids[0]!r} uses {names}, which the template does not give"
            raise CatalogError(path, message.lineno or 0, said)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@functools.lru_cache(maxsize=64)
def _locale(language: str) -> str | None:
    """The CLDR locale for a language tag, or None when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(language, sep="-"))
    except (UnknownLocaleError, ValueError):
        return None


def long_date(date: dt.date, language: str) -> str:
    """`date` as `language` writes a date in full: "30 November 2026" (en-GB)."""
    from babel.dates import format_date

    return str(format_date(date, "long", locale=_locale(language) or "en"))
