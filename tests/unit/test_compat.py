"""The mail-client check: the caniemail snapshot, what it finds in HTML, and its script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsletter.checks import compat

pytestmark = pytest.mark.compat

ROOT = Path(__file__).parents[2]
MIRROR = Path("/work/.mirror/hteumeuleu+caniemail/repo")


def test_the_snapshot_loads_with_its_licence_and_the_default_clients() -> None:
    data = compat.snapshot()
    assert len(data.commit) == 40
    shipped = json.loads((ROOT / "newsletter/checks/caniemail.json").read_text(encoding="utf-8"))
    assert shipped["licence"].startswith("MIT License\n\nCopyright (c) 2019 Rémi Parmentier")
    assert data.clients["outlook/windows"] == "Outlook Windows"
    assert data.features["css-display-flex"].failing["outlook/windows"].support == "n"
    assert not set(data.features) & compat.LEFT_OUT


def test_flex_in_a_style_attribute_and_a_stylesheet_is_found() -> None:
    html = (
        "<html><head><style>.row { display: flex; gap: 8px } a:hover { color: red }"
        " @media (max-width: 480px) { .x { float: left } }</style></head><body>"
        '<div style="display:flex; mso-hide:all; border-radius: 4px">x</div>'
        "<!--[if mso]><table><tr><td>Outlook</td></tr></table><![endif]--></body></html>"
    )
    found = compat.used(html)
    assert found["css-display-flex"] == "display:flex"
    assert found["css-border-radius"] == "border-radius:4px"
    assert found["css-gap"] == "gap:8px"
    assert "css-pseudo-class-hover" in found
    assert "css-float" not in found  # inside @media: a responsive extra
    assert "html-table" not in found  # Outlook's own code
    assert not any(slug.startswith("css-mso") for slug in found)


def test_a_hidden_element_s_hiding_styles_are_no_layout() -> None:
    found = compat.used('<div style="display:none; max-height:0; opacity:0">pre</div>')
    assert "css-display-none" in found
    assert "css-opacity" not in found and "css-max-height" not in found


def test_a_client_of_the_snapshot_has_its_name_and_notes() -> None:
    feature = compat.snapshot().features["css-display"]
    gmail = feature.failing["gmail/ios"]
    assert gmail.support == "a"
    assert any("non Google accounts" in note for note in gmail.notes)


@pytest.mark.skipif(not MIRROR.is_dir(), reason=f"no caniemail copy at {MIRROR} (CI has none)")
def test_the_script_rebuilds_the_shipped_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "caniemail.json"
    script = ROOT / "scripts" / "caniemail.py"
    done = subprocess.run(
        [sys.executable, str(script), str(MIRROR), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shipped = (ROOT / "newsletter" / "checks" / "caniemail.json").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == shipped
