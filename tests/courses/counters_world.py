"""A small programme world for the counter tests: two provinces, courses, cadres, sessions."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from courses.counters import services as svc
from courses.learning.completion import enrolment_complete
from courses.learning.models import Enrolment
from courses.registry.models import AdminUnit, Cadre, UnitLevel, UnitStructure
from courses.sessions import counting as session_counting
from courses.sessions.models import Attendance, SessionKind, SessionStatus, TrainingSession
from tests.factories import content_home_create, course_create, course_index_create

_seq = itertools.count(1)


@dataclass
class Area:
    province: AdminUnit
    district: AdminUnit
    commune: AdminUnit


def unit(structure, level, code, name, parent=None, **codes) -> AdminUnit:
    obj, _ = AdminUnit.objects.get_or_create(
        structure=structure,
        code=code,
        defaults={"level": level, "name": name, "parent": parent, **codes},
    )
    return obj


def area_create(province_code: str, province_name: str, district_code: str, commune_code: str):
    s = UnitStructure.S2023
    province = unit(s, UnitLevel.PROVINCE, province_code, province_name, None,
                    province_code=province_code)  # fmt: skip
    district = unit(s, UnitLevel.DISTRICT, district_code, f"Huyện {district_code}", province,
                    province_code=province_code, district_code=district_code)  # fmt: skip
    commune = unit(s, UnitLevel.COMMUNE, commune_code, f"Xã {commune_code}", district,
                   province_code=province_code, district_code=district_code,
                   commune_code=commune_code)  # fmt: skip
    return Area(province, district, commune)


@dataclass
class World:
    lao_cai: Area
    ha_giang: Area
    course: object
    me_course: object


def world_build() -> World:
    svc.indicator_cache_clear()
    index = course_index_create(home=content_home_create())
    return World(
        lao_cai=area_create("10", "Tỉnh Lào Cai", "080", "02647"),
        ha_giang=area_create("02", "Tỉnh Hà Giang", "024", "00688"),
        course=course_create(index=index, title="Lồng ghép giới", delivery="blended"),
        me_course=course_create(index=index, title="Giám sát đánh giá", delivery="in_person"),
    )


def cadre_make(area: Area, **fields) -> Cadre:
    n = next(_seq)
    defaults = {
        "full_name": f"Lò Thị Cán Bộ {n}",
        "sex": "female",
        "level": "commune",
        "target_group": "key_cadre",
        "ethnicity": "03",
        "unit": area.commune,
    }
    defaults.update(fields)
    return Cadre.objects.create(**defaults)


def complete(cadre: Cadre, course, at: dt.datetime | None = None) -> Enrolment:
    enrolment, _ = Enrolment.objects.get_or_create(cadre=cadre, course=course)
    enrolment_complete(enrolment=enrolment, via="online", at=at)
    return enrolment


def session_make(course, area: Area, kind=SessionKind.MONITORING, status=SessionStatus.PLANNED,
                 day=dt.date(2023, 5, 10)) -> TrainingSession:  # fmt: skip
    return TrainingSession.objects.create(
        kind=kind, course=course, title=f"Lớp {next(_seq)}", start_date=day, end_date=day,
        unit=area.commune, status=status,
    )  # fmt: skip


def session_status(session: TrainingSession, status: str) -> None:
    with transaction.atomic():
        session.status = status
        session.save()
        session_counting.achievements_for_session(session=session)


def attend(session: TrainingSession, cadre: Cadre, present: bool = True) -> None:
    with transaction.atomic():
        Attendance.objects.update_or_create(
            session=session, cadre=cadre, defaults={"present": present}
        )
        session_counting.achievements_for_attendance(session=session, cadre=cadre, present=present)


def user_make(*, role: str | None = "Admin", province_code: str = "", superuser=False):
    User = get_user_model()
    name = f"user{next(_seq)}"
    if superuser:
        return User.objects.create_superuser(name, password="mat-khau-dai-123")
    user = User.objects.create_user(name, password="mat-khau-dai-123", province_code=province_code)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
