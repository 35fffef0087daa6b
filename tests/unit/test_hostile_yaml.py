"""Hostile YAML: nesting that would crash libyaml is one located problem."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.build.yamlfast import shallow
from newsletter.build.yamlfile import parse_yaml
from newsletter.model.problems import ProblemsError
from tests.conftest import SETTINGS, located

DEEP = 30_000
"""Levels of nesting: 60 KB of `[`, and a crash of libyaml's composer (exit 139)."""

TOO_DEEP = "the YAML nests more than 64 levels deep here"

# Every way to nest, each as deep as it goes, and where the 65th level starts.
SHAPES = {
    "flow-list": ("intro: " + "[" * DEEP + "]" * DEEP + "\n", "1:71"),
    "flow-mapping": ("intro: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n", "1:257"),
    "compact-list": ("intro:\n" + "- " * DEEP + "x\n", "2:127"),
    "explicit-values": ("? a\n" + ": " * DEEP + "x\n", "2:127"),
    "block-mapping": ("".join(" " * i + "a:\n" for i in range(1_000)), "64:64"),
    "list-in-mapping": ("".join(" " * (2 * i) + "- a:\n" for i in range(500)), "32:65"),
    "block-then-flow": ("- " * 10_000 + "[{a: " * 10_000 + "1" + "}]" * 10_000 + "\n", "1:129"),
    "carriage-returns": ("".join(" " * i + "a:\r" for i in range(1_000)), "64:64"),
    "flow-over-lines": ("[\n" * DEEP + "]\n" * DEEP, "65:1"),
}


def _load_in_a_child(paths: dict[str, Path]) -> dict[str, list[str]]:
    """Each file's problems, loaded in another process: a crash there must not end this one."""
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from newsletter.build.load import load_issue, load_settings\n"
        "from newsletter.model.problems import ProblemsError\n"
        "out = {}\n"
        "for name, path in json.loads(sys.argv[1]).items():\n"
        "    load = load_settings if name.startswith('settings') else load_issue\n"
        "    try:\n"
        "        load(Path(path), Path(path).name)\n"
        "        out[name] = []\n"
        "    except ProblemsError as e:\n"
        "        out[name] = [str(p) for p in e.problems]\n"
        "print(json.dumps(out))\n"
    )
    arguments = json.dumps({name: str(path) for name, path in paths.items()})
    result = subprocess.run(
        [sys.executable, "-c", script, arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    return loaded


@pytest.fixture(scope="module")
def deep_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("deep")
    paths = {}
    for name, (text, _) in SHAPES.items():
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_bytes(text.encode())
    paths["settings"] = folder / "newsletter.yaml"
    paths["settings"].write_text(SETTINGS + "brand: " + "[" * DEEP + "]" * DEEP + "\n")
    return _load_in_a_child(paths)


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_deep_nesting_is_one_problem_where_it_goes_too_deep(
    deep_results: dict[str, list[str]], shape: str
) -> None:
    place = SHAPES[shape][1]
    assert deep_results[shape] == [f"{shape}.yaml:{place}: error: {TOO_DEEP} [yaml/syntax]"]


@pytest.mark.slow
def test_deep_settings_are_one_problem(deep_results: dict[str, list[str]]) -> None:
    assert deep_results["settings"] == [f"newsletter.yaml:11:71: error: {TOO_DEEP} [yaml/syntax]"]


@pytest.mark.parametrize("shape", SHAPES)
def test_deep_text_never_reaches_libyaml(shape: str) -> None:
    assert not shallow(SHAPES[shape][0])


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])
def test_every_line_break_libyaml_knows_starts_a_line(line_break: str) -> None:
    assert shallow(f"a:{line_break}" + " " * 29 + "- x")
    assert not shallow(f"a:{line_break}" + " " * 30 + "- x")
    assert not shallow(f"a:{line_break}" + "- " * 16 + "x")


def test_the_deepest_text_libyaml_is_given_fits_a_small_thread_stack(tmp_path: Path) -> None:
    # Two levels in each of 31 columns (a mapping, and the list that is its value), then 128
    # brackets: the most nesting `shallow` lets through, composed on a 128 KB stack.
    lines = [line for c in range(31) for line in (" " * c + "a:", " " * c + "-")]
    text = "\n".join([*lines, " " * 31 + "[" * 128 + "]" * 128]) + "\n"
    assert shallow(text)
    path = tmp_path / "deepest.yaml"
    path.write_text(text)
    script = (
        "import sys, threading\n"
        "from ruamel.yaml import YAML\n"
        "text = open(sys.argv[1]).read()\n"
        "threading.stack_size(128 * 1024)\n"
        "t = threading.Thread(target=lambda: YAML(typ='safe', pure=False).compose(text))\n"
        "t.start()\n"
        "t.join()\n"
        "print('composed')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "composed\n"), result.stderr


WRAPS: dict[str, tuple[Callable[[int], str], int]] = {
    "flow-list": (lambda n: "[" * n + "1" + "]" * n, 65),
    "flow-mapping": (lambda n: "{a: " * n + "1" + "}" * n, 254),
    "block-list": (lambda n: "- " * n + "1", 129),
}
"""n levels below the top, and the column where the 65th level starts."""


@pytest.mark.parametrize("wrap", WRAPS)
def test_both_parsers_take_64_levels_and_refuse_65_at_the_same_place(wrap: str) -> None:
    nest, column = WRAPS[wrap]
    fast = parse_yaml(nest(63).encode(), "ok.yaml")
    # libyaml reads 64 levels of brackets; 64 of blocks need more columns than it is given.
    assert (fast.marks is not None) == wrap.startswith("flow")
    assert fast.data == parse_yaml(nest(63).encode(), "ok.yaml", roundtrip=True).data
    refused = []
    for roundtrip in (False, True):
        with pytest.raises(ProblemsError) as raised:
            parse_yaml(nest(64).encode(), "deep.yaml", roundtrip=roundtrip)
        refused.append([located(p) for p in raised.value.problems])
    assert refused == [[f"deep.yaml:1:{column}: {TOO_DEEP}"]] * 2
