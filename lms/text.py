"""Text normalisation shared by every app: NFC for what is stored and printed, and an
accent-free fold for matching and search.

Vietnamese arrives both precomposed (NFC) and decomposed (NFD, from some phones and Mac
keyboards); without these two functions the same name would be stored, compared or searched
as two different strings.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str | None) -> str:
    """NFC, runs of white space (tabs, line breaks) made one space, the ends trimmed;
    None gives ""."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def text_fold(value: str | None) -> str:
    """Lower-case ASCII-ish form: NFD, combining marks stripped, đ -> d, single spaces.

    "Bình đẳng giới", "BINH DANG GIOI" and the decomposed (NFD) spelling all give
    "binh dang gioi", so the same function folds both the stored text and the query.
    """
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()
