"""The pure pipeline: an issue file's text to its email's HTML and plain text."""
