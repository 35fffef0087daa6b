"""The one HTTP client: bounded, polite requests for pages, feeds, links and images."""
