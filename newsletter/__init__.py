"""Build a curated weekly email newsletter from YAML issue files."""

__version__ = "0.1.0"
