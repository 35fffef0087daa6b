"""Markdown as plain text: a paragraph a line, and each link's address where the link is."""

from __future__ import annotations

import pytest

from newsletter.build.markdown import References, to_text, wrap


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("Read the [full report](https://example.org/r).", "Read the full report (https://example.org/r)."),
        ("A *fine* [link](https://example.org/x?a=1&b=2).", "A fine link (https://example.org/x?a=1&b=2)."),
        ("See <https://example.org/r>.", "See https://example.org/r."),
        ("Write to <editor@example.org>.", "Write to editor@example.org."),
        ("[Write to us](mailto:editor@example.org).", "Write to us (mailto:editor@example.org)."),
        ("[**Bold** words](https://example.org/b)", "Bold words (https://example.org/b)"),
        ("[Tea](https://en.example.org/wiki/Tea_(drink))", "Tea (https://en.example.org/wiki/Tea_(drink))"),
        ("[a](https://a.example/) and [b](https://b.example/)", "a (https://a.example/) and b (https://b.example/)"),
    ],
)  # fmt: skip
def test_a_link_is_its_text_then_its_address(markdown: str, text: str) -> None:
    assert to_text(markdown) == text


def test_a_paragraph_is_one_line_however_long_and_however_it_was_written() -> None:
    words = " ".join(f"word{n}" for n in range(200))
    written = words.replace("word50 ", "word50\n").replace("word120 ", "word120\n")
    assert to_text(written) == words
    assert to_text("First paragraph,\non two lines.\n\nSecond.") == (
        "First paragraph, on two lines.\n\nSecond."
    )


def test_a_hard_line_break_is_kept() -> None:
    assert to_text("Line one  \nline two") == "Line one\nline two"
    assert to_text("- Item one  \n  and two") == "- Item one\n  and two"


def test_list_items_are_one_line_each_and_nested_lists_indent() -> None:
    markdown = (
        "Three things:\n\n"
        "- a long first item that runs on and on, past any column a terminal would have, "
        "with a [link](https://example.org/1)\n"
        "- second\n"
        "  1. nested one\n"
        "  2. nested two\n"
        "- third\n\n"
        "3. starts at three\n"
        "4. four"
    )
    assert to_text(markdown) == (
        "Three things:\n\n"
        "- a long first item that runs on and on, past any column a terminal would have, "
        "with a link (https://example.org/1)\n"
        "- second\n"
        "  1. nested one\n"
        "  2. nested two\n"
        "- third\n\n"
        "3. starts at three\n"
        "4. four"
    )


@pytest.mark.parametrize(
    "summary",
    [
        "مرحبا بالعالم، هذا ملخص طويل باللغة العربية عن المحادثات الإقليمية بين الوزراء في المنطقة",
        "שלום עולם: סיכום ארוך בעברית על השיחות בין השרים באזור, בלי שום שבירת שורה באמצע",
        "Премьер-министр Армении и президент Азербайджана могут встретиться на полях СМИД ОБСЕ",
        "საქართველოს ღვინის ექსპორტმა ამ წელს რეკორდულ მაჩვენებელს მიაღწია, ევროკავშირსა",
        "東京で開かれた会議では地域の運輸とエネルギーと貿易について二日間にわたり協議が行われた",
    ],
)
def test_a_right_to_left_or_non_latin_summary_stays_intact(summary: str) -> None:
    assert to_text(summary) == summary
    # A word linked (the whole text where no space parts words): then its address, and every
    # other character as written.
    before, word, after = summary.split(" ", 2) if " " in summary else ("", summary, "")
    linked = f"{before} [{word}](https://example.org/a) {after}".strip()
    assert to_text(linked) == f"{before} {word} (https://example.org/a) {after}".strip()


def test_numbered_references_remain_for_a_theme_that_lists_links() -> None:
    refs = References()
    text = to_text(
        "A [one](https://example.org/1), [two](https://example.org/2), [one](https://example.org/1).",
        refs,
    )
    assert text == "A one [1], two [2], one [1]."
    assert list(refs) == [(1, "https://example.org/1"), (2, "https://example.org/2")]


def test_a_theme_may_still_wrap_at_a_width() -> None:
    words = " ".join(["wrapped"] * 30)
    wrapped = to_text(f"- {words}", width=40)
    assert all(len(line) <= 40 for line in wrapped.splitlines())
    assert wrapped.startswith("- wrapped") and "\n  wrapped" in wrapped
    assert wrap("a https://example.org/" + "x" * 80, 20) == "a\nhttps://example.org/" + "x" * 80
