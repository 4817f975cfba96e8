"""The error tree of the core.

Every failure a user can cause or meet is one of these. Each class carries a stable `code`
that `bot.texts` turns into friendly words in the user's language; the exception message
itself is for logs. Outside libraries' exceptions are translated at the boundary with
`raise SomeError(...) from exc`.
"""

from __future__ import annotations

from typing import Any


class SummarybotError(Exception):
    """Base of every error the bot expects and explains to its users."""

    code = "error"

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message or self.code)
        # Values that the user-facing wording may mention, e.g. limit_mb or status.
        self.details: dict[str, Any] = details


# --- fetching -------------------------------------------------------------------------------


class FetchError(SummarybotError):
    """The page could not be fetched."""

    code = "fetch.failed"


class InvalidURLError(FetchError):
    """Not an http(s) URL we can fetch."""

    code = "fetch.invalid_url"


class CredentialsInURLError(InvalidURLError):
    """The URL carries a user name or password, which the fetcher never sends."""

    code = "fetch.url_credentials"


class BlockedAddressError(FetchError):
    """The host resolves to a private, loopback, link-local or otherwise forbidden address."""

    code = "fetch.blocked_address"


class TooManyRedirectsError(FetchError):
    """The redirect chain is longer than allowed."""

    code = "fetch.too_many_redirects"


class FetchTimeoutError(FetchError):
    """The server was too slow."""

    code = "fetch.timeout"


class ConnectError(FetchError):
    """The host could not be resolved or reached."""

    code = "fetch.connect"


class TooLargeError(FetchError):
    """The body is larger than the configured limit (details: limit_mb)."""

    code = "fetch.too_large"


class UnsupportedContentTypeError(FetchError):
    """The response is not HTML, plain text or PDF (details: content_type)."""

    code = "fetch.unsupported_type"


class HTTPStatusError(FetchError):
    """The server answered with an error status (details: status)."""

    code = "fetch.http_status"


class NotFoundError(HTTPStatusError):
    """404 or 410."""

    code = "fetch.not_found"


class ForbiddenError(HTTPStatusError):
    """401 or 403: often a bot wall."""

    code = "fetch.forbidden"


class PaywallError(HTTPStatusError):
    """402 or 451, or a page that is clearly a paywall or consent wall."""

    code = "fetch.paywall"


# --- extraction -----------------------------------------------------------------------------


class ExtractionError(SummarybotError):
    """No article could be extracted."""

    code = "extract.failed"


class NotAnArticleError(ExtractionError):
    """The quality gate refused the page: navigation, a cookie banner or a paywall stub."""

    code = "extract.not_an_article"


class TooShortError(ExtractionError):
    """Pasted or piped text with too few sentences to summarize."""

    code = "extract.too_short"


class EmptyInputError(ExtractionError):
    """The text or document holds nothing to read."""

    code = "extract.empty"


class BinaryInputError(ExtractionError):
    """A file or piped input that is no text, HTML or PDF (a program, an image, an archive)."""

    code = "extract.binary"


class MissingFileError(ExtractionError):
    """A local file named on the command line does not exist (details: path)."""

    code = "extract.missing_file"


class UnreadableDocumentError(ExtractionError):
    """A file (PDF, HTML, text) that cannot be decoded or parsed."""

    code = "extract.unreadable"


class ExtractionTimeoutError(ExtractionError):
    """Extraction passed its deadline (details: timeout_s); its worker was replaced."""

    code = "extract.timeout"


class TooComplexError(ExtractionError):
    """Extraction passed its worker's memory ceiling; the worker was replaced."""

    code = "extract.too_complex"


class TooManyPagesError(ExtractionError):
    """A PDF with more pages than are read (details: pages, limit)."""

    code = "extract.too_many_pages"


# --- questions -----------------------------------------------------------------------------


class EmptyQuestionError(SummarybotError):
    """A follow-up question with no words in it."""

    code = "answer.empty_question"


# --- the LLM ---------------------------------------------------------------------------------


class LLMError(SummarybotError):
    """The language model failed."""

    code = "llm.failed"


class RateLimitedError(LLMError):
    """The provider keeps answering 429 (details: retry_after)."""

    code = "llm.rate_limited"


class ContextTooLongError(LLMError):
    """The request does not fit the model's context window."""

    code = "llm.context_too_long"


class ContextRefusedError(ContextTooLongError):
    """The model refused a request the bot's budget let through: its real context window is
    smaller than the one the bot assumes."""

    code = "llm.context_refused"


class ModelNotFoundError(LLMError):
    """The server has no model by the configured name (details: model)."""

    code = "llm.model_not_found"


class RefusedError(LLMError):
    """The model refused or its output was filtered."""

    code = "llm.refused"


class LLMUnavailableError(LLMError):
    """The provider is down, unreachable or timing out after all retries."""

    code = "llm.unavailable"


class LLMAuthError(LLMError):
    """The API key is wrong or lacks access to the model."""

    code = "llm.auth"


# --- configuration and storage -----------------------------------------------------------------


class ConfigError(SummarybotError):
    """A setting is missing or wrong; the message says which and how to fix it."""

    code = "config"


class ContextTooSmallError(ConfigError):
    """The configured context window cannot hold a prompt and its reply (details: context_tokens)."""

    code = "config.context_too_small"


class StoreError(SummarybotError):
    """The database failed."""

    code = "store.failed"


# --- digest schedules ----------------------------------------------------------------------------


class ScheduleError(SummarybotError):
    """A digest schedule that cannot be read (`daily 09:00 Europe/Berlin` is one)."""

    code = "schedule.usage"


class UnknownZoneError(ScheduleError):
    """Not an IANA time zone (details: zone)."""

    code = "schedule.zone"


class BadTimeError(ScheduleError):
    """Not a time of day as HH:MM (details: time)."""

    code = "schedule.time"


class PostError(ScheduleError):
    """A scheduled digest's part could not be posted (the run is retried after its lease)."""

    code = "schedule.post_failed"


class PostRefusedError(PostError):
    """The run's destination will never take its parts (the bot was removed or blocked, the
    chat or topic is gone): the run is finished and its schedule stopped."""

    code = "schedule.post_refused"


# --- following public channels ---------------------------------------------------------------


class ChannelNameError(SummarybotError):
    """Not a public channel's name or t.me link."""

    code = "follow.bad_name"


class NoPreviewError(SummarybotError):
    """The name has no public web preview: a user, a bot, a group, or a channel with its
    preview off (details: name)."""

    code = "follow.no_preview"


class ChannelMissingError(NoPreviewError):
    """Nobody has the name: no such channel, or a private one (details: name)."""

    code = "follow.missing"


class UnknownPageError(FetchError):
    """t.me answered with a page that is neither a preview nor a name's page (details: name);
    counted as a failed read, like an HTTP error."""

    code = "follow.unknown_page"
