"""Watching the bot run: Prometheus metrics, the health check and the per-request log line.

It knows nothing of Telegram: the front end hands it finished traces, error kinds and the
checks to run, and starts and stops its server.
"""
