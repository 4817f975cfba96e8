"""From HTML, PDF or text to an Article: main text, metadata, the quality gate, worker processes."""
