"""Mail clients: the HTML and CSS features of the email that some of them do not support.

What the clients support comes from caniemail.com, a snapshot of which ships beside this
module (`caniemail.json`, rebuilt by `scripts/caniemail.py`). Only features whose failure
changes what a reader sees are reported: see LEFT_OUT.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newsletter.checks.inspection import Inspection
from newsletter.model.problems import Problem

LEFT_OUT = frozenset(
    {
        # Dark mode: hints and overrides on top of a light email that reads well without them.
        "css-color-scheme",
        "html-meta-color-scheme",
        "css-at-media-prefers-color-scheme",
        "css-function-light-dark",
        # Responsive and interactive extras: the inlined styles are the fallback (MJML's
        # columns stack without the media query; links stay links without :hover).
        "html-style",
        "css-at-media",
        "css-important",
        "css-pseudo-class-hover",
        "css-pseudo-class-focus",
        "css-pseudo-class-active",
        "css-pseudo-class-visited",
        "css-transition",
        "css-animation",
        "css-cursor",
        "css-user-select",
        # Cosmetic: corners come out square where it is not supported (Outlook for Windows).
        "css-border-radius",
        # MJML's own, on every text cell: only a word longer than its column (a bare URL)
        # looks different without it, and a theme cannot leave it out.
        "css-word-break",
        # Not seen: what screen readers, search engines and the parser read.
        "html-doctype",
        "html-comments",
        "css-comments",
        "html-lang",
        "html-role",
        "html-aria-describedby",
        "html-aria-hidden",
        "html-aria-label",
        "html-aria-labelledby",
        "html-aria-live",
        "html-target",
        "html-loading-attribute",
        "html-anchor-links",
        "html-mailto-links",
    }
)
"""caniemail features never reported, and why."""

CONDITIONAL = re.compile(r"<!--\[if [^\]]*\]>.*?<!\[endif\]-->|<!--.*?-->", re.S)
"""Comments, Outlook's conditional ones included: that code is written for Outlook alone."""
HIDDEN = re.compile(r"display\s*:\s*none")
RESETS = frozenset({"0", "0px", "none", "normal", "auto", "inherit", "initial", "unset"})
"""Values that say what a client does anyway (MJML's resets: outline:none, height:auto,
word-spacing:normal): where the property is not supported, nothing changes."""
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
PSEUDO = re.compile(r"(::?)([a-z][a-z-]*)")
SIDE = re.compile(r"-(?:top|right|bottom|left)(?=-|$)")
FUNCTIONS = {
    "linear-gradient(": "css-linear-gradient",
    "radial-gradient(": "css-radial-gradient",
    "conic-gradient(": "css-conic-gradient",
    "rgba(": "css-rgba",
    "rgb(": "css-rgb",
    "calc(": "css-unit-calc",
    "var(": "css-variables",
    "clamp(": "css-function-clamp",
    "min(": "css-function-min",
    "max(": "css-function-max",
}
TAGS = {**{f"h{n}": "html-h1-h6" for n in range(1, 7)}, "ul": "html-lists", "ol": "html-lists"}
ATTRIBUTES = {"loading": "html-loading-attribute"}


@dataclass(frozen=True)
class Failing:
    """A client's latest result for a feature: not supported ("n") or partly ("a")."""

    client: str
    version: str
    support: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Feature:
    """A caniemail feature and the clients that fail it."""

    slug: str
    title: str
    failing: dict[str, Failing]


@dataclass(frozen=True)
class Snapshot:
    """The shipped caniemail data: client names, and the features' failures."""

    commit: str
    clients: dict[str, str]
    features: dict[str, Feature]


def considered(slug: str) -> bool:
    """Whether the check looks for `slug` and reports it: what the snapshot keeps."""
    if slug in LEFT_OUT or not slug.startswith(("css-", "html-")):
        return False
    return not slug.startswith("css-unit-") or slug == "css-unit-calc"  # units: not looked for


@cache
def snapshot() -> Snapshot:
    """The caniemail snapshot shipped with the package."""
    text = resources.files(__package__).joinpath("caniemail.json").read_text(encoding="utf-8")
    data = json.loads(text)
    features = {}
    for slug, about in data["features"].items():
        notes = {int(n): str(said) for n, said in about["notes"].items()}
        failing = {
            client: Failing(client, str(v), str(s), tuple(notes[n] for n in numbers))
            for client, (v, s, numbers) in about["failing"].items()
        }
        features[slug] = Feature(slug, str(about["title"]), failing)
    return Snapshot(str(data["commit"]), dict(data["clients"]), features)


