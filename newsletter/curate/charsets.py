"""A page's bytes as text: by its byte-order mark, its Content-Type, its <meta>, or as
browsers guess an undeclared page."""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.-]+)", re.IGNORECASE)


def decode_page(html: bytes, charset: str | None) -> str:
    """The page as text, by its BOM, header or <meta>; undeclared, UTF-8 if it is valid UTF-8,
    else windows-1252 (what browsers assume, and a superset of Latin-1)."""
    for bom, codec in _BOMS:
        if html.startswith(bom):
            return html[len(bom) :].decode(codec, "replace")
    header = _codec(charset)
    if header:
        return html.decode(header, "replace")
    declared = _META_CHARSET.search(html[:4096])
    meta = _codec(declared[1].decode("ascii")) if declared else None
    if meta and meta.startswith("utf-16"):
        meta = "utf-8"  # a page that can say so in ASCII is not UTF-16 (as browsers hold)
    if meta:
        try:
            return html.decode(meta)
        except UnicodeDecodeError:
            if meta != "utf-8":  # a wrong "utf-8" is common: then guess as below
                return html.decode(meta, "replace")
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        return html.decode("cp1252", "replace")


_NOT_FOR_PAGES = frozenset(
    {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "utf-7"}
)
"""Text codecs of Python's that no browser reads a page in: they would turn the page's own
characters into others (`\\n`, `+AD4-`)."""


def _codec(label: str | None) -> str | None:
    """The codec a page's charset label names, if it is a real text encoding that reads ASCII
    as ASCII, as every encoding of the web does; else None: undeclared. `base64`, `rot13`,
    `zlib` and `hex` are codecs of Python's but no charsets."""
    if not label or len(label) > 40:
        return None
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
        ascii_as_ascii = b"<html lang=en>".decode(info.name) == "<html lang=en>"
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    if info.name.startswith("utf-16"):
        return info.name  # a header may say so; a <meta> that can is read as UTF-8 (below)
    if not info._is_text_encoding or not ascii_as_ascii or info.name in _NOT_FOR_PAGES:
        return None
    # Browsers read pages labelled Latin-1 or ASCII as windows-1252, and so do the pages' authors.
    return "cp1252" if info.name in ("iso8859-1", "ascii", "latin-1") else info.name
