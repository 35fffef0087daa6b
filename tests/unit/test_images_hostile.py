"""Deriving email images from hostile or broken bytes, and doing it reproducibly: bombs are
refused before decoding and within a memory budget, damage is a clear error, the same
input gives the same bytes in any process."""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from newsletter.build.images import ImageError, derive

IMAGES = Path(__file__).parent.parent / "images"

# Derives the image in argv[1] with the arguments in argv[2] (JSON), then prints the outcome
# and the process's peak resident memory in MB. The peak is VmHWM, the high-water mark of
# this process's own memory: ru_maxrss (RUSAGE_SELF here, or RUSAGE_CHILDREN in the test)
# also counts the parent's memory at the fork, so under a big pytest process it would measure
# pytest. Where there is no /proc, ru_maxrss is the fallback: never lower than the truth.
MEASURE = """
import json, resource, sys
from newsletter.build.images import ImageError, derive
data = open(sys.argv[1], "rb").read()
try:
    result = derive(data, **json.loads(sys.argv[2]))
    outcome = f"{result.format} {result.width}x{result.height} {len(result.data)}"
except ImageError as err:
    outcome = f"ImageError: {err}"
try:
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except OSError:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "peak_mb": kb / 1024}))
"""


def read(name: str) -> bytes:
    return (IMAGES / name).read_bytes()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header claims `width` x `height` RGB pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """hopper.jpg with its frame header (SOF) rewritten to claim `width` x `height`."""
    data = bytearray(read("hopper.jpg"))
    at = next(i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2))
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def bomb_png() -> bytes:
    """A real 12000 x 12000 one-bit PNG: 144 megapixels in about 20 KB."""
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    return out.getvalue()


def measure(tmp_path: Path, data: bytes, **arguments: object) -> dict[str, object]:
    path = tmp_path / "input"
    path.write_bytes(data)
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), json.dumps(arguments)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr == ""
    result: dict[str, object] = json.loads(run.stdout)
    return result


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_declaring(50000, 50000), "declares more than 179 megapixels, too large: the"),
        (png_declaring(8000, 8000), "is 8000 x 8000 px (64 megapixels), too large: the"),
        (jpeg_declaring(60000, 60000), "declares more than 179 megapixels, too large: the"),
        (jpeg_declaring(9000, 6000), "is 9000 x 6000 px (54 megapixels), too large: the"),
    ],
    ids=["png-50000", "png-8000", "jpeg-60000", "jpeg-9000"],
)
def test_an_image_declaring_too_many_pixels_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=re.escape(f"the image {message} limit is 40 megapixels")):
        derive(data, width=600)


def test_a_real_bomb_is_refused_within_a_small_memory_budget(tmp_path: Path) -> None:
    data = bomb_png()
    assert len(data) < 100_000
    result = measure(tmp_path, data, width=1200, aspect=[2, 1])
    assert result["outcome"] == (
        "ImageError: the image is 12000 x 12000 px (144 megapixels), too large: "
        "the limit is 40 megapixels"
    )
    assert isinstance(result["peak_mb"], float)
    assert result["peak_mb"] < 100  # measured: 18 MB


@pytest.mark.slow
def test_a_large_photo_is_decoded_at_reduced_size(tmp_path: Path) -> None:
    # 36 megapixels, under the limit: JPEG draft mode decodes it at a quarter of the size.
    photo = Image.open(IMAGES / "flower.jpg").resize((6000, 6000), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    del photo
    result = measure(tmp_path, out.getvalue(), width=1200, aspect=[2, 1])
    assert str(result["outcome"]).startswith("jpeg 1200x600 ")
    assert isinstance(result["peak_mb"], float)
    # Measured: 54 MB; decoding it whole, as Pillow does without draft mode, takes 319 MB.
    assert result["peak_mb"] < 150


def test_too_many_frames_are_not_all_decoded() -> None:
    # chi.gif has 31 frames of 320 x 240: over a 10-frame budget only the first is used.
    result = derive(read("chi.gif"), width=200, max_pixels=320 * 240 * 10)
    assert result.format in ("jpeg", "png")


@pytest.mark.parametrize("name", ["truncated.jpg", "flower.jpg"])
def test_a_truncated_jpeg_is_a_clear_error(name: str) -> None:
    data = read(name)
    if name == "flower.jpg":
        data = data[: len(data) // 2]
    with pytest.raises(ImageError, match=r"^the image is damaged or truncated \("):
        derive(data, width=600)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_a_truncated_png_is_a_clear_error() -> None:
    data = read("pil123rgba.png")
    with pytest.raises(ImageError, match="damaged or truncated"):
        derive(data[: len(data) // 2], width=600)


def tiff() -> bytes:
    out = io.BytesIO()
    Image.open(IMAGES / "hopper.jpg").save(out, "TIFF")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"", b"<!doctype html><title>404 Not Found</title>", b"\x89PNG\r\n\x1a\n", tiff()],
    ids=["empty", "html", "png-signature-only", "tiff"],
)
def test_bytes_that_are_not_an_accepted_image_are_a_clear_error(data: bytes) -> None:
    with pytest.raises(ImageError, match=r"^(not an image|the image is damaged)"):
        derive(data, width=600)


def test_an_image_of_zero_pixels_is_a_clear_error() -> None:
    with pytest.raises(ImageError):
        derive(png_declaring(0, 10), width=600)


@pytest.mark.parametrize(
    "arguments",
    [{"width": 0}, {"width": 10, "aspect": (0, 1)}, {"width": 10, "focus": "middle"}],
)
def test_bad_arguments_are_a_programming_error(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError) as caught:
        derive(read("hopper.jpg"), **arguments)  # type: ignore[arg-type]
    assert not isinstance(caught.value, ImageError)


REPRODUCED = [
    ("flower.jpg", {"width": 240, "aspect": (2, 1)}),
    ("sample-xyb.jpg", {"width": 200, "aspect": (1, 1), "focus": (0.3, 0.2)}),
    ("pil_sample_cmyk.jpg", {"width": 64}),
    ("pil123rgba.png", {"width": 100}),
    ("chi.gif", {"width": 160, "aspect": (2, 1)}),
    ("rotation-6.jpg", {"width": 120}),
]

DIGESTS = """
import hashlib, json, sys
from newsletter.build.images import derive
for name, arguments in json.loads(sys.argv[2]):
    if "aspect" in arguments:
        arguments["aspect"] = tuple(arguments["aspect"])
    if isinstance(arguments.get("focus"), list):
        arguments["focus"] = tuple(arguments["focus"])
    data = open(sys.argv[1] + "/" + name, "rb").read()
    print(hashlib.sha256(derive(data, **arguments).data).hexdigest())
"""


def test_the_same_input_gives_the_same_bytes_in_any_process() -> None:
    here = []
    for name, arguments in REPRODUCED:
        first = derive(read(name), **arguments)  # type: ignore[arg-type]
        again = derive(read(name), **arguments)  # type: ignore[arg-type]
        assert first == again
        here.append(hashlib.sha256(first.data).hexdigest())
    run = subprocess.run(
        [sys.executable, "-c", DIGESTS, str(IMAGES), json.dumps(REPRODUCED)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == here
