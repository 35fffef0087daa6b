"""`newsletter new`: the next issue's file, from the newest one."""

from __future__ import annotations

import datetime as dt
import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from newsletter.model.issue import Issue
from newsletter.model.problems import UserError

PLACEHOLDER = "TODO"
"""What `newsletter new` writes where the editor must: the pre-send checks refuse it."""

MODELINE = "# yaml-language-server: $schema="


def next_issue(newest: Issue, newest_text: str, date: dt.date | None) -> tuple[str, str]:
    """The file name and text of the issue after `newest`: number + 1, a week later (or
    `date`), the same sections and layouts, empty, with placeholders to replace."""
    try:
        when = date or newest.date + dt.timedelta(days=7)
    except OverflowError:
        message = f"issue {newest.number} is dated {newest.date}: no week comes after it"
        raise UserError(message) from None
    if when <= newest.date:
        raise UserError(
            f"--date {when.isoformat()} is not after issue {newest.number}"
            f" of {newest.date.isoformat()}: a new issue comes after the newest one"
        )
    issue = CommentedMap()
    issue["number"] = newest.number + 1
    issue["date"] = when
    issue["subject"] = f"{PLACEHOLDER}: the subject line"
    issue["preheader"] = f"{PLACEHOLDER}: the preview text shown after the subject"
    issue["intro"] = f"{PLACEHOLDER}: a few sentences from the editor."
    sections = CommentedSeq()
    for section in newest.sections:
        entry = CommentedMap(title=section.title, layout=section.layout)
        entry["articles"] = CommentedSeq()
        entry["articles"].fa.set_flow_style()
        sections.append(entry)
    issue["sections"] = sections
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    first = newest_text.splitlines()[0] if newest_text else ""
    if first.startswith(MODELINE):
        stream.write(first + "\n")
    yaml.dump(issue, stream)
    return f"{when.isoformat()}.yaml", stream.getvalue()
