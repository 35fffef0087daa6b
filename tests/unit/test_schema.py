"""`newsletter schema`: the JSON Schema editors validate issue files with while typing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from newsletter.build.theme import Theme
from newsletter.build.yamlfile import read_yaml
from newsletter.model.jsonschema import issue_schema
from tests.conftest import RunCli

ROOT = Path(__file__).parents[2]
TESTS = Path(__file__).parents[1]
VALID = [ROOT / "issues" / "2026-11-30.yaml", *sorted((TESTS / "golden" / "issues").glob("*.yaml"))]
INVALID = TESTS / "cases" / "invalid"

REJECTED = {
    # case in tests/cases/invalid/: (where in the issue, the schema keyword that refuses it)
    "unknown-key": ("sections/0/articles/0", "additionalProperties"),
    "missing-article-url": ("sections/0/articles/0", "required"),
    "type-number-given-text": ("number", "type"),
    "number-boolean": ("number", "type"),
    "number-zero": ("number", "minimum"),
    "url-relative": ("sections/0/articles/0/url", "pattern"),
    "url-javascript": ("sections/0/articles/0/url", "pattern"),
    "unknown-layout": ("sections/0/layout", "enum"),
    "date-slashes": ("date", "pattern"),
}


def _data(path: Path) -> Any:
    """An issue as an editor's YAML support sees it: plain JSON data, dates as text."""
    return json.loads(json.dumps(read_yaml(path).data))


def _validator(root: Path) -> Draft202012Validator:
    """A validator for the schema of the project in `root`."""
    schema = issue_schema(Theme.load(root / "templates").layouts)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_schema_prints_the_schema_with_the_theme_layouts(project: Path, run: RunCli) -> None:
    result = run("schema")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    schema = json.loads(result.stdout)
    assert schema == issue_schema(Theme.load(project / "templates").layouts)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "newsletter issue"
    assert "$id" not in schema
    layout = schema["$defs"]["Section"]["properties"]["layout"]
    assert layout["enum"] == ["compact", "lead", "list"]
    assert layout["description"].startswith("How the theme lays out the articles")
    assert schema["properties"]["number"]["description"] == "The issue number."


def test_schema_outside_a_project_allows_any_layout(
    tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema == issue_schema(None)
    assert "enum" not in schema["$defs"]["Section"]["properties"]["layout"]


def test_schema_is_the_same_every_time(project: Path, run: RunCli) -> None:
    assert run("schema").stdout == run("schema").stdout
    assert json.dumps(issue_schema(frozenset({"b", "a"}))) == json.dumps(
        issue_schema(frozenset({"a", "b"}))
    )


def test_schema_output_writes_the_file(project: Path, run: RunCli) -> None:
    result = run("schema", "-o", "editor/issue.schema.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Wrote editor/issue.schema.json\n"
    written = (project / "editor" / "issue.schema.json").read_text(encoding="utf-8")
    assert written == run("schema").stdout


def test_the_committed_schema_is_up_to_date(run: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    committed = (ROOT / "issue.schema.json").read_text(encoding="utf-8")
    assert committed == run("schema").stdout, (
        "issue.schema.json is out of date with the model or the theme's layouts; regenerate it "
        "in the repository with `.venv/bin/newsletter schema -o issue.schema.json`"
    )


def test_every_unknown_key_is_forbidden() -> None:
    schema = issue_schema(None)
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        assert definition["additionalProperties"] is False, name


def test_the_example_issue_points_at_the_schema() -> None:
    first = (ROOT / "issues" / "2026-11-30.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../issue.schema.json"


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_schema_accepts_a_valid_issue(path: Path) -> None:
    errors = [e.message for e in _validator(ROOT).iter_errors(_data(path))]
    assert errors == []


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_the_schema_rejects_an_invalid_issue(case: str) -> None:
    where, keyword = REJECTED[case]
    errors = _validator(ROOT).iter_errors(_data(INVALID / f"{case}.yaml"))
    found = {("/".join(str(part) for part in e.absolute_path), str(e.validator)) for e in errors}
    assert (where, keyword) in found
