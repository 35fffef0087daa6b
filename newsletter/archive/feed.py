"""What the archive offers machines: an Atom feed of the latest issues and a sitemap."""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from newsletter import __version__
from newsletter.archive.pages import IssuePage, Site
from newsletter.model.settings import Settings

ATOM = "http://www.w3.org/2005/Atom"


def _time(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def feed_xml(latest: Sequence[tuple[IssuePage, str]], settings: Settings, site: Site) -> str:
    """An Atom feed of the latest issues (page, its content as `absolute_links` makes it),
    newest first, with full content."""
    assert site.url is not None
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "title", settings.name)
    sub(feed, "id", site.url)
    sub(feed, "link", rel="self", href=f"{site.url}feed.xml")
    sub(feed, "link", rel="alternate", type="text/html", href=site.url)
    newest = max((page.kept.date for page, _ in latest), default=dt.date(1970, 1, 1))
    sub(feed, "updated", _time(newest))
    author = sub(feed, "author")
    sub(author, "name", settings.sender.name)
    sub(feed, "generator", "newsletter", version=__version__)
    for page, content in latest:
        entry = sub(feed, "entry")
        sub(entry, "title", str(page.kept.head["subject"]))
        sub(entry, "id", page.url)
        sub(entry, "link", rel="alternate", type="text/html", href=page.url or "")
        sub(entry, "published", _time(page.kept.date))
        sub(entry, "updated", _time(page.kept.date))
        sub(entry, "summary", page.description)
        sub(entry, "content", content, type="html")
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def absolute_links(page_html: str, base: str) -> str:
    """The body of the page with every link and image address made absolute from `base`, its
    address: in a feed entry, the relative links of the page would resolve against the feed's,
    and a reader shows the entry inside its own page, without the page's head."""
    import lxml.html

    document = lxml.html.document_fromstring(page_html)
    assert isinstance(document, lxml.html.HtmlMixin)
    document.make_links_absolute(base, handle_failures="ignore")
    body = document.find("body")
    parts = body if body is not None else [document]
    text = body.text or "" if body is not None else ""
    return text + "".join(lxml.html.tostring(part, encoding="unicode") for part in parts)


def sitemap_xml(all_pages: Sequence[IssuePage], site: Site) -> str:
    """A sitemap of the index and every issue's page."""
    rows = [f"<url><loc>{html.escape(site.url or '')}</loc></url>"]
    for page in all_pages:
        rows.append(
            f"<url><loc>{html.escape(page.url or '')}</loc>"
            f"<lastmod>{page.kept.date.isoformat()}</lastmod></url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )
