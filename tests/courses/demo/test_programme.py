"""The demo's history is run through the engine: the July 2023 report comes out of sessions,
attendance and online study recorded through the services, in the months they happened, and
every figure (counters, recount, home page, dashboard) agrees with the records."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse

from courses.counters import services as svc
from courses.counters.models import Achievement
from courses.counters.selectors import counter_figures, counters_public_summary
from courses.learning.models import CompletionPath, Enrolment
from courses.registry.models import Cadre, UnitLevel
from courses.sessions.models import Attendance, SessionKind, SessionStatus, TrainingSession

pytestmark = pytest.mark.django_db

SCALE = 0.25  # fewer people per session; the sessions, M&E participants and ToT stay


def load(scale=SCALE, report=True):
    from certificates.demo import load_programme_history

    svc.indicator_cache_clear()
    return list(load_programme_history(scale=scale, report=report))


def figures() -> dict:
    return {f.code: f for f in counter_figures(scope_province=None)}


def test_the_july_2023_report_comes_out_of_the_engine(demo_courses, client, django_user_model):
    from certificates.models import Certificate, CertificateStatus
    from courses.demo.programme import (
        HISTORY_END,
        HISTORY_START,
        PREFIX,
        PROGRAMME_VILLAGES,
        PROVINCES,
    )

    lines = load()
    assert "239" in lines[0]
    report = figures()
    assert (report[svc.SESSIONS_DISTRICT_COMMUNE].value,
            report[svc.SESSIONS_DISTRICT_COMMUNE].percent) == (239, 50)  # fmt: skip
    assert (report[svc.SESSIONS_VILLAGE].value, report[svc.SESSIONS_VILLAGE].percent) == (377, 24)
    assert (report[svc.SESSIONS_ME].value, report[svc.SESSIONS_ME].percent) == (283, 18)
    assert report[svc.ME_PARTICIPANTS].value > 4400

    sessions = TrainingSession.objects.filter(code__startswith=PREFIX)
    held = sessions.filter(status=SessionStatus.HELD)
    # Every held session has participants; nothing is counted for a session without any.
    empty = held.annotate(n=Count("attendance", filter=Q(attendance__present=True))).filter(n=0)
    assert not empty.exists()
    tot = held.filter(kind=SessionKind.TOT)
    assert tot.count() == 3
    assert 230 <= Attendance.objects.filter(session__in=tot, present=True).count() <= 250
    # Village sessions sit in villages; every session's course can be completed in person.
    assert not held.filter(kind=SessionKind.VILLAGE).exclude(unit__level=UnitLevel.VILLAGE)
    assert not sessions.filter(course__delivery="online").exists()
    # Spread over the communes of the eight provinces, not one unit per province.
    for province in PROVINCES:
        communes = set(held.filter(province_code=province).values_list("commune_code", flat=True))
        assert len(communes) >= 2, province
    # History, in the months it happened.
    assert {s.end_date.year for s in held} <= {2021, 2022, 2023}
    assert all(HISTORY_START <= s.end_date <= HISTORY_END for s in held)
    history = Achievement.objects.filter(
        Q(cadre__ma_can_bo__startswith=PREFIX) | Q(session__code__startswith=PREFIX)
    )
    months = set(history.values_list("month", flat=True))
    assert min(months) >= dt.date(2021, 9, 1) and max(months) <= dt.date(2023, 6, 1)

    # The engine's work: each person present (and passed where the course requires it) at a
    # held session has a completed enrolment dated by that session's end, with a pending
    # certificate (left for the worker: not queued).
    present = Attendance.objects.filter(session__in=held, present=True).select_related("session")
    completions = {
        (e.cadre_id, e.course_id): e
        for e in Enrolment.objects.filter(cadre__ma_can_bo__startswith=PREFIX)
    }
    failed = 0
    for row in present:
        enrolment = completions[(row.cadre_id, row.session.course_id)]
        if row.session.course.requires_post_test and not row.passed:
            assert enrolment.completed_at is None
            failed += 1
            continue
        assert enrolment.completed_via == CompletionPath.IN_PERSON
        assert enrolment.completed_at == row.session.ended_at
    assert 0 < failed < present.count() * 0.1  # some fail the M&E post-test
    online = [e for e in completions.values() if e.completed_via == CompletionPath.ONLINE]
    assert online and all(e.completed_at.date() <= HISTORY_END for e in online)
    completed = [e for e in completions.values() if e.completed_at is not None]
    pending = Certificate.objects.filter(enrolment__in=[e.pk for e in completed])
    assert pending.count() == len(completed)
    assert set(pending.values_list("status", flat=True)) == {CertificateStatus.PENDING}
    assert not pending.filter(queued_at__isnull=False).exists()

    # Trained cadres: the leaders and key cadres who completed, in the thousands.
    cadres_trained = Cadre.objects.filter(
        ma_can_bo__startswith=PREFIX, target_group__in=["leader", "key_cadre"],
        level__in=["province", "district", "commune"],
        enrolments__completed_at__isnull=False,
    ).distinct().count()  # fmt: skip
    assert report[svc.CADRES_TRAINED].value == cadres_trained > 1000
    heads = Cadre.objects.filter(ma_can_bo__startswith=PREFIX, target_group="village_head")
    village = report[svc.VILLAGE_HEADS_TRAINED]
    assert village.value == heads.filter(enrolments__completed_at__isnull=False).count() > 0
    assert village.target == sum(PROGRAMME_VILLAGES.values())  # the villages entered
    assert village.registered == heads.count()
    call_command("recount_counters", "--check")

    # The public figures are the counters', exact, and agree with each other.
    public = {row["code"]: row for row in counters_public_summary()}
    for code, figure in report.items():
        assert public[code]["value"] == figure.value and not public[code]["suppressed"], code
    html = client.get("/").content.decode()
    for code in (svc.CADRES_TRAINED, svc.ME_PARTICIPANTS, svc.SESSIONS_ME):
        card = html.split(f'data-code="{code}"', 1)[1].split("</li>", 1)[0]
        shown = re.search(r'summary-value">([\d.,]+)', card).group(1)
        assert int(re.sub(r"[.,]", "", shown)) == report[code].value, code
    # The dashboard shows the same figures, the village heads against the entered target and
    # the registry count beside it.
    admin = django_user_model.objects.create_superuser("central", "c@example.org", "x")
    client.force_login(admin)
    page = client.get(reverse("counters_dashboard")).content.decode()
    for code, figure in report.items():
        panel = page.split(f'id="indicator-{code}"', 1)[1]
        shown = re.search(r"<strong data-value>([\d.,]+)</strong>", panel).group(1)
        assert int(re.sub(r"[.,]", "", shown)) == figure.value, code
    panel = page.split(f'id="indicator-{svc.VILLAGE_HEADS_TRAINED}"', 1)[1].split("</p>", 1)[0]
    assert "data-registered" in panel

    # Idempotent: a second run finds the history and changes nothing.
    before = (sessions.count(), Cadre.objects.count(), Achievement.objects.count(),
              Certificate.objects.count())  # fmt: skip
    assert load() == ["Chương trình 2021–2023: các lớp tập huấn mẫu đã có."]
    assert before == (sessions.count(), Cadre.objects.count(), Achievement.objects.count(),
                      Certificate.objects.count())  # fmt: skip


def test_the_history_sample_of_certificates_is_issued_once(
    demo_courses, settings, tmp_path, django_capture_on_commit_callbacks, tasks_inline
):
    from certificates.demo import HISTORY_SAMPLE, issue_history_sample
    from certificates.models import Certificate, CertificateStatus
    from courses.demo.programme import PREFIX

    settings.MEDIA_ROOT = tmp_path
    load(scale=0.05, report=False)  # few people: the sample is what is tested
    with django_capture_on_commit_callbacks(execute=True):
        lines = list(issue_history_sample())
    history = Certificate.objects.filter(enrolment__cadre__ma_can_bo__startswith=PREFIX)
    assert "đã cấp" in lines[0]
    issued = history.filter(status=CertificateStatus.ISSUED)
    assert issued.count() == HISTORY_SAMPLE
    # Dated by the completion in 2021-2023, not by the day the demo was loaded.
    assert {c.completed_on.year for c in issued} <= {2021, 2022, 2023}
    assert list(issue_history_sample()) == ["Chứng nhận: mẫu của giai đoạn trước đã được cấp."]
