"""The JSON Schema of the issue format, for completion and live validation in editors."""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from newsletter.model.issue import Issue

DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema draft the schema is written in."""

TITLE = "newsletter issue"


class _Generator(GenerateJsonSchema):
    """Pydantic's generator without the titles it makes up from field names ("Image Alt").

    Editors show a property's title above its description; the description says more.
    """

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def issue_schema(layouts: frozenset[str] | None) -> dict[str, Any]:
    """The JSON Schema of an issue file; a section's layout must be one of `layouts`, if any."""
    generated = Issue.model_json_schema(schema_generator=_Generator)
    if layouts:
        # Like load_issue: an empty set of layouts restricts nothing.
        layout = generated["$defs"]["Section"]["properties"]["layout"]
        layout.pop("minLength", None)
        layout["enum"] = sorted(layouts)
    # The issue's own keys first, the definitions they refer to last: easier to read.
    definitions = generated.pop("$defs")
    del generated["title"]
    return {"$schema": DIALECT, "title": TITLE, **generated, "$defs": definitions}


def issue_schema_text(layouts: frozenset[str] | None) -> str:
    """The schema as the JSON file editors read: indented, UTF-8, ending with a newline."""
    return json.dumps(issue_schema(layouts), indent=2, ensure_ascii=False) + "\n"
