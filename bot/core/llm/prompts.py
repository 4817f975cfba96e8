"""Prompt templates: plain text files in `prompts/` (shipped as `bot.prompts`), strictly filled.

Templates use `$name` placeholders (string.Template). Rendering fails loudly when a value is
missing or unexpected, so a prompt never reaches the model half-filled. Values are untrusted
text: any delimiter tag inside them is neutralised so an article cannot close its own
`<article>` block and smuggle instructions out of it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from string import Template

# The tags that fence untrusted material in the templates (system.txt explains them to the model).
DELIMITER_TAGS = ("article", "notes", "summary", "question")
_DELIMITER = re.compile(r"<(?=\s*/?\s*(?:" + "|".join(DELIMITER_TAGS) + r")\b)", re.IGNORECASE)


class PromptError(ValueError):
    """A prompt template is missing, malformed, or was given the wrong values."""


def prompt_names() -> list[str]:
    """The names of every template in the prompts folder (without `.txt`)."""
    folder = files("bot.prompts")
    return sorted(
        entry.name.removesuffix(".txt") for entry in folder.iterdir() if entry.name.endswith(".txt")
    )


@cache
def _template(name: str) -> Template:
    resource = files("bot.prompts").joinpath(f"{name}.txt")
    if not resource.is_file():
        raise PromptError(f"no prompt template named {name!r}")
    template = Template(resource.read_text(encoding="utf-8"))
    if not template.is_valid():
        raise PromptError(f"prompt template {name!r} has a malformed placeholder")
    return template


def placeholders(name: str) -> frozenset[str]:
    """The placeholder names template `name` expects."""
    return frozenset(_template(name).get_identifiers())


def neutralize(value: str) -> str:
    """`value` with every delimiter tag (`<article>`, `</article >`...) made inert."""
    return _DELIMITER.sub("&lt;", value)


def render(name: str, **values: str) -> str:
    """Template `name` filled with exactly its placeholders; raise PromptError otherwise."""
    expected = placeholders(name)
    missing = expected - values.keys()
    extra = values.keys() - expected
    if missing or extra:
        raise PromptError(
            f"prompt {name!r}: missing {sorted(missing) or 'none'}, unexpected {sorted(extra) or 'none'}"
        )
    safe = {key: neutralize(value) for key, value in values.items()}
    return _template(name).substitute(safe).strip()


# English names of common ISO 639-1 codes: a model follows "in Russian (ru)" more surely than
# a bare code.
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ka": "Georgian",
    "kk": "Kazakh",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "ms": "Malay",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "uz": "Uzbek",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


def language_rule(language: str | None, default: str) -> str:
    """The "in which language" phrase of a prompt: `language` (a code) or `default` wording."""
    if not language:
        return default
    name = LANGUAGE_NAMES.get(language.split("-")[0].split("_")[0].lower())
    if name:
        return f"in {name} ({language})"
    return f'in the language with the ISO 639-1 code "{language}"'
