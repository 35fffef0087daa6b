"""Pre-send checks: what would embarrass an editor once the issue is in a thousand inboxes."""
