"""Images fetched to be kept: through the one client, refused unless the server says it sends
an image and the bytes are one (JPEG, PNG, GIF, WebP or AVIF)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsletter.model.urls import http_url_problem
from newsletter.web.client import Client, FetchError, Response

MAX_IMAGE_BYTES = 10_000_000

ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9"
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/apng", "image/gif"}
    | {"image/webp", "image/avif"}
)
"""What a server may call an image this tool keeps; its bytes must say so too."""


@dataclass(frozen=True)
class FetchedImage:
    """An image's addresses, its bytes, and the file extension its first bytes call for."""

    url: str  # as asked for
    final_url: str  # after redirects
    body: bytes
    extension: str  # "jpg", "png", "gif", "webp" or "avif"


def image_extension(body: bytes) -> str | None:
    """The file extension the first bytes of `body` call for, or None if they are not those of
    a JPEG, PNG, GIF, WebP or AVIF image."""
    if body.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if body.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "webp"
    if body[4:8] == b"ftyp" and body[8:12] in (b"avif", b"avis"):
        return "avif"
    return None


def fetch_images(
    urls: Sequence[str],
    *,
    timeout: float = 10.0,
    concurrency: int = 4,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> list[FetchedImage | FetchError]:
    """Fetch every image, several at a time (bounded), in the order given; each failure is a
    FetchError that says why in one line, without the URL."""
    results: list[FetchedImage | FetchError | None] = []
    wanted: list[int] = []
    for index, url in enumerate(urls):
        results.append(
            FetchError("not an http(s) URL", "bad-answer") if http_url_problem(url) else None
        )
        if results[-1] is None:
            wanted.append(index)
    if wanted:
        with Client(timeout=timeout, concurrency=min(concurrency, len(wanted))) as client:

            def fetch(index: int) -> FetchedImage | FetchError:
                try:
                    return _image(client, urls[index], max_bytes)
                except FetchError as error:
                    return error

            for index, result in zip(wanted, client.map(fetch, wanted), strict=True):
                results[index] = result
    return [r for r in results if r is not None]


def _refusal(response: Response) -> str | None:
    """Why the response, as its headers stand, cannot be an image to keep; None if it may be."""
    if not response.ok:
        return response.status_text
    if response.media_type == "image/svg+xml":
        return "an SVG image (it may carry scripts, and mail clients do not show it): refused"
    if response.media_type not in IMAGE_TYPES:
        said = response.media_type or "no type"
        return f"not a JPEG, PNG, GIF, WebP or AVIF image but {said}"
    return None


def _image(client: Client, url: str, max_bytes: int) -> FetchedImage:
    response = client.fetch_wanted(
        url, accept=ACCEPT, limit=max_bytes, refusal=_refusal, what="image"
    )
    extension = image_extension(response.body)
    if extension is None:
        message = f"the bytes are not an image, though served as {response.media_type}"
        raise FetchError(message, "bad-answer")
    return FetchedImage(url, response.final_url, response.body, extension)
