"""The pre-send checks, through `newsletter check` run as a user would.

Every check is data: `cases/checks/CODE.yaml` (the code with its `/` written `-`, e.g.
`link-http.yaml` for `link/http`) is a small valid issue that trips the check, and
`cases/checks/pass/CODE.yaml` is the same issue with the problem fixed. A name may add
`.VARIANT` (`image-http.upper-case.yaml`) for more cases of one check, in either folder.
Each case is checked as `issues/2026-11-30.yaml` of the `project` fixture.

A case's first lines are comments; besides prose, they say:

    # expect: CODE LINE    a finding the check must make (line 0: about the built email);
                           trip cases only, one line per finding
    # settings: KEY=VALUE  a setting for this case: a dotted key of newsletter.yaml and a YAML
                           value (`checks.clip_bytes=12000`, `links.unsubscribe=null`)
    # theme: NAME          copy `cases/checks/themes/NAME/` over the project's templates/
    # earlier: FILE        put `cases/checks/earlier/FILE` beside the case in issues/

A trip case must make exactly the expected findings of its code (and of any other code it
expects); a pass case must make none of its code.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

import newsletter.checks.offline
import newsletter.checks.online
from newsletter.cli import cli
from newsletter.model.codes import CODES
from tests.cli.test_checks_compat import COMPAT_CODES
from tests.cli.test_checks_images import KEPT_IMAGE_CODES
from tests.conftest import ISSUE, RunCli

CHECK_CODES = {code for code, about in CODES.items() if about.check}

ROOT = Path(__file__).parents[2]
CASES = Path(__file__).parents[1] / "cases" / "checks"
SCHEMA = ROOT / "newsletter" / "checks" / "report.schema.json"
DIRECTIVE = re.compile(r"# (expect|settings|theme|earlier):\s*(.*?)\s*$")
COLOURED = re.compile(r"\x1b\[[\d;]*m")
ISSUE_NAME = "2026-11-30.yaml"


@dataclass(frozen=True)
class Case:
    """One fixture issue and what its leading comments ask for."""

    path: Path
    expected: tuple[tuple[str, int], ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    theme: str | None = None
    earlier: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """The check the case is about: `link-http.in-intro` -> `link/http`."""
        return self.path.name.split(".")[0].replace("-", "/", 1)

    @property
    def name(self) -> str:
        """The case as pytest shows it: `pass/link-http` for a pass case."""
        stem = self.path.name.removesuffix(".yaml")
        return f"{self.path.parent.name}/{stem}" if self.path.parent.name == "pass" else stem


def read_case(path: Path) -> Case:
    """The case in `path`, with the directives of its leading comments."""
    expected: list[tuple[str, int]] = []
    settings: dict[str, Any] = {}
    theme: str | None = None
    earlier: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = DIRECTIVE.fullmatch(line)
        if match is None:
            continue  # prose: why the case is what it is
        kind, value = match.groups()
        if kind == "expect":
            code, number = value.split()
            expected.append((code, int(number)))
        elif kind == "settings":
            key, _, raw = value.partition("=")
            settings[key] = YAML(typ="safe", pure=True).load(raw)
        elif kind == "theme":
            theme = value
        else:
            earlier.append(value)
    return Case(path, tuple(sorted(expected)), settings, theme, tuple(earlier))


TRIPS = [read_case(p) for p in sorted(CASES.glob("*.yaml"))]
PASSES = [read_case(p) for p in sorted((CASES / "pass").glob("*.yaml"))]


def set_up(project: Path, case: Case) -> str:
    """Make the `project` fixture the case's project; the case's name in issues/."""
    if case.settings:
        configure(project, case.settings)
    if case.theme:
        shutil.copytree(CASES / "themes" / case.theme, project / "templates", dirs_exist_ok=True)
    for name in case.earlier:
        shutil.copyfile(CASES / "earlier" / name, project / "issues" / name)
    # In place of the fixture's issue, whose articles would count as featured before; and
    # named as issues are, since the name is in the links to the web version.
    shutil.copyfile(case.path, project / "issues" / ISSUE_NAME)
    return ISSUE_NAME


def configure(project: Path, settings: dict[str, Any]) -> None:
    """Set dotted keys (`checks.clip_bytes`) of the project's newsletter.yaml."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    path = project / "newsletter.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    for key, value in settings.items():
        *parents, last = key.split(".")
        node = data
        for parent in parents:
            node = node.setdefault(parent, {})
        node[last] = value
    out = io.StringIO()
    yaml.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def check_json(run: RunCli, *args: str) -> dict[str, Any]:
    """The report of `newsletter check --format json ARGS`, its exit status checked."""
    result = run("check", "--format", "json", *args)
    report: dict[str, Any] = json.loads(result.stdout)
    assert result.exit_code == (0 if report["ok"] else 1), result.output
    return report


