"""The demo programme loads the July 2023 report's figures, consistent with a recount."""

import pytest
from django.core.management import call_command

from courses.counters import services as svc
from courses.counters.selectors import counter_figures


@pytest.mark.django_db
def test_the_demo_programme_reproduces_the_july_2023_report(capsys):
    from courses.demo.programme import load_programme
    from tests.builders import course_index, home_page, make_course

    make_course(index=course_index(home=home_page(), published=True), title="Lồng ghép giới",
                slug="long-ghep-gioi", modules=0, quiz=False, published=True)  # fmt: skip
    svc.indicator_cache_clear()
    lines = list(load_programme())
    assert "239" in lines[0]
    assert list(load_programme()) == ["programme: demo sessions already loaded"]
    figures = {f.code: f for f in counter_figures(scope_province=None)}
    assert figures[svc.SESSIONS_DISTRICT_COMMUNE].value == 239
    assert figures[svc.SESSIONS_DISTRICT_COMMUNE].percent == 50
    assert (figures[svc.SESSIONS_VILLAGE].value, figures[svc.SESSIONS_VILLAGE].percent) == (
        377, 24,
    )  # fmt: skip
    assert (figures[svc.SESSIONS_ME].value, figures[svc.SESSIONS_ME].percent) == (283, 18)
    assert figures[svc.ME_PARTICIPANTS].value > 4400
    call_command("recount_counters", "--check")
    by = counter_figures(scope_province=None, by="province")
    assert len(next(f for f in by if f.code == svc.SESSIONS_ME).by) >= 5  # several provinces
