"""`newsletter archive`: every issue read, the changed pages rendered on every core, the
site written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsletter.archive.feed import feed_xml, sitemap_xml
from newsletter.archive.marker import (
    CACHE,
    Marker,
    ensure_archive_folder,
    fingerprint,
    read_marker,
    remove_pages,
    reserved,
    theme_fingerprint,
)
from newsletter.archive.pages import IssuePage, Site, index_html, page_parts, pages, site_of
from newsletter.model.issue import Issue
from newsletter.model.problems import Problem


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
            problems.append(Problem("archive/duplicate", source.shown, 0, 0, "", message))
        elif number in numbers:
            message = f"the same number ({number}) as {numbers[number].path.name}"
            problems.append(
                Problem("archive/duplicate", source.shown, *source.number_at, "number", message)
            )
        slugs.setdefault(source.slug, source)
        numbers.setdefault(number, source)
    return problems


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
    from newsletter.project.folder import Project

    if _WORKER.get("root") != root:
        _WORKER.update(root=root, project=Project(Path(root), Path.cwd()))
    return _WORKER["project"]


def _load(
    root: str, path: str, until: dt.date | None
) -> tuple[Source | None, tuple[Problem, ...], bool]:
    """The issue in `path`, or its problems; and whether it is dated after `until`, which
    leaves it out unchecked (a draft for next week is not published, nor need it be valid)."""
    from newsletter.build.load import validate_issue
    from newsletter.build.yamlfile import read_yaml
    from newsletter.model.problems import ProblemsError
    from newsletter.project.folder import slug

    project = _project(root)
    file = Path(path)
    try:
        name = slug(file, project.show(file))
        if (own := reserved(name)) is not None:
            message = f"its page would take the name of the archive's own {own}; rename the file"
            return None, (Problem("file/name", project.show(file), message=message),), False
        document = read_yaml(file, project.show(file))
        if until is not None and (when := _date_of(document.data)) is not None and when > until:
            return None, (), True
        document, issue = validate_issue(document, project.theme.layouts)
    except ProblemsError as e:
        return None, tuple(e.problems), False
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


def _render_page(
    root: str, page: IssuePage, site: Site
) -> tuple[str, str, str, tuple[Problem, ...]]:
    from newsletter.model.problems import ProblemsError

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

    from newsletter.project.files import ensure_within, write_atomic
    from newsletter.project.folder import ISSUES_DIR, SETTINGS_FILE

    ensure_archive_folder(out, project.show(out))
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
        results = executor.map(_render_page, [root] * len(todo), todo, [site] * len(todo))
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
        ensure_within(out / name, out)
    claimed = marker.written | set(rendered)
    if claimed != marker.written or not (out / CACHE).is_file():
        # Claim the folders before writing into them: after a crash the marker still knows them.
        write_atomic(out / CACHE, replace(marker, written=claimed).dumps())
    for name, (web, text) in rendered.items():
        write_atomic(out / name / "index.html", web.encode(), within=out)
        write_atomic(out / name / "email.txt", text.encode(), within=out)
    # Before the index, the feed and the sitemap: a page folder an older version wrote under
    # one of their names would stand in their way.
    current = {f.stem for f in files if reserved(f.stem) is None}
    removed = remove_pages(out, marker.written - current)
    for name, text in outputs:
        write_atomic(out / name, text.encode())
    write_atomic(out / CACHE, Marker(prints, frozenset(claimed & current)).dumps())
    skipped = len(all_pages) - len(todo)
    return Summary(len(rendered), skipped, tuple(problems), tuple(warnings), tuple(removed), future)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