def found(report: dict[str, Any], codes: set[str]) -> list[tuple[str, int]]:
    """The (code, line) of the report's findings of `codes`; line 0 for the built email."""
    return sorted((f["code"], f["line"] or 0) for f in report["findings"] if f["code"] in codes)


def invalid(report: dict[str, Any]) -> list[str]:
    """What makes a case's issue unusable: a fixture must be a valid issue."""
    return [
        f"{f['file']}:{f['line']}: {f['message']}"
        for f in report["findings"]
        if f["code"] == "issue/invalid"
    ]


@pytest.mark.parametrize("case", TRIPS, ids=lambda c: c.name)
def test_the_case_trips_its_check(project: Path, run: RunCli, case: Case) -> None:
    report = check_json(run, set_up(project, case))
    assert invalid(report) == []
    codes = {case.code} | {code for code, _ in case.expected}
    assert found(report, codes) == list(case.expected)


@pytest.mark.parametrize("case", PASSES, ids=lambda c: c.name)
def test_the_fixed_case_passes_its_check(project: Path, run: RunCli, case: Case) -> None:
    report = check_json(run, set_up(project, case))
    assert invalid(report) == []
    assert [f for f in report["findings"] if f["code"] == case.code] == []


def test_every_check_has_a_case_that_trips_it_and_one_that_passes() -> None:
    # Every check code of the registry but --online's (test_online covers those), --spam's
    # (test_check_spam covers those) and those about kept image files, whose projects need
    # the files (test_checks_images covers those). And the mail-client codes, whose
    # findings depend on the whole theme (test_checks_compat).
    others = KEPT_IMAGE_CODES | COMPAT_CODES | {"spam/score", "spam/rule"}
    codes = {code for code in CHECK_CODES if not code.startswith("online/")} - others
    assert len(codes) >= 24
    online = Path(newsletter.checks.online.__file__).read_text(encoding="utf-8")
    online_codes = set(re.findall(r'"(online/[a-z0-9-]+)"', online))
    assert online_codes == CHECK_CODES - codes - others
    main_trips = {c.path.name for c in TRIPS if "." not in c.path.stem}
    main_passes = {c.path.name for c in PASSES if "." not in c.path.stem}
    assert main_trips == {code.replace("/", "-") + ".yaml" for code in codes}
    assert main_passes == main_trips
    assert {c.code for c in TRIPS + PASSES} <= codes
    for case in TRIPS:
        assert any(code == case.code for code, _ in case.expected), case.name
    for case in PASSES:
        assert case.expected == (), f"{case.name}: a pass case expects no findings"
    themes = {c.theme for c in TRIPS + PASSES if c.theme}
    assert themes == {p.name for p in (CASES / "themes").iterdir()}
    earlier = {name for c in TRIPS + PASSES for name in c.earlier}
    assert earlier == {p.name for p in (CASES / "earlier").iterdir()}


def test_the_placeholders_newsletter_new_writes_are_errors(project: Path, run: RunCli) -> None:
    assert run("new").exit_code == 0
    path = project / "issues" / "2026-12-07.yaml"
    text = path.read_text(encoding="utf-8")
    for n in (1, 2):  # `newsletter add` would fill the empty sections
        story = f"[{{title: Story {n}, url: 'https://example.org/news/{n}', summary: Words.}}]"
        text = text.replace("[]", story, 1)
    path.write_text(text, encoding="utf-8")
    report = check_json(run, "2026-12-07")
    assert invalid(report) == []
    placeholders = [f for f in report["findings"] if f["code"] == "text/placeholder"]
    assert [(f["where"], f["line"], f["severity"]) for f in placeholders] == [
        ("subject", 3, "error"),
        ("preheader", 4, "error"),
        ("intro", 5, "error"),
    ]
    assert not report["ok"]


