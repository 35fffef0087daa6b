# ruff: noqa: RUF001  (Russian text, whose letters look like Latin ones)
"""The theme's words in other languages: complete catalogs, plural forms, dates, fallbacks,
and an issue in Russian without one English word of the theme, through the real pipeline."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from newsletter.build.theme import BUILTIN, Theme
from newsletter.build.translations import long_date
from newsletter.cli import cli
from newsletter.project.folder import Project

REPO = Path(__file__).parents[2]
LOCALE = REPO / "templates" / "locale"
LANGUAGES = ("de", "fr", "ru")

sys.path.insert(0, str(REPO / "scripts"))
from theme_messages import theme_catalog  # noqa: E402


def test_the_catalog_template_is_what_the_templates_mark() -> None:
    assert (LOCALE / "theme.pot").read_bytes() == theme_catalog(), (
        "templates/locale/theme.pot is out of date: run scripts/theme_messages.py"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_translates_every_string(language: str) -> None:
    with open(LOCALE / "theme.pot", "rb") as file:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}
    with open(LOCALE / language / "LC_MESSAGES" / "theme.po", "rb") as file:
        catalog = read_po(file)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string
        for m in catalog
        if m.id and not m.fuzzy
    }
    assert sorted(wanted - translated.keys()) == []
    empty = [k for k, v in translated.items() if not (all(v) if isinstance(v, tuple) else v)]
    assert empty == []
    for key, value in translated.items():  # the same placeholders, no more, no fewer
        for text in value if isinstance(value, tuple) else (value,):
            assert set(re.findall(r"%\(\w+\)s", str(text))) == set(re.findall(r"%\(\w+\)s", key))


def render(template: str, language: str, **context: object) -> str:
    theme = Theme((BUILTIN,))
    source = theme.env.from_string(template)
    return source.render({**context, **theme.words(language)})


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 выпуск"), (2, "2 выпуска"), (5, "5 выпусков"), (11, "11 выпусков"), (21, "21 выпуск")],
)
def test_russian_has_three_plural_forms(count: int, expected: str) -> None:
    template = "{% trans count=n %}{{ count }} issue{% pluralize %}{{ count }} issues{% endtrans %}"
    assert render(template, "ru", n=count) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "November 30, 2026"),
        ("en-GB", "30 November 2026"),
        ("de", "30. November 2026"),
        ("fr", "30 novembre 2026"),
        ("ru", "30 ноября 2026\u202fг."),
        ("pt-BR", "30 de novembro de 2026"),
        ("tlh", "November 30, 2026"),  # a language CLDR does not know: English
    ],
)
def test_dates_are_written_as_each_language_writes_them(language: str, expected: str) -> None:
    assert long_date(dt.date(2026, 11, 30), language) == expected


def test_a_language_without_a_catalog_is_english() -> None:
    assert render("{{ _('View in browser') }}", "pt-BR") == "View in browser"
    assert render("{{ _('View in browser') }}", "de-AT") == "Im Browser ansehen"  # de's


def test_translated_words_are_escaped_like_any_other(tmp_path: Path) -> None:
    template = (
        "{% trans name=name %}You are receiving {{ name }} because you subscribed to it."
        "{% endtrans %}"
    )
    theme = Theme((BUILTIN,))
    source = theme.env.from_string(template)
    html = source.render({"name": "<b>Weekly</b>", **theme.words("fr")})
    assert html == "Vous recevez &lt;b&gt;Weekly&lt;/b&gt; parce que vous y êtes abonné."


def test_a_themes_own_catalog_comes_first(tmp_path: Path) -> None:
    own = tmp_path / "theme" / "locale" / "de" / "LC_MESSAGES"
    own.mkdir(parents=True)
    (own / "theme.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "View in browser"\nmsgstr "Online lesen"\n',
        encoding="utf-8",
    )
    theme = Theme((tmp_path / "theme", BUILTIN))
    words = theme.words("de")
    assert theme.env.from_string("{{ _('View in browser') }}").render(words) == "Online lesen"


RUSSIAN_SETTINGS = """\
name: Кавказская неделя
language: ru
sender:
  name: Кавказская неделя
  email: weekly@example.org
