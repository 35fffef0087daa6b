"""The pipeline's one entry: an issue and the settings, through the theme, to its email."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from newsletter.build.mjml import compile_mjml
from newsletter.build.pictures import PUBLISHED, Picture, Pictures
from newsletter.build.theme import Theme
from newsletter.model.issue import Issue
from newsletter.model.settings import Settings

_LINK = re.compile(r'<a\b[^>]*\shref="([^"]*)"')
_IMAGE = re.compile(r'(<img\b[^>]*\ssrc=")([^"]*)"')

MJML_TEMPLATE = "issue.mjml.j2"
TEXT_TEMPLATE = "issue.txt.j2"


@dataclass(frozen=True)
class FooterLinks:
    """The footer's links; a mail service's export fills them with its merge tags."""

    unsubscribe: str | None = None
    web_version: str | None = None
    preferences: str | None = None


@dataclass(frozen=True)
class Rendition:
    """A rendered issue: everything a writer, a checker or a mail service needs."""

    subject: str
    preheader: str
    mjml: str
    html: str
    text: str
    pictures: tuple[Picture, ...] = ()
    """The articles' images, as the theme showed them."""

    @property
    def links(self) -> list[str]:
        """The address of every link in the HTML, unescaped, once each, in order."""
        return list(dict.fromkeys(html.unescape(href) for href in _LINK.findall(self.html)))

    @property
    def images(self) -> list[str]:
        """The address of every image in the HTML, unescaped, once each, in order."""
        return list(dict.fromkeys(html.unescape(src) for _, src in _IMAGE.findall(self.html)))

    @property
    def sizes(self) -> dict[str, int]:
        """Bytes of each part, UTF-8 encoded."""
        return {
            "html": len(self.html.encode()),
            "text": len(self.text.encode()),
            "mjml": len(self.mjml.encode()),
        }

    @property
    def published(self) -> dict[str, bytes]:
        """The derived images the email points at: bytes by address, once each."""
        return {p.src: p.derived.data for p in self.pictures if p.derived and p.status == "derived"}

    def with_images_at(self, folder: str) -> str:
        """The HTML with the derived images at `folder` (`/images/`, `../images/`) instead of
        their published address: for a page shown before the archive is published."""
        local = {
            p.src: folder + p.derived.name
            for p in self.pictures
            if p.derived and p.status == "derived"
        }

        def swap(match: re.Match[str]) -> str:
            src = local.get(html.unescape(match[2]))
            return match[1] + html.escape(src) + '"' if src else match[0]

        return _IMAGE.sub(swap, self.html)


def settings_links(settings: Settings, slug: str) -> FooterLinks:
    """The links from the settings themselves; the web version is the issue's archive page."""
    web = f"{settings.archive_url.rstrip('/')}/{quote(slug)}/" if settings.archive_url else None
    return FooterLinks(settings.links.unsubscribe, web, settings.links.preferences)


def published_images(settings: Settings) -> str | None:
    """Where the archive publishes derived images: `archive_url` + `images/`, if it has one."""
    return f"{settings.archive_url.rstrip('/')}/{PUBLISHED}" if settings.archive_url else None


def render_issue(
    issue: Issue,
    settings: Settings,
    theme: Theme,
    links: FooterLinks,
    *,
    preheader: str | None = None,
    images: Path | None = None,
) -> Rendition:
    """Render `issue` into its email: Jinja to MJML, MRML to HTML, the marked CSS inlined, and
    the text part from the same model. `preheader` replaces the issue's (a mail service's
    merge tag). `images` is the folder the articles' kept images are in (`image_file` is
    relative to it, the project's folder): without it every image is shown from its
    original address. Raises ProblemsError for problems in the theme."""
    if preheader is not None and issue.preheader:
        issue = issue.model_copy(update={"preheader": preheader})
    pictures = Pictures(images, published_images(settings))
    language = issue.language or settings.language
    context = {"issue": issue, "settings": settings, "links": links, "pictures": pictures}
    context |= theme.words(language)
    mjml = theme.render(MJML_TEMPLATE, context)
    template = theme.env.get_template(MJML_TEMPLATE).filename
    html = compile_mjml(mjml, theme, theme.display(template))
    text = theme.render(TEXT_TEMPLATE, context)
    shown = tuple(pictures.shown)
    return Rendition(issue.subject, issue.preheader or "", mjml, html, text, shown)
