"""The images an email shows: each article's kept original, derived for the place the theme
shows it in, and named by its bytes.

A layout asks for an article's image at a displayed width and shape:

    {% set picture = pictures.show(article, 552, "2:1") %}

and gets its address, width and height. The image is derived (`newsletter.build.images`)
from the original kept in the project's `images/` folder at twice that width, for sharp
screens, and published with the archive as `images/<hash>-<width>.<ext>`: the email points at
`archive_url` + that path. Without an archive address, or without a kept original, the email
shows the original address as before, and the checks say so.

Reading the kept originals is the only file this reads; what it derives is kept in the user's
cache folder, so that a preview rebuilds in milliseconds. The cache is only ever a help: a
broken or unwritable file in it costs the time to derive the image again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

from newsletter.build.usercache import user_cache_folder, write_cached
from newsletter.model.issue import Article

DENSITY = 2
"""Pixels derived per displayed pixel: twice, for high-density screens."""

FORMAT = 1
"""The version of what is derived and cached: raise it when the derivation changes."""

PUBLISHED = "images/"
"""Where derived images are published, relative to the archive's address."""

MOST_REMEMBERED = 256
"""Derived images remembered in a process (the preview rebuilds on every save)."""

MOST_CACHED = 4_000
"""Derived images kept in the user's cache (about 60 KB each); the oldest go first."""

MOST_WIDTH = 2_000
"""The widest an image may be shown, in CSS pixels: an email is about 600."""

Status = Literal["derived", "hotlinked", "not-fetched", "missing", "unusable"]


@dataclass(frozen=True)
class Source:
    """An original kept in the project, as derived for one place: what the email needs."""

    name: str  # the published file's name, `<hash>-<width>.<ext>`
    data: bytes
    width: int  # pixels
    height: int
    too_small: bool
    original: tuple[int, int]  # the original's upright size, pixels


@dataclass(frozen=True)
class Picture:
    """An article's image as the email shows it, and how it came to be shown so."""

    article: Article
    src: str
    width: int  # displayed, CSS pixels
    height: int | None  # displayed; None when the original's own shape is shown
    aspect: tuple[int, int] | None
    status: Status
    derived: Source | None = None
    reason: str = ""  # why it is not derived, for `unusable`

    @property
    def file(self) -> str | None:
        """The published file, relative to the archive: `images/<hash>-<width>.<ext>`."""
        return PUBLISHED + self.derived.name if self.derived else None


@dataclass
class Pictures:
    """What a layout calls to show an article's image; it remembers every image shown.

    `root` is the project folder (the kept originals are `root/images/...`); `base` is the
    address derived images are published under (`archive_url` + `images/`), or None to show
    every image from its original address."""

    root: Path | None
    base: str | None
    shown: list[Picture] = field(default_factory=list)

    def show(self, article: Article, width: int, aspect: str = "") -> Picture | None:
        """The article's image `width` CSS pixels wide, cropped to `aspect` ("2:1", "1:1"; ""
        keeps its shape), or None when the article has none."""
        if not article.image:
            return None
        if not isinstance(width, int) or not 1 <= width <= MOST_WIDTH:
            raise ValueError(f"an image's width is 1 to {MOST_WIDTH} CSS pixels, not {width!r}")
        picture = self._picture(article, article.image, width, _ratio(aspect))
        self.shown.append(picture)
        return picture

    def _picture(
        self, article: Article, image: str, width: int, ratio: tuple[int, int] | None
    ) -> Picture:
        original = partial(Picture, article, image, width, None, ratio)  # the address shown
        if not article.image_file or self.root is None:
            return original("not-fetched")
        path = self.root / article.image_file
        try:
            _refuse_links_out(path, self.root)
            source = derived(path, width * DENSITY, ratio, article.image_focus or "centre")
        except FileNotFoundError:
            return original("missing")
        except (OSError, ValueError) as error:
            why = str(error.strerror if isinstance(error, OSError) and error.strerror else error)
            return original("unusable", reason=why)
        if self.base is None:
            return original("hotlinked", source)
        height = round(width * source.height / source.width)
        return Picture(article, self.base + source.name, width, height, ratio, "derived", source)


