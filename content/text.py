"""Text folding for accent-insensitive Vietnamese search."""

import re
import unicodedata

_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def text_fold(value: str) -> str:
    """Lower-case ASCII-ish form: NFD, combining marks stripped, đ -> d.

    "Bình đẳng giới", "BINH DANG GIOI" and the decomposed (NFD) spelling all give
    "binh dang gioi", so the same function folds both the indexed text and the query.
    """
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def html_to_text(value: str) -> str:
    """The text of a rich-text fragment, for indexing (tags become spaces)."""
    return _TAGS.sub(" ", value or "")
