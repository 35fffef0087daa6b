"""The issue and the settings as typed values, and the problems found in them."""
