"""Looking at an issue: the live-reload preview server, and screenshots in Chromium."""
