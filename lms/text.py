"""Text normalisation shared by every app: NFC for what is stored and printed, an
accent-free fold for matching and search, and the check that a person's name holds only
characters that print as they read.

Vietnamese arrives both precomposed (NFC) and decomposed (NFD, from some phones and Mac
keyboards); without the first two functions the same name would be stored, compared or
searched as two different strings.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPACES = re.compile(r"\s+")

# Characters that change the direction in which the text around them is shown: the
# embeddings and overrides (U+202A-U+202E), the isolates (U+2066-U+2069) and the direction
# marks (U+200E, U+200F, U+061C). In a name they make a certificate, a list or an export show
# letters in another order than the one stored and searched ("Trojan Source" spoofing), and
# no Vietnamese name needs them.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


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


def unit_name_fold(text: str | None) -> str:
    """A unit's name folded (text_fold) without its "Tỉnh"/"Xã"/"Phường"... prefix: "Xã
    Nghĩa Đô", "nghia do" and "XA NGHIA DO" all give "nghia do"."""
    return text_fold(_UNIT_PREFIXES.sub("", nfc(text).lower(), count=1))


def vi_sort_key(text: str | None) -> tuple:
    """A key that sorts Vietnamese names as a Vietnamese reader expects: word by word (so
    "Xã An Bình" comes before "Xã An Phú" and "Xã Anh Sơn", a shorter word before a longer
    one it begins), each word by the letters of the Vietnamese alphabet (D before Đ, O before
    Ô before Ơ), then by its tone, ignoring the "Tỉnh"/"Thành phố"/"Xã"/"Phường" prefix of
    a unit's name and the case.

    Keys are remembered per process: the names sorted are a bounded set (units, courses) and
    a page that lists the provinces sorts the same names on every request."""
    return _vi_sort_key(text or "")


@functools.lru_cache(maxsize=65536)
def _vi_sort_key(text: str) -> tuple:
    name = _UNIT_PREFIXES.sub("", nfc(text).lower(), count=1)
    words: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for word in name.split(" "):
        letters: list[int] = []
        tones: list[int] = []
        for char in word:
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
        words.append((tuple(letters), tuple(tones)))
    return (tuple(words), name)


def name_problem(text: str | None) -> str | None:
    """Why `text` cannot be a person's name, or None if it can.

    Refused: the direction controls (BIDI_CONTROLS), which would print a name other than the
    one stored, and every control character (Unicode category Cc: NUL, bell, escape, line
    breaks...), which no database text, PDF or spreadsheet cell shows as the person wrote it.
    Call it on the normalised name (nfc), which has already made tabs and line breaks single
    spaces.
    """
    for char in text or "":
        if char in BIDI_CONTROLS:
            return _("The name holds a character that controls the direction of text, which is "
                     "not allowed.")  # fmt: skip
    for char in text or "":
        if unicodedata.category(char) == "Cc":
            return _("The name holds a control character, which is not allowed.")
    return None


class NameFieldsChecked:
    """Model mixin: the fields named in `name_fields` must pass name_problem.

    Checked in clean_fields, which every ModelForm runs (the Wagtail admin's, the profile's,
    the account settings'), for the fields the form edits. A check rather than a field
    validator: the columns, and so the migrations, stay as they are.
    """

    name_fields: tuple[str, ...] = ()

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name in self.name_fields:
            if exclude and name in exclude:
                continue
            problem = name_problem(nfc(getattr(self, name)))
            if problem:
                errors.setdefault(name, []).append(ValidationError(problem, code="name_characters"))
        if errors:
            raise ValidationError(errors)


MASK = "•"


def phone_mask(phone: str) -> str:
    """A phone number with all but its last three digits hidden ("•••••••123"), for lists:
    enough to tell two people apart, not enough to call them."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not digits:
        return ""
    return MASK * max(len(digits) - 3, 0) + digits[-3:]