def test_the_example_issue_has_no_errors(
    tmp_path: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(ROOT / "newsletter.yaml", tmp_path / "newsletter.yaml")
    for folder in ("issues", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    report = check_json(run, "2026-11-30")
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert report["ok"] and report["errors"] == 0
    result = run("check", "2026-11-30")
    assert result.exit_code == 0
    warnings = report["warnings"]
    summary = f"0 errors, {warnings} warning{'' if warnings == 1 else 's'}."
    assert result.stdout.splitlines()[-1] == summary


# The fixture's issue with an error (line 20) after its one warning (line 4: the preheader
# is 38 characters): the text output puts errors first all the same. Its image is not kept
# in the project, which tests of the output silence (test_checks_images is about that).
FAILING = ISSUE.replace("summary: More.", "summary: TODO")
UNKEPT = {"checks.ignore": ["image/not-fetched"]}


def _size(n: int) -> str:
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n} B"


def size_lines(size: dict[str, Any]) -> str:
    """The size part of the text output, from the size part of the JSON output."""
    heaviest = sorted(size["articles"], key=lambda a: -a["bytes"])[:3]
    return (
        f"Size: {_size(size['bytes'])} of {_size(size['clip'])} "
        f"({size['bytes'] / size['clip']:.0%}); an article costs about "
        f"{_size(size['usual_article_bytes'])}: room for {size['room_for_articles']} more.\n"
        "  heaviest: "
        + "; ".join(f"{a['title'][:40]!r} {_size(a['bytes'])} (line {a['line']})" for a in heaviest)
        + "\n  sections: "
        + " · ".join(f"{s['title']} {_size(s['bytes'])}" for s in size["sections"])
        + "\n"
        + images_line(size)
    )


def images_line(size: dict[str, Any]) -> str:
    """The images' line of the text output (none when the email shows no image)."""
    count, elsewhere = size["image_count"], size["images_not_counted"]
    if not count and not elsewhere:
        return ""
    line = f"  images: {_size(size['image_bytes'])} in {count}"
    if heaviest := size["heaviest_image"]:
        title, weight = heaviest["title"][:40], _size(heaviest["bytes"])
        line += f", heaviest {title!r} {weight} (line {heaviest['line']})"
    if elsewhere:
        line += f"; {elsewhere} from the publishers' servers, of unknown size"
    return line + "\n"


def test_the_text_output_puts_errors_first_then_size_then_the_summary(
    project: Path, run: RunCli
) -> None:
    (project / "issues" / "2026-11-30.yaml").write_text(FAILING, encoding="utf-8")
    configure(project, UNKEPT)
    report = check_json(run)
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "issues/2026-11-30.yaml:20:18: error: sections[1].articles[0].summary: "
        "a placeholder is left in: 'TODO' [text/placeholder]\n"
        "issues/2026-11-30.yaml:4:12: warning: preheader: 38 characters; aim for 40 to 150 "
        "[preheader/length]\n" + size_lines(report["size"]) + "1 error, 1 warning.\n"
    )
    assert result.stderr == ""


def test_findings_about_the_built_email_have_no_line(project: Path, run: RunCli) -> None:
    configure(project, {"links.unsubscribe": None})
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "issues/2026-11-30.yaml: error: email.html: no unsubscribe link in the email "
        "(settings: links.unsubscribe) [compliance/unsubscribe]\n"
        "issues/2026-11-30.yaml:4:12: warning: preheader: "
    )


def test_warnings_alone_exit_0_and_1_with_strict(project: Path, run: RunCli) -> None:
    configure(project, UNKEPT)
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout.startswith("issues/2026-11-30.yaml:4:12: warning: preheader: ")
    assert result.stdout.endswith("\n0 errors, 1 warning.\n")
    strict = run("check", "--strict")
    assert strict.exit_code == 1
    assert strict.stdout == result.stdout
    report = check_json(run, "--strict")
    assert (report["ok"], report["errors"], report["warnings"]) == (False, 0, 1)


def invoke(*args: str, color: bool = False, no_color: str | None = None) -> Result:
    """`newsletter ARGS` with click's colour forced on or off, and NO_COLOR set or unset."""
    return CliRunner().invoke(
        cli, list(args), prog_name="newsletter", color=color, env={"NO_COLOR": no_color}
    )


def test_no_colours_when_piped_or_with_no_color(project: Path) -> None:
    (project / "issues" / "2026-11-30.yaml").write_text(FAILING, encoding="utf-8")
    piped = invoke("check")
    assert piped.exit_code == 1
    assert not COLOURED.search(piped.output)
    assert ": error: " in piped.stdout and ": warning: " in piped.stdout
    no_color = invoke("check", color=True, no_color="1")
    assert no_color.output == piped.output


