"""ASCII page addresses from Vietnamese titles ("Bình đẳng giới" -> "binh-dang-gioi").

With WAGTAIL_ALLOW_UNICODE_SLUGS = False, Wagtail's admin turns a title into a slug in the
browser with transliteration tables that know no Vietnamese: letters such as "ẳ" or "ớ" are
dropped and "đ" becomes "dj" (the Serbian table), giving "binh-djng-gii"; on the server,
Django's slugify drops "đ" ("binh-ang-gioi"). Here:

- `VietnameseSlugInput`, the admin's slug widget for every SlugField (registered in
  content/apps.py), gives the browser's slug controller formatters that fold Vietnamese
  letters (and combining marks, for text typed decomposed) to ASCII before its own rules;
- `slug_from_title` folds the same way on the server (lms.text.text_fold), for pages saved
  without a slug (AsciiSlugMixin in content/models.py).
"""

import re

from django.utils.text import slugify
from wagtail.admin.widgets import SlugInput

from lms.text import text_fold

_FOLDS = {
    "a": "àáạảãâầấậẩẫăằắặẳẵ",
    "e": "èéẹẻẽêềếệểễ",
    "i": "ìíịỉĩ",
    "o": "òóọỏõôồốộổỗơờớợởỡ",
    "u": "ùúụủũưừứựửữ",
    "y": "ỳýỵỷỹ",
    "d": "đ",
}
# (pattern, replacement) pairs for Wagtail's slug controller (applied with the "gu" flags,
# plus "i" from IGNORECASE, so capitals fold too: the slug is lower case anyway).
VIETNAMESE_SLUG_FORMATTERS = [
    (re.compile("[\u0300-\u036f]"), ""),
    *((re.compile(f"[{letters}]", re.IGNORECASE), ascii_) for ascii_, letters in _FOLDS.items()),
]


class VietnameseSlugInput(SlugInput):
    def __init__(self, attrs=None, formatters=None, locale=None):
        super().__init__(
            attrs=attrs, formatters=formatters or VIETNAMESE_SLUG_FORMATTERS, locale=locale
        )


def slug_from_title(title: str) -> str:
    """ "Bình đẳng giới" -> "binh-dang-gioi" (empty for a title with no letter or digit)."""
    return slugify(text_fold(title))
