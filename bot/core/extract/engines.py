"""The outside extraction engines, trafilatura and readability: the only module importing them.

Everything else in `bot.core.extract` reaches them through these names, so an upgrade or a
swap of either engine touches one file.
"""

from __future__ import annotations

from readability import Document as ReadabilityDocument
from trafilatura import bare_extraction
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
)
from trafilatura.settings import MANUALLY_CLEANED, Extractor
from trafilatura.utils import load_html

__all__ = [
    "MANUALLY_CLEANED",
    "Extractor",
    "ReadabilityDocument",
    "bare_extraction",
    "examine_meta",
    "extract_author",
    "extract_meta_json",
    "extract_sitename",
    "extract_title",
    "load_html",
]
