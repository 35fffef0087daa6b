"""What a short command does first, to start as fast as it can."""

from __future__ import annotations

import importlib
import os
import sys
import types
from typing import Any


def without_pydantic_plugins() -> None:
    """Run without a search for pydantic plugins, which newsletter has no use for.

    pydantic looks for plugins in every installed package's metadata when it makes its first
    model: importing importlib.metadata and reading the metadata cost a cold command ~15 ms.
    PYDANTIC_DISABLE_PLUGINS, pydantic's own setting, skips the search (set it empty to have
    plugins), and pydantic's plugin loader is imported with a stand-in for importlib.metadata
    that imports the real one only when the loader asks it for entry points.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if "importlib.metadata" in sys.modules or "pydantic.plugin._loader" in sys.modules:
        return
    try:
        importlib.import_module("pydantic.plugin")
    except ImportError:  # a pydantic without plugins
        return
    stand_in = types.ModuleType("importlib.metadata")
    setattr(stand_in, "entry_points", _entry_points)  # noqa: B010  # a module has no fields
    sys.modules["importlib.metadata"] = stand_in
    try:
        importlib.import_module("pydantic.plugin._loader")
    except ImportError:  # another pydantic: it finds its plugins as it does
        pass
    finally:
        del sys.modules["importlib.metadata"]


def _entry_points(**params: Any) -> Any:
    from importlib.metadata import entry_points

    return entry_points(**params)
