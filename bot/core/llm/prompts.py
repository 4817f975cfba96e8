"""Prompt templates: plain text files in `prompts/` (shipped as `bot.prompts`), strictly filled.

Templates use `$name` placeholders (string.Template). Rendering fails loudly when a value is
missing or unexpected, so a prompt never reaches the model half-filled. Values are untrusted
text: any delimiter tag inside them is neutralised so an article cannot close its own
`<article>` block and smuggle instructions out of it.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib.resources import files
from string import Template

# The tags that fence untrusted material in the templates (system.txt explains them to the model).
DELIMITER_TAGS = ("article", "notes", "summary", "question", "messages")
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


# English names of every ISO 639-1 code: a model follows "in Russian (ru)" more surely than a
# bare code, and a setting naming a language is checked against this list.
LANGUAGE_NAMES: dict[str, str] = {
    "aa": "Afar",
    "ab": "Abkhazian",
    "ae": "Avestan",
    "af": "Afrikaans",
    "ak": "Akan",
    "am": "Amharic",
    "an": "Aragonese",
    "ar": "Arabic",
    "as": "Assamese",
    "av": "Avaric",
    "ay": "Aymara",
    "az": "Azerbaijani",
    "ba": "Bashkir",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "bi": "Bislama",
    "bm": "Bambara",
    "bn": "Bengali",
    "bo": "Tibetan",
    "br": "Breton",
    "bs": "Bosnian",
    "ca": "Catalan",
    "ce": "Chechen",
    "ch": "Chamorro",
    "co": "Corsican",
    "cr": "Cree",
    "cs": "Czech",
    "cu": "Church Slavic",
    "cv": "Chuvash",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "dv": "Divehi",
    "dz": "Dzongkha",
    "ee": "Ewe",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "ff": "Fula",
    "fi": "Finnish",
    "fj": "Fijian",
    "fo": "Faroese",
    "fr": "French",
    "fy": "Western Frisian",
    "ga": "Irish",
    "gd": "Scottish Gaelic",
    "gl": "Galician",
    "gn": "Guarani",
    "gu": "Gujarati",
    "gv": "Manx",
    "ha": "Hausa",
    "he": "Hebrew",
    "hi": "Hindi",
    "ho": "Hiri Motu",
    "hr": "Croatian",
    "ht": "Haitian Creole",
    "hu": "Hungarian",
    "hy": "Armenian",
    "hz": "Herero",
    "ia": "Interlingua",
    "id": "Indonesian",
    "ie": "Interlingue",
    "ig": "Igbo",
    "ii": "Sichuan Yi",
    "ik": "Inupiaq",
    "io": "Ido",
    "is": "Icelandic",
    "it": "Italian",
    "iu": "Inuktitut",
    "ja": "Japanese",
    "jv": "Javanese",
    "ka": "Georgian",
    "kg": "Kongo",
    "ki": "Kikuyu",
    "kj": "Kuanyama",
    "kk": "Kazakh",
    "kl": "Kalaallisut",
    "km": "Khmer",
    "kn": "Kannada",
    "ko": "Korean",
    "kr": "Kanuri",
    "ks": "Kashmiri",
    "ku": "Kurdish",
    "kv": "Komi",
    "kw": "Cornish",
    "ky": "Kyrgyz",
    "la": "Latin",
    "lb": "Luxembourgish",
    "lg": "Ganda",
    "li": "Limburgish",
    "ln": "Lingala",
    "lo": "Lao",
    "lt": "Lithuanian",
    "lu": "Luba-Katanga",
    "lv": "Latvian",
    "mg": "Malagasy",
    "mh": "Marshallese",
    "mi": "Māori",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "mn": "Mongolian",
    "mr": "Marathi",
    "ms": "Malay",
    "mt": "Maltese",
    "my": "Burmese",
    "na": "Nauru",
    "nb": "Norwegian Bokmål",
    "nd": "North Ndebele",
    "ne": "Nepali",
    "ng": "Ndonga",
    "nl": "Dutch",
    "nn": "Norwegian Nynorsk",
    "no": "Norwegian",
    "nr": "South Ndebele",
    "nv": "Navajo",
    "ny": "Nyanja",
    "oc": "Occitan",
    "oj": "Ojibwa",
    "om": "Oromo",
    "or": "Odia",
    "os": "Ossetic",
    "pa": "Punjabi",
    "pi": "Pali",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "qu": "Quechua",
    "rm": "Romansh",
    "rn": "Rundi",
    "ro": "Romanian",
    "ru": "Russian",
    "rw": "Kinyarwanda",
    "sa": "Sanskrit",
    "sc": "Sardinian",
    "sd": "Sindhi",
    "se": "Northern Sami",
    "sg": "Sango",
    "si": "Sinhala",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sm": "Samoan",
    "sn": "Shona",
    "so": "Somali",
    "sq": "Albanian",
    "sr": "Serbian",
    "ss": "Swati",
    "st": "Southern Sotho",
    "su": "Sundanese",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "tg": "Tajik",
    "th": "Thai",
    "ti": "Tigrinya",
    "tk": "Turkmen",
    "tl": "Tagalog",
    "tn": "Tswana",
    "to": "Tongan",
    "tr": "Turkish",
    "ts": "Tsonga",
    "tt": "Tatar",
    "tw": "Twi",
    "ty": "Tahitian",
    "ug": "Uyghur",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "ve": "Venda",
    "vi": "Vietnamese",
    "vo": "Volapük",
    "wa": "Walloon",
    "wo": "Wolof",
    "xh": "Xhosa",
    "yi": "Yiddish",
    "yo": "Yoruba",
    "za": "Zhuang",
    "zh": "Chinese",
    "zu": "Zulu",
}


def base_language(tag: str) -> str:
    """The ISO 639-1 part of a language tag: "pt-BR" and "pt_br" are "pt"."""
    return re.split("[-_]", tag, maxsplit=1)[0].strip().lower()


def is_language_code(tag: str) -> bool:
    """True for an ISO 639-1 code, with or without a region ("de", "pt-BR")."""
    return base_language(tag) in LANGUAGE_NAMES


def language_rule(language: str | None, default: str) -> str:
    """The "in which language" phrase of a prompt: `language` (a code) or `default` wording."""
    if not language:
        return default
    name = LANGUAGE_NAMES.get(base_language(language))
    if name:
        return f"in {name} ({language})"
    return f'in the language with the ISO 639-1 code "{language}"'


@cache
def version() -> str:
    """A short fingerprint of every template: a cached reply made with other prompts is stale."""
    folder = files("bot.prompts")
    digest = hashlib.sha256()
    for name in prompt_names():
        digest.update(name.encode())
        digest.update(folder.joinpath(f"{name}.txt").read_bytes())
    return digest.hexdigest()[:16]
