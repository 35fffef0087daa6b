"""Tests of the whole: real processes, a real browser, real servers on 127.0.0.1."""