def used(html: str) -> dict[str, str]:
    """The caniemail features `html` uses, each with the first thing that shows it."""
    import lxml.html

    found: dict[str, str] = {}
    page = lxml.html.fromstring(CONDITIONAL.sub("", html))
    for element in page.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        found.setdefault(TAGS.get(tag, f"html-{tag}"), f"<{tag}>")
        for name in map(str, element.attrib):
            found.setdefault(ATTRIBUTES.get(name, f"html-{name}"), f"{name}=")
        if tag == "style":
            _stylesheet(element.text or "", found)
        elif style := element.get("style"):
            if HIDDEN.search(style):
                found.setdefault("css-display-none", "display:none")
                continue  # what hides it (max-height:0, opacity:0...) is no layout
            _declarations(style, found)
    return found


def _stylesheet(css: str, found: dict[str, str]) -> None:
    css = CSS_COMMENT.sub("", css)
    for at in re.findall(r"@([a-z-]+)", css):
        found.setdefault(f"css-at-{at}", f"@{at}")
    if "prefers-color-scheme" in css:
        found.setdefault("css-at-media-prefers-color-scheme", "prefers-color-scheme")
    # Inside @media: the responsive and dark extras of LEFT_OUT; MJML's resets, outside.
    for selectors, declarations in RULE.findall(_outside_media(css)):
        for colons, name in PSEUDO.findall(selectors.split("{")[-1]):
            kind = "element" if colons == "::" else "class"
            found.setdefault(f"css-pseudo-{kind}-{name}", f"{colons}{name}")
        _declarations(declarations, found)


def _outside_media(css: str) -> str:
    """`css` without its @media blocks."""
    kept, depth, media = [], 0, False
    for part in re.split(r"([{}])", css):
        if part == "{":
            depth += 1
        elif part == "}":
            depth -= 1
            if depth == 0 and media:
                media = False
                continue
        elif depth == 0 and part.strip().startswith("@media"):
            media = True
        if not media:
            kept.append(part)
    return "".join(kept)


def _declarations(style: str, found: dict[str, str]) -> None:
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if not colon or not name or name.startswith(("-", "mso-")):
            continue  # vendor properties: each for the client that knows it
        if value in RESETS and name not in ("display", "max-height", "overflow"):
            continue
        shown = f"{name}:{value}"
        for slug in (f"css-{name}", f"css-{SIDE.sub('', name)}"):
            found.setdefault(slug, shown)
        if name in ("top", "right", "bottom", "left"):
            found.setdefault("css-left-right-top-bottom", shown)
        if name == "display" and value.split()[0:1] in (["flex"], ["grid"], ["none"]):
            found.setdefault(f"css-display-{value.split()[0]}", shown)
        for function, slug in FUNCTIONS.items():
            if function in value:
                found.setdefault(slug, shown)


def check_clients(inspection: Inspection) -> Iterator[Problem]:
    """The features of the email that a mail client of the settings does not support."""
    data = snapshot()
    clients = inspection.settings.checks.clients
    for slug, shown in sorted(used(inspection.rendition.html).items()):
        feature = data.features.get(slug)
        if feature is None:
            continue
        failing = [
            feature.failing[c]
            for c in clients
            if c in feature.failing
            and (feature.failing[c].support == "n" or inspection.settings.checks.partial)
        ]
        if not failing:
            continue
        parts = []
        for support, said in (("n", "not supported by"), ("a", "partly supported by")):
            these = [f for f in failing if f.support == support]
            if these:
                parts.append(f"{said} " + ", ".join(_client(data, f) for f in these))
        code = "compat/unsupported" if any(f.support == "n" for f in failing) else "compat/partial"
        message = f"{feature.title} ({shown}): " + "; ".join(parts)
        yield inspection.in_email(code, message, "email.html")


def _client(data: Snapshot, failing: Failing) -> str:
    name = f"{data.clients.get(failing.client, failing.client)} ({failing.version})"
    return name + "".join(f" [{note}]" for note in failing.notes)
