"""Settings: defaults, per-model context windows, and start-up errors that say how to fix them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.core.llm.limits import DEFAULT_CONTEXT_TOKENS, context_tokens_for, model_limits


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
        ("gpt-5-mini", 272_000),  # a 400k window, but only 272k of it input
        ("gpt-5-chat-latest", 128_000),
        ("o3-mini", 200_000),
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
        ("SUMMARY_LANGUAGE", "klingon"),
        ("SUMMARY_LANGUAGE", "xx"),
        ("LOG_LEVEL", "chatty"),
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


@pytest.mark.parametrize(
    ("model", "reasoning", "output"),
    [
        ("gpt-5-mini", True, 128_000),
        ("openai/o4-mini", True, 100_000),
        ("o3", True, 100_000),
        ("gpt-5-chat-latest", False, 16_384),
        ("gpt-4o-mini", False, 16_384),
        ("llama3.1", False, None),
    ],
)
def test_model_limits_say_who_reasons(model: str, reasoning: bool, output: int | None) -> None:
    limits = model_limits(model)
    assert limits.reasoning is reasoning
    assert limits.output_tokens == output
    # Reasoning models get room to think on top of the reply, within their output limit.
    assert (limits.reply_limit(900) > 900) is reasoning
    assert limits.reply_limit(10**6) <= (output or 10**6)


def test_new_settings_reach_the_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    monkeypatch.setenv("SUMMARY_MAX_CALL_TOKENS", "20000")
    monkeypatch.setenv("LLM_REPLY_TIMEOUT_S", "90")
    settings = load_settings()
    config = settings.service_config()
    assert config.reading.max_call_tokens == 20_000
    assert config.llm is not None
    assert config.llm.reply_timeout_s == 90
    assert config.llm.reasoning_effort == "low"


@pytest.mark.parametrize(("value", "level"), [("debug", "DEBUG"), ("Warning", "WARNING")])
def test_log_level_in_any_case(monkeypatch: pytest.MonkeyPatch, value: str, level: str) -> None:
    monkeypatch.setenv("LOG_LEVEL", value)
    assert load_settings().log_level == level


@pytest.mark.parametrize("value", ["ru", "pt-BR", "zh_TW", "uk"])
def test_real_language_codes_are_accepted(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SUMMARY_LANGUAGE", value)
    assert load_settings().summary_language == value


def test_watching_is_off_and_logs_are_text_by_default() -> None:
    settings = load_settings()
    assert settings.metrics_port is None
    assert settings.metrics_listen == "127.0.0.1"
    assert settings.log_format == "text"


def test_log_format_and_metrics_port_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    monkeypatch.setenv("METRICS_PORT", "9464")
    settings = load_settings()
    assert (settings.log_format, settings.metrics_port) == ("json", 9464)
    monkeypatch.setenv("METRICS_PORT", "")  # a copied .env.example: not set
    assert load_settings().metrics_port is None


@pytest.mark.parametrize(("name", "value"), [("LOG_FORMAT", "xml"), ("METRICS_PORT", "70000")])
def test_bad_watch_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


def test_every_secret_is_listed_for_redaction() -> None:
    settings = load_settings(
        telegram_bot_token="123:abc-token",
        openai_api_key="sk-key-123",
        webhook_url="https://example.org/hook",
        webhook_secret="hook-secret",
        database_url="postgresql://bot:p%40ss@db/bot",
    )
    assert settings.secrets() == ["123:abc-token", "sk-key-123", "hook-secret", "p@ss"]


def test_follow_settings_reach_the_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEB_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("FOLLOW_POLL_MINUTES", "15")
    follow = load_settings().service_config().follow
    assert follow.base_url == "http://127.0.0.1:9"
    assert follow.interval == timedelta(minutes=15)
