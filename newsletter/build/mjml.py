"""MJML to email HTML: check the MJML, compile it with MRML, inline the CSS marked for inlining."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from newsletter.build import parsedcss
from newsletter.build.theme import Theme
from newsletter.build.vocabulary import ANY_ATTRIBUTES, ELEMENTS, ENDING_TAGS, GLOBAL_ATTRIBUTES
from newsletter.model.problems import Problem, ProblemsError

_INLINE_STYLE = re.compile(
    r"<mj-style\b[^>]*\binline\s*=\s*[\"']inline[\"'][^>]*>(.*?)</mj-style\s*>", re.S | re.I
)
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "background", "cite", "longdesc"})
_DIMENSIONED = frozenset({"table", "td", "th", "img"})
"""Elements juice gives width and height attributes from the inlined CSS."""
_TAG = re.compile(r"<[A-Za-z][^\s<>/]*")
"""The start of a start tag: URL attributes are looked for only in tags, never in text."""
_ATTRIBUTE = re.compile(r"""(\s+)([^\s"'<>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'<>]+))?""")
"""One attribute, its whole value: `href='x'` inside another attribute's value is that value."""
_DOCTYPE = re.compile(r"\s*<!doctype[^>]*>", re.I)
_PREVIEW = re.compile(
    r"(<body\b[^>]*>)<div style=\"display:none;font-size:1px;color:#ffffff;line-height:1px;"
    r"max-height:0px;max-width:0px;opacity:0;overflow:hidden;\">"
)
"""The hidden preheader as MRML writes it (`<mj-preview>`), first thing in the body."""
_HIDDEN = "display:none;max-height:0;overflow:hidden;mso-hide:all"
"""Hidden all the same, without white text on a light background, which spam filters score
(SpamAssassin's HTML_FONT_LOW_CONTRAST); `mso-hide` hides it from Outlook for Windows too."""


class _Checker(HTMLParser):
    """Finds unknown MJML elements and attributes, and tags left open or closed twice."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        # (position, a pattern to find it in the templates or None, message)
        self.found: list[tuple[tuple[int, int], str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not tag.startswith("mj"):
            return
        self._leave_ending_tag(f"<{tag}>")
        if tag not in ELEMENTS:
            needle = rf"<{re.escape(tag)}\b"
            self.found.append((self.getpos(), needle, f"unknown MJML element <{tag}>"))
        elif tag not in ANY_ATTRIBUTES:
            allowed = ELEMENTS[tag] | GLOBAL_ATTRIBUTES
            for name, _ in attrs:
                if name not in allowed:
                    message = f"<{tag}> has no attribute {name!r}"
                    needle = rf"<{re.escape(tag)}\b[^>]*?\s({re.escape(name)})\s*="
                    self.found.append((self.getpos(), needle, message))
        self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not tag.startswith("mj"):
            return
        if not (self.stack and self.stack[-1][0] == tag):
            self._leave_ending_tag(f"</{tag}>")
        # An unknown element is reported already: its end tag, or the end of what holds it,
        # is no second error.
        while self.stack and self.stack[-1][0] not in ELEMENTS and self.stack[-1][0] != tag:
            unknown = self.stack.pop()[0]
            if difflib.SequenceMatcher(None, unknown, tag).ratio() > 0.8:  # misspelt alike
                return
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
            return
        expected = f"</{self.stack[-1][0]}>" if self.stack else "nothing"
        message = f"</{tag}> closes nothing open (expected {expected})"
        self.found.append((self.getpos(), None, message))
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack.pop()[0] != tag:
                pass

    def _leave_ending_tag(self, seen: str) -> None:
        """MJML inside an element whose content is HTML means that element was left open."""
        if self.stack and self.stack[-1][0] in ENDING_TAGS:
            tag, (line, _) = self.stack.pop()
            message = f"<{tag}> (line {line}) is not closed before {seen}"
            self.found.append((self.getpos(), None, message))


def check_mjml(mjml: str, theme: Theme, template: str) -> list[Problem]:
    """Problems in the MJML generated from `template`, located in the theme where possible."""
    checker = _Checker()
    checker.feed(mjml)
    checker.close()
    for tag, position in checker.stack:
        checker.found.append((position, None, f"<{tag}> is never closed"))
    problems = []
    for (line, _column), needle, message in checker.found:
        # Element and attribute names stand in the templates as written: find them there.
        where = theme.find(needle) if needle else None
        if where is not None:
            problems.append(Problem("theme/mjml", *where, "", message))
        else:
            text = mjml.splitlines()[line - 1].strip()[:80] if line else ""
            generated = f"{template} (generated MJML, line {line}: {text})"
            problems.append(Problem("theme/mjml", generated, 0, 0, "", message))
    return problems


def compile_mjml(mjml: str, theme: Theme, template: str) -> str:
    """Compile checked MJML to HTML, inlining only `<mj-style inline="inline">` as MJML does."""
    problems = check_mjml(mjml, theme, template)
    if problems:
        raise ProblemsError(problems)
    import mjml as mrml  # a compiled extension: loaded only when something is built

    css = "\n".join(_INLINE_STYLE.findall(mjml))
    failed: list[str] = []  # MRML says only that an include failed: say which, and why

    def include(path: str) -> str:
        try:
            return theme.include(path)
        except FileNotFoundError:
            failed.append(f'<mj-include path="{path}">: no such file in the theme\'s folders')
            raise
        except UnicodeDecodeError:
            failed.append(f'<mj-include path="{path}">: the file is not UTF-8 text')
            raise

    try:
        html = mrml.mjml2html(_INLINE_STYLE.sub("", mjml), fonts={}, include_loader=include)
    except ValueError as e:
        message = f"MJML error: {failed[-1] if failed else e}"
        raise ProblemsError([Problem("theme/mjml", template, 0, 0, "", message)]) from None
    html = _PREVIEW.sub(rf'\1<div style="{_HIDDEN}">', html, count=1)
    return inline_css(html, css) if css.strip() else html


def _tags(html: str, change: Callable[[re.Match[str]], str]) -> str:
    """`html` with each attribute of its start tags as `change` makes it: a tag ends at the
    first `>` outside its attributes' quoted values, never inside one."""
    out: list[str] = []
    at = 0
    while (start := _TAG.search(html, at)) is not None:
        out.append(html[at : start.end()])
        at = start.end()
        while (attribute := _ATTRIBUTE.match(html, at)) is not None:
            out.append(change(attribute))
            at = attribute.end()
    return "".join(out) + html[at:]


def inline_css(html: str, css: str) -> str:
    """Inline `css` into `html` with premailer; every other byte of `html` stays as it was."""
    parsedcss.import_premailer()
    from premailer import Premailer

    sheet = parsedcss.stylesheet(css)

    class _Inliner(Premailer):  # type: ignore[misc]  # premailer is untyped
        def _parse_style_rules(self, css_body: str, ruleset_index: int) -> Any:
            # The theme's CSS is the same build after build: read once, kept between builds.
            found = sheet if css_body == css else parsedcss.stylesheet(css_body)
            return found.parse(super()._parse_style_rules, css_body, ruleset_index)

        def _style_to_basic_html_attributes(
            self, element: Any, style_content: str, force: bool = False
        ) -> None:
            # Width and height become attributes as juice (official MJML's inliner) makes
            # them: pixels on tables, cells and images, percentages on tables and cells, and
            # nothing else, so that an image keeps the size it was written with (`auto` or
            # `100%` would lose the shape a browser reserves for it while it loads).
            kept = []
            for declaration in style_content.split(";"):
                name, _, value = (part.strip() for part in declaration.partition(":"))
                if name not in ("width", "height"):
                    kept.append(declaration)
                elif str(element.tag).lower() in _DIMENSIONED:
                    if value.endswith("px"):
                        element.attrib[name] = value.removesuffix("px")
                    elif value.endswith("%") and str(element.tag).lower() != "img":
                        element.attrib[name] = value
            super()._style_to_basic_html_attributes(element, ";".join(kept), force)

    doctype = _DOCTYPE.match(html)
    protected: list[str] = []
    marker = "nl-url-"
    while marker in html:  # content that happens to contain the marker must stay as it is
        marker = "x" + marker

    def protect(match: re.Match[str]) -> str:
        # premailer's serializer %-encodes spaces and non-ASCII in URLs: merge tags such as
        # {{ UnsubscribeURL }} must come out byte-exact.
        space, name, equals, value = match.groups()
        if value is None or name.lower() not in _URL_ATTRIBUTES or value[0] not in "\"'":
            return match.group(0)
        protected.append(value)
        return f'{space}{name}{equals}"{marker}{len(protected) - 1}"'

    body = _tags(html[doctype.end() if doctype else 0 :], protect)
    body = re.sub(r"<style\b", '<style data-premailer="ignore"', body)
    with parsedcss.quiet_cssutils(), sheet.reading():
        out = _Inliner(
            body,
            css_text=css,
            strip_important=False,
            allow_network=False,
            keep_style_tags=True,
            remove_classes=False,
            disable_validation=True,
            disable_leftover_css=True,
            exclude_pseudoclasses=True,
            # Its float-to-align pass parses every image's style, uncached; MJML adds no align.
            align_floating_images=False,
        ).transform(pretty_print=False)
    sheet.save()
    # Style blocks inside conditional comments are not parsed, so they keep the marker.
    out = out.replace('<style data-premailer="ignore"', "<style")
    out = re.sub(rf'(?<==)"{marker}(\d+)"', lambda m: protected[int(m.group(1))], out)
    return (doctype.group(0).lstrip() if doctype else "") + out
