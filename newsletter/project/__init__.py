"""The project on disk: its folder, its issue files and their history, writing files."""