def test_severities_and_summary_are_coloured_on_a_terminal(project: Path) -> None:
    (project / "issues" / "2026-11-30.yaml").write_text(FAILING, encoding="utf-8")
    plain = invoke("check")
    coloured = invoke("check", color=True)
    assert coloured.exit_code == 1
    assert click.unstyle(coloured.stdout) == plain.stdout
    error, warning, *_, summary = coloured.stdout.splitlines()
    assert re.search(r":20:18: (\x1b\[[\d;]*m)+error\x1b\[0m: sections\[1\]", error)
    assert re.search(r":4:12: (\x1b\[[\d;]*m)+warning\x1b\[0m: preheader: ", warning)
    assert COLOURED.match(summary)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    """A validator of the published schema of `check --format json`."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _objects(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value)


def test_the_schema_documents_every_key_and_allows_no_other(
    validator: Draft202012Validator,
) -> None:
    objects = list(_objects(validator.schema))
    assert len(objects) == 6  # the report, a finding, the size, a cost, spam, a rule
    for schema in objects:
        assert schema["additionalProperties"] is False
        assert schema["description"]
        assert sorted(schema["required"]) == sorted(schema["properties"])
        for name, value in schema["properties"].items():
            assert value.get("description"), name


def test_the_json_output_follows_its_schema(
    project: Path, run: RunCli, validator: Draft202012Validator
) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    passing = check_json(run)
    assert passing["ok"] and passing["size"] is not None
    issue.write_text(FAILING, encoding="utf-8")
    failing = check_json(run)
    assert not failing["ok"]
    assert [f for f in failing["findings"] if f["severity"] == "error"] == [
        {
            "code": "text/placeholder",
            "severity": "error",
            "message": "a placeholder is left in: 'TODO'",
            "file": "issues/2026-11-30.yaml",
            "line": 20,
            "column": 18,
            "where": "sections[1].articles[0].summary",
        }
    ]
    for report in (passing, failing):
        assert list(validator.iter_errors(report)) == []


def test_an_invalid_issue_is_json_findings_without_a_size(
    project: Path, run: RunCli, validator: Draft202012Validator
) -> None:
    (project / "issues" / "2026-11-30.yaml").write_text(
        ISSUE.replace("url: https://example.org/news/second", "url: /news/second").replace(
            "subject: A small issue", "subjet: A small issue"
        ),
        encoding="utf-8",
    )
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert list(validator.iter_errors(report)) == []
    assert (report["ok"], report["errors"], report["warnings"], report["size"]) == (
        False,
        3,
        0,
        None,
    )
    location = [(f["code"], f["line"], f["column"], f["where"]) for f in report["findings"]]
    assert location == [
        ("issue/invalid", 1, 1, None),
        ("issue/invalid", 3, 1, None),
        ("issue/invalid", 19, 14, "sections[1].articles[0].url"),
    ]
    assert report["findings"][2]["message"] == (
        "must be an absolute http(s) URL, not the relative '/news/second'"
    )


def test_the_size_adds_up(project: Path, run: RunCli) -> None:
    report = check_json(run)
    size = report["size"]
    assert run("build").exit_code == 0
    html = project / "dist" / "2026-11-30" / "email.html"
    assert size["bytes"] == html.stat().st_size
    assert size["clip"] == 102_000
    costs = [a["bytes"] for a in size["articles"]]
    assert size["usual_article_bytes"] == int(statistics.median(costs))
    assert (
        size["room_for_articles"] == (size["clip"] - size["bytes"]) // size["usual_article_bytes"]
    )
    assert [(s["title"], s["line"]) for s in size["sections"]] == [("Lead story", 7), ("News", 16)]
    assert [(a["title"], a["line"]) for a in size["articles"]] == [
        ("The lead", 10),
        ("Second story", 18),
    ]
    assert all(cost > 0 for cost in costs)
    assert sum(s["bytes"] for s in size["sections"]) < size["bytes"]


# An issue in parts, to leave one out: its articles on another site than the newsletter's,
# four links that export tags with UTM parameters.
UTM_HEAD = """\
number: 7
date: 2026-11-30
subject: A small issue
preheader: Two stories and a link, for the tests.
intro: Hello *readers*.
sections:
"""
UTM_LEAD = """\
  - title: Lead story
    layout: lead
    articles:
      - title: The lead
        url: https://news.example.com/lead
        summary: What happened.
