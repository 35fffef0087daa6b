"""What is not a regular file is refused at once; a reused anchor prints nothing; too many
values are called what they are."""

from __future__ import annotations

import os
import socket
import threading
import warnings
from pathlib import Path

import pytest

from newsletter.build.yamlfile import read_yaml
from newsletter.model.problems import ProblemsError
from tests.conftest import ISSUE, located


def _refused(path: Path) -> list[str]:
    """The problems of reading `path`, failing the test if reading blocks."""
    outcome: list[list[str]] = []

    def read() -> None:
        try:
            read_yaml(path, path.name)
            outcome.append([])
        except ProblemsError as e:
            outcome.append([located(p) for p in e.problems])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # blocked opening a named pipe: let it go, and fail
        with open(path, "wb"):
            pass
        pytest.fail(f"reading {path.name} blocked")
    return outcome[0]


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    assert _refused(tmp_path / "pipe.yaml") == ["pipe.yaml: not a regular file but a named pipe"]


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    assert _refused(tmp_path / "folder.yaml") == ["folder.yaml: not a regular file but a folder"]


def test_a_device_is_refused_without_reading_it() -> None:
    assert _refused(Path("/dev/zero")) == ["zero: not a regular file but a device"]


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert _refused(path) == ["s.yaml: not a regular file but a socket"]


def test_a_link_to_a_named_pipe_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "pipe")
    assert _refused(tmp_path / "link.yaml") == ["link.yaml: not a regular file but a named pipe"]


def test_symbolic_links_in_a_loop_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert _refused(tmp_path / "a.yaml") == [
        "a.yaml: cannot read the file: its symbolic links go round in a loop"
    ]


def test_a_link_to_nothing_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert _refused(tmp_path / "gone.yaml") == [
        "gone.yaml: cannot read the file: No such file or directory"
    ]


def test_a_link_to_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "issue.yaml").write_text(ISSUE)
    (tmp_path / "link.yaml").symlink_to(tmp_path / "issue.yaml")
    assert _refused(tmp_path / "link.yaml") == []


REUSED_ANCHOR = ISSUE.replace("source: example.org", "source: &s example.org").replace(
    "summary: More.", "summary: &s More.\n        source: *s"
)


def test_a_reused_anchor_is_valid_yaml_and_prints_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # YAML 1.2: an anchor may be defined again; an alias names the latest definition.
    path = tmp_path / "issue.yaml"
    path.write_text(REUSED_ANCHOR)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = read_yaml(path).data
    assert data["sections"][1]["articles"][0]["source"] == "More."
    assert caught == []
    assert capfd.readouterr() == ("", "")


def _size_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(ProblemsError) as raised:
        read_yaml(path, path.name)
    return [located(p) for p in raised.value.problems]


@pytest.mark.slow
def test_a_file_of_too_many_values_says_so_without_blaming_aliases(tmp_path: Path) -> None:
    text = "items:\n" + "- 1\n" * 100_001
    assert _size_problems(tmp_path, text) == [
        "big.yaml:1:1: the file has more than 100,000 values; is it the right file?"
    ]


@pytest.mark.slow
def test_aliases_that_expand_past_the_limit_are_named(tmp_path: Path) -> None:
    text = "a: &a\n" + "- 1\n" * 60_000 + "b: *a\n"
    assert _size_problems(tmp_path, text) == [
        "big.yaml:1:1: the file expands to more than 100,000 values through YAML aliases (*name)"
    ]


def test_an_alias_to_long_text_repeated_is_named(tmp_path: Path) -> None:
    text = "a: &a " + "x" * 500_000 + "\nb: [" + ", ".join(["*a"] * 5) + "]\n"
    assert _size_problems(tmp_path, text) == [
        "big.yaml:1:1: the file expands to more than 2 MB of text through YAML aliases (*name)"
    ]
