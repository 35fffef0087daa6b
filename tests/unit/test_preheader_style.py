"""The hidden preheader: hidden in every client, yet no white-on-light text for spam filters."""

from __future__ import annotations

import re
from pathlib import Path

from newsletter.build.mjml import compile_mjml
from newsletter.build.theme import Theme

MRML_STYLE = (
    "display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;"
    "opacity:0;overflow:hidden;"
)
MJML = f"""<mjml><mj-head><mj-preview>Moscow weighs a summit</mj-preview></mj-head>
<mj-body background-color="#f3f4f6"><mj-section><mj-column>
<mj-text><div style="{MRML_STYLE}">kept</div></mj-text>
</mj-column></mj-section></mj-body></mjml>"""


def _hidden(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<div style="(display:none;[^"]*)">([^<]*)</div>', html)


def test_the_preheader_is_hidden_without_a_colour(tmp_path: Path) -> None:
    html = compile_mjml(MJML, Theme((tmp_path,)), "issue.mjml.j2")
    preheader, written = _hidden(html)
    assert preheader == (
        "display:none;max-height:0;overflow:hidden;mso-hide:all",
        "Moscow weighs a summit",
    )
    # Only MRML's own preview div changes: the same style written in the theme stays.
    assert written[1] == "kept"
    assert written[0] == MRML_STYLE
