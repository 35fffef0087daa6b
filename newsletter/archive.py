"""The public archive: a web page per issue, an index, an Atom feed and a sitemap."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from newsletter import __version__
from newsletter.model import Issue, Settings
from newsletter.problems import Problem
from newsletter.render import Links, render
from newsletter.theme import Theme

ATOM = "http://www.w3.org/2005/Atom"
CACHE = ".newsletter-archive.json"
"""In the output folder: the content hash each issue's page was built from."""


@dataclass(frozen=True)
class Page:
    """One issue's page in the archive, and its neighbours."""

    slug: str
    issue: Issue
    previous: str | None
    next: str | None
    url: str | None  # absolute, when the settings have an archive_url

    @property
    def description(self) -> str:
        """What search engines and link previews show."""
        return self.issue.preheader or self.issue.subject

    @property
    def image(self) -> str | None:
        """The lead story's image, for link previews."""
        return next((a.image for a in self.issue.articles if a.image), None)


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


def pages(issues: Sequence[tuple[str, Issue]], site: Site) -> list[Page]:
    """The pages of `issues` (slug, issue), oldest first, each knowing its neighbours."""
    ordered = sorted(issues, key=lambda item: (item[1].date, item[1].number))
    slugs = [slug for slug, _ in ordered]
    return [
        Page(
            slug,
            issue,
            slugs[i - 1] if i > 0 else None,
            slugs[i + 1] if i + 1 < len(slugs) else None,
            site.page_url(slug),
        )
        for i, (slug, issue) in enumerate(ordered)
    ]


def duplicates(issues: Iterable[tuple[str, Path, Issue]]) -> list[Problem]:
    """Two files with the same slug or the same number: the archive cannot hold both."""
    problems = []
    slugs: dict[str, Path] = {}
    numbers: dict[int, Path] = {}
    for slug, path, issue in issues:
        if slug in slugs:
            message = f"the same name as {slugs[slug].name}: the archive needs one page each"
            problems.append(Problem(str(path), 0, 0, "", message))
        elif issue.number in numbers:
            message = f"the same number ({issue.number}) as {numbers[issue.number].name}"
            problems.append(Problem(str(path), 0, 0, "", message))
        slugs.setdefault(slug, path)
        numbers.setdefault(issue.number, path)
    return problems


def fingerprint(source: bytes, page: Page, settings: bytes, theme: str) -> str:
    """What an issue's page is built from: if this is unchanged, so is the page."""
    digest = hashlib.sha256()
    for part in (source, settings, theme.encode(), __version__.encode()):
        digest.update(hashlib.sha256(part).digest())
    digest.update(f"{page.slug}|{page.previous}|{page.next}|{page.url}".encode())
    return digest.hexdigest()


def theme_fingerprint(theme: Theme) -> str:
    """A hash of every template the theme can use."""
    digest = hashlib.sha256()
    for name in sorted(theme.env.list_templates()):
        source, _, _ = theme.env.loader.get_source(theme.env, name)  # type: ignore[union-attr]
        digest.update(name.encode() + b"\0" + source.encode() + b"\0")
    return digest.hexdigest()


def page_parts(page: Page, settings: Settings, theme: Theme, site: Site) -> tuple[str, str]:
    """The issue's email as a web page, and its text: no unsubscribe or web-version links and
    no merge tags; the page has a title, description, canonical link, link previews and links
    to the other issues."""
    rendition = render(page.issue, settings, theme, Links())
    context = {"page": page, "settings": settings, "site": site}
    head = theme.render("archive/head.html.j2", context)
    nav = theme.render("archive/nav.html.j2", context)
    email = rendition.html.replace("</head>", head + "</head>", 1)
    web = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + nav, email, count=1)
    return web, rendition.text


def index_html(all_pages: Sequence[Page], settings: Settings, theme: Theme, site: Site) -> str:
    """The archive's front page: every issue, newest first."""
    context = {"pages": list(reversed(all_pages)), "settings": settings, "site": site}
    return theme.render("archive/index.html.j2", context)


