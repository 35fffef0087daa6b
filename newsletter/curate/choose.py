"""Which items of a feed to add: sponsored ones marked, words to match, the editor's pick."""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsletter.curate.extract import Found

# Words publishers put before (or after) the title of a paid item. A bare word needs a
# separator after it, so that "Advertisement rules tighten" stays news.
_MARKER = r"sponsor(?:ed)?(?: post| content)?|ad|advert(?:isement)?|advertorial|paid post|promoted"
_SPONSOR_TITLE = re.compile(
    rf"^\s*(?:[\[(](?:{_MARKER})[\])]\s*[:|\-\u2013\u2014]?|(?:{_MARKER})\s*(?:[:|]|\s[\-\u2013\u2014]))\s*"
    rf"|\s*[\[(](?:{_MARKER})[\])]\s*$",
    re.IGNORECASE,
)
_SPONSOR_CATEGORIES = frozenset(
    {
        "sponsor",
        "sponsored",
        "sponsored content",
        "sponsored post",
        "sponsorship",
        "advertisement",
        "advertorial",
        "paid post",
        "paid content",
        "partner content",
    }
)
_PICK_PART = re.compile(r"(\d{1,6})(?:-(\d{1,6}))?", re.ASCII)


def unsponsored_title(title: str) -> str | None:
    """The title without its sponsor marker ("[Sponsor] ...", "Sponsored: ...", "[Ad] ...",
    "Advertisement: ...", "... (Sponsored)"), or None when it has none. A title that is
    only a marker is kept whole."""
    plain = _SPONSOR_TITLE.sub("", title, count=1).strip()
    if plain == title.strip():
        return None
    return plain or title


def is_sponsor_category(term: str) -> bool:
    """Whether an item's category says it is paid for ("sponsored", "sponsor", ...)."""
    return " ".join(term.split()).casefold() in _SPONSOR_CATEGORIES


def match_words(text: str) -> tuple[str, ...]:
    """The words of `--match`: at least one, compared without regard to case."""
    words = tuple(word.casefold() for word in text.split())
    if not words:
        raise ValueError("expected one word or more, such as --match 'Armenia election'")
    return words


def matches(found: Found, words: Sequence[str]) -> bool:
    """Whether the item's title or summary has every one of `words`, each as a whole word
    ("EU" is not found in "Europe"), whatever the case."""
    text = f"{found.title} {found.summary.replace(chr(92), '')}".casefold()
    return all(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words)


def listing(items: Sequence[Found]) -> list[str]:
    """The items numbered from 1 for the editor to pick from: title, date and source."""
    lines = []
    for number, item in enumerate(items, start=1):
        facts = [str(item.published) if item.published else "no date"]
        facts += [item.source] if item.source else []
        facts += ["sponsored"] if item.sponsored else []
        lines.append(f"{number:>3}. {item.title} ({', '.join(facts)})")
    return lines


def parse_pick(text: str, count: int) -> list[int]:
    """The items an editor picked, as indexes from 0, in the feed's order: numbers from 1
    and ranges ("1 3 5-7", commas allowed), "all", or nothing for none."""
    text = text.strip()
    if text.casefold() == "all":
        return list(range(count))
    chosen: set[int] = set()
    for part in text.replace(",", " ").split():
        match = _PICK_PART.fullmatch(part)
        if match is None:
            raise ValueError(f"expected numbers and ranges like 1 3 5-7, or all, not {part[:20]!r}")
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        for number in (first, last):
            if not 1 <= number <= count:
                raise ValueError(f"no item {number}: the items are 1 to {count}")
        if last < first:
            raise ValueError(f"the range {part} runs backwards: write {last}-{first}")
        chosen.update(range(first - 1, last))
    return sorted(chosen)
