"""Reading for people: articles from what they send, summaries, grounded answers, no-key mode."""
