"""What extract_page finds in the pages under tests/pages/, and how summaries are made."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import pytest

from newsletter.build.markdown import to_html
from newsletter.curate.extract import Found, extract_page, make_safe
from newsletter.curate.text import html_to_text, summarize
from newsletter.model.fields import CONTROL_CHARACTERS
from newsletter.model.mailtags import break_template_syntax

PAGES = Path(__file__).parents[1] / "pages"
URL = "https://www.commonspace.eu/news/page?utm_source=newsletter&id=3#comments"


def extract(name: str, url: str = URL, charset: str | None = None) -> Found:
    return extract_page((PAGES / name).read_bytes(), url, charset)


def test_open_graph() -> None:
    assert extract("open_graph.html") == Found(
        url="https://www.commonspace.eu/news/putin-prepares-step?page=2",  # canonical, untracked
        title="Putin prepares to step in",
        summary="Russian president Vladimir Putin held talks over the last days with Armenian "
        "prime minister Nikol Pashinyan and Azerbaijani president Ilham Aliyev.",
        image="https://www.commonspace.eu/img/kremlin.jpg",
        image_alt="The Kremlin at dusk",
        source="commonspace.eu",
        published=datetime.date(2026, 11, 2),
        notes=(),
    )


def test_only_a_title_and_a_description() -> None:
    assert extract("title_and_description.html") == Found(
        url="https://www.commonspace.eu/news/page?id=3",  # tracking parameters and fragment gone
        title="Borrell: the EU will remain engaged in Afghanistan",
        summary="Borrell underlined that the European Union will make every effort to support "
        "the peace process.",
        image=None,
        image_alt=None,
        source="commonspace.eu",
        published=None,
        notes=(),
    )


def test_json_ld_in_a_graph() -> None:
    found = extract("json_ld_graph.html", "https://caucasuswatch.example/g7")
    assert found == Found(
        url="https://caucasuswatch.example/g7",
        title="Leaders urge de-escalation as G7 Summit in Canada is overshadowed",
        summary="The G7 summit, a gathering of major world leaders meeting at Kananaskis, has "
        "concluded with a joint statement & a call for calm.",
        image="https://caucasuswatch.example/img/g7.jpg",
        image_alt=None,
        source="Caucasus Watch",
        published=datetime.date(2026, 6, 17),
        notes=(),
    )


def test_json_ld_in_a_list_with_relative_images_and_a_broken_block() -> None:
    found = extract("json_ld_list.html", "https://notes.example/tbilisi")
    assert (found.title, found.summary, found.image, found.source, found.published) == (
        "Notes from Tbilisi",
        "A week of talks in the Georgian capital.",
        "https://notes.example/img/tbilisi-wide.jpg",
        "Tbilisi Notes",
        datetime.date(2026, 10, 5),
    )


def test_json_ld_without_a_context_is_read_too() -> None:
    html = b"""<html><head><script type="application/ld+json">
        {"@type": "NewsArticle", "headline": "Talks in Moscow", "description": "Both sides came.",
         "image": [{"@type": "ImageObject", "contentUrl": "https://img.example/moscow.jpg"}],
         "datePublished": "2026-11-09", "publisher": [{"name": "Moscow Times"}]}
        </script></head><body><p>x</p></body></html>"""
    found = extract_page(html, "https://mt.example/talks")
    assert (found.title, found.summary, found.image, found.source, found.published) == (
        "Talks in Moscow",
        "Both sides came.",
        "https://img.example/moscow.jpg",
        "Moscow Times",
        datetime.date(2026, 11, 9),
    )


def test_twitter_card() -> None:
    found = extract("twitter_card.html", "https://news.example.org/border")
    assert found == Found(
        url="https://news.example.org/border",
        title="Baku and Yerevan agree on a border commission",
        summary="The two governments will meet monthly, a joint statement said.",
        image="https://news.example.org/img/border.jpg",
        image_alt="A mountain road at the border",
        source="news.example.org",
        published=None,
        notes=(),
    )


def test_twitter_tags_written_as_properties() -> None:
    html = b"""<html><head>
        <meta property="twitter:title" content="A property, not a name">
        <meta property="twitter:description" content="Some sites write it so.">
        <meta property="twitter:image:alt" content="A photo">
        <meta property="twitter:image" content="/photo.jpg">
        </head><body><p>x</p></body></html>"""
    found = extract_page(html, "https://example.org/a")
    assert (found.title, found.summary, found.image, found.image_alt) == (
        "A property, not a name",
        "Some sites write it so.",
        "https://example.org/photo.jpg",
        "A photo",
    )


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("Putin prepares to step in | commonspace.eu", "Putin prepares to step in"),
        ("Putin prepares to step in - CommonSpace", "Putin prepares to step in"),
        ("Putin prepares to step in \u2013 commonspace.eu", "Putin prepares to step in"),
        ("Putin prepares to step in \u2014 commonspace.eu", "Putin prepares to step in"),
        ("Putin prepares to step in · commonspace.eu", "Putin prepares to step in"),
        ("Putin prepares to step in :: commonspace.eu", "Putin prepares to step in"),
        ("commonspace.eu | Putin prepares to step in", "Putin prepares to step in"),
        ("CS Daily | Putin prepares to step in", "Putin prepares to step in"),
        ("Armenia - Azerbaijan: the talks", "Armenia - Azerbaijan: the talks"),
        ("U.S. sanctions Iran - BBC News", "U.S. sanctions Iran - BBC News"),
    ],
)
def test_the_site_name_is_dropped_from_titles(title: str, cleaned: str) -> None:
    html = f"""<html><head><title>{title}</title><meta property="og:site_name"
        content="CS Daily"></head><body><p>x</p></body></html>"""
    assert extract_page(html.encode(), "https://www.commonspace.eu/news/1").title == cleaned


def test_the_title_suffix_file() -> None:
    html = (PAGES / "open_graph.html").read_bytes().replace(b'<meta property="og:title"', b"<x")
    found = extract_page(html, "https://www.commonspace.eu/news/putin-prepares-step")
    assert found.title == "Putin prepares to step in"


def test_a_page_without_a_title() -> None:
    found = extract("no_title.html", "https://www.commonspace.eu/news/untitled/?ref=home")
    assert found.title == "commonspace.eu/news/untitled"
    assert found.url == "https://www.commonspace.eu/news/untitled/"
    assert found.notes == (
        "the page has no title: used its address",
        "the page has no description: the summary is empty",
    )


def test_latin1_named_in_a_meta_tag() -> None:
    found = extract("latin1_meta.html")
    assert found.title == "Café culture in Tbilisi: crème brûlée and more"
    assert found.summary == (
        "À la carte: the cafés of Tbilisi serve crème brûlée, ½ price on Mondays © Café Press."
    )


def test_latin1_named_in_the_http_header_only() -> None:
    found = extract("latin1_header.html", charset="iso-8859-1")
    assert found.title == "Café culture in Tbilisi: crème brûlée and more"
    # As browsers do: "ISO-8859-1" is read as windows-1252, which has € and curly quotes.
    assert found.summary == "“A la carte”: cafés serve crème brûlée for €5, ½ price on Mondays."


def test_an_undeclared_charset_is_utf8_when_valid_else_windows_1252() -> None:
    title = "Voilà : réforme à Genève, “en bref” pour 5 €"
    for encoding in ("utf-8", "cp1252"):
        html = f"<html><head><title>{title}</title></head><body><p>x</p></body></html>"
        assert extract_page(html.encode(encoding), URL).title == title, encoding


def test_the_header_charset_wins_over_the_meta_tag() -> None:
    html = '<html><head><meta charset="iso-8859-1"><title>Ça va</title></head><body>x</body>'
    assert extract_page(html.encode(), URL, charset="utf-8").title == "Ça va"


def test_a_wrong_charset_name_is_ignored() -> None:
    html = "<html><head><title>Ça va</title></head><body><p>x</p></body></html>"
    assert extract_page(html.encode(), URL, charset="no-such-charset").title == "Ça va"


def test_broken_html_and_garbage_bytes() -> None:
    found = extract("broken.html")
    assert found.title == "Broken but readable"
    assert found.summary.startswith("Unclosed tags and ")


@pytest.mark.parametrize(
    "html", [b"", b"\x00\xff\xfe\x00garbage", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"<<<>>>"]
)
def test_garbage_gives_a_found_with_notes(html: bytes) -> None:
    found = extract_page(html, "https://example.org/a/b/")
    assert (found.url, found.title, found.summary) == (
        "https://example.org/a/b/",
        "example.org/a/b",
        "",
    )
    assert "the page has no title: used its address" in found.notes


def test_a_relative_image_is_made_absolute_against_the_final_url() -> None:
    found = extract("relative_image.html", "https://www.commonspace.eu/news/gyumri/photos")
    assert found.image == "https://www.commonspace.eu/news/img/gyumri.jpg"
    assert found.image_alt == "The old town of Gyumri"


def test_a_data_image_is_left_out() -> None:
    found = extract("data_image.html")
    assert (found.image, found.image_alt) == (None, None)
    assert "the page's image is not an http(s) address: left out" in found.notes


def test_tracking_parameters_go_from_the_canonical_and_the_url() -> None:
    canonical = extract("open_graph.html", "https://www.commonspace.eu/x?fbclid=1")
    assert canonical.url == "https://www.commonspace.eu/news/putin-prepares-step?page=2"
    plain = extract("title_and_description.html", "https://example.org/a?gclid=9&utm_medium=x")
    assert plain.url == "https://example.org/a"


def test_a_relative_canonical_is_made_absolute_and_a_home_page_one_ignored() -> None:
    def canonical(href: str) -> str:
        html = f'<html><head><link rel="canonical" href="{href}"><title>T</title></head></html>'
        return extract_page(html.encode(), "https://example.org/news/a?utm_source=x").url

    assert canonical("/news/a-story") == "https://example.org/news/a-story"
    assert canonical("/") == "https://example.org/news/a"
    assert canonical("javascript:alert(1)") == "https://example.org/news/a"


def test_a_long_description_is_shortened_at_a_sentence() -> None:
    found = extract("long_description.html")
    assert found.summary.endswith(
        "It stopped short of calling for a ceasefire between Israel and Iran."
    )
    assert len(found.summary) <= 300


def test_markdown_characters_are_escaped_in_the_summary() -> None:
    found = extract("markdown_characters.html")
    assert found.title == "Why *everyone* reads [the_news]"  # a title is plain text
    assert found.summary == (
        r"Readers say \*everything\* is \[linked\] to \`code\` and snake\_case\_names,"
        r" a back\\slash & more."
    )
    assert to_html(found.summary) == (
        "<p>Readers say *everything* is [linked] to `code` and snake_case_names,"
        " a back\\slash &amp; more.</p>"
    )


def test_the_libraries_stay_quiet(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        extract_page(b"\x00garbage", URL)
        extract("broken.html")
    assert caplog.records == []
    assert logging.getLogger("trafilatura.utils").disabled is False  # restored afterwards


# --- summaries -----------------------------------------------------------------------------------


def test_a_short_text_is_kept_whole() -> None:
    assert summarize("  One   sentence.\n\tAnother one.  ") == "One sentence. Another one."


def test_a_long_text_without_sentences_is_cut_at_a_word() -> None:
    text = "word " * 100
    summary = summarize(text)
    assert summary == ("word " * 59).strip() + "…"
    assert len(summary) <= 300


def test_a_single_huge_word_is_cut_hard() -> None:
    assert summarize("x" * 400) == "x" * 299 + "…"


def test_a_sentence_too_early_is_not_the_cut() -> None:
    text = "Short. " + "and more words " * 40
    summary = summarize(text)
    assert summary.endswith("…") and len(summary) > 250


def test_a_cut_made_by_the_site_becomes_an_ellipsis() -> None:
    assert summarize("Borrell underlined that [&#8230;]".replace("&#8230;", "…")) == (
        "Borrell underlined that…"
    )
    assert summarize("The talks went on...") == "The talks went on…"


def test_the_limit_counts_text_not_escapes() -> None:
    summary = summarize("a_b " * 100)
    assert len(summary.replace("\\", "")) <= 300


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("2024. A year of talks", r"2024\. A year of talks"),
        ("- not a list", r"\- not a list"),
        ("> not a quote", r"\> not a quote"),
        ("# not a heading", r"\# not a heading"),
        ("Use &nbsp; in HTML", r"Use \&nbsp; in HTML"),
        ("Tom & Jerry", "Tom & Jerry"),
        ("see <https://example.org>", r"see \<https://example.org>"),
        ("a < b", "a < b"),
    ],
)
def test_markdown_that_would_not_read_as_written_is_escaped(text: str, escaped: str) -> None:
    assert summarize(text) == escaped
    assert to_html(escaped).startswith("<p>")


def test_html_to_text_keeps_blocks_apart_and_drops_scripts() -> None:
    html = "<p>One &amp; two</p><p>Three<br>four</p><script>var x</script><ul><li>five</li></ul>"
    assert html_to_text(html) == "One & two Three four five"
    assert html_to_text("plain\x00 text") == "plain text"
    assert html_to_text("") == ""


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("{{ .Subscriber.Email }}", "{ { .Subscriber.Email } }"),
        ("{%- if x -%}{#c#}", "{ %- if x -% }{ #c# }"),
        ("{{{x}}}", "{ { {x} } }"),
        ("*|FNAME|*", "* |FNAME| *"),
        (r"\*|FNAME|\*", r"\* |FNAME| \*"),  # escaped in Markdown, which drops the backslash
        ("{ x } 50% | 2*3 #1", "{ x } 50% | 2*3 #1"),  # no delimiter: unchanged
    ],
)
def test_template_delimiters_are_broken_up(text: str, broken: str) -> None:
    assert break_template_syntax(text) == broken


def test_make_safe_keeps_what_is_safe_and_says_what_it_cut() -> None:
    found = extract("open_graph.html")
    assert make_safe(found) == found
    long = Found("https://example.org/a", "T " * 200, "", None, "A" * 400, "{{ S }}", None, ())
    safe = make_safe(long)
    assert (safe.title, safe.image_alt, safe.source) == (
        "T " * 148 + "T…",
        "A" * 299 + "…",
        "{ { S } }",
    )
    assert safe.notes == (
        "the title is longer than 300 characters: cut short",
        "the image's alt text is longer than 300 characters: cut short",
    )


def test_overlong_addresses_are_not_taken() -> None:
    huge = "https://www.commonspace.eu/" + "a" * 3000
    page = f'<title>T</title><link rel="canonical" href="{huge}">'
    page += f'<meta property="og:image" content="{huge}">'
    found = extract_page(page.encode(), "https://www.commonspace.eu/news/t")
    assert (found.url, found.image) == ("https://www.commonspace.eu/news/t", None)
    assert found.notes[-1] == "the page's image address is longer than 2048 characters: left out"


def test_control_characters_of_a_page_are_left_out() -> None:
    html = (
        '<html><head><title>Ready\u0085 \x01steady</title><meta property="og:image"'
        ' content="https://example.org/i.jpg"><meta property="og:image:alt" content="a\u0090b">'
        "</head><body><p>Go.</p></body></html>"
    )
    found = extract_page(html.encode(), URL)
    assert CONTROL_CHARACTERS.search(found.title + (found.image_alt or "")) is None
    assert found.title.split() == ["Ready", "steady"] and found.image_alt == "ab"


def test_listmonk_track_link_shortcuts_are_broken_up() -> None:
    html = (
        "<html><head><title>Claim it at https://evil.example/win@TrackLink today</title>"
        '<link rel="canonical" href="https://evil.example/win@TrackLink">'
        '<meta name="description" content="See https://evil.example/p@TrackView now.">'
        "</head><body><p>x</p></body></html>"
    )
    found = make_safe(extract_page(html.encode(), URL))
    assert found.title == "Claim it at https://evil.example/win@ TrackLink today"
    assert "@Track" not in found.summary and "@ TrackView" in found.summary
    assert found.url.startswith("https://www.commonspace.eu/news/page")  # not the canonical
