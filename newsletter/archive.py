"""The public archive: a web page per issue, an index, an Atom feed and a sitemap."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from newsletter import __version__
from newsletter.model import Issue, Settings
from newsletter.problems import Problem, UserError
from newsletter.render import Links, render
from newsletter.theme import Theme

ATOM = "http://www.w3.org/2005/Atom"
CACHE = ".newsletter-archive.json"
"""In the output folder: the content hash each issue's page was built from, and the issue
folders the archive wrote there. Its presence marks the folder as the archive's own."""

PAGE_FILES = ("index.html", "email.txt")
"""What the archive writes into an issue's folder, and all it removes from one."""


class FolderError(UserError):
    """The output folder holds files that the archive did not write."""


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


@dataclass(frozen=True)
class Source:
    """An issue file read for the archive."""

    slug: str
    path: Path
    shown: str  # the path as the user sees it
    issue: Issue
    number_at: tuple[int, int]  # the line and column of its number


def duplicates(sources: Iterable[Source]) -> list[Problem]:
    """Two files with the same slug or the same number: the archive cannot hold both."""
    problems = []
    slugs: dict[str, Source] = {}
    numbers: dict[int, Source] = {}
    for source in sources:
        number = source.issue.number
        if source.slug in slugs:
            message = (
                f"the same name as {slugs[source.slug].path.name}: the archive needs one page each"
            )
            problems.append(Problem(source.shown, 0, 0, "", message))
        elif number in numbers:
            message = f"the same number ({number}) as {numbers[number].path.name}"
            problems.append(Problem(source.shown, *source.number_at, "number", message))
        slugs.setdefault(source.slug, source)
        numbers.setdefault(number, source)
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
        sub(entry, "content", absolute_links(content, page.url or site.url), type="html")
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


@dataclass(frozen=True)
class Marker:
    """The marker file's content: the fingerprint each page on disk was built from, and every
    issue folder the archive wrote (the only ones it ever removes)."""

    pages: dict[str, str]
    written: frozenset[str]

    @classmethod
    def parse(cls, value: Any) -> Marker:
        """The marker from its JSON; empty if it is unreadable."""
        found = value if isinstance(value, dict) else {}
        pages, written = found.get("pages"), found.get("written")
        pages = pages if isinstance(pages, dict) else {}
        written = written if isinstance(written, list) else []
        return cls(
            {k: v for k, v in pages.items() if isinstance(v, str)},
            frozenset(n for n in written if isinstance(n, str)),
        )

    def dumps(self) -> bytes:
        """The marker as the file holds it."""
        content = {"pages": self.pages, "written": sorted(self.written)}
        return json.dumps(content, indent=1, sort_keys=True).encode()


