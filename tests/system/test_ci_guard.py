"""The suite fails in CI when a test is skipped (a browser or server CI should have is missing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_a_skip_fails_the_run_in_ci_only(tmp_path: Path) -> None:
    shutil.copy(Path(__file__).parents[1] / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_skips.py").write_text(
        "import pytest\n\n\ndef test_needs_a_browser():\n"
        "    pytest.skip('chromium is not installed')\n"
    )
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)]
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    root = Path(__file__).parents[2]
    local = subprocess.run(command, env=env, capture_output=True, text=True, cwd=root, check=False)
    assert local.returncode == 0, local.stdout
    ci = subprocess.run(
        command, env={**env, "CI": "true"}, capture_output=True, text=True, cwd=root, check=False
    )
    assert ci.returncode == 1
    assert "CI: 1 tests were skipped; CI must run them all:" in ci.stdout
    assert "test_skips.py::test_needs_a_browser: Skipped: chromium is not installed" in ci.stdout
