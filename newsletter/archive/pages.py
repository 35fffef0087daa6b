"""The archive's pages: an issue's email as a web page, and the index of every issue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

from newsletter.archive.kept import IssueHead, Kept
from newsletter.build.render import FooterLinks, Rendition, render_issue
from newsletter.build.theme import Theme
from newsletter.model.settings import Settings


@dataclass(frozen=True)
class IssuePage:
    """One issue's page in the archive, and its neighbours."""

    slug: str
    kept: Kept
    previous: str | None
    next: str | None
    url: str | None  # absolute, when the settings have an archive_url
    shown: str | None = None  # the lead's image as the page shows it, once rendered

    @property
    def issue(self) -> IssueHead:
        """The issue of the page."""
        return IssueHead(self.kept)

    @property
    def description(self) -> str:
        """What search engines and link previews show."""
        head = self.kept.head
        return str(head["preheader"] or head["subject"])

    @property
    def image(self) -> str | None:
        """The lead story's image, for link previews: its derived image's published address
        once the page is rendered with one, else the original's."""
        if self.shown is not None:
            return self.shown
        return next((a.image for a in self.kept.issue.articles if a.image), None)


@dataclass(frozen=True)
class Site:
    """The archive's address, if it has one; pages link to each other relatively anyway."""

    url: str | None

    def page_url(self, slug: str) -> str | None:
        """The absolute address of an issue's page."""
        return f"{self.url}{quote(slug)}/" if self.url else None


def site_of(settings: Settings) -> Site:
    """The archive's address from the settings, ending with a slash."""
    return Site(settings.archive_url.rstrip("/") + "/" if settings.archive_url else None)


def pages(issues: Sequence[tuple[str, Kept]], site: Site) -> list[IssuePage]:
    """The pages of `issues` (slug, issue), oldest first, each knowing its neighbours."""
    ordered = sorted(issues, key=lambda item: (item[1].date, item[1].number))
    slugs = [slug for slug, _ in ordered]
    return [
        IssuePage(
            slug,
            issue,
            slugs[i - 1] if i > 0 else None,
            slugs[i + 1] if i + 1 < len(slugs) else None,
            site.page_url(slug),
        )
        for i, (slug, issue) in enumerate(ordered)
    ]


@dataclass(frozen=True)
class PageParts:
    """An issue's page, its text, and the rendition they came from (its derived images)."""

    web: str
    text: str
    rendition: Rendition


def page_parts(
    page: IssuePage, settings: Settings, theme: Theme, site: Site, images: Path | None = None
) -> PageParts:
    """The issue's email as a web page, and its text: no unsubscribe or web-version links and
    no merge tags; the page has a title, description, canonical link, link previews and links
    to the other issues. `images` is the project's folder, where the kept originals are: the
    page shows their derived images from the archive's `images/`, beside the page's folder,
    so that it shows them before the archive is published, and wherever it is copied to."""
    rendition = render_issue(page.kept.issue, settings, theme, FooterLinks(), images=images)
    lead = next((a for a in page.kept.issue.articles if a.image), None)
    derived = (p.src for p in rendition.pictures if p.article == lead and p.status == "derived")
    page = replace(page, shown=next(derived, None))
    language = page.kept.issue.language or settings.language
    context = {"page": page, "settings": settings, "site": site, **theme.words(language)}
    head = theme.render("archive/head.html.j2", context)
    nav = theme.render("archive/nav.html.j2", context)
    email = rendition.with_images_at("../images/").replace("</head>", head + "</head>", 1)
    web = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + nav, email, count=1)
    return PageParts(web, rendition.text, rendition)


def index_html(all_pages: Sequence[IssuePage], settings: Settings, theme: Theme, site: Site) -> str:
    """The archive's front page: every issue, newest first."""
    context = {"pages": list(reversed(all_pages)), "settings": settings, "site": site}
    context |= theme.words(settings.language)
    return theme.render("archive/index.html.j2", context)
