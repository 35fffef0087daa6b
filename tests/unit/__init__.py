"""Tests of single modules, without the command line."""
