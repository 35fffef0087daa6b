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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from jinja2.ext import _make_new_gettext, _make_new_ngettext  # the newstyle wrappers

CATALOG = "theme.po"
"""A catalog's file name, in `locale/LANG/LC_MESSAGES/` of a theme folder."""


def candidates(language: str) -> list[str]:
    """The catalog folders to look for, most specific first: pt-BR -> pt_BR, pt."""
    tag = language.replace("-", "_")
    base = tag.split("_")[0]
    return list(dict.fromkeys([tag, base]))


def gettext_functions(folders: Sequence[Path], language: str) -> dict[str, Callable[..., Any]]:
    """`gettext`, `ngettext` and `_` for a template, from the catalog of `language` in the
    first of `folders` that has one (a theme's, then the built-in one's)."""
    translations: gettext.NullTranslations = gettext.NullTranslations()
    for folder in folders:
        for name in candidates(language):
            path = folder / "locale" / name / "LC_MESSAGES" / CATALOG
            try:
                stat = os.stat(path)
            except OSError:
                continue
            translations = _read(str(path), stat.st_mtime_ns, stat.st_size)
            break
        else:
            continue
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
    from babel.messages.pofile import read_po

    with open(path, "rb") as file:
        catalog = read_po(file)
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
