"""Shared set-up for the session, attendance and import tests: a page tree with courses of
each delivery, two provinces, trainers and admins, built directly (not from demo data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from courses.counters.models import Achievement, CounterCell
from courses.counters.services import indicator_cache_clear
from courses.learning.models import Enrolment
from courses.sessions.models import SessionKind, TrainingSession
from courses.sessions.services import session_create
from tests.builders import Units, make_cadre, make_course, make_units, make_user

DAY = dt.date(2026, 3, 10)


@dataclass
class World:
    lao_cai: Units
    ha_giang: Units
    in_person: object
    blended: object
    online: object
    post_test: object


def world_build() -> World:
    indicator_cache_clear()
    return World(
        lao_cai=make_units(province_code="10", province_name="Tỉnh Lào Cai"),
        ha_giang=make_units(province_code="02", province_name="Tỉnh Hà Giang"),
        in_person=make_course(
            title="Lồng ghép giới", slug="long-ghep-gioi", delivery="in_person",
            modules=0, quiz=False,
        ).course,
        blended=make_course(
            title="Bình đẳng giới cơ bản", slug="binh-dang-gioi", delivery="blended",
            modules=1, lessons_per_module=1,
        ).course,
        online=make_course(
            title="Học trực tuyến", slug="hoc-truc-tuyen", delivery="online",
            modules=1, lessons_per_module=1,
        ).course,
        post_test=make_course(
            title="Giám sát đánh giá", slug="giam-sat", delivery="in_person",
            modules=0, quiz=False, requires_post_test=True,
        ).course,
    )  # fmt: skip


def session_make(*, course, unit, kind=SessionKind.DISTRICT_COMMUNE, trainers=(), **fields):
    return session_create(
        kind=kind,
        course=course,
        title=fields.pop("title", f"Tập huấn {course.title}"),
        start_date=fields.pop("start_date", DAY),
        end_date=fields.pop("end_date", DAY),
        unit=unit,
        trainers=trainers,
        **fields,
    )


def trainer_make(name="tap_huan", province_code=""):
    return make_user(name, role="Trainer", province_code=province_code)


def admin_make(name="quan_tri", province_code=""):
    return make_user(name, role="Admin", province_code=province_code)


def session_achievements(session: TrainingSession) -> int:
    return Achievement.objects.filter(session=session).count()


def cell_total(code: str) -> int:
    return sum(CounterCell.objects.filter(indicator__code=code).values_list("value", flat=True))


def enrolment_of(cadre, course) -> Enrolment | None:
    return Enrolment.objects.filter(cadre=cadre, course=course).first()


__all__ = ["make_cadre", "DAY"]
