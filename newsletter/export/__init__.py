"""Sending: files for mail services, complete messages, and test sends over SMTP."""
