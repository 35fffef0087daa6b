"""UTM tagging: which links get the parameters, how, and the same in the HTML and the text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsletter.build.render import Rendition
from newsletter.build.utm import tag_html, tag_rendition, tag_text, tagger
from newsletter.model.issue import Issue
from newsletter.model.settings import Settings, UtmSettings

ISSUE = Issue.model_validate(
    {
        "number": 7,
        "date": "2026-11-30",
        "subject": "A small issue",
        "sections": [
            {
                "title": "News",
                "articles": [{"title": "The lead", "url": "https://news.example.com/lead"}],
            }
        ],
    }
)

TAGS = "utm_source=weekly&utm_medium=email&utm_campaign=issue-7"

OWN = ("https://example.org/weekly/", "https://example.org/weekly/unsubscribe")


def _tag(
    exclude: list[str] | None = None, own: tuple[str, ...] = OWN, **values: str
) -> Callable[[str], str]:
    utm = UtmSettings.model_validate({"source": "weekly", "exclude": exclude or [], **values})
    return tagger(utm, ISSUE, "2026-11-30", own)


@pytest.mark.parametrize(
    ("url", "tagged"),
    [
        ("https://news.example.com/lead", f"https://news.example.com/lead?{TAGS}"),
        ("http://news.example.com/lead", f"http://news.example.com/lead?{TAGS}"),
        # Tagged, a link has its scheme in lower case; its host and path stay as written.
        ("HTTPS://News.Example.COM/Lead", f"https://News.Example.COM/Lead?{TAGS}"),
        (
            "https://news.example.com/report?lang=en#summary",
            f"https://news.example.com/report?lang=en&{TAGS}#summary",
        ),
        (
            "https://news.example.com/lead?id=1&ref=home",
            f"https://news.example.com/lead?id=1&ref=home&{TAGS}",
        ),
        ("https://news.example.com:8443/a/", f"https://news.example.com:8443/a/?{TAGS}"),
        # The newsletter's domain, but not one of its own pages: an article like any other.
        ("https://example.org/news/own", f"https://example.org/news/own?{TAGS}"),
    ],
)
def test_an_article_link_gets_the_three_parameters_after_its_own(url: str, tagged: str) -> None:
    assert _tag()(url) == tagged


def test_the_placeholders_are_filled_with_the_issue_number_date_and_slug() -> None:
    tag = _tag(source="news-{number}", medium="mail {date}", campaign="{slug}/{number}")
    assert tag("https://news.example.com/lead") == (
        "https://news.example.com/lead?utm_source=news-7&utm_medium=mail+2026-11-30"
        "&utm_campaign=2026-11-30%2F7"
    )


@pytest.mark.parametrize(
    "url",
    [
        "mailto:editor@example.org",
        "MAILTO:editor@example.org?subject=Hello",
        "ftp://ftp.example.com/report.pdf",
        "tel:+31201234567",
        "/news/relative",
        "*|ARCHIVE|*",
        "{{ UnsubscribeURL }}",
        "https://news.example.com/lead?id={{ subscriber.id }}",
        "https://news.example.com/lead?id=%7B%7B%20subscriber.id%20%7D%7D",
        "https://example.org/weekly/2026-11-30/",
        "https://example.org/weekly/unsubscribe",
    ],
)
def test_links_that_are_not_articles_are_left_alone(url: str) -> None:
    assert _tag()(url) == url


def test_parameters_the_link_has_are_kept_and_only_the_missing_ones_added() -> None:
    tag = _tag()
    assert tag("https://other.example.com/story?utm_source=feed#part-2") == (
        "https://other.example.com/story?utm_source=feed&utm_medium=email"
        "&utm_campaign=issue-7#part-2"
    )
    assert tag("https://other.example.com/story?utm_campaign=spring&utm_medium=rss") == (
        "https://other.example.com/story?utm_campaign=spring&utm_medium=rss&utm_source=weekly"
    )


def test_an_empty_parameter_the_link_has_is_kept_as_it_is() -> None:
    assert _tag()("https://other.example.com/story?utm_source=&id=3") == (
        "https://other.example.com/story?utm_source=&id=3&utm_medium=email&utm_campaign=issue-7"
    )


def test_a_link_with_all_three_parameters_keeps_its_exact_bytes() -> None:
    url = "https://other.example.com/story?utm_campaign=a+b&utm_source=feed&utm_medium=rss#x"
    assert _tag()(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://partner.example.net/a",
        "https://www.partner.example.net/a",
        "https://shop.partner.example.net/a?id=3",
        "https://PARTNER.Example.NET/a",
        "http://partner.example.net:8080/a",
    ],
)
@pytest.mark.parametrize(
    "written", ["partner.example.net", "www.partner.example.net", "WWW.Partner.example.net"]
)
def test_an_excluded_domain_and_its_subdomains_are_left_alone(url: str, written: str) -> None:
    assert _tag(exclude=[written])(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://notpartner.example.net/a",
        "https://example.net/a",
        "https://partner.example.net.evil.example/a",
        "https://news.example.com/partner.example.net",
    ],
)
def test_a_domain_that_only_resembles_an_excluded_one_is_tagged(url: str) -> None:
    assert _tag(exclude=["partner.example.net"])(url) == f"{url}?{TAGS}"


def test_only_the_links_of_the_html_are_tagged_and_escaped_as_html() -> None:
    html = (
        '<link href="https://fonts.example.com/css?family=Inter" rel="stylesheet">\n'
        '<a class="title" href="https://news.example.com/lead?id=1&amp;ref=home">The lead</a>\n'
        '<img src="https://news.example.com/img/lead.jpg" alt="">\n'
        '<a href="https://other.example.com/it&#39;s-here">An apostrophe</a>\n'
        "<p>Read https://bare.example.com/x.</p>\n"
    )
    assert tag_html(html, _tag()) == (
        '<link href="https://fonts.example.com/css?family=Inter" rel="stylesheet">\n'
        '<a class="title" href="https://news.example.com/lead?id=1&amp;ref=home&amp;'
        'utm_source=weekly&amp;utm_medium=email&amp;utm_campaign=issue-7">The lead</a>\n'
        '<img src="https://news.example.com/img/lead.jpg" alt="">\n'
        '<a href="https://other.example.com/it&#x27;s-here?utm_source=weekly&amp;'
        'utm_medium=email&amp;utm_campaign=issue-7">An apostrophe</a>\n'
        "<p>Read https://bare.example.com/x.</p>\n"
    )


def test_the_links_left_alone_in_the_html_keep_their_bytes() -> None:
    html = (
        '<a href="https://partner.example.net/it&#39;s?a=1&amp;b=2">Partner</a>'
        '<a href="mailto:editor@example.org">Write</a>'
        '<a href="*|UNSUB|*">Unsubscribe</a>'
    )
    assert tag_html(html, _tag(exclude=["partner.example.net"])) == html


def test_the_text_part_tags_the_links_of_the_html_where_it_writes_them() -> None:
    links = [
        "https://news.example.com/lead",
        "mailto:editor@example.org",
        "HTTP://News.Example.com/second?id=2",
        "https://partner.example.net/a",
        "https://en.example.org/wiki/Tea_(drink)",
        "https://news.example.com/third",
    ]
    text = (
        "Read https://bare.example.com/x in the running text.\n"
        "The lead (example.org)\n"
        "https://news.example.com/lead\n"
        "Write to us (mailto:editor@example.org), see HTTP://News.Example.com/second?id=2.\n"
        "A partner (https://partner.example.net/a) and tea (https://en.example.org/wiki/Tea_(drink)).\n"
        "https://news.example.com/third-and-more and https://news.example.com/third.html\n"
        "https://news.example.com/lead/\n"
    )
    assert tag_text(text, _tag(exclude=["partner.example.net"]), links) == (
        "Read https://bare.example.com/x in the running text.\n"
        "The lead (example.org)\n"
        f"https://news.example.com/lead?{TAGS}\n"
        f"Write to us (mailto:editor@example.org), see http://News.Example.com/second?id=2&{TAGS}.\n"
        "A partner (https://partner.example.net/a) and tea"
        f" (https://en.example.org/wiki/Tea_(drink)?{TAGS}).\n"
        "https://news.example.com/third-and-more and https://news.example.com/third.html\n"
        "https://news.example.com/lead/\n"
    )
    assert tag_text(text, _tag(), []) == text


def _settings(utm: dict[str, object] | None) -> Settings:
    return Settings.model_validate(
        {
            "name": "Test Weekly",
            "sender": {"name": "Test Weekly", "email": "weekly@example.org"},
            "postal_address": "1 Example Street, Amsterdam",
            "archive_url": "https://example.org/weekly/",
            "links": {
                "unsubscribe": "https://lists.example.org/unsubscribe",
                "preferences": "https://lists.example.org/preferences",
            },
            "utm": utm,
        }
    )


RENDITION = Rendition(
    subject="A small issue",
    preheader="Two stories",
    mjml='<mj-button href="https://news.example.com/lead">Read</mj-button>',
    html=(
        '<a href="https://news.example.com/lead">The lead</a>'
        '<a href="https://example.org/weekly/2026-11-30/">Web version</a>'
        '<a href="https://lists.example.org/unsubscribe">Unsubscribe</a>'
        '<a href="https://lists.example.org/preferences">Preferences</a>'
        '<a href="https://lists.example.org/archive">Lists</a>'
    ),
    text=(
        "The lead\nhttps://news.example.com/lead\n"
        "View in your browser: https://example.org/weekly/2026-11-30/\n"
        "Unsubscribe: https://lists.example.org/unsubscribe\n"
        "Preferences: https://lists.example.org/preferences\n"
    ),
)


def test_a_rendition_is_tagged_in_html_and_text_but_the_newsletters_own_pages() -> None:
    settings = _settings({"source": "weekly", "campaign": "{slug}"})
    tagged = tag_rendition(RENDITION, ISSUE, settings, "2026-11-30")
    tags = "utm_source=weekly&amp;utm_medium=email&amp;utm_campaign=2026-11-30"
    assert tagged.html == (
        f'<a href="https://news.example.com/lead?{tags}">The lead</a>'
        '<a href="https://example.org/weekly/2026-11-30/">Web version</a>'
        '<a href="https://lists.example.org/unsubscribe">Unsubscribe</a>'
        '<a href="https://lists.example.org/preferences">Preferences</a>'
        f'<a href="https://lists.example.org/archive?{tags}">Lists</a>'
    )
    assert tagged.text == (
        "The lead\nhttps://news.example.com/lead"
        "?utm_source=weekly&utm_medium=email&utm_campaign=2026-11-30\n"
        "View in your browser: https://example.org/weekly/2026-11-30/\n"
        "Unsubscribe: https://lists.example.org/unsubscribe\n"
        "Preferences: https://lists.example.org/preferences\n"
    )
    assert (tagged.subject, tagged.preheader, tagged.mjml) == (
        RENDITION.subject,
        RENDITION.preheader,
        RENDITION.mjml,
    )


def test_without_utm_settings_the_rendition_is_the_same_one() -> None:
    assert tag_rendition(RENDITION, ISSUE, _settings(None), "2026-11-30") is RENDITION


@pytest.mark.parametrize(
    ("url", "own_page"),
    [
        ("https://example.org/weekly", True),
        ("https://example.org/weekly/", True),
        ("https://example.org/weekly/2026-11-30/", True),
        ("HTTPS://Example.ORG/weekly/12", True),  # scheme and host in any case
        ("https://example.org/weekly-deals", False),  # only resembles the archive
        ("https://example.org/weeklyish/", False),
        ("https://example.org/weekly/unsubscribe?list=3", True),
        ("https://example.org:8443/weekly/", False),  # another port is another site
        ("https://example.org/weekl", False),
        ("https://example.org", False),
    ],
)
def test_the_newsletters_own_pages_are_its_pages_and_what_is_below_them(
    url: str, own_page: bool
) -> None:
    tag = _tag(own=("https://example.org/weekly",))
    assert (tag(url) == url) is own_page


def test_an_own_page_at_the_root_of_a_site_covers_the_site() -> None:
    tag = _tag(own=("https://example.org/",))
    assert tag("https://example.org") == "https://example.org"
    assert tag("https://example.org/anything") == "https://example.org/anything"
    assert tag("https://example.net/") == f"https://example.net/?{TAGS}"


def test_an_own_page_is_matched_by_its_whole_last_segment() -> None:
    tag = _tag(own=("https://example.org/inboX",))
    assert tag("https://example.org/inboX/12") == "https://example.org/inboX/12"
    assert tag("https://example.org/inbo") == f"https://example.org/inbo?{TAGS}"
