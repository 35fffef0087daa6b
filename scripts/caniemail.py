"""Rebuild `newsletter/checks/caniemail.json`, the caniemail.com data `newsletter check` ships.

caniemail.com (https://github.com/hteumeuleu/caniemail, MIT licence) says, for each HTML and
CSS feature, which mail clients support it. This script reads a copy of that repository,
either a checkout or a bare git directory, and writes the snapshot the compat check reads:
the commit it came from, its licence notice, the client/platform names of the widely used
clients (FAMILIES: what `checks.clients` accepts), and for each feature the check reports
(`compat.considered`) the clients whose latest test says it is not supported ("n") or partly
("a"), with the notes that say how. Features every client supports are left out.

    git clone https://github.com/hteumeuleu/caniemail /tmp/caniemail
    python scripts/caniemail.py /tmp/caniemail

Options: `--out PATH` writes elsewhere (default: the package's snapshot); `--check` writes
nothing and exits 1 when the snapshot differs from what the copy gives.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).parents[1]))
from newsletter.checks.compat import considered

SNAPSHOT = Path(__file__).parents[1] / "newsletter" / "checks" / "caniemail.json"
SOURCE = "https://github.com/hteumeuleu/caniemail"
FRONT_MATTER = re.compile(r"---\s*\n(.*?)\n---\s*(?:\n|$)", re.S)
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
FAMILIES = (
    "apple-mail", "gmail", "outlook", "yahoo", "aol", "samsung-email", "thunderbird",
    "protonmail", "fastmail", "hey",
)  # fmt: skip
"""The clients kept: the widely used ones, not the regional webmails (SFR, Orange, GMX...)."""


class Copy:
    """A caniemail checkout (with `_features/`) or its bare git directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.checkout = (path / "_features").is_dir()

    def _git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def commit(self) -> str:
        return self._git("rev-parse", "HEAD").strip()

    def names(self, folder: str) -> list[str]:
        if self.checkout:
            return sorted(f"{folder}/{p.name}" for p in (self.path / folder).iterdir())
        return sorted(self._git("ls-tree", "-r", "--name-only", "HEAD", folder).split())

    def read(self, name: str) -> str:
        if self.checkout:
            return (self.path / name).read_text(encoding="utf-8")
        return self._git("show", f"HEAD:{name}")


def _yaml(text: str) -> Any:
    # Some feature files indent with tabs or repeat a key: YAML refuses both.
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = True
    return yaml.load(text.replace("\t", "    "))


def _latest(versions: dict[Any, Any]) -> tuple[str, str, list[int]]:
    """The last version tested (caniemail lists them oldest first): version, support, notes."""
    version, value = list(versions.items())[-1]
    words = str(value).split()
    notes = [int(w[1:]) for w in words[1:] if re.fullmatch(r"#\d+", w)]
    return str(version), words[0] if words else "u", notes


def snapshot(copy: Copy) -> dict[str, Any]:
    """The snapshot of `copy`: only what the compat check reads."""
    nice = _yaml(copy.read("_data/nicenames.yml"))
    clients: dict[str, str] = {}
    features: dict[str, Any] = {}
    for name in copy.names("_features"):
        slug = Path(name).stem
        match = FRONT_MATTER.match(copy.read(name))
        data = _yaml(match.group(1)) if match else {}
        notes = {int(k): str(v) for k, v in (data.get("notes_by_num") or {}).items()}
        failing: dict[str, Any] = {}
        for family, platforms in (data.get("stats") or {}).items():
            if family not in FAMILIES:
                continue
            for platform, versions in (platforms or {}).items():
                client = f"{family}/{platform}"
                family_name = nice["family"].get(family, family)
                platform_name = nice["platform"].get(platform, platform)
                clients[client] = (
                    platform_name
                    if platform_name.startswith(family_name)
                    else f"{family_name} {platform_name}"
                )
                if not versions:
                    continue
                version, support, numbers = _latest(versions)
                if support in ("n", "a") and considered(slug):
                    failing[client] = [version, support, [n for n in numbers if n in notes]]
        if failing:
            said = sorted({n for _, _, numbers in failing.values() for n in numbers})
            features[slug] = {
                "title": str(data.get("title", slug)),
                "notes": {str(n): MARKDOWN_LINK.sub(r"\1", notes[n]).strip() for n in said},
                "failing": failing,
            }
    return {
        "source": SOURCE,
        "commit": copy.commit(),
        "licence": copy.read("LICENSE").strip(),
        "clients": dict(sorted(clients.items())),
        "features": features,
    }


def dumps(data: dict[str, Any]) -> str:
    """The snapshot as written: sorted keys, one line per client, a final newline."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    # A client's result on one line: ["2019", "a", [4, 5]].
    return re.sub(r"\[\s+([^\[\]]*?\[[^\[\]]*\])\s+\]", _one_line, text) + "\n"


def _one_line(match: re.Match[str]) -> str:
    return "[" + re.sub(r"\s*\n\s*", " ", match.group(1)) + "]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("copy", type=Path, help="a caniemail checkout or git directory")
    parser.add_argument("--out", type=Path, default=SNAPSHOT, help="where to write")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    options = parser.parse_args(argv)
    text = dumps(snapshot(Copy(options.copy)))
    if options.check:
        same = options.out.is_file() and options.out.read_text(encoding="utf-8") == text
        print(f"{options.out}: {'up to date' if same else 'differs'}")
        return 0 if same else 1
    options.out.write_text(text, encoding="utf-8")
    print(f"{options.out}: {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
