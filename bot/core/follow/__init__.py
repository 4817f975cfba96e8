"""Following public channels through their web preview (t.me/s/<name>)."""