def read_marker(out: Path) -> Marker:
    """The marker in the output folder `out`, or an empty one."""
    try:
        return Marker.parse(json.loads((out / CACHE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return Marker({}, frozenset())


def check_folder(out: Path, shown: str) -> None:
    """Raise FolderError if `out` holds files and no marker: the archive would overwrite them."""
    if not out.is_dir() or (out / CACHE).exists() or next(out.iterdir(), None) is None:
        return
    raise FolderError(
        f"{shown} is not empty and was not written by newsletter archive (it has no {CACHE}):"
        " choose an empty or new folder, or remove its files"
    )


def remove_pages(out: Path, names: Iterable[str]) -> list[str]:
    """Remove what the archive wrote into each issue folder `names` in `out`, and the folder
    once nothing else is left in it; return the names of those that were there."""
    removed = []
    for name in sorted(names):
        folder = out / name
        if name in ("", ".", "..") or Path(name).name != name or folder.is_symlink():
            continue  # not a folder the archive can have written
        if not folder.is_dir():
            continue
        for file in PAGE_FILES:
            (folder / file).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the folder also holds someone else's files
            folder.rmdir()
        removed.append(name)
    return removed


@dataclass(frozen=True)
class Summary:
    """What `write_archive` did."""

    built: int
    skipped: int
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]
    removed: tuple[str, ...] = ()
    future: int = 0  # issues left out for their date, after the day the archive is built


_WORKER: dict[str, Any] = {}


def _project(root: str) -> Any:
    # One project per worker process: settings and theme are read once, templates stay warm.
    from newsletter.project import Project

    if _WORKER.get("root") != root:
        _WORKER.update(root=root, project=Project(Path(root), Path.cwd()))
    return _WORKER["project"]


def _load(
    root: str, path: str, until: dt.date | None
) -> tuple[Source | None, tuple[Problem, ...], bool]:
    """The issue in `path`, or its problems; and whether it is dated after `until`, which
    leaves it out unchecked (a draft for next week is not published, nor need it be valid)."""
    from newsletter.load import check_issue
    from newsletter.problems import ProblemsError
    from newsletter.project import slug
    from newsletter.yamlfile import read_yaml

    project = _project(root)
    file = Path(path)
    try:
        name = slug(file)
        document = read_yaml(file, project.show(file))
        if until is not None and (when := _date_of(document.data)) is not None and when > until:
            return None, (), True
        document, issue = check_issue(document, project.theme.layouts)
    except ProblemsError as e:
        return None, tuple(e.problems), False
    except UserError as e:  # a file name unfit for a folder: the other issues are still built
        return None, (Problem(project.show(file), 0, 0, "", str(e).split(": ", 1)[1]),), False
    return Source(name, file, document.path, issue, document.position(("number",))), (), False


def _date_of(data: Any) -> dt.date | None:
    """The `date:` of an issue's data, before it is checked; None if it has no such date."""
    value = data.get("date") if isinstance(data, dict) else None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _render(root: str, page: Page, site: Site) -> tuple[str, str, str, tuple[Problem, ...]]:
    from newsletter.problems import ProblemsError

    project = _project(root)
    try:
        web, text = page_parts(page, project.settings, project.theme, site)
    except ProblemsError as e:
        return page.slug, "", "", tuple(e.problems)
    return page.slug, web, text, ()


def write_archive(
    project: Any, out: Path, *, jobs: int, until: dt.date | None = None, progress: Any = None
) -> Summary:
    """Build the archive of every issue in `issues/` into `out`, rendering (on `jobs`
    processes) only the pages whose sources changed since the last build there.

    Everything is rendered before anything is written, so a template error writes nothing.
    Raises FolderError, writing nothing, if `out` holds files the archive did not write.
    """
    import multiprocessing
    from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

    from newsletter.project import ISSUES_DIR, SETTINGS_FILE
    from newsletter.writers import check_within, write_atomic

    check_folder(out, project.show(out))
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
    rendered: dict[str, tuple[str, str]] = {}
    with executor:
        valid = []
        future = 0
        loaded = executor.map(
            _load, [root] * len(files), [str(f) for f in files], [until] * len(files)
        )
        for source, found, later in loaded:
            problems.extend(found)
            future += later
            if source is not None:
                valid.append(source)
        clashes = duplicates(valid)
        problems.extend(clashes)
        clashing = {p.path for p in clashes}
        valid = [v for v in valid if v.shown not in clashing]
        all_pages = pages([(v.slug, v.issue) for v in valid], site)
        sources = {v.slug: v.path.read_bytes() for v in valid}
        settings_bytes = (project.root / SETTINGS_FILE).read_bytes()
        theme_hash = theme_fingerprint(theme)
        marker = read_marker(out)
        prints = {
            p.slug: fingerprint(sources[p.slug], p, settings_bytes, theme_hash) for p in all_pages
        }
        todo = [
            p
            for p in all_pages
            if marker.pages.get(p.slug) != prints[p.slug]
            or not (out / p.slug / "index.html").is_file()
        ]
        results = executor.map(_render, [root] * len(todo), todo, [site] * len(todo))
        for done, (name, web, text, found) in enumerate(results, 1):
            if found:
                problems.extend(found)
                prints.pop(name, None)
            else:
                rendered[name] = (web, text)
            if progress is not None:
                progress(done, len(todo))
    built = [p for p in all_pages if p.slug in prints]
    outputs = [("index.html", index_html(built, settings, theme, site))]
    warnings = []
    if site.url:
        latest = list(reversed(built))[: settings.archive.feed_entries]
        content = [
            (p, rendered[p.slug][0] if p.slug in rendered else _read(out / p.slug / "index.html"))
            for p in latest
        ]
        outputs.append(("feed.xml", feed_xml(content, settings, site)))
        outputs.append(("sitemap.xml", sitemap_xml(built, site)))
    else:
        warnings.append("no archive_url in the settings: the feed and the sitemap need one")

    for name in rendered:  # before anything is written
        check_within(out / name, out)
    claimed = marker.written | set(rendered)
    if claimed != marker.written or not (out / CACHE).is_file():
        # Claim the folders before writing into them: after a crash the marker still knows them.
        write_atomic(out / CACHE, replace(marker, written=claimed).dumps())
    for name, (web, text) in rendered.items():
        write_atomic(out / name / "index.html", web.encode(), within=out)
        write_atomic(out / name / "email.txt", text.encode(), within=out)
    for name, text in outputs:
        write_atomic(out / name, text.encode())
    current = {f.stem for f in files}
    removed = remove_pages(out, marker.written - current)
    write_atomic(out / CACHE, Marker(prints, frozenset(claimed & current)).dumps())
    skipped = len(all_pages) - len(todo)
    return Summary(len(rendered), skipped, tuple(problems), tuple(warnings), tuple(removed), future)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
