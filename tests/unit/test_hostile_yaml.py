"""Hostile YAML: nesting that would crash libyaml, and shapes that crashed the loader, are each
one located problem."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.build.load import load_issue, load_settings
from newsletter.build.yamlfast import shallow
from newsletter.build.yamlfile import parse_yaml
from newsletter.model.problems import ProblemsError
from tests.conftest import ISSUE, SETTINGS, located

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


def _issue_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "issue.yaml"
    path.write_bytes(text.encode())
    with pytest.raises(ProblemsError) as raised:
        load_issue(path, path.name)
    return [located(p) for p in raised.value.problems]


def _settings_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "newsletter.yaml"
    path.write_text(SETTINGS.replace("theme: templates\n", "") + text)
    with pytest.raises(ProblemsError) as raised:
        load_settings(path, path.name)
    return [located(p) for p in raised.value.problems]


BAD_NUMBER = "number: expected a whole number, got"


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("-0x" + "f" * 4_000, f"{BAD_NUMBER} '-0xffffffffffffffffffffffffffffffffff...'"),
        ("0x" + "f" * 4_000, f"{BAD_NUMBER} '0xfffffffffffffffffffffffffffffffffff...'"),
        ("0o" + "7" * 6_000, f"{BAD_NUMBER} '0o77777777777777777777777777777777777...'"),
        ("0b" + "1" * 20_000, f"{BAD_NUMBER} '0b11111111111111111111111111111111111...'"),
        ("9" * 5_000, f"{BAD_NUMBER} '9999999999999999999999999999999999999...'"),
        ("1" + "0" * 400 + ".5", f"{BAD_NUMBER} a number (inf)"),
        (".inf", f"{BAD_NUMBER} a number (inf)"),
        ("-.Inf", f"{BAD_NUMBER} a number (-inf)"),
        (".nan", f"{BAD_NUMBER} a number (nan)"),
    ],
    ids=[
        "hex-negative",
        "hex",
        "octal",
        "binary",
        "decimal",
        "float-overflow",
        "inf",
        "minus-inf",
        "nan",
    ],
)
def test_a_number_no_issue_has_is_a_located_problem(
    tmp_path: Path, number: str, problem: str
) -> None:
    text = ISSUE.replace("number: 7", f"number: {number}")
    assert _issue_problems(tmp_path, text) == [f"issue.yaml:1:9: {problem}"]


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.3", "2.0"])
def test_a_yaml_version_other_than_1_2_is_refused_by_both_parsers(
    version: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # In YAML 1.1, yes is true and 010 is eight; ruamel warned on stderr about 1e3, and
    # failed an assertion on 1.0 and 1.3; libyaml read the file as 1.2 all the same.
    raw = f"# An issue\n%YAML {version}\n---\n{ISSUE}sponsored: yes\nx: 1e3\n".encode()
    for roundtrip in (False, True):
        with pytest.raises(ProblemsError) as raised:
            parse_yaml(raw, "issue.yaml", roundtrip=roundtrip)
        assert [located(p) for p in raised.value.problems] == [
            f"issue.yaml:2:1: %YAML {version}: the files are read as YAML 1.2; remove this line"
        ]
    assert capfd.readouterr() == ("", "")
    assert parse_yaml(b"%YAML 1.2\n---\nx: 1e3\n", "issue.yaml").data == {"x": 1000.0}


def test_settings_numbers_that_are_no_numbers(tmp_path: Path) -> None:
    text = (
        "archive:\n  feed_entries: .inf\nexport:\n  listmonk_lists: [.nan, 0x" + "f" * 5000 + "]\n"
    )
    assert _settings_problems(tmp_path, text) == [
        "newsletter.yaml:11:17: archive.feed_entries: expected a whole number, got a number (inf)",
        "newsletter.yaml:13:20: export.listmonk_lists[0]: expected a whole number, got a number"
        " (nan)",
        "newsletter.yaml:13:26: export.listmonk_lists[1]: expected a whole number, got"
        " '0xfffffffffffffffffffffffffffffffffff...'",
    ]


IN_ITSELF = "the alias *a is inside the value it names, which would never end"
NOT_A_KEY = "a list or a mapping cannot be a key; a key is a word such as title"


@pytest.mark.parametrize(
    ("extra", "place", "message"),
    [
        ("a: &a\n  <<: *a\n", "22:7", IN_ITSELF),
        ("a: &a\n  <<: [*a]\n", "22:8", IN_ITSELF),
        ("a: &a [*a]\n", "21:8", IN_ITSELF),
        ("a: &a {b: [1, *a]}\n", "21:15", IN_ITSELF),
        ("[[]]: 1\n", "21:1", NOT_A_KEY),
        ("[{}]: 1\n", "21:1", NOT_A_KEY),
        ("{a: 1}: 2\n", "21:1", NOT_A_KEY),
        ("? - a\n: 1\n", "21:3", NOT_A_KEY),
        ("a: &a [1]\n*a : 2\n", "22:1", NOT_A_KEY),
    ],
    ids=[
        "merge-into-itself",
        "merge-list-into-itself",
        "list-in-itself",
        "mapping-in-itself",
        "list-in-list-key",
        "mapping-in-list-key",
        "mapping-key",
        "block-list-key",
        "alias-key",
    ],
)
def test_aliases_in_themselves_and_collections_as_keys(
    tmp_path: Path, extra: str, place: str, message: str
) -> None:
    assert _issue_problems(tmp_path, ISSUE + extra) == [f"issue.yaml:{place}: {message}"]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/name:os.system x", "!!python/name:os.system"),
        (
            "!<tag:yaml.org,2002:python/object/apply:os.system> [ls]",
            "!<tag:yaml.org,2002:python/object/app...",
        ),
        ('!!float ""', "!!float"),
        ('!<tag:yaml.org,2002:float> ""', "!<tag:yaml.org,2002:float>"),
        ('!!int "x"', "!!int"),
        ("!<tag:yaml.org,2002:bool> maybe", "!<tag:yaml.org,2002:bool>"),
        ("!!str 12", "!!str"),
        ("&a !!str 12", "!!str"),
    ],
)
def test_every_explicit_tag_is_refused_by_both_parsers(value: str, tag: str) -> None:
    raw = ISSUE.replace("subject: A small issue", f"subject: {value}").encode()
    for roundtrip in (False, True):
        with pytest.raises(ProblemsError) as raised:
            parse_yaml(raw, "issue.yaml", roundtrip=roundtrip)
        assert [located(p) for p in raised.value.problems] == [
            f"issue.yaml:3:10: YAML tag {tag!r} is not allowed: write plain values"
        ]


@pytest.mark.parametrize(
    "text", ["intro: Bonjour ! Vraiment ?!\n", "intro: Wow! What?! Really -!\n"]
)
def test_an_exclamation_mark_in_text_keeps_the_fast_parser(text: str) -> None:
    assert parse_yaml(text.encode(), "issue.yaml").marks is not None


def test_dates_with_absurd_years_or_times_are_located(tmp_path: Path) -> None:
    text = ISSUE.replace("date: 2026-11-30", "date: 99999-01-01T25:61:61.9999999999Z")
    assert _issue_problems(tmp_path, text) == [
        "issue.yaml:2:7: date: not a valid date: '99999-01-01T25:61:61.9999999999Z' (write it"
        " as YYYY-MM-DD)"
    ]


def test_a_key_too_long_for_yaml_says_so(tmp_path: Path) -> None:
    text = ISSUE + "k" * 2_000 + ": 1\n"
    assert _issue_problems(tmp_path, text) == [
        "issue.yaml:21:1: YAML syntax error: a key longer than 1,024 characters, YAML's limit"
        " for a key"
    ]


def test_long_keys_and_values_are_cut_short_in_messages(tmp_path: Path) -> None:
    text = ISSUE + "? " + "k" * 200_000 + "\n: 1\n"
    assert _issue_problems(tmp_path, text) == [
        "issue.yaml:21:3: unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'"
    ]
    email = "x" * 100_000
    settings = _settings_problems(tmp_path, f"brand:\n  color: '{email}'\n")
    assert settings == [
        'newsletter.yaml:11:10: brand.color: must be a hex colour such as "#0b5394", not'
        " 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
    ]


def test_a_key_merged_in_is_located_at_its_mapping(tmp_path: Path) -> None:
    text = ISSUE.replace(
        "    articles:\n      - title: Second",
        "    ? <<\n    : {x: 1}\n    articles:\n      - title: Second",
        1,
    )
    assert _issue_problems(tmp_path, text) == ["issue.yaml:16:5: sections[1]: unknown key 'x'"]
