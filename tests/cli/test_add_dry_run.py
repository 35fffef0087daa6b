"""`newsletter add --dry-run`: what would be added, field by field, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.httpserver import Site

pytestmark = pytest.mark.network

PAGES = Path(__file__).parents[1] / "pages"
ISSUE = Path("issues") / "2026-11-30.yaml"
OPEN_GRAPH = """\
Would add to News:
  title: Putin prepares to step in
  url: https://www.commonspace.eu/news/putin-prepares-step?page=2
  summary: Russian president Vladimir Putin held talks over the last days with Armenian \
prime minister Nikol Pashinyan and Azerbaijani president Ilham Aliyev.
  image: https://www.commonspace.eu/img/kremlin.jpg
  image_alt: The Kremlin at dusk
  source: commonspace.eu
  published: 2026-11-02
  section: News
  position: {position}
"""
DONE = "Dry run: the issue file was not changed.\n"


def _page(site: Site, name: str, **kwargs: object) -> str:
    return site.add(f"/{name}", (PAGES / name).read_bytes(), **kwargs)


@pytest.mark.parametrize(("args", "position"), [((), 2), (("--position", "1"), 1)])
def test_a_url_is_shown_field_by_field_and_not_written(
    project: Path, run: RunCli, site: Site, args: tuple[str, ...], position: int
) -> None:
    url = _page(site, "open_graph.html")
    before = (project / ISSUE).read_bytes()
    result = run("add", url, "--section", "news", "--dry-run", *args)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == OPEN_GRAPH.format(position=position) + DONE
    assert (project / ISSUE).read_bytes() == before
    # What a dry run shows is what the real run writes.
    assert run("add", url, "--section", "news", *args).exit_code == 0
    assert "title: Putin prepares to step in" in (project / ISSUE).read_text()


def test_failures_and_repeats_exit_1_as_without_dry_run(
    project: Path, run: RunCli, site: Site
) -> None:
    good = _page(site, "open_graph.html")
    missing = site.url("/missing")
    before = (project / ISSUE).read_bytes()
    result = run("add", "https://example.org/news/second", missing, good, "-s", "News", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: https://example.org/news/second: already in this issue (News)\n"
        f"Error: {missing}: HTTP 404 Not Found\n"
    )
    assert result.stdout == OPEN_GRAPH.format(position=2) + DONE
    assert (project / ISSUE).read_bytes() == before


def test_a_saved_page(project: Path, run: RunCli) -> None:
    before = (project / ISSUE).read_bytes()
    result = run(
        "add",
        "--file",
        str(PAGES / "open_graph.html"),
        "--url",
        "https://www.commonspace.eu/news/putin-prepares-step?page=2",
        "--section",
        "News",
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == OPEN_GRAPH.format(position=2) + DONE
    assert (project / ISSUE).read_bytes() == before


def test_a_feed_into_a_new_section(project: Path, run: RunCli, site: Site) -> None:
    url = _page(site, "sponsored.rss", content_type="application/rss+xml")
    before = (project / ISSUE).read_bytes()
    result = run(
        "add",
        "--feed",
        url,
        "--since",
        "2026-11-25",
        "-s",
        "Partners",
        "--create-section",
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == """\
Would add to Partners:
  title: Election observers arrive in Armenia
  url: https://caucasusweekly.example/news/observers
  summary: The OSCE mission opens an office in Gyumri.
  image: https://caucasusweekly.example/img/observers.jpg
  image_alt: (none)
  source: Caucasus Weekly
  published: 2026-11-25
  section: Partners
  position: 1
Would add to Partners:
  title: Learn Georgian online
  url: https://caucasusweekly.example/partners/language-school
  summary: A course for newcomers to Armenia and Georgia.
  image: (none)
  image_alt: (none)
  source: Caucasus Weekly
  sponsored: true
  published: 2026-11-25
  section: Partners
  position: 2
"""
        + DONE
    )
    assert (project / ISSUE).read_bytes() == before


def test_a_feed_with_nothing_new(project: Path, run: RunCli, tmp_path: Path) -> None:
    feed = tmp_path / "feed.rss"
    feed.write_bytes(b'<rss version="2.0"><channel><title>T</title></channel></rss>')
    result = run("add", "--feed", str(feed), "-s", "News", "--dry-run")
    assert (result.exit_code, result.stdout) == (
        0,
        "Nothing added: the feed has no items from the last 7d.\n" + DONE,
    )
