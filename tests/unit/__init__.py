"""Tests of the core and its parts, called as functions: no command line, no servers."""
