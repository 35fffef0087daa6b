"""Putting an issue together: the next issue's file, and articles from pages and feeds."""
