"""Text normalisation shared by every app: NFC for what is stored and printed, an
accent-free fold for matching and search, and the check that a person's name holds only
characters that print as they read.

Vietnamese arrives both precomposed (NFC) and decomposed (NFD, from some phones and Mac
keyboards); without the first two functions the same name would be stored, compared or
searched as two different strings.
"""

from __future__ import annotations

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
