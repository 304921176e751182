"""The plain text of rich-text fragments, for the search index."""

import re

_TAGS = re.compile(r"<[^>]+>")


def html_to_text(value: str) -> str:
    """The text of a rich-text fragment, for indexing (tags become spaces)."""
    return _TAGS.sub(" ", value or "")
