"""Write the built-in theme's messages catalog template, templates/locale/theme.pot.

    .venv/bin/python scripts/theme_messages.py

Every string the templates mark for translation ({% trans %}, _()), extracted with Babel's
Jinja extractor. A test fails when the committed file is not what this writes, and when a
catalog in templates/locale/LANG/LC_MESSAGES/theme.po lacks one of its strings. To add a
language: `pybabel init -i templates/locale/theme.pot -d templates/locale -D theme -l LANG`,
then translate every entry.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
METHODS = [("**.j2", "jinja2")]
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def theme_catalog() -> bytes:
    """The catalog template of the theme in `templates/`, as bytes."""
    catalog = Catalog(project="newsletter theme", fuzzy=False)
    for filename, line, message, comments, context in extract_from_dir(
        TEMPLATES, METHODS, options_map=OPTIONS
    ):
        catalog.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    out = io.BytesIO()
    write_po(out, catalog, omit_header=True, sort_output=True, width=100, no_location=True)
    return out.getvalue()


if __name__ == "__main__":
    target = TEMPLATES / "locale" / "theme.pot"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(theme_catalog())
    print(target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target)
    sys.exit(0)
