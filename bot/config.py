"""Settings: one typed class, read from the environment and `.env`, validated at start."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigError
from bot.core.extract.workers import JobLimits
from bot.core.fetch.fetcher import FetchPolicy, origin
from bot.core.follow.parts import FollowConfig
from bot.core.llm.client import DEFAULT_MAX_CONCURRENCY, LLMConfig
from bot.core.llm.limits import context_tokens_for
from bot.core.llm.prompts import is_language_code
from bot.core.models import SummaryFormat, SummaryLength
from bot.core.reading.summarize import DEFAULT_MAX_CALL_TOKENS
from bot.core.service_config import ReadingDefaults, ServiceConfig
from bot.core.store.usage_types import Period, Scope, Unit
from bot.core.usage.access import AccessPolicy, parse_parties
from bot.core.usage.budgets import BudgetConfig
from bot.core.usage.prices import Price, known_price
from bot.core.work.dispatcher import WorkConfig

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Settings(BaseSettings):
    """Every setting of the bot; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `LLM_CONTEXT_TOKENS=` in a copied .env.example means "not set", not "invalid".
        env_ignore_empty=True,
    )

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"  # a webhook server must be reachable from Telegram
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Telegram's limit is about 30 messages per second across all chats (more for paid broadcasts),
    # for the bot as a whole: its processes share it (bot.telegram.limits).
    telegram_max_messages_per_second: float = Field(default=30.0, gt=0)

    # The LLM (any OpenAI-compatible Chat Completions server)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-5-mini"
    llm_context_tokens: int | None = Field(default=None, ge=1024)
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_reply_timeout_s: float = Field(default=300.0, gt=0)
    llm_reasoning_effort: Literal["minimal", "low", "medium", "high"] = "low"
    llm_max_retries: int = Field(default=3, ge=0, le=10)
    llm_max_concurrency: int = Field(default=DEFAULT_MAX_CONCURRENCY, ge=1)

    # Summaries
    summary_language: str | None = None  # None: the article's own language
    summary_length: SummaryLength = SummaryLength.MEDIUM
    summary_format: SummaryFormat = SummaryFormat.POINTS
    max_article_tokens: int = Field(default=300_000, ge=1000)
    summary_max_call_tokens: int = Field(default=DEFAULT_MAX_CALL_TOKENS, ge=1000)
    summary_cache_ttl_hours: float = Field(default=72.0, gt=0)
    digest_retention_days: float = Field(default=30.0, gt=0)
    group_recaps_default: bool = False  # new groups keep their messages' texts for recaps

    # Fetching
    fetch_allow_private_networks: bool = False
    fetch_timeout_s: float = Field(default=20.0, gt=0)
    fetch_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)

    # Extraction: worker processes (None: one per CPU; 0: a thread of the bot's own process)
    extract_workers: int | None = Field(default=None, ge=0, le=64)
    # Seconds one extraction job may take, and the memory one worker may hold, before the worker
    # is killed and replaced (a worker holds ~100 MB before any job).
    extract_timeout_s: float = Field(default=30.0, gt=0)
    extract_max_memory_mb: int = Field(default=1024, ge=256)

    # Storage and logs
    database_url: str = "sqlite:///summarybot.db"
    # Requests are kept until answered; a process that dies leaves them to be taken over
    # once its lease (renewed every third of it while the work runs) expires.
    request_lease_s: float = Field(default=60.0, ge=0.5, le=3600)
    # A request that waited longer (the bot was down) is answered with a short apology.
    request_max_age_s: float = Field(default=900.0, gt=0)
    # How often each process looks for scheduled digests that are due (runs share REQUEST_LEASE_S).
    digest_schedule_tick_s: float = Field(default=15.0, gt=0, le=600)
    # Followed public channels: their t.me/s/ previews, read every FOLLOW_POLL_MINUTES; each
    # process looks for channels due every FOLLOW_POLL_TICK_S.
    telegram_web_base_url: str = "https://t.me"
    follow_poll_minutes: int = Field(default=60, ge=1, le=10080)
    follow_poll_tick_s: float = Field(default=60.0, gt=0, le=3600)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    # Watching it run: /healthz and Prometheus /metrics on this port (None: no such server)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_listen: str = "127.0.0.1"

    # Access: comma-separated ids or @usernames; both lists empty: everyone may use the bot
    allowed_users: str = ""
    allowed_chats: str = ""
    admin_users: str = ""  # always allowed; may /limit, read /stats

    # Budgets (unset: no limit); USD needs the model's price, known or configured
    budget_user_daily_tokens: int | None = Field(default=None, ge=1)
    budget_user_monthly_tokens: int | None = Field(default=None, ge=1)
    budget_user_daily_usd: float | None = Field(default=None, gt=0)
    budget_user_monthly_usd: float | None = Field(default=None, gt=0)
    budget_chat_daily_tokens: int | None = Field(default=None, ge=1)
    budget_chat_monthly_tokens: int | None = Field(default=None, ge=1)
    budget_chat_daily_usd: float | None = Field(default=None, gt=0)
    budget_chat_monthly_usd: float | None = Field(default=None, gt=0)
    budget_bot_daily_tokens: int | None = Field(default=None, ge=1)
    budget_bot_monthly_tokens: int | None = Field(default=None, ge=1)
    budget_bot_daily_usd: float | None = Field(default=None, gt=0)
    budget_bot_monthly_usd: float | None = Field(default=None, gt=0)
    llm_price_input_per_mtok: float | None = Field(default=None, ge=0)
    llm_price_output_per_mtok: float | None = Field(default=None, ge=0)
    rate_limit_per_minute: int = Field(default=0, ge=0)  # summaries and answers per user
    confirm_above_tokens: int | None = Field(default=None, ge=1)

    @field_validator(
        "summary_language",
        "openai_base_url",
        "webhook_url",
        "extract_workers",
        "metrics_port",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """An empty variable in .env means "not set"."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("summary_language")
    @classmethod
    def _language_code(cls, value: str | None) -> str | None:
        """A language the model is told by code must be a real one ("klingon" is not)."""
        if value is not None and not is_language_code(value):
            raise ValueError(
                f"{value!r} is not an ISO 639-1 language code: use a code such as en, ru or de, "
                "or leave it empty to summarize in each article's own language"
            )
        return value

    @field_validator("allowed_users", "allowed_chats", "admin_users")
    @classmethod
    def _parties(cls, value: str) -> str:
        """Every entry is a numeric id or an @username."""
        parse_parties(value)
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _upper_case_level(cls, value: Any) -> Any:
        """`debug` means DEBUG, as in every other program (and `JSON` means json)."""
        if not isinstance(value, str):
            return value
        return value.strip().upper() if value.strip().upper() in _LEVELS else value.strip().lower()

    @field_validator("telegram_bot_token", "openai_api_key", "webhook_secret", mode="before")
    @classmethod
    def _blank_secret_is_none(cls, value: Any) -> Any:
        """An empty secret in .env means "not set"."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_base_url", "openai_base_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """URLs must be absolute http(s) URLs; the trailing slash is dropped."""
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """Only SQLite and PostgreSQL are supported."""
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must be sqlite:///path.db or postgresql://user@host/db")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        """A webhook without a secret would accept updates from anyone."""
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set WEBHOOK_SECRET to a random "
                "string of letters, digits, _ and - (1-256 characters)"
            )
        return self

    def secrets(self) -> list[str]:
        """Every secret the settings hold, so that no log or error line shows one."""
        values = (self.telegram_bot_token, self.openai_api_key, self.webhook_secret)
        secrets = [value.get_secret_value() for value in values if value is not None]
        database_password = urlsplit(self.database_url).password
        if database_password:
            secrets.append(unquote(database_password))
        return secrets

    @model_validator(mode="after")
    def _usd_needs_a_price(self) -> Settings:
        """A budget in USD cannot be kept without knowing what the model costs."""
        usd = [key for key, value in self._budget_values().items() if key[2] is Unit.USD and value]
        if usd and self.price() is None:
            raise ValueError(
                f"a budget in USD is set but the price of {self.llm_model!r} is not known: set "
                "LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK (USD per million tokens)"
            )
        return self

    def _budget_values(self) -> dict[tuple[Scope, Period, Unit], float | None]:
        return {
            (scope, period, unit): getattr(self, f"budget_{scope}_{period}_{unit}")
            for scope, period, unit in itertools.product(Scope, Period, Unit)
        }

    def price(self) -> Price | None:
        """The model's price: LLM_PRICE_*_PER_MTOK when both are set, else its list price."""
        given = (self.llm_price_input_per_mtok, self.llm_price_output_per_mtok)
        if given[0] is not None and given[1] is not None:
            return Price(given[0], given[1])
        return known_price(self.llm_model)

    def budget_config(self) -> BudgetConfig:
        """The default limits (those set) and the model's price."""
        limits = {key: float(value) for key, value in self._budget_values().items() if value}
        return BudgetConfig(limits, self.price())

    def access_policy(self) -> AccessPolicy:
        """The allow-lists and the bot's admins."""
        return AccessPolicy(
            parse_parties(self.allowed_users),
            parse_parties(self.allowed_chats),
            parse_parties(self.admin_users),
        )

    @property
    def llm_configured(self) -> bool:
        """True when an LLM server is configured; otherwise summaries are extractive."""
        return self.openai_api_key is not None or self.openai_base_url is not None

    @property
    def context_tokens(self) -> int:
        """The model's context window: LLM_CONTEXT_TOKENS, else known per model."""
        return self.llm_context_tokens or context_tokens_for(self.llm_model)

    def llm_config(self) -> LLMConfig | None:
        """How to reach the model; None without OPENAI_API_KEY and OPENAI_BASE_URL."""
        if not self.llm_configured:
            return None
        key = self.openai_api_key.get_secret_value() if self.openai_api_key else None
        return LLMConfig(
            model=self.llm_model,
            api_key=key,
            base_url=self.openai_base_url,
            timeout_s=self.llm_timeout_s,
            reply_timeout_s=self.llm_reply_timeout_s,
            reasoning_effort=self.llm_reasoning_effort,
            max_retries=self.llm_max_retries,
            max_concurrency=self.llm_max_concurrency,
        )

    def service_config(self, *, remember: bool = True) -> ServiceConfig:
        """What the core service needs; with `remember` false (a one-shot command) it keeps no
        database."""
        return ServiceConfig(
            database_url=self.database_url if remember else None,
            model=self.llm_model,
            llm=self.llm_config(),
            fetch=FetchPolicy(
                allow_private_networks=self.fetch_allow_private_networks,
                trusted_origins=frozenset({origin(self.telegram_web_base_url)}),
                timeout_s=self.fetch_timeout_s,
                max_bytes=self.fetch_max_bytes,
            ),
            reading=ReadingDefaults(
                length=self.summary_length,
                format=self.summary_format,
                language=self.summary_language,
                context_tokens=self.context_tokens,
                max_article_tokens=self.max_article_tokens,
                max_call_tokens=self.summary_max_call_tokens,
            ),
            # A command reads one source: one worker, forked, bounds it at a start of ~10 ms.
            extract_workers=self.extract_workers if remember else 1,
            extract_limits=JobLimits(self.extract_timeout_s, self.extract_max_memory_mb),
            extract_fork=not remember,
            budgets=self.budget_config(),
            summary_cache_ttl=timedelta(hours=self.summary_cache_ttl_hours),
            digest_retention=timedelta(days=self.digest_retention_days),
            follow=FollowConfig(
                self.telegram_web_base_url.rstrip("/"), timedelta(minutes=self.follow_poll_minutes)
            ),
        )

    def work_config(self, concurrency: int) -> WorkConfig:
        """How the bot's queue runs: `concurrency` requests at once, under REQUEST_LEASE_S."""
        return WorkConfig(
            concurrency=concurrency,
            lease_s=self.request_lease_s,
            # An idle process looks for a dead one's work about twice per lease.
            idle_poll_s=min(5.0, self.request_lease_s / 2),
        )


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; raise ConfigError naming each bad variable and the fix."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()]
        raise ConfigError("Invalid settings: " + "; ".join(problems)) from exc


def _describe(error: Any) -> str:
    location = [str(part) for part in error.get("loc", ()) if part]
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if not location:
        return message
    variable = location[0].upper()
    return f"{variable}: {message} (fix it in .env or the environment; see .env.example)"
