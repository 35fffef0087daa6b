"""Headlines as a reader wants them: without the site's name, a section or a date around them,
and what those tell about the site (is a name a section or a slug?) and the date."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator

from newsletter.curate.text import collapse

_SEPARATORS = (
    *(" | ", " - ", " \N{EN DASH} ", " \N{EM DASH} ", " · ", " :: ", " / "),
    *(
        " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} ",
        " \N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK} ",
    ),
)
_PREFIX_ONLY = (": ",)  # "Opinion: The talks" names a section; "The talks: a view" does not
_DOMAIN = re.compile(r"[\w-]+(\.[\w-]+)+")
_SLUG = re.compile(r"[a-z0-9_-]+")
_ABBREVIATION = re.compile(r"(?:[A-Z]\.){2,}")  # "U.S.", "U.K."

_SECTION_WORDS = (
    "news world opinion opinions editorial editorials comment commentisfree analysis politics "
    "business economy money markets finance sport sports culture arts music film books "
    "technology tech science health environment entertainment lifestyle life travel style "
    "food video videos blog blogs features feature local national "
    "international us u.s. uk u.k. europe asia africa americas australia china india "
    "middle east latest breaking home education media"
)
SECTIONS = frozenset(_SECTION_WORDS.split())
"""Words that name a newspaper's section (compared without case): in a title around the
headline, or as a site name, they are not the article's or the site's name."""

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATES = (
    re.compile(r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})"),  # 19.01.2020 (day first)
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    re.compile(rf"(?P<d>\d{{1,2}})\.? (?P<mon>{_MONTHS})\.? (?P<y>\d{{4}})", re.IGNORECASE),
    re.compile(rf"(?P<mon>{_MONTHS})\.? (?P<d>\d{{1,2}}),? (?P<y>\d{{4}})", re.IGNORECASE),
)


def clean_title(title: str, names: Iterable[str | None], sections: Iterable[str] = ()) -> str:
    """`title` without the segments around it (" | Site", "Section - ", " | 19.01.2020") that
    name the site, one of its sections or a date; the headline itself is never dropped."""
    title = collapse(title)
    known = {squash(name) for name in site_names(names)} | {squash(s) for s in sections}
    known |= {squash(s) for s in SECTIONS}
    known.discard("")
    changed = True
    while changed:
        changed = False
        for separator in _SEPARATORS:
            head, found, tail = title.rpartition(separator)
            if found and head.strip() and _label(tail, known):
                title, changed = head.strip(), True
                break
            head, found, tail = title.partition(separator)
            if found and tail.strip() and _label(head, known):
                title, changed = tail.strip(), True
                break
        else:
            for separator in _PREFIX_ONLY:
                head, found, tail = title.partition(separator)
                if found and tail.strip() and _label(head, known):
                    title, changed = tail.strip(), True
    return title


def _label(segment: str, known: set[str]) -> bool:
    segment = segment.strip()
    return squash(segment) in known or _only_date(segment)


def _only_date(segment: str) -> bool:
    return any(pattern.fullmatch(segment.strip()) for pattern in _DATES)


def title_date(text: str) -> datetime.date | None:
    """The date written in `text` ("19.01.2020", "2020-01-19", "Jan 19, 2020"), if any."""
    for pattern in _DATES:
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else _month(parts["mon"])
        try:
            return datetime.date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            continue
    return None


def _month(name: str) -> int:
    return [m[:3] for m in _MONTHS.replace("(?:", "").split("|")].index(name[:3].lower()) + 1


def looks_like_section(name: str, sections: Iterable[str] = ()) -> bool:
    """Whether a site name is a section ("U.S.", "World"), a slug ("theverge") or an address
    (a Facebook page), not the name readers know the site by."""
    name = name.strip()
    squashed = squash(name)
    return (
        squashed in {squash(s) for s in (*SECTIONS, *sections)}
        or bool(_ABBREVIATION.fullmatch(name))
        or bool(_SLUG.fullmatch(name))
        or name.startswith(("http://", "https://", "www."))
    )


def is_domain(name: str) -> bool:
    """Whether `name` is written as an address: "commonspace.eu"."""
    return bool(_DOMAIN.fullmatch(name))


def site_names(names: Iterable[str | None]) -> Iterator[str]:
    """The names a site goes by: "www.commonspace.eu" is also "commonspace.eu", "commonspace"."""
    for name in names:
        if name:
            yield name
            labels = name.removeprefix("www.").split(".")
            if len(labels) > 1:
                yield labels[0]
                yield ".".join(labels[:-1])


def squash(name: str) -> str:
    """`name` compared loosely: without case, spaces or punctuation."""
    return re.sub(r"[\W_]", "", name.casefold())