def _refuse_links_out(path: Path, root: Path) -> None:
    """Raise ValueError if `path` (`images/NAME` in `root`) leads out of the project through
    a symbolic link: a link planted in the repository must not publish a file from elsewhere.
    Only the file and its folder can be links: NAME is a hash and an extension."""
    if os.path.islink(path) or os.path.islink(path.parent):
        real = path.resolve()
        if not real.is_relative_to(root.resolve()):
            raise ValueError(f"a symbolic link to {real}, outside the project")


_ASPECT = re.compile(r"\s*([1-9][0-9]{0,2})\s*:\s*([1-9][0-9]{0,2})\s*")


def _ratio(aspect: str) -> tuple[int, int] | None:
    if not aspect:
        return None
    match = _ASPECT.fullmatch(aspect)
    if not match:
        raise ValueError(f'an aspect is "W:H" in whole numbers, such as "2:1", not {aspect!r}')
    return int(match[1]), int(match[2])


def focus_of(value: str) -> tuple[float, float] | str:
    """An article's `image_focus` as `derive` takes it: a named side, or (x, y) fractions."""
    if "," in value:
        x, y = value.split(",")
        return float(x), float(y)
    return "centre" if value == "center" else value


_REMEMBERED: OrderedDict[tuple[object, ...], Source] = OrderedDict()


def derived(path: Path, width: int, aspect: tuple[int, int] | None, focus: str) -> Source:
    """The original in `path` derived at `width` pixels, from memory, the cache, or Pillow.

    In memory, an original is known by its path, size and time, so that a file edited during
    a preview is derived again. In the cache, by its name and size: the name is a hash of
    its bytes, and the cache then serves every clone and checkout of the project, whatever
    the times of its files. Raises OSError when the file cannot be read, ImageError when it
    is not a usable image."""
    stat = path.stat()
    remembered = (str(path), stat.st_size, stat.st_mtime_ns, width, aspect, focus)
    if (source := _REMEMBERED.get(remembered)) is not None:
        _REMEMBERED.move_to_end(remembered)
        return source
    cached = [FORMAT, path.name, stat.st_size, width, aspect, focus]
    key = hashlib.sha256(json.dumps(cached).encode()).hexdigest()
    folder = user_cache_folder(f"images-{FORMAT}")
    source = _read_cached(folder, key) if folder else None
    if source is None:
        source = _derive(path.read_bytes(), width, aspect, focus)
        if folder:
            _write_cached(folder, key, source)
    _REMEMBERED[remembered] = source
    if len(_REMEMBERED) > MOST_REMEMBERED:
        _REMEMBERED.popitem(last=False)
    return source


def _derive(data: bytes, width: int, aspect: tuple[int, int] | None, focus: str) -> Source:
    from newsletter.build.images import derive, original_size

    image = derive(data, width=width, aspect=aspect, focus=focus_of(focus))  # type: ignore[arg-type]
    digest = hashlib.sha256(image.data).hexdigest()[:16]
    name = f"{digest}-{image.width}{image.extension}"
    return Source(name, image.data, image.width, image.height, image.too_small, original_size(data))


def _read_cached(folder: str, key: str) -> Source | None:
    try:
        with open(os.path.join(folder, key), "rb") as file:
            head = json.loads(file.readline())
            data = file.read()
        if len(data) != head["bytes"]:
            return None
        w, h = head["original"]
        return Source(head["name"], data, head["width"], head["height"], head["too_small"], (w, h))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cached(folder: str, key: str, source: Source) -> None:
    head = {
        "name": source.name,
        "width": source.width,
        "height": source.height,
        "too_small": source.too_small,
        "original": list(source.original),
        "bytes": len(source.data),
    }
    data = json.dumps(head).encode() + b"\n" + source.data
    write_cached(folder, key, data, most=MOST_CACHED)
