"""{% public_summary %}: the programme's national totals for the home page.

National totals only (no province, sex, level or ethnicity breakdown) and small values
suppressed: a figure below 10 is shown as "< 10", so that no one can be singled out.
"""

from django import template

from courses.counters.selectors import SMALL_CELL, counters_public_summary

register = template.Library()


@register.inclusion_tag("courses/counters/public_summary.html")
def public_summary() -> dict:
    return {"rows": counters_public_summary(), "small": SMALL_CELL}
