"""The public web archive: a page per issue, an index, an Atom feed and a sitemap."""
