"""`check --spam`: SpamAssassin run on a message, its local tests only, the same everywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from newsletter.checks.spam import NOT_INSTALLED, Spam, verdict
from newsletter.model.problems import UserError

PLUGIN_FOLDERS = (Path("/etc/spamassassin"), Path("/etc/mail/spamassassin"))
"""Where the stock .pre files, which load SpamAssassin's plugins, are (Debian, elsewhere)."""


def run_spamassassin(message: bytes, home: Path, binary: str) -> str:
    """`spamassassin -L -t` on `message`: network tests off, the machine's own settings left
    out (an empty home, user preferences and site configuration; the stock plugins kept)."""
    site = home / "site"
    site.mkdir(parents=True)
    # The .pre files only load SpamAssassin's plugins; local.cf & co. are the machine's own.
    for folder in PLUGIN_FOLDERS:
        for pre in folder.glob("*.pre"):
            if not (site / pre.name).exists():
                shutil.copy(pre, site / pre.name)
    prefs = home / "user_prefs"
    prefs.write_text("")
    path = os.pathsep.join((str(Path(binary).parent), "/usr/bin", "/bin"))
    try:
        result = subprocess.run(
            [binary, "-L", "-t", "-p", str(prefs), f"--siteconfigpath={site}"],
            input=message,
            capture_output=True,
            env={"HOME": str(home), "PATH": path, "LANG": "C.UTF-8"},
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UserError(f"spamassassin did not run: {e}") from None
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip().splitlines()
        raise UserError(f"spamassassin failed: {said[-1] if said else result.returncode}")
    return result.stdout.decode(errors="replace")


def assess(message: bytes) -> Spam:
    """What SpamAssassin makes of `message`, or a note saying it is not installed."""
    binary = shutil.which("spamassassin")
    if binary is None:
        return Spam(None, note=NOT_INSTALLED)
    with tempfile.TemporaryDirectory(prefix="newsletter-spam-") as home:
        return verdict(run_spamassassin(message, Path(home), binary))