"""
UTM_NEWS = """\
  - title: News
    articles:
"""
UTM_SECOND = """\
      - title: Second story
        url: https://news.example.com/second
        summary: More.
"""
UTM_THIRD = """\
      - title: Third story
        url: https://news.example.com/third
        summary: Even more, says [a blog](https://blog.example.com/post).
"""


def test_with_utm_the_size_is_of_the_html_export_writes(project: Path, run: RunCli) -> None:
    configure(project, {"utm": {"source": "weekly"}})
    issue = project / "issues" / ISSUE_NAME

    def exported(*parts: str) -> int:
        """The bytes of the HTML `export --to html` writes for the issue made of `parts`."""
        issue.write_text("".join(parts), encoding="utf-8")
        result = run("export", "--to", "html")
        assert result.exit_code == 0, result.output
        return (project / "dist" / "2026-11-30" / "html" / "email.html").stat().st_size

    everything = (UTM_HEAD, UTM_LEAD, UTM_NEWS, UTM_SECOND, UTM_THIRD)
    total = exported(*everything)
    size = check_json(run)["size"]
    assert size["bytes"] == total
    assert run("build").exit_code == 0
    assert total > (project / "dist" / "2026-11-30" / "email.html").stat().st_size + 4 * 50
    # What a part costs is what export writes less without it.
    assert [(s["title"], s["bytes"]) for s in size["sections"]] == [
        ("Lead story", total - exported(UTM_HEAD, UTM_NEWS, UTM_SECOND, UTM_THIRD)),
        ("News", total - exported(UTM_HEAD, UTM_LEAD)),
    ]
    news = size["articles"][1:]
    assert [(a["title"], a["bytes"]) for a in news] == [
        ("Second story", total - exported(UTM_HEAD, UTM_LEAD, UTM_NEWS, UTM_THIRD)),
        ("Third story", total - exported(UTM_HEAD, UTM_LEAD, UTM_NEWS, UTM_SECOND)),
    ]
    # The clip checks measure the same HTML.
    issue.write_text("".join(everything), encoding="utf-8")
    configure(project, {"checks.warn_bytes": total - 1, "checks.clip_bytes": total})
    near = [f["message"] for f in check_json(run)["findings"] if f["code"] == "size/near-clip"]
    assert near == [f"the HTML is {total:,} bytes, close to Gmail's clip at {total:,}"]
    configure(project, {"checks.warn_bytes": total - 2, "checks.clip_bytes": total - 1})
    clipped = [f["message"] for f in check_json(run)["findings"] if f["code"] == "size/clipped"]
    assert clipped == [f"the HTML is {total:,} bytes: Gmail clips it after {total - 1:,}"]


def test_ignored_codes_are_silenced(project: Path, run: RunCli) -> None:
    case = read_case(CASES / "link-http.yaml")
    name = set_up(project, case)
    configure(project, {"checks.ignore": ["link/http"]})
    report = check_json(run, name)
    assert report["findings"] == []
    assert report["warnings"] == 0


def test_build_ends_with_a_summary_of_the_checks(project: Path, run: RunCli) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    issue.write_text(FAILING, encoding="utf-8")
    configure(project, UNKEPT)
    result = run("build")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "Checks: 1 error, 1 warning (newsletter check tells more)."
    )
    fixed = ISSUE.replace(
        "Two stories and a link", "The lead story, a second one, and a word from us"
    )
    issue.write_text(fixed.replace("summary: ", "summary: TODO "), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "Checks: 2 errors, 0 warnings (newsletter check tells more)."
    )
    issue.write_text(fixed, encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "Checks: all passed."


def test_a_long_issue_measures_forty_articles_spread_over_it(project: Path, run: RunCli) -> None:
    articles = "".join(
        f"      - title: Story {i:03}\n        url: https://news.example.com/{i}\n"
        f"        summary: Story {i} in a sentence.\n"
        for i in range(100)
    )
    issue = project / "issues" / ISSUE_NAME
    head = issue.read_text(encoding="utf-8").split("sections:")[0]
    issue.write_text(f"{head}sections:\n  - title: News\n    articles:\n{articles}")
    size = check_json(run)["size"]
    titles = [a["title"] for a in size["articles"]]
    assert len(titles) == 40
    assert titles[:3] == ["Story 000", "Story 002", "Story 005"] and titles[-1] == "Story 097"
    assert size["room_for_articles"] > 0 and size["usual_article_bytes"] > 0


def test_the_report_schema_lists_every_code_of_the_registry() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$defs"]["finding"]["properties"]["code"]["enum"] == list(CODES)


def test_an_unreadable_earlier_issue_is_a_warning_and_stops_nothing(
    project: Path, run: RunCli
) -> None:
    """A link loop, a broken file, a directory named like an issue: each earlier one is a
    warning naming it, and every command still works on this week's issue."""
    issues = project / "issues"
    (issues / "2026-11-02.yaml").symlink_to("2026-11-02.yaml")  # a link to itself
    (issues / "2026-11-09.yaml").write_text("number: [8\n", encoding="utf-8")
    (issues / "2026-11-16.yaml").mkdir()
    (issues / "2026-12-07.yaml").write_text("number: [\n", encoding="utf-8")  # next week's
    result = run("check", "2026-11-30")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stdout.splitlines() if "[history/unreadable]" in line]
    assert [line.split(":")[0] for line in warnings] == [
        "issues/2026-11-02.yaml",
        "issues/2026-11-09.yaml",
        "issues/2026-11-16.yaml",
    ]
    assert all("an earlier issue that cannot be read (" in line for line in warnings)
    for command in (["build", "2026-11-30"], ["export", "2026-11-30", "--to", "html"]):
        result = run(*command)
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
    page = project / "page.html"
    page.write_text("<html><head><title>A new story</title></head></html>", encoding="utf-8")
    url = "https://example.org/news/new"
    add = ["add", "--issue", "2026-11-30", "-s", "News", "--file", str(page), "--url", url]
    result = run(*add)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added to News: A new story")


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["400 sections of 1", "1 section of 1500"])
def test_the_size_budget_renders_a_small_multiple_of_one_build(
    project: Path, run: RunCli, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """Each part is measured among its neighbours alone: however long the issue, the budget
    renders a few times the HTML of one build of it, not one build per part."""
    import newsletter.checks.budget
    from newsletter.build.render import render_issue

    many, per = (400, 1) if shape.startswith("400") else (1, 1500)
    sections = "".join(
        f"  - title: Section {s}\n    articles:\n"
        + "".join(
            f"      - title: Story {s}-{a}\n        url: https://news.example.com/{s}/{a}\n"
            f"        summary: Story {a} in a sentence.\n"
            for a in range(per)
        )
        for s in range(many)
    )
    issue = project / "issues" / ISSUE_NAME
    head = issue.read_text(encoding="utf-8").split("sections:")[0]
    issue.write_text(f"{head}sections:\n{sections}", encoding="utf-8")
    rendered: list[int] = []
    real = render_issue

    def counting(*args: Any, **kwargs: Any) -> Any:
        rendition = real(*args, **kwargs)
        rendered.append(len(rendition.html))
        return rendition

    monkeypatch.setattr(newsletter.checks.budget, "render_issue", counting)
    size = check_json(run)["size"]
    assert len(size["sections"]) == min(many, 40) and len(size["articles"]) == 40
    assert len(rendered) == 2 * (min(many, 40) + 40)
    assert sum(rendered) < 3 * size["bytes"]


def test_a_link_out_of_the_project_is_never_read(
    project: Path, run: RunCli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A link committed to the repository must not put another file's text in a message:
    as the settings, as this week's issue, or as an earlier one."""
    secret = tmp_path_factory.mktemp("elsewhere") / "credentials.yaml"
    secret.write_text("password: hunter2\nsubject: [hunter2\n", encoding="utf-8")
    issues = project / "issues"
    (issues / "2026-11-23.yaml").symlink_to(secret)
    result = run("check", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert (
        f"issues/2026-11-23.yaml: warning: an earlier issue that cannot be read (a symbolic"
        f" link to {secret}, outside the project: refused): its articles are not known"
        " [history/unreadable]"
    ) in result.stdout
    (issues / "2026-12-07.yaml").symlink_to(secret)  # the newest, built by default
    result = run("build")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"issues/2026-12-07.yaml: error: a symbolic link to {secret}, outside the project:"
        " refused [file/unreadable]\n1 problem found; nothing was written.\n"
    )
    (issues / "2026-12-07.yaml").unlink()
    settings = project / "newsletter.yaml"
    settings.unlink()
    settings.symlink_to(secret)
    result = run("build")
    assert result.exit_code == 1 and "hunter2" not in result.output
    assert result.stderr.startswith(f"newsletter.yaml: error: a symbolic link to {secret}")
