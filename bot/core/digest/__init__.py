"""Digests of what a group shared: its links, each article summarized in one line."""
