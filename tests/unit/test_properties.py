"""Arbitrary text in any text field never crashes the build and never becomes markup."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any, cast

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from newsletter.model.problems import ProblemsError
from newsletter.project.folder import Project

# What YAML can carry: any character but lone surrogates (control characters as escapes).
YAML_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=["Cs"],
        include_characters="\t\n<>&\"'`*_[]()#!|\\{}%",
    ).filter(lambda c: c not in "\ufeff\ufffe\uffff"),
    max_size=60,
)

PLAIN = ["subject", "preheader", "title", "source", "image_alt", "section"]
MARKDOWN = ["intro", "summary"]
# What Markdown may add: paragraphs, lists, quotes, emphasis, code and links; nothing else.
MARKDOWN_TAGS = {"p", "em", "strong", "code", "a", "br", "ul", "ol", "li", "blockquote"}


def _issue(field: str, value: str) -> dict[str, Any]:
    article: dict[str, Any] = {
        "title": "T",
        "url": "https://example.org/a",
        "source": "S",
        "summary": "Sum",
        "image": "https://example.org/a.jpg",
        "image_alt": "Alt",
    }
    issue: dict[str, Any] = {
        "number": 1,
        "date": "2026-11-30",
        "subject": "Subject",
        "preheader": "Pre",
        "intro": "Intro",
        "sections": [{"title": "News", "layout": "lead", "articles": [article]}],
    }
    if field in article:
        article[field] = value
    elif field == "section":
        issue["sections"][0]["title"] = value
    else:
        issue[field] = value
    return issue


def _build(project: Path, issue: dict[str, Any]) -> tuple[str, str] | None:
    stream = io.StringIO()
    YAML().dump(issue, stream)
    path = project / "issues" / "2026-11-30.yaml"
    path.write_text(stream.getvalue(), encoding="utf-8")
    p = Project.find(project)
    try:
        rendition = p.inspect(path).rendition
    except ProblemsError as e:
        # The only acceptable refusal: an empty required field, a control character, a line
        # break in a one-line field, or a Markdown link that is not http(s), reported as
        # problems of the issue file itself.
        assert all(problem.path.endswith("2026-11-30.yaml") for problem in e.problems), e
        return None
    return rendition.html, rendition.text


def _tags(html: str) -> Counter[str]:
    page = lxml.html.fromstring(html)
    return Counter(str(element.tag) for element in page.iter() if isinstance(element.tag, str))


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(PLAIN + MARKDOWN), value=YAML_TEXT)
def test_any_text_builds_and_never_becomes_markup(project: Path, field: str, value: str) -> None:
    built = _build(project, _issue(field, value))
    if built is None:
        return
    html, text = built
    baseline = _build(project, _issue(field, "x"))
    assert baseline is not None
    tags, expected = _tags(html), _tags(baseline[0])
    page = lxml.html.fromstring(html)
    assert not [a for e in page.iter() for a in getattr(e, "attrib", {}) if a.startswith("on")]
    if field in PLAIN:
        assert tags == expected
        words = " ".join(value.split())
        assert words in " ".join(text.split()) or field in ("preheader", "image_alt")
    else:
        added = tags - expected
        assert set(added) <= MARKDOWN_TAGS, added
        assert tags["img"] == expected["img"] and tags["script"] == 0
        for href in cast(list[str], page.xpath("//a/@href")):
            assert href.startswith(("https://", "http://", "mailto:")), href
