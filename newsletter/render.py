"""The pipeline: an issue and the settings, through the theme, to an email's HTML and text."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from newsletter.compiler import compile_mjml
from newsletter.model import Issue, Settings
from newsletter.theme import Theme

MJML_TEMPLATE = "issue.mjml.j2"
TEXT_TEMPLATE = "issue.txt.j2"


@dataclass(frozen=True)
class Links:
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

    @property
    def sizes(self) -> dict[str, int]:
        """Bytes of each part, UTF-8 encoded."""
        return {
            "html": len(self.html.encode()),
            "text": len(self.text.encode()),
            "mjml": len(self.mjml.encode()),
        }


def settings_links(settings: Settings, slug: str) -> Links:
    """The links from the settings themselves; the web version is the issue's archive page."""
    web = f"{settings.archive_url.rstrip('/')}/{quote(slug)}/" if settings.archive_url else None
    return Links(settings.links.unsubscribe, web, settings.links.preferences)


def render(issue: Issue, settings: Settings, theme: Theme, links: Links) -> Rendition:
    """Render `issue` into its email; raise ProblemsError for problems in the theme."""
    context = {"issue": issue, "settings": settings, "links": links}
    mjml = theme.render(MJML_TEMPLATE, context)
    html = compile_mjml(mjml, theme, theme.display(_filename(theme, MJML_TEMPLATE)))
    text = theme.render(TEXT_TEMPLATE, context)
    return Rendition(issue.subject, issue.preheader or "", mjml, html, text)


def _filename(theme: Theme, name: str) -> str | None:
    return theme.env.get_template(name).filename
