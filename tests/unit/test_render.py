"""The pipeline, from issue and settings through the theme to HTML and text."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import lxml.html
import pytest

from newsletter.build.render import FooterLinks, Rendition, render_issue
from newsletter.build.theme import BUILTIN
from newsletter.model.problems import ProblemsError
from newsletter.project.folder import Project
from tests.conftest import located


def _render(project: Path, links: FooterLinks | None = None) -> Rendition:
    p = Project.find(project)
    path = p.issue_path(None)
    if links is None:
        return p.inspect(path).rendition
    return render_issue(p.load_issue(path), p.settings, p.theme, links)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(project: Path) -> list[str]:
    with pytest.raises(ProblemsError) as raised:
        _render(project)
    return [located(p) for p in raised.value.problems]


MERGE_TAGS = {
    "listmonk": FooterLinks("{{ UnsubscribeURL }}", "{{ MessageURL }}", None),
    "mailchimp": FooterLinks("*|UNSUB|*", "*|ARCHIVE|*", "*|UPDATE_PROFILE|*"),
    "buttondown": FooterLinks("{{ unsubscribe_url }}", "{{ email.absolute_url }}", None),
}


@pytest.mark.parametrize("service", sorted(MERGE_TAGS))
def test_merge_tags_in_attributes_survive_byte_exact(project: Path, service: str) -> None:
    links = MERGE_TAGS[service]
    rendition = _render(project, links)
    for tag in (links.unsubscribe, links.web_version, links.preferences):
        if tag:
            assert f'href="{tag}"' in rendition.html
            assert tag in rendition.text or tag == links.web_version
    assert "%20" not in rendition.html and "%7B" not in rendition.html


def test_non_ascii_urls_survive_byte_exact(project: Path) -> None:
    url = "https://example.org/news/şuşa-ağdam?q=ü&lang=az"
    _edit(project / "issues" / "2026-11-30.yaml", "https://example.org/news/second", url)
    html = _render(project).html
    assert 'href="https://example.org/news/şuşa-ağdam?q=ü&amp;lang=az"' in html
    assert "%C5" not in html


def test_text_that_looks_like_a_protected_url_stays_text(project: Path) -> None:
    title = 'Config tip: set href="nl-url-0" and src="nl-url-3"'
    quoted = '"' + title.replace('"', '\\"') + '"'
    _edit(project / "issues" / "2026-11-30.yaml", "title: The lead", f"title: {quoted}")
    page = lxml.html.fromstring(_render(project).html)
    assert cast(list[Any], page.xpath("//h3"))[0].text_content().strip() == title


def test_text_that_looks_like_a_url_attribute_cannot_break_into_a_tag(project: Path) -> None:
    # A quote in the text, then one in a later link's address, once made the text between
    # them part of the <a> tag: an attribute of the attacker's choosing.
    summary = (
        "Read the src='docs [ onmouseover=alert(1) style=position:fixed x]"
        "(https://example.org/a'b) today"
    )
    _edit(
        project / "issues" / "2026-11-30.yaml", "summary: What happened.", f'summary: "{summary}"'
    )
    page = lxml.html.fromstring(_render(project).html)
    assert not [e for e in page.iter() if isinstance(e.tag, str) and "onmouseover" in e.attrib]
    links = cast(list[Any], page.xpath('//a[@href="https://example.org/a\'b"]'))
    assert [a.text_content() for a in links] == [" onmouseover=alert(1) style=position:fixed x"]


def test_templates_cannot_run_code(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    template = project / "templates" / "issue.txt.j2"
    attack = f'{{{{ cycler.__init__.__globals__.os.popen("touch {marker}").read() }}}}\n'
    template.write_text(template.read_text() + attack)
    lines = len(template.read_text().splitlines())
    assert _problems(project) == [
        f"templates/issue.txt.j2:{lines}: template error: access to attribute '__init__' of"
        " 'type' object is unsafe."
    ]
    assert not marker.exists()


@pytest.mark.parametrize(
    "call",
    [
        'issue.parse_raw("cos\\nsystem\\n(S\'touch {marker}\'\\ntR.", proto="pickle",'
        " allow_pickle=True)",
        'settings.brand.parse_file("{marker}")',
        'issue.__class__.model_validate_json("{{}}")',
    ],
)
def test_templates_reach_the_models_fields_not_their_methods(
    project: Path, tmp_path: Path, call: str
) -> None:
    marker = tmp_path / "ran"
    template = project / "templates" / "issue.txt.j2"
    template.write_text("{{ " + call.format(marker=marker) + " }}\n" + template.read_text())
    [problem] = _problems(project)
    assert problem.startswith("templates/issue.txt.j2:1: template error: access to attribute ")
    assert problem.endswith(" is unsafe.")
    assert not marker.exists()


def test_a_template_linked_to_a_file_outside_the_theme_is_not_read(project: Path) -> None:
    secret = project / "secret.txt"
    secret.write_text("the password is swordfish")
    (project / "templates" / "layouts" / "notes.mjml.j2").symlink_to(secret)
    template = project / "templates" / "issue.txt.j2"
    template.write_text('{% include "layouts/notes.mjml.j2" %}\n' + template.read_text())
    [problem] = _problems(project)
    assert problem.startswith(
        "templates/issue.txt.j2:1: template not found: layouts/notes.mjml.j2 (searched templates/"
    )


def test_a_link_title_that_looks_like_a_url_attribute_stays_the_title(project: Path) -> None:
    title = "y href='x' onmouseover=alert(1) style=position:fixed "
    intro = f'See [the report](https://example.org/a "{title}").'
    quoted = "'" + intro.replace("'", "''") + "'"
    _edit(project / "issues" / "2026-11-30.yaml", "intro: Hello *readers*.", f"intro: {quoted}")
    page = lxml.html.fromstring(_render(project).html)
    assert not [e for e in page.iter() if isinstance(e.tag, str) and "onmouseover" in e.attrib]
    links = cast(list[Any], page.xpath("//a[@href='https://example.org/a']"))
    assert [a.get("title") for a in links] == [title]


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("none | markdown_inline", "'NoneType' object has no attribute 'strip'"),
        ("5 | wrap", "'int' object has no attribute"),
        ('"x" * 100000000000', ""),
    ],
)
def test_a_template_expression_that_fails_is_a_located_problem(
    project: Path, expression: str, error: str
) -> None:
    template = project / "templates" / "issue.txt.j2"
    template.write_text("{{ " + expression + " }}\n" + template.read_text())
    [problem] = _problems(project)
    assert problem.startswith("templates/issue.txt.j2:1: template error: " + error), problem


def test_a_mailto_link_is_a_link_in_any_case(project: Path) -> None:
    intro = "Write to [us](MAILTO:weekly@example.org) or [them](mailto:them@example.org)."
    _edit(project / "issues" / "2026-11-30.yaml", "intro: Hello *readers*.", f"intro: {intro}")
    html = _render(project).html
    assert 'href="MAILTO:weekly@example.org"' in html and 'href="mailto:them@example.org"' in html


NASTY = 'Tom & Jerry <b>"bold"</b> it\'s 5 < 6 > 4 🎉 שלום עולם &amp;'


def test_text_is_escaped_exactly_once(project: Path) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    quoted = '"' + NASTY.replace('"', '\\"') + '"'
    for key, old in [
        ("subject", "A small issue"),
        ("title", "The lead"),
        ("source", "example.org"),
        ("summary", "What happened."),
        ("intro", "Hello *readers*."),
    ]:
        _edit(issue, f"{key}: {old}", f"{key}: {quoted}")
    rendition = _render(project)
    page = lxml.html.fromstring(rendition.html)

    def texts(xpath: str) -> list[str]:
        return [element.text_content().strip() for element in cast(list[Any], page.xpath(xpath))]

    # Parsed once, the HTML gives back exactly what the editor wrote: escaped once, not twice.
    assert texts("//title") == [NASTY]
    assert page.xpath("//div[@role='article']/@aria-label") == [NASTY]
    assert texts("//h3")[0] == NASTY
    assert texts("//p[contains(@class, 'meta')]")[1] == NASTY
    # In Markdown fields "&amp;" is Markdown for "&", and "<b>" stays text (raw HTML is off).
    as_markdown = NASTY.replace("&amp;", "&")
    assert texts("//div[@class='summary']")[0] == as_markdown
    assert as_markdown in texts("//td/div")[2]
    assert page.xpath("//b") == []
    assert "🎉 שלום עולם" in rendition.html  # not turned into character references
    assert rendition.subject == NASTY
    assert f"\n{NASTY} ({NASTY})\nhttps://example.org/news/lead\n{as_markdown}\n" in rendition.text


def test_markdown_is_rendered_and_raw_html_is_text(project: Path) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    _edit(
        issue,
        "summary: More.",
        "summary: 'A *fine* [link](https://example.org/x?a=1&b=2), `code` and <script>x</script>'",
    )
    rendition = _render(project)
    assert "<em>fine</em>" in rendition.html
    assert '<a href="https://example.org/x?a=1&amp;b=2"' in rendition.html
    assert "<code>code</code>" in rendition.html
    assert "&lt;script&gt;x&lt;/script&gt;" in rendition.html
    assert "<script" not in rendition.html
    assert "\nA fine link (https://example.org/x?a=1&b=2), code and <script>x</script>\n" in (
        rendition.text
    )


def test_markdown_cannot_add_headings_rules_or_code_blocks(project: Path) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    _edit(
        issue,
        "summary: More.",
        "summary: |\n          # Big\n\n          ---\n\n              indented",
    )
    html = _render(project).html
    for text in ("# Big", "---", "indented"):
        assert re.search(f"<p[^>]*>{text}</p>", html), text
    assert html.count("<h1") == 1 and "<hr" not in html and "<pre" not in html


def test_only_the_marked_css_is_inlined(project: Path) -> None:
    html = _render(project).html
    assert html.startswith("<!doctype html>")
    # The theme's <mj-style inline="inline"> is applied as style attributes and not kept ...
    assert re.search(r'<h3[^>]*style="[^"]*font-size:24px', html)
    assert "h3 a {" not in html
    # ... while the other style blocks stay as they are, !important included.
    assert "@media (prefers-color-scheme: dark)" in html
    assert "background-color: #161b22 !important" in html
    assert "@media only screen and (min-width:480px)" in html
    assert "fonts.googleapis.com" not in html


def test_cssutils_is_quiet_and_logging_is_left_alone(
    project: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger("CSSUTILS")
    level = logger.level
    with caplog.at_level(logging.DEBUG):
        _render(project)
    assert [r for r in caplog.records if r.name == "CSSUTILS"] == []
    assert capfd.readouterr().err == ""
    assert logger.level == level


def test_render_is_deterministic(project: Path) -> None:
    assert _render(project) == _render(project)


def test_two_builds_in_separate_processes_are_byte_identical(project: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "newsletter", "build", "-o", f"out{seed}"],
            cwd=project,
            env=env,
            check=True,
            capture_output=True,
        )
        folder = project / f"out{seed}" / "2026-11-30"
        outputs.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == ["email.html", "email.mjml", "email.txt"]


def test_a_build_opens_no_network_connection(project: Path) -> None:
    # An audit hook sees every socket operation Python makes, whichever library makes it.
    script = (
        "import sys\n"
        "def hook(event, args):\n"
        "    if event.startswith(('socket.', 'urllib.Request')):\n"
        "        raise RuntimeError('network used: ' + event)\n"
        "sys.addaudithook(hook)\n"
        "from newsletter.cli import main\n"
        "sys.argv = ['newsletter', 'build']\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Built issues/2026-11-30.yaml" in result.stdout
    # The hook itself works: a connection attempt under it fails.
    probe = (
        script.split("from newsletter")[0]
        + "import socket\nsocket.create_connection(('127.0.0.1', 9))\n"
    )
    failed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert "network used: socket." in failed.stderr


def test_a_template_syntax_error_names_the_template_and_line(project: Path) -> None:
    _edit(project / "templates" / "layouts" / "list.mjml.j2", "{% endfor %}", "{% endfo %}")
    problems = _problems(project)
    assert len(problems) == 1
    assert re.fullmatch(
        r"templates/layouts/list\.mjml\.j2:\d+: template syntax: .*endfo.*", problems[0]
    )


def test_an_undefined_variable_names_the_template_and_line(project: Path) -> None:
    template = project / "templates" / "layouts" / "_article.mjml.j2"
    _edit(template, "{{ article.title }}", "{{ article.titel }}")
    line = (
        template.read_text()
        .splitlines()
        .index(next(line for line in template.read_text().splitlines() if "article.titel" in line))
    )
    assert _problems(project) == [
        f"templates/layouts/_article.mjml.j2:{line + 1}: template error: "
        "'newsletter.model.issue.Article object' has no attribute 'titel'"
    ]


def test_a_missing_template_names_the_including_line(project: Path) -> None:
    template = project / "templates" / "issue.mjml.j2"
    _edit(template, "{% if issue.intro %}", '{% include "nothere.mjml.j2" %}\n{% if issue.intro %}')
    lines = template.read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if "nothere" in text) + 1
    assert _problems(project) == [
        f"templates/issue.mjml.j2:{line}: template not found: nothere.mjml.j2 "
        f"(searched templates/, {BUILTIN}/)"
    ]


def test_an_unknown_mjml_element_or_attribute_is_located_in_the_template(project: Path) -> None:
    template = project / "templates" / "layouts" / "lead.mjml.j2"
    _edit(template, "<mj-text><h2>", "<mj-txt><h2>")
    _edit(template, "</h2></mj-text>", "</h2></mj-txt>")
    _edit(template, '<mj-section padding="16px 0 8px"', '<mj-section paddin="16px 0 8px"')
    lines = template.read_text().splitlines()
    txt = next(i for i, line in enumerate(lines) if "<mj-txt>" in line) + 1
    pad = next(i for i, line in enumerate(lines) if "paddin=" in line) + 1
    assert pad < txt
    assert _problems(project) == [
        f"templates/layouts/lead.mjml.j2:{pad}:13: <mj-section> has no attribute 'paddin'",
        f"templates/layouts/lead.mjml.j2:{txt}:5: unknown MJML element <mj-txt>",
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<mj-text><h2>", "<mj-txt>"),  # only the start tag misspelt: its end tag stays
        ("<mj-column>", "<mj-colum>"),
    ],
)
def test_a_misspelt_element_is_one_problem_not_a_cascade(project: Path, old: str, new: str) -> None:
    template = project / "templates" / "layouts" / "lead.mjml.j2"
    _edit(template, old, old.replace(old.split(">")[0] + ">", new))
    lines = template.read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if new in text)
    column = lines[line].index(new) + 1
    assert _problems(project) == [
        f"templates/layouts/lead.mjml.j2:{line + 1}:{column}: unknown MJML element {new}"
    ]


def test_an_unclosed_mjml_tag_shows_the_generated_line(project: Path) -> None:
    _edit(project / "templates" / "layouts" / "list.mjml.j2", "    </mj-text>\n", "")
    problems = _problems(project)
    assert problems
    assert all(p.startswith("templates/issue.mjml.j2 (generated MJML, line ") for p in problems)
    assert len(problems) == 1
    assert re.fullmatch(
        r"templates/issue\.mjml\.j2 \(generated MJML, line \d+: .*</mj-column>\): "
        r"<mj-text> \(line \d+\) is not closed before </mj-column>",
        problems[0],
    )


def test_mj_include_stays_inside_the_theme(project: Path, tmp_path: Path) -> None:
    (project / "secret.mjml").write_text("<mj-text>secret</mj-text>")
    (project / "templates" / "part.mjml").write_text(
        "<mj-section><mj-column><mj-text>included part</mj-text></mj-column></mj-section>"
    )
    template = project / "templates" / "issue.mjml.j2"
    _edit(template, "    {% for section", '    <mj-include path="part.mjml" />\n    {% for section')
    assert "included part" in _render(project).html
    _edit(template, 'path="part.mjml"', 'path="../secret.mjml"')
    problems = _problems(project)
    assert problems == [
        'templates/issue.mjml.j2: MJML error: <mj-include path="../secret.mjml">: '
        "no such file in the theme's folders"
    ]
    (project / "templates" / "part.mjml").write_bytes(
        "<mj-text>caf\xe9</mj-text>".encode("latin-1")
    )
    _edit(template, 'path="../secret.mjml"', 'path="part.mjml"')
    assert _problems(project) == [
        'templates/issue.mjml.j2: MJML error: <mj-include path="part.mjml">: '
        "the file is not UTF-8 text"
    ]


def test_a_user_template_can_extend_the_built_in_one(project: Path) -> None:
    (project / "templates" / "issue.txt.j2").write_text(
        '{% extends "!theme/issue.txt.j2" %}', encoding="utf-8"
    )
    (project / "templates" / "layouts" / "lead.mjml.j2").unlink()  # falls back on the built-in
    rendition = _render(project)
    assert "\nThe lead (example.org)\nhttps://example.org/news/lead\n" in rendition.text
    assert "The lead" in rendition.html


def test_the_repository_theme_is_the_built_in_theme() -> None:
    # In a checkout the built-in theme is templates/ itself; the wheel packages it (test_init).
    root = Path(__file__).parents[2]
    assert BUILTIN.resolve() == (root / "templates").resolve()
    assert not (root / "newsletter" / "theme").exists()


WORK = "template error: the templates do more than 1,000,000 steps of work (a loop in a loop?)"


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% set s = 'x' * 999999 %}{% for c in s %}{% for d in s %}{% endfor %}{% endfor %}",
        "{% for a in issue.articles * 1000000 %}{{ a.title }}{% endfor %}",
        "{{ ('ab' * 100000000) | length }}",
        "{% macro again(n) %}{% for i in range(1000) %}{{ again }}{% endfor %}{% endmacro %}"
        "{% for i in range(100000) %}{{ again(i) }}{% endfor %}",
    ],
    ids=["nested-range", "nested-text", "repeated-list", "repeated-text", "macro-in-loop"],
)
def test_a_theme_cannot_hang_a_build(project: Path, template: str) -> None:
    path = project / "templates" / "issue.txt.j2"
    path.write_text(template + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    started = time.perf_counter()
    [problem] = _problems(project)
    assert time.perf_counter() - started < 10
    assert problem == f"templates/issue.txt.j2:1: {WORK}"


def test_loops_of_a_long_issue_are_far_within_the_work_a_render_may_do(project: Path) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    text = issue.read_text(encoding="utf-8")
    many = "".join(
        f"      - title: Story {n}\n        url: https://example.org/news/{n}\n" for n in range(500)
    )
    issue.write_text(text + many, encoding="utf-8")
    rendition = _render(project)
    assert "Story 499" in rendition.text
