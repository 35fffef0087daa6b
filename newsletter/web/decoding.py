"""A body's Content-Encoding undone layer by layer, in pieces of bounded size.

Every layer hands on at most `PIECE` bytes at a time and keeps the rest of its input for the
next call, so a body compressed twice (or three times) never unpacks more than the reader
asks for: 2.5 kB of gzip inside gzip can hold a gigabyte.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence

ACCEPT_ENCODING = "gzip, deflate"
"""What the client asks for: the encodings it can undo in bounded pieces."""
PIECE = 64 * 1024
"""The most bytes one layer hands on at a time."""
MAX_LAYERS = 3
"""The most encodings undone: servers compress twice by mistake, never ten times."""


class DecodingError(Exception):
    """Compressed data that does not decompress."""


class Undecodable(Exception):
    """Encodings the client cannot undo in bounds; the message says why."""


class TooLarge(Exception):
    """A body, or a layer of its compression, unpacks to more than the limit."""


def read(
    chunks: Iterable[bytes], encodings: Sequence[str], limit: int, *, truncate: bool = False
) -> bytes:
    """The body sent as `chunks` with its `encodings` undone, of at most `limit` bytes: a
    longer one is TooLarge or, with `truncate`, cut there."""
    if len(encodings) > MAX_LAYERS:
        raise Undecodable(f"the server compressed the answer {len(encodings)} times")
    # Compressed data is hardly larger than what it holds: twice the limit is plenty.
    decoder = Decoder(encodings, cap=2 * limit + PIECE)
    pieces: list[bytes] = []
    size = 0
    for chunk in chunks:
        for piece in decoder.decode(chunk):
            pieces.append(piece)
            size += len(piece)
            if size > limit:
                if truncate:
                    return b"".join(pieces)[:limit]
                raise TooLarge
    return b"".join(pieces)


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


# gzip, or zlib's own wrapping for deflate (raw deflate is tried when that fails, as servers
# send both), as zlib.decompressobj wants them said.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Inflater:
    """One gzip or deflate layer: its output in pieces of at most PIECE bytes."""

    def __init__(self, name: str, cap: int) -> None:
        if name not in _WBITS:
            raise Undecodable(f"the server compressed the answer as {name}, which is not supported")
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
                raise TooLarge  # a bomb inside: whatever the body is cut to, it is not this
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
