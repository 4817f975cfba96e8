"""The safe fetcher: address policy on every redirect, size, time and type limits, charsets."""
