"""Settings: defaults, per-model context windows, and start-up errors that say how to fix them."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.core.llm.limits import DEFAULT_CONTEXT_TOKENS, context_tokens_for


def test_defaults_need_no_configuration() -> None:
    settings = load_settings()
    assert settings.llm_configured is False
    assert settings.fetch_allow_private_networks is False
    assert settings.summary_language is None
    assert settings.context_tokens == context_tokens_for(settings.llm_model)


@pytest.mark.parametrize(
    ("model", "tokens"),
    [
        ("gpt-4o-mini", 128_000),
        ("gpt-4o-2024-08-06", 128_000),
        ("openai/gpt-4.1-mini", 1_047_576),
        ("gpt-5-mini", 400_000),
        ("some-local-model", DEFAULT_CONTEXT_TOKENS),
    ],
)
def test_context_window_per_model(model: str, tokens: int) -> None:
    assert context_tokens_for(model) == tokens


def test_explicit_context_window_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_CONTEXT_TOKENS", "32000")
    assert load_settings().context_tokens == 32000


def test_base_url_alone_configures_the_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1/")
    settings = load_settings()
    assert settings.llm_configured
    assert settings.openai_base_url == "http://127.0.0.1:11434/v1"


def test_blank_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("SUMMARY_LANGUAGE", " ")
    settings = load_settings()
    assert settings.openai_api_key is None
    assert settings.summary_language is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FETCH_TIMEOUT_S", "soon"),
        ("FETCH_MAX_BYTES", "-5"),
        ("FETCH_ALLOW_PRIVATE_NETWORKS", "perhaps"),
        ("SUMMARY_LENGTH", "epic"),
        ("OPENAI_BASE_URL", "localhost:8080"),
        ("DATABASE_URL", "mysql://db"),
        ("EXTRACT_TIMEOUT_S", "0"),
        ("EXTRACT_MAX_MEMORY_MB", "100"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert variable in str(caught.value)
    assert ".env" in str(caught.value)


def test_webhook_without_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/hook")
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        load_settings()


def test_dotenv_file_is_read(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(".env", "w", encoding="utf-8") as env_file:
        env_file.write("LLM_MODEL=gpt-4o-mini\nFETCH_TIMEOUT_S=7.5\n")
    settings = load_settings()
    assert settings.llm_model == "gpt-4o-mini"
    assert settings.fetch_timeout_s == 7.5
