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


# The Vietnamese alphabet's letters in order (ă and â after a, đ after d...), then the tones in
# their dictionary order (none, grave, hook, tilde, acute, dot below). Letters outside the list
# sort after it by their code point.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Administrative prefixes that do not take part in the order: "Tỉnh Lào Cai" sorts under L.
_UNIT_PREFIXES = re.compile(
    r"^(tỉnh|thành phố|tp\.?|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu)\s+", re.IGNORECASE
)


def vi_sort_key(text: str | None) -> tuple:
    """A key that sorts Vietnamese names as a Vietnamese reader expects: by letters of the
    Vietnamese alphabet (D before Đ, O before Ô before Ơ), then by tones, ignoring the
    "Tỉnh"/"Thành phố"/"Xã"/"Phường" prefix of a unit's name and the case."""
    name = _UNIT_PREFIXES.sub("", nfc(text).lower(), count=1)
    letters: list[int] = []
    tones: list[int] = []
    for char in name:
        parts = unicodedata.normalize("NFD", char)
        tone = 0
        base = ""
        for part in parts:
            if part in _TONES:
                tone = _TONES[part]
            else:
                base += part
        letter = unicodedata.normalize("NFC", base)
        letters.append(_LETTER_RANK.get(letter, len(_ALPHABET) + ord(letter[:1] or " ")))
        tones.append(tone)
    return (letters, tones, name)
