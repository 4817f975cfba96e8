"""Prompt templates, shipped inside the package as bot.prompts (see pyproject.toml)."""