postal_address: Амстердам, Кейзерсграхт 100
archive_url: https://example.org/weekly/
links:
  unsubscribe: https://example.org/weekly/unsubscribe
  preferences: https://example.org/weekly/preferences
theme: templates
"""

RUSSIAN_ISSUE = """\
number: 112
date: 2026-11-30
subject: Путин готов вмешаться
preheader: Москва обдумывает встречу с Пашиняном и Алиевым, а ЕС смотрит дальше.
intro: Доброе утро. На этой неделе — телефонная дипломатия Кремля.
sections:
  - title: Главное
    layout: lead
    articles:
      - title: Путин готов вмешаться
        url: https://example.org/ru/news/1
        source: пример
        summary: Президент России поговорил по телефону с обоими лидерами.
        image: https://example.org/img/1.jpg
        image_alt: Ракета на старте
        image_file: {kept}
  - title: Новости
    articles:
      - title: Коридор через Баку
        url: https://example.org/ru/news/2
        summary: Министры транспорта встретились в Баку.
      - title: Слово спонсора
        url: https://example.org/ru/offer
        summary: Оплачено и подписано.
        image: https://example.org/img/2.jpg
        image_alt: Товар спонсора
        image_file: {kept}
        sponsored: true
  - title: Коротко
    layout: compact
    articles:
      - title: Выставка в Тбилиси
        url: https://example.org/ru/news/3
      - title: Скидки партнёра
        url: https://example.org/ru/offer-2
        sponsored: true
"""


def test_a_russian_issue_has_no_english_word_of_the_theme(tmp_path: Path) -> None:
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    kept = "images/e647d3a151a23270ebc2.jpg"
    (tmp_path / "images").mkdir()
    shutil.copy(REPO / kept, tmp_path / kept)
    (tmp_path / "newsletter.yaml").write_text(RUSSIAN_SETTINGS, encoding="utf-8")
    (tmp_path / "issues").mkdir()
    issue = tmp_path / "issues" / "2026-11-30.yaml"
    issue.write_text(RUSSIAN_ISSUE.format(kept=kept), encoding="utf-8")
    rendition = Project(tmp_path, tmp_path).inspect(issue).rendition
    body = rendition.html.split("<body", 1)[1].split(">", 1)[1]
    visible = re.sub(r"<style.*?</style>|<!--.*?-->|<[^>]+>", " ", body, flags=re.S)
    alts = " ".join(re.findall(r'\salt="([^"]*)"', body))
    # Every word the reader sees or hears is the editor's Russian or the theme's, translated.
    assert re.findall(r"[A-Za-z]{2,}", visible + " " + alts) == []
    assert "Выпуск 112 · 30 ноября 2026\u202fг." in visible
    assert visible.count("Реклама") == 2 and "Реклама: Скидки партнёра" in visible
    # The text part too, its addresses aside.
    text = re.sub(r"\S+://\S+", " ", rendition.text)
    assert re.findall(r"[A-Za-z]{2,}", text) == []
    assert "30 ноября 2026" in rendition.text


@pytest.mark.parametrize(
    ("catalog", "expected"),
    [
        (
            b'msgid "View in browser"\nmsgstr "Im Browser\nmsgid\n',
            "templates/locale/de/LC_MESSAGES/theme.po:2: error: translation catalog: ",
        ),
        (
            b"\xff\xfe\x00not text",
            "templates/locale/de/LC_MESSAGES/theme.po: error: translation catalog cannot be read",
        ),
        (
            b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
            b'msgid "View in browser"\nmsgstr "Ansehen %(name)s"\n',
            "templates/locale/de/LC_MESSAGES/theme.po:5: error: the translation of"
            " 'View in browser' uses %(name)s, which the template does not give",
        ),
    ],
    ids=["misformatted", "not-utf8", "unknown-placeholder"],
)
def test_a_broken_catalog_is_one_line_with_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: bytes, expected: str
) -> None:
    for name in ("newsletter.yaml", "templates", "issues", "images"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    settings = tmp_path / "newsletter.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("language: en-GB", "language: de")
    )
    (tmp_path / "templates" / "locale" / "de" / "LC_MESSAGES" / "theme.po").write_bytes(catalog)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"], catch_exceptions=False)
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert not (tmp_path / "dist").exists()  # nothing written
