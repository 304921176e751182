"""How values that are not quantities are printed: years and ids as written, empty values as
a dash.

Django groups every integer it prints when USE_THOUSAND_SEPARATOR is on, which is right for
counts (40.000 cadres) and wrong for a birth year or a record's number (1996, not 1.996).
Views that print whole records (Wagtail's inspect views) go through `display_value`; templates
use `unlocalize` for such values.
"""

from __future__ import annotations

EMPTY = "—"

# Integer fields whose values are names rather than amounts.
PLAIN_SUFFIXES = ("year", "_id", "code", "number", "_pk")


def is_plain_field(name: str) -> bool:
    return name == "id" or name == "pk" or name.endswith(PLAIN_SUFFIXES)


def display_value(name: str, value):
    """`value` of the field `name` as a record page shows it: a dash when empty, a year or id
    as a plain string, anything else unchanged (quantities keep their grouping)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, int) and not isinstance(value, bool) and is_plain_field(name):
        return str(value)
    return value


class PlainInspectMixin:
    """For Wagtail inspect views: no "None" and no grouped years or ids."""

    def get_field_display_value(self, field_name, field):
        return display_value(field_name, super().get_field_display_value(field_name, field))
