"""The house keeps its shape: no import cycles, and modules a reader can take in."""

from __future__ import annotations

from pathlib import Path

import grimp

import newsletter

PACKAGE = Path(newsletter.__file__).parent


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("newsletter")
    cycles = sorted(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    )
    assert cycles == []


def test_every_module_is_about_300_lines_at_most() -> None:
    lengths = {
        path.relative_to(PACKAGE.parent).as_posix(): len(path.read_text().splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert len(lengths) > 50
    assert {name: n for name, n in lengths.items() if n > 330} == {}