def _time(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def feed_xml(latest: Sequence[tuple[Page, str]], settings: Settings, site: Site) -> str:
    """An Atom feed of the latest issues (page, its HTML), newest first, with full content."""
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
    newest = max((page.issue.date for page, _ in latest), default=dt.date(1970, 1, 1))
    sub(feed, "updated", _time(newest))
    author = sub(feed, "author")
    sub(author, "name", settings.sender.name)
    sub(feed, "generator", "newsletter", version=__version__)
    for page, content in latest:
        entry = sub(feed, "entry")
        sub(entry, "title", page.issue.subject)
        sub(entry, "id", page.url)
        sub(entry, "link", rel="alternate", type="text/html", href=page.url or "")
        sub(entry, "published", _time(page.issue.date))
        sub(entry, "updated", _time(page.issue.date))
        sub(entry, "summary", page.description)
        sub(entry, "content", content, type="html")
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def sitemap_xml(all_pages: Sequence[Page], site: Site) -> str:
    """A sitemap of the index and every issue's page."""
    rows = [f"<url><loc>{html.escape(site.url or '')}</loc></url>"]
    for page in all_pages:
        rows.append(
            f"<url><loc>{html.escape(page.url or '')}</loc>"
            f"<lastmod>{page.issue.date.isoformat()}</lastmod></url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )


def cache_entry(value: Any) -> dict[str, str]:
    """The cache file's content, or an empty one if it is missing or unreadable."""
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Summary:
    """What `write_archive` did."""

    built: int
    skipped: int
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]


_WORKER: dict[str, Any] = {}


def _project(root: str) -> Any:
    # One project per worker process: settings and theme are read once, templates stay warm.
    from newsletter.project import Project

    if _WORKER.get("root") != root:
        _WORKER.update(root=root, project=Project(Path(root), Path.cwd()))
    return _WORKER["project"]


def _load(root: str, path: str) -> tuple[str, Issue | None, tuple[Problem, ...]]:
    from newsletter.problems import ProblemsError

    project = _project(root)
    try:
        return path, project.load_issue(Path(path)), ()
    except ProblemsError as e:
        return path, None, tuple(e.problems)


def _render(root: str, page: Page, site: Site) -> tuple[str, str, str, tuple[Problem, ...]]:
    from newsletter.problems import ProblemsError

    project = _project(root)
    try:
        web, text = page_parts(page, project.settings, project.theme, site)
    except ProblemsError as e:
        return page.slug, "", "", tuple(e.problems)
    return page.slug, web, text, ()


def write_archive(project: Any, out: Path, *, jobs: int, progress: Any = None) -> Summary:
    """Build the archive of every issue in `issues/` into `out`, rendering (on `jobs`
    processes) only the pages whose sources changed since the last build there."""
    import json
    import multiprocessing
    from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

    from newsletter.project import ISSUES_DIR, SETTINGS_FILE, slug
    from newsletter.writers import write_atomic

    root = str(project.root)
    settings, theme = project.settings, project.theme
    site = site_of(settings)
    files = sorted((project.root / ISSUES_DIR).glob("*.yaml"))
    executor: Executor
    if jobs > 1 and len(files) > 1:
        # fork: the workers start with everything the parent has imported and read.
        executor = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    else:
        executor = ThreadPoolExecutor(1)
    problems: list[Problem] = []
    with executor:
        loaded = list(executor.map(_load, [root] * len(files), [str(f) for f in files]))
        valid = []
        for path, issue, found in loaded:
            problems.extend(found)
            if issue is not None:
                valid.append((slug(Path(path)), Path(path), issue))
        clashes = duplicates(valid)
        clashing = {p.path for p in clashes}
        problems.extend(replace(p, path=project.show(Path(p.path))) for p in clashes)
        valid = [v for v in valid if str(v[1]) not in clashing]
        all_pages = pages([(s, i) for s, _, i in valid], site)
        sources = {s: path.read_bytes() for s, path, _ in valid}
        settings_bytes = (project.root / SETTINGS_FILE).read_bytes()
        theme_hash = theme_fingerprint(theme)
        try:
            cache = cache_entry(json.loads((out / CACHE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            cache = {}
        prints = {
            p.slug: fingerprint(sources[p.slug], p, settings_bytes, theme_hash) for p in all_pages
        }
        todo = [
            p
            for p in all_pages
            if cache.get(p.slug) != prints[p.slug] or not (out / p.slug / "index.html").is_file()
        ]
        rendered = executor.map(_render, [root] * len(todo), todo, [site] * len(todo))
        for done, (name, web, text, found) in enumerate(rendered, 1):
            if found:
                problems.extend(found)
                prints.pop(name, None)
            else:
                write_atomic(out / name / "index.html", web.encode())
                write_atomic(out / name / "email.txt", text.encode())
            if progress is not None:
                progress(done, len(todo))
    built = [p for p in all_pages if p.slug in prints]
    write_atomic(out / "index.html", index_html(built, settings, theme, site).encode())
    warnings = []
    if site.url:
        latest = list(reversed(built))[: settings.archive.feed_entries]
        content = [(p, (out / p.slug / "index.html").read_text(encoding="utf-8")) for p in latest]
        write_atomic(out / "feed.xml", feed_xml(content, settings, site).encode())
        write_atomic(out / "sitemap.xml", sitemap_xml(built, site).encode())
    else:
        warnings.append("no archive_url in the settings: the feed and the sitemap need one")
    write_atomic(out / CACHE, json.dumps(prints, indent=1, sort_keys=True).encode())
    skipped = len(all_pages) - len(todo)
    return Summary(
        len(todo) - (len(all_pages) - len(built)), skipped, tuple(problems), tuple(warnings)
    )
