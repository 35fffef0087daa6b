"""`newsletter archive`: the issues read (only those that changed), the changed pages
rendered on every core and written as they are, then the index, the feed and the sitemap."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from newsletter.archive import quick
from newsletter.archive.feed import absolute_links, feed_xml, sitemap_xml
from newsletter.archive.kept import Loaded, load_file, project_of, share_project
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
from newsletter.archive.quick import Summary
from newsletter.archive.sources import duplicates, read_sources
from newsletter.model.problems import Problem
from newsletter.project.index import Index

T = TypeVar("T")

FEW = 4
"""Issues to read or pages to render that are done at once rather than on other processes."""


def _load(root: str, path: str) -> Loaded | tuple[Problem, ...]:
    return load_file(root, path)


class Rendered(NamedTuple):
    """What a worker did with an issue's page: its problems, or the derived images the page
    shows and the kept originals it found missing."""

    slug: str
    problems: tuple[Problem, ...] = ()
    images: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def _render_page(root: str, out: str, site: Site, page: IssuePage) -> Rendered:
    """Render an issue's page and write it, and the derived images it shows, into `out` (in a
    worker process)."""
    from newsletter.model.problems import ProblemsError
    from newsletter.project.files import write_atomic, write_images

    project = project_of(root)
    try:
        parts = page_parts(page, project.settings, project.theme, site, Path(root))
    except ProblemsError as e:
        return Rendered(page.slug, tuple(e.problems))
    folder = Path(out)
    images = write_images(parts.rendition, folder, folder)
    write_atomic(folder / page.slug / "index.html", parts.web.encode(), within=folder)
    write_atomic(folder / page.slug / "email.txt", parts.text.encode(), within=folder)
    pictures = parts.rendition.pictures
    missing = {p.article.image_file or "" for p in pictures if p.status == "missing"}
    return Rendered(page.slug, (), tuple(sorted(images)), tuple(sorted(missing)))


def write_archive(
    project: Any, out: Path, *, jobs: int, until: dt.date | None = None, progress: Any = None
) -> Summary:
    """Build the archive of every issue in `issues/` into `out`, rendering (on `jobs`
    processes) only the pages whose sources changed since the last build there, and
    writing each as it is rendered.

    A template error of the index writes nothing: the index is rendered before any page.
    Raises FolderError, writing nothing, if `out` holds files the archive did not write.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from newsletter.project.files import ensure_within, write_atomic
    from newsletter.project.root import ISSUES_DIR, SETTINGS_FILE
    from newsletter.project.rows import content_hash

    began = time.time_ns()  # before anything is read: what changes after is seen next time
    ensure_archive_folder(out, project.show(out))
    root = str(project.root)
    settings, theme = project.settings, project.theme
    inputs_key, _ = quick.inputs(project.root, theme.folders, until)
    site = site_of(settings)
    files = sorted((project.root / ISSUES_DIR).glob("*.yaml"))
    share_project(project)
    pool: list[Executor] = []

    def each(work: Callable[..., T], items: Sequence[Any], *same: Any) -> Iterable[T]:
        """`work` done on every item with the arguments `same`: on `jobs` processes, unless
        there is too little of it to be worth starting them."""
        arguments = [repeat(value) for value in same]
        if jobs == 1 or len(items) <= FEW:
            return map(work, *arguments, items)
        if not pool:
            # fork: the workers start with everything the parent has imported and read.
            context = multiprocessing.get_context("fork")
            pool.append(ProcessPoolExecutor(jobs, mp_context=context))
        return pool[0].map(work, *arguments, items)

    with contextlib.ExitStack() as stack:
        stack.callback(_shut_down, pool)
        index = Index.open(project.root / ISSUES_DIR)
        found = read_sources(
            project, files, until, lambda paths: each(_load, list(paths), root), index
        )
        problems = found.problems
        clashes = duplicates(found.valid)
        problems.extend(clashes)
        clashing = {p.path for p in clashes}
        valid = [v for v in found.valid if v.shown not in clashing]
        all_pages = pages([(v.slug, v.kept) for v in valid], site)
        shas = {v.slug: v.sha for v in valid}
        settings_hash = content_hash((project.root / SETTINGS_FILE).read_bytes())
        theme_hash = theme_fingerprint(theme)
        marker = read_marker(out)
        prints = {
            p.slug: fingerprint(shas[p.slug], p, settings_hash, theme_hash) for p in all_pages
        }
        pictures_changed = marker.pictures_changed(out, project.root)
        todo = [
            p
            for p in all_pages
            if marker.pages.get(p.slug) != prints[p.slug]
            or not os.path.isfile(os.path.join(out, p.slug, "index.html"))
            or p.slug in pictures_changed
        ]
        front = index_html(all_pages, settings, theme, site)  # a template error: nothing written
        for page in todo:
            ensure_within(out / page.slug, out)
        claimed = marker.written | {p.slug for p in todo}
        if claimed != marker.written or not (out / CACHE).is_file():
            # Claim the folders before writing into them: after a crash the marker knows them.
            write_atomic(out / CACHE, replace(marker, written=claimed).dumps())
        quick.forget(out)
        results = each(_render_page, todo, root, str(out), site)
        images, missing = dict(marker.images), dict(marker.missing)
        for done, rendered in enumerate(results, 1):
            if rendered.problems:
                problems.extend(rendered.problems)
                prints.pop(rendered.slug, None)
            images[rendered.slug], missing[rendered.slug] = [*rendered.images], [*rendered.missing]
            if progress is not None:
                progress(done, len(todo))
    built = [p for p in all_pages if p.slug in prints]
    if len(built) != len(all_pages):
        front = index_html(built, settings, theme, site)
    outputs = [("index.html", front)]
    warnings = []
    if site.url:
        latest = list(reversed(built))[: settings.archive.feed_entries]
        names = {v.slug: v.path.name for v in valid}
        content = [(p, _feed_entry(out, p, names[p.slug], prints[p.slug], index)) for p in latest]
        outputs.append(("feed.xml", feed_xml(content, settings, site)))
        if index:
            index.keep_only("feed entry", (names[p.slug] for p in latest))
        outputs.append(("sitemap.xml", sitemap_xml(built, site)))
    else:
        warnings.append("no archive_url in the settings: the feed and the sitemap need one")
    # Before the index, the feed and the sitemap: a page folder an older version wrote under
    # one of their names would stand in their way.
    current = {f.stem for f in files if reserved(f.stem) is None}
    removed = remove_pages(out, claimed - current)
    for name, text in outputs:
        write_atomic(out / name, text.encode())
    images = {slug: names for slug, names in images.items() if slug in prints and names}
    missing = {slug: files for slug, files in missing.items() if slug in prints and files}
    write_atomic(out / CACHE, Marker(prints, frozenset(claimed & current), images, missing).dumps())
    if index:
        index.save()
    if not problems:
        pages_built = sorted(p.slug for p in built)
        folders = [str(folder) for folder in theme.folders]
        shown = sorted({name for names in images.values() for name in names})
        quick.remember(
            out,
            quick.Built(inputs_key, folders, began, pages_built, found.future, warnings, shown),
        )
    skipped = len(all_pages) - len(todo)
    return Summary(
        len(todo) - (len(all_pages) - len(built)),
        skipped,
        tuple(problems),
        tuple(warnings),
        tuple(removed),
        found.future,
    )


def _shut_down(pool: list[Executor]) -> None:
    for executor in pool:
        executor.shutdown()


def _feed_entry(out: Path, page: IssuePage, name: str, made: str, index: Index | None) -> str:
    """The content of `page` as the feed has it (links made absolute), kept in the index
    with what the page was `made` from, so that it is made only when the page changes."""
    kept = index.value(name, made, "feed entry") if index else None
    if kept is not None:
        return kept.decode()
    html = (out / page.slug / "index.html").read_text(encoding="utf-8")
    entry = absolute_links(html, page.url or "")
    if index:
        index.keep(name, made, "feed entry", entry.encode())
    return entry
