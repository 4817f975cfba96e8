"""Project-level promises: the README's commands, CI, and .env.example stay true."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme, flags=re.DOTALL)
    return [line.strip() for block in blocks[:2] for line in block.splitlines() if line.strip()]


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _readme_commands()[-1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_env_example_documents_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_a_copied_env_example_is_valid(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None
    assert settings.llm_context_tokens is None
    assert not settings.llm_configured
