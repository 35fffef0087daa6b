"""A body's Content-Encoding undone layer by layer, in pieces of bounded size.

Every layer hands on at most `PIECE` bytes at a time and keeps the rest of its input for the
next call, so a body compressed twice (or ten times) never unpacks more than the reader asks
for: 2 kB of gzip inside gzip can hold a gigabyte.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence

ACCEPT_ENCODING = "gzip, deflate"
"""What the client asks for: the encodings it can undo in bounded pieces."""
PIECE = 64 * 1024
"""The most bytes one layer hands on at a time."""


class DecodingError(Exception):
    """Compressed data that does not decompress."""


class UnknownEncoding(Exception):
    """A Content-Encoding the client cannot undo; its name is the message."""


class Overgrown(Exception):
    """A layer unpacked to more than the limit allows: a compression bomb."""


class Decoder:
    """Undoes the encodings of a body, given as its Content-Encoding lists them, as its raw
    bytes come; no layer may produce more than `cap` bytes in all."""

    def __init__(self, encodings: Sequence[str], cap: int) -> None:
        names = [name.strip().lower() for name in encodings]
        # Listed in the order they were applied: the last one is undone first.
        self._layers = [_Inflater(name, cap) for name in reversed(names) if name != "identity"]

    def decode(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of `data`, the next raw bytes of the body, in bounded pieces."""
        return self._through(0, data)

    def _through(self, depth: int, data: bytes) -> Iterator[bytes]:
        if depth == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[depth].decode(data):
            yield from self._through(depth + 1, piece)


def encodings_of(header_values: Sequence[str]) -> list[str]:
    """The encodings named by Content-Encoding headers (several, or one with commas)."""
    return [name.strip() for value in header_values for name in value.split(",") if name.strip()]


def unknown_encoding(encodings: Sequence[str]) -> str | None:
    """The first of `encodings` that cannot be undone (br, zstd, compress...), or None."""
    for name in encodings:
        if name.strip().lower() not in _WBITS and name.strip().lower() != "identity":
            return name.strip()
    return None


# gzip, or zlib's own wrapping for deflate (raw deflate is tried when that fails, as servers
# send both), as zlib.decompressobj wants them said.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Inflater:
    """One gzip or deflate layer: its output in pieces of at most PIECE bytes."""

    def __init__(self, name: str, cap: int) -> None:
        if name not in _WBITS:
            raise UnknownEncoding(name)
        self._wbits = _WBITS[name]
        self._inflate = zlib.decompressobj(self._wbits)
        self._started = False
        self._produced = 0
        self._cap = cap

    def decode(self, data: bytes) -> Iterator[bytes]:
        while True:
            piece = self._decompress(data)
            self._produced += len(piece)
            if self._produced > self._cap:
                raise Overgrown
            if piece:
                yield piece
            data = self._inflate.unconsumed_tail
            # A full piece may leave output inside zlib even when all input is taken.
            if not data and len(piece) < PIECE:
                return

    def _decompress(self, data: bytes) -> bytes:
        first = not self._started
        self._started = self._started or bool(data)
        try:
            return self._inflate.decompress(data, PIECE)
        except zlib.error as error:
            if first and self._wbits == zlib.MAX_WBITS:
                self._wbits = -zlib.MAX_WBITS
                self._inflate = zlib.decompressobj(self._wbits)
                return self._decompress(data)
            raise DecodingError(str(error)) from None
