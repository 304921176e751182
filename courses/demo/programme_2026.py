"""Demo step: the programme after the 1 July 2025 reform, recorded in units of the 2025
structure, beside the 2023 history (courses/demo/programme.py).

A few sessions of 2026 in communes of Lào Cai (the demo province admin's province), Tuyên
Quang and Sơn La, a few dozen people registered in those communes and present at the held
sessions (passing the post-test where the course has one). The completion engine completes
their courses, so the counters show 2026 in both structures (in the 2023 view on the line of
the records made in the new units) and certificates are issued; the village heads of the
village sessions also finish the online course on their phones. Small, so it goes through the
real services instead of bulk inserts. Nothing of 2026 is ever in a 2023 unit. Idempotent: the
rows carry codes starting with DEMO-2026-, and a second run finds them and stops.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.db import transaction

from courses.counters import services as svc
from courses.demo.programme import (
    ETHNICITIES,
    FAMILY,
    GIVEN,
    courses_for_kinds,
    fallback_units_create,
)
from courses.learning.services import (
    enrolment_create,
    lesson_complete,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_key,
)
from courses.registry.models import AdminUnit, Cadre, UnitLevel, UnitStructure
from courses.sessions.models import SessionKind, SessionStatus, TrainingSession
from courses.sessions.services import attendance_mark, session_create, session_status_set

PREFIX = "DEMO-2026-"
PROVINCES_2025 = ("15", "08", "14")  # Lào Cai, Tuyên Quang, Sơn La (2025 codes)
COMMUNES_PER_PROVINCE = 6
PEOPLE_PER_SESSION = 6
HELD, PLANNED = SessionStatus.HELD, SessionStatus.PLANNED
# (2025 province, kind, status, day)
SESSIONS = [
    ("15", SessionKind.DISTRICT_COMMUNE, HELD, dt.date(2026, 3, 12)),
    ("15", SessionKind.VILLAGE, HELD, dt.date(2026, 4, 8)),
    ("15", SessionKind.MONITORING, HELD, dt.date(2026, 5, 20)),
    ("08", SessionKind.DISTRICT_COMMUNE, HELD, dt.date(2026, 3, 26)),
    ("14", SessionKind.VILLAGE, HELD, dt.date(2026, 4, 22)),
    ("15", SessionKind.DISTRICT_COMMUNE, PLANNED, dt.date(2026, 12, 15)),
    ("08", SessionKind.MONITORING, PLANNED, dt.date(2026, 12, 8)),
]
# Who comes to each kind of session: target groups and levels to pick from.
PEOPLE = {
    SessionKind.DISTRICT_COMMUNE: (["leader", "key_cadre", "key_cadre"], ["commune", "district"]),
    SessionKind.VILLAGE: (["village_head", "village_head", "prestigious"], ["village"]),
    SessionKind.MONITORING: (["key_cadre", "wu_officer"], ["commune", "district"]),
}


def _communes_2025() -> dict[str, list[AdminUnit]]:
    """Communes of the 2025 structure in the demo's 2025 provinces: from the loaded registry
    if present, else the fallback units (both structures) are created."""
    units = AdminUnit.objects.filter(structure=UnitStructure.S2025, level=UnitLevel.COMMUNE)
    if not units.filter(province_code__in=PROVINCES_2025).exists():
        fallback_units_create()
    return {
        province: list(
            units.filter(province_code=province).order_by("code")[:COMMUNES_PER_PROVINCE]
        )
        for province in PROVINCES_2025
    }


def _online_completion(cadre: Cadre, course) -> None:
    """The learner's online path through the course: every lesson, then the final quiz."""
    enrolment, _created = enrolment_create(cadre=cadre, course=course)
    for lesson_id in course.lesson_pages().values_list("pk", flat=True):
        lesson_complete(enrolment=enrolment, lesson_id=lesson_id)
    if course.final_quiz_id:
        quiz = course.final_quiz
        attempt = quiz_attempt_start(enrolment=enrolment, quiz=quiz)
        answers = {question: list(ids) for question, ids in quiz_key(quiz=quiz).correct.items()}
        quiz_attempt_submit(attempt=attempt, cadre=cadre, answers=answers)


def load_programme_2026() -> Iterable[str]:
    if TrainingSession.objects.filter(code__startswith=PREFIX).exists():
        yield "Chương trình 2026: các lớp tập huấn mẫu đã có."
        return
    courses = courses_for_kinds()
    if courses is None:
        yield "Chương trình 2026: chưa có trang khóa học, bỏ qua các lớp tập huấn mẫu."
        return
    svc.indicator_cache_clear()
    communes = _communes_2025()
    if not all(communes.values()):
        yield "Chương trình 2026: chưa có xã nào của cơ cấu 2025, bỏ qua các lớp tập huấn mẫu."
        return
    rng = random.Random(2026)  # the same demo every time
    people = 0
    with transaction.atomic():
        for number, (province, kind, status, day) in enumerate(SESSIONS, start=1):
            unit = rng.choice(communes[province])
            course = courses[kind]
            session = session_create(
                code=f"{PREFIX}{number:02d}", kind=kind, course=course, unit=unit,
                title=f"{SessionKind(kind).label} – {unit.name}", start_date=day,
                venue=f"Hội trường {unit.name}",
            )  # fmt: skip
            if status != HELD:
                continue
            groups, levels = PEOPLE[kind]
            heads = []
            for _n in range(PEOPLE_PER_SESSION):
                people += 1
                full_name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
                cadre = Cadre.objects.create(
                    ma_can_bo=f"{PREFIX}{people:03d}", full_name=full_name,
                    sex=rng.choice(["female"] * 3 + ["male"] * 2),
                    birth_year=rng.randrange(1965, 2000), ethnicity=rng.choice(ETHNICITIES),
                    target_group=rng.choice(groups), level=rng.choice(levels), unit=unit,
                )  # fmt: skip
                passed = True if course.requires_post_test else None
                score = rng.randrange(70, 101) if course.requires_post_test else None
                attendance_mark(session=session, cadre=cadre, present=True, passed=passed,
                                score=score)  # fmt: skip
                if cadre.target_group == "village_head":
                    heads.append(cadre)
            session_status_set(session=session, status=HELD)
            for cadre in heads:
                _online_completion(cadre, course)
    held = sum(1 for row in SESSIONS if row[2] == HELD)
    yield (
        f"Chương trình 2026: {len(SESSIONS)} lớp tập huấn ở đơn vị của cơ cấu 2025 "
        f"({held} lớp đã tổ chức), {people} người có mặt."
    )
