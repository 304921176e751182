"""Demo step: the programme's history (2021 to June 2023) run through the engine, so the July
2023 report comes out of it.

What it records, in the order it happened, through the same services a trainer or a learner
uses (session_create, attendance_mark, session_status_set; enrolment, lesson and quiz
services; the completion engine behind them):

- 239 held sessions for district and commune cadres (of 480), 377 for village heads and
  prestigious people (of 1,600), in villages, and 283 on monitoring and evaluation (of 1,600),
  with more than 4,400 people present; sessions planned for after the report;
- three central training-of-trainers courses with about 240 provincial trainers;
- a few dozen commune cadres who took the mainstreaming course online only.

Sessions are spread over rural communes of eight northern mountain provinces (2023 structure,
the units of that time). Every held session has its participants, registered in the
session's commune (village heads and prestigious people in its villages), with a paper consent
date. Each completion is dated by the event (the session's last day, or the moment the last
online requirement was met), so the counters put it in the month it happened.

Certificates: the engine creates one pending certificate per completion, as always; the
thousands of this history are left pending (their queueing deferred by the certificates
demo step, see certificates/demo.py), for the worker or `issue_pending_certificates`.

`scale` (0 < scale <= 1) makes the people per session fewer, for tests; the sessions stay,
and with `report` (the default) so do the M&E participants (over 4,400) and the 240 trainers
of trainers, the report's figures.
Idempotent: the demo's rows carry codes starting with DEMO-P8-, and a second run finds them
and stops.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from courses.counters import services as svc
from courses.learning.services import (
    enrolment_create,
    lesson_complete,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_key,
)
from courses.registry.forms import CONSENT_NOTICE_VERSION
from courses.registry.models import AdminUnit, AdminUnitLineage, Cadre, UnitLevel, UnitStructure
from courses.registry.models.cadres import name_key
from courses.registry.models.places import REFORM_DATE, place_of
from courses.sessions.models import SessionKind, SessionStatus, TrainingSession
from courses.sessions.services import attendance_mark_many, session_create, session_status_set

PREFIX = "DEMO-P8-"
HELD = {
    SessionKind.DISTRICT_COMMUNE: 239,
    SessionKind.VILLAGE: 377,
    SessionKind.MONITORING: 283,
}
PLANNED = {SessionKind.DISTRICT_COMMUNE: 12, SessionKind.VILLAGE: 20, SessionKind.MONITORING: 15}
# People present at each kind of session (at scale 1). 283 x 16 = 4,528 M&E participants.
PEOPLE_PER_SESSION = {
    SessionKind.DISTRICT_COMMUNE: 12,
    SessionKind.VILLAGE: 8,
    SessionKind.MONITORING: 16,
}
ME_PARTICIPANTS_MIN = 4400  # "over 4,400 cadres" in the report: kept at any scale
# The central training-of-trainers courses: (day, host province (2023), people).
TOT_COURSES = [
    (dt.date(2021, 11, 19), "10", 78),
    (dt.date(2022, 6, 10), "14", 82),
    (dt.date(2022, 11, 25), "02", 80),
]
ONLINE_LEARNERS_PER_PROVINCE = 12  # commune cadres who took the course online only
HISTORY_START, HISTORY_END = dt.date(2021, 9, 1), dt.date(2023, 6, 30)
PLANNED_FROM = dt.date(2023, 9, 1)
ME_PASS_RATE = 0.94  # share of M&E participants who pass the post-test

COURSE_FOR_KIND = {
    SessionKind.DISTRICT_COMMUNE: ["long-ghep-gioi", "ky-nang-phan-tich-gioi"],
    SessionKind.VILLAGE: ["kien-thuc-co-ban-ve-binh-dang-gioi"],
    SessionKind.MONITORING: ["giam-sat-danh-gia-binh-dang-gioi"],
    SessionKind.TOT: ["long-ghep-gioi"],
}
ONLINE_COURSE = "long-ghep-gioi"

# Who comes to each kind of session: (target group, level) with weights.
ATTENDEES = {
    SessionKind.DISTRICT_COMMUNE: [("leader", "commune")] * 3 + [("key_cadre", "commune")] * 5
    + [("leader", "district")] + [("key_cadre", "district")] * 2 + [("wu_officer", "commune")],
    SessionKind.VILLAGE: [("village_head", "village")] * 3 + [("prestigious", "village")] * 5,
    SessionKind.MONITORING: [("key_cadre", "commune")] * 5 + [("leader", "commune")] * 2
    + [("key_cadre", "district")] * 2 + [("wu_officer", "commune")] * 3,
    SessionKind.TOT: [("wu_officer", "province")] * 3 + [("key_cadre", "province")],
}  # fmt: skip
VILLAGES_PER_COMMUNE = 4
VILLAGE_NAMES = ["Thôn Nà Phìn", "Bản Sả Phìn", "Thôn Khuổi Luông", "Bản Hua Nà", "Thôn Pác Bó",
                 "Bản Lả", "Thôn Tả Chải", "Bản Mông"]  # fmt: skip
# Villages in the programme area per province (2023 codes): the village-head targets the demo
# enters (an admin's figure, see IndicatorTarget.villages).
PROGRAMME_VILLAGES = {"02": 1650, "04": 1240, "10": 930, "11": 1020, "12": 860, "14": 2120,
                      "15": 720, "17": 910}  # fmt: skip

# Real GSO codes (2023 structure), used only when load_admin_units has not loaded the units.
FALLBACK_UNITS = [
    ("02", "Tỉnh Hà Giang", "026", "Huyện Đồng Văn",
     [("00715", "Xã Lũng Cú"), ("00718", "Xã Má Lé"), ("00724", "Xã Lũng Táo")]),
    ("02", "Tỉnh Hà Giang", "024", "Thành phố Hà Giang", [("00688", "Phường Quang Trung")]),
    ("02", "Tỉnh Hà Giang", "027", "Huyện Mèo Vạc",
     [("00772", "Xã Thượng Phùng"), ("00775", "Xã Pải Lủng"), ("00778", "Xã Xín Cái")]),
    ("04", "Tỉnh Cao Bằng", "042", "Huyện Bảo Lâm",
     [("01291", "Xã Đức Hạnh"), ("01294", "Xã Lý Bôn"), ("01296", "Xã Nam Cao")]),
    ("10", "Tỉnh Lào Cai", "082", "Huyện Bát Xát",
     [("02686", "Xã A Mú Sung"), ("02689", "Xã Nậm Chạc"), ("02692", "Xã A Lù")]),
    ("10", "Tỉnh Lào Cai", "083", "Huyện Mường Khương",
     [("02752", "Xã Pha Long"), ("02755", "Xã Tả Ngài Chồ"), ("02758", "Xã Tung Chung Phố")]),
    ("11", "Tỉnh Điện Biên", "096", "Huyện Mường Nhé",
     [("03154", "Xã Sín Thầu"), ("03155", "Xã Sen Thượng"), ("03157", "Xã Chung Chải")]),
    ("12", "Tỉnh Lai Châu", "106", "Huyện Tam Đường",
     [("03394", "Xã Thèn Sin"), ("03400", "Xã Tả Lèng"), ("03405", "Xã Giang Ma")]),
    ("14", "Tỉnh Sơn La", "118", "Huyện Quỳnh Nhai",
     [("03682", "Xã Mường Chiên"), ("03685", "Xã Cà Nàng"), ("03688", "Xã Chiềng Khay")]),
    ("14", "Tỉnh Sơn La", "119", "Huyện Thuận Châu",
     [("03724", "Xã Phổng Lái"), ("03727", "Xã Mường É"), ("03730", "Xã Chiềng Pha")]),
    ("15", "Tỉnh Yên Bái", "136", "Huyện Văn Yên",
     [("04378", "Xã Lang Thíp"), ("04381", "Xã Lâm Giang"), ("04384", "Xã Châu Quế Thượng")]),
    ("17", "Tỉnh Hòa Bình", "150", "Huyện Đà Bắc",
     [("04834", "Xã Nánh Nghê"), ("04840", "Xã Giáp Đắt"), ("04846", "Xã Mường Chiềng")]),
]  # fmt: skip
# The 2025 units those went into, and the lineage (real codes too): each 2023 province went
# wholly into one 2025 province, each commune into one 2025 commune, except Phường Quang Trung,
# split between two wards (its records wait for an admin to pick one).
FALLBACK_PROVINCES_2025 = {
    "02": ("08", "Tỉnh Tuyên Quang"), "04": ("04", "Tỉnh Cao Bằng"), "10": ("15", "Tỉnh Lào Cai"),
    "11": ("11", "Tỉnh Điện Biên"), "12": ("12", "Tỉnh Lai Châu"), "14": ("14", "Tỉnh Sơn La"),
    "15": ("15", "Tỉnh Lào Cai"), "17": ("25", "Tỉnh Phú Thọ"),
}  # fmt: skip
FALLBACK_COMMUNES_2025 = {
    "00688": [("00691", "Phường Hà Giang 2"), ("00694", "Phường Hà Giang 1")],
    "00715": [("00715", "Xã Lũng Cú")], "00718": [("00715", "Xã Lũng Cú")],
    "00724": [("00715", "Xã Lũng Cú")], "00772": [("00778", "Xã Sơn Vĩ")],
    "00775": [("00721", "Xã Đồng Văn")], "00778": [("00778", "Xã Sơn Vĩ")],
    "01291": [("01324", "Xã Cốc Pàng")], "01294": [("01294", "Xã Lý Bôn")],
    "01296": [("01297", "Xã Nam Quang")], "02686": [("02686", "Xã A Mú Sung")],
    "02689": [("02686", "Xã A Mú Sung")], "02692": [("02701", "Xã Y Tý")],
    "02752": [("02752", "Xã Pha Long")], "02755": [("02752", "Xã Pha Long")],
    "02758": [("02761", "Xã Mường Khương")], "03154": [("03158", "Xã Sín Thầu")],
    "03155": [("03158", "Xã Sín Thầu")], "03157": [("03160", "Xã Mường Nhé")],
    "03394": [("03394", "Xã Sin Suối Hồ")], "03400": [("03405", "Xã Tả Lèng")],
    "03405": [("03405", "Xã Tả Lèng")], "03682": [("03688", "Xã Mường Chiên")],
    "03685": [("03688", "Xã Mường Chiên")], "03688": [("03688", "Xã Mường Chiên")],
    "03724": [("03724", "Xã Bình Thuận")], "03727": [("03727", "Xã Mường É")],
    "03730": [("03724", "Xã Bình Thuận")], "04378": [("04381", "Xã Lâm Giang")],
    "04381": [("04381", "Xã Lâm Giang")], "04384": [("04387", "Xã Châu Quế")],
    "04834": [("04846", "Xã Đức Nhàn")], "04840": [("04849", "Xã Tân Pheo")],
    "04846": [("04846", "Xã Đức Nhàn")],
}  # fmt: skip
PROVINCES = sorted({row[0] for row in FALLBACK_UNITS})
COMMUNES_PER_PROVINCE = 12

# Dominant ethnic groups of the area (GSO codes): Hmông, Thái, Dao, Tày, Mường, Nùng, Kinh.
ETHNICITIES = ["08", "08", "03", "03", "09", "02", "06", "07", "01"]
FAMILY = ["Giàng", "Lò", "Vàng", "Sùng", "Lý", "Cầm", "Hoàng", "Đinh", "Lường", "Mùa", "Thào"]
GIVEN = ["Thị Mai", "Thị Dung", "Văn Sáng", "Thị Pà", "Văn Chứ", "Thị Lan", "A Dế", "Thị Sua"]


def _communes() -> dict[str, list[AdminUnit]]:
    """Communes of the demo provinces, spread over each province (not the capital's wards):
    from the loaded registry if present, else the fallback units are created."""
    units = AdminUnit.objects.filter(structure=UnitStructure.S2023, level=UnitLevel.COMMUNE)
    if not units.filter(province_code__in=PROVINCES).exists():
        fallback_units_create()
    picked: dict[str, list[AdminUnit]] = {}
    for province in PROVINCES:
        communes = list(units.filter(province_code=province).order_by("code"))
        rural = [unit for unit in communes if unit.name.startswith("Xã ")]
        if len(rural) > COMMUNES_PER_PROVINCE:
            step = len(rural) / COMMUNES_PER_PROVINCE
            rural = [rural[int(i * step)] for i in range(COMMUNES_PER_PROVINCE)]
            communes = rural
        picked[province] = communes
    return picked


def _capital(province: str) -> AdminUnit:
    """Where the province's Women's Union sits: its first commune (or ward) by code."""
    return (
        AdminUnit.objects.filter(
            structure=UnitStructure.S2023, level=UnitLevel.COMMUNE, province_code=province
        )
        .order_by("code")
        .first()
    )


_village_cache: dict[int, list[AdminUnit]] = {}


def _villages(commune: AdminUnit) -> list[AdminUnit]:
    """A few villages of the commune (get or create; villages have no national code)."""
    if commune.pk in _village_cache:
        return _village_cache[commune.pk]
    villages = []
    for n in range(1, VILLAGES_PER_COMMUNE + 1):
        village, _ = AdminUnit.objects.get_or_create(
            structure=commune.structure, code=f"{commune.code}-{n}",
            defaults={"level": UnitLevel.VILLAGE, "parent": commune,
                      "name": VILLAGE_NAMES[(int(commune.code) + n) % len(VILLAGE_NAMES)],
                      "province_code": commune.province_code,
                      "district_code": commune.district_code, "commune_code": commune.code},
        )  # fmt: skip
        villages.append(village)
    _village_cache[commune.pk] = villages
    return villages


def fallback_units_create() -> None:
    """The FALLBACK_UNITS in both structures, with their lineage (get or create), for a
    database where `load_admin_units` has not run: the places of the demo's records then
    follow in both structures as they would with the whole list."""
    s2023, s2025 = UnitStructure.S2023, UnitStructure.S2025
    provinces_2025 = {}
    for code, (code_2025, name) in FALLBACK_PROVINCES_2025.items():
        provinces_2025[code], _ = AdminUnit.objects.get_or_create(
            structure=s2025, code=code_2025,
            defaults={"level": UnitLevel.PROVINCE, "name": name, "province_code": code_2025,
                      "valid_from": REFORM_DATE},
        )  # fmt: skip
    for province_code, province_name, district_code, district_name, communes in FALLBACK_UNITS:
        province, _ = AdminUnit.objects.get_or_create(
            structure=s2023, code=province_code,
            defaults={"level": UnitLevel.PROVINCE, "name": province_name,
                      "province_code": province_code},
        )  # fmt: skip
        province_2025 = provinces_2025[province_code]
        AdminUnitLineage.objects.get_or_create(old=province, new=province_2025)
        district, _ = AdminUnit.objects.get_or_create(
            structure=s2023, code=district_code,
            defaults={"level": UnitLevel.DISTRICT, "name": district_name, "parent": province,
                      "province_code": province_code, "district_code": district_code},
        )  # fmt: skip
        for code, name in communes:
            commune, _ = AdminUnit.objects.get_or_create(
                structure=s2023, code=code,
                defaults={"level": UnitLevel.COMMUNE, "name": name, "parent": district,
                          "province_code": province_code, "district_code": district_code,
                          "commune_code": code},
            )  # fmt: skip
            successors = FALLBACK_COMMUNES_2025[code]
            for new_code, new_name in successors:
                new, _ = AdminUnit.objects.get_or_create(
                    structure=s2025, code=new_code,
                    defaults={"level": UnitLevel.COMMUNE, "name": new_name,
                              "parent": province_2025, "province_code": province_2025.code,
                              "commune_code": new_code, "valid_from": REFORM_DATE},
                )  # fmt: skip
                AdminUnitLineage.objects.get_or_create(
                    old=commune, new=new, defaults={"partial": len(successors) > 1}
                )


def courses_for_kinds() -> dict[str, object] | None:
    """The demo course of each kind of session (the first course if its own is missing);
    None before any course exists."""
    from content.models import CoursePage

    fallback = CoursePage.objects.order_by("pk").first()
    if fallback is None:
        return None
    courses = {}
    for kind, slugs in COURSE_FOR_KIND.items():
        found = next(
            (c for slug in slugs for c in CoursePage.objects.filter(slug=slug).order_by("pk")[:1]),
            None,
        )
        courses[kind] = found or fallback
    return courses


def _day(rng: random.Random, start: dt.date = HISTORY_START, end: dt.date = HISTORY_END):
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@dataclass
class _Planned:
    """A session of the history, and who came (cadres not saved yet)."""

    day: dt.date
    kind: str
    unit: AdminUnit
    status: str
    people: list[Cadre]
    days: int = 1


class _People:
    """Makes the demo's people, numbered in the order they are made (ma_can_bo DEMO-P8-n)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.made: list[Cadre] = []
        self.consent_at = timezone.make_aware(dt.datetime(2021, 8, 2, 8, 0))

    def make(self, *, unit: AdminUnit, group: str, level: str) -> Cadre:
        rng = self.rng
        full_name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
        cadre = Cadre(
            ma_can_bo=f"{PREFIX}{len(self.made) + 1:05d}", full_name=full_name,
            name_key=name_key(full_name), sex=rng.choice(["female"] * 3 + ["male"] * 2),
            birth_year=rng.randrange(1965, 2000), ethnicity=rng.choice(ETHNICITIES),
            target_group=group, level=level, unit=unit, **place_of(unit).as_fields(),
            # Paper consent collected by the province before the training.
            consent_notice_version=CONSENT_NOTICE_VERSION, consent_at=self.consent_at,
        )  # fmt: skip
        self.made.append(cadre)
        return cadre


def _plan(
    rng: random.Random, scale: float, report: bool
) -> tuple[list[_Planned], list[Cadre], _People]:
    """Every session of the history with its participants, and the online learners."""
    communes = _communes()
    provinces = [p for p in PROVINCES if communes[p]]
    people = _People(rng)
    plans: list[_Planned] = []
    per_session = {kind: max(1, round(count * scale)) for kind, count in PEOPLE_PER_SESSION.items()}
    if report:
        per_session[SessionKind.MONITORING] = max(
            per_session[SessionKind.MONITORING],
            -(-ME_PARTICIPANTS_MIN // HELD[SessionKind.MONITORING]),
        )
    for kind, held in HELD.items():
        for index in range(held + PLANNED[kind]):
            status = SessionStatus.HELD if index < held else SessionStatus.PLANNED
            province = provinces[index % len(provinces)]
            commune = rng.choice(communes[province])
            unit = rng.choice(_villages(commune)) if kind == SessionKind.VILLAGE else commune
            if status == SessionStatus.HELD:
                day = _day(rng)
                who = []
                for _n in range(per_session[kind]):
                    group, level = rng.choice(ATTENDEES[kind])
                    home = unit if level == "village" else commune
                    if level == "village" and kind == SessionKind.VILLAGE:
                        home = rng.choice(_villages(commune))  # heads of the commune's villages
                    who.append(people.make(unit=home, group=group, level=level))
            else:
                day, who = PLANNED_FROM + dt.timedelta(days=rng.randrange(120)), []
            plans.append(_Planned(day=day, kind=kind, unit=unit, status=status, people=who))
    for day, host, count in TOT_COURSES:
        who = []
        for n in range(count if report else max(1, round(count * scale))):
            group, level = rng.choice(ATTENDEES[SessionKind.TOT])
            home = _capital(provinces[n % len(provinces)])
            who.append(people.make(unit=home, group=group, level=level))
        plans.append(_Planned(day=day, kind=SessionKind.TOT, unit=_capital(host),
                              status=SessionStatus.HELD, people=who, days=3))  # fmt: skip
    online = [
        people.make(unit=rng.choice(communes[province]), group="key_cadre", level="commune")
        for province in provinces
        for _n in range(max(1, round(ONLINE_LEARNERS_PER_PROVINCE * scale)))
    ]
    plans.sort(key=lambda p: (p.day, p.kind))
    return plans, online, people


def _saved(people: _People) -> dict[str, Cadre]:
    """Saves the demo's people in one go (their place and name key are set already: what
    save() would compute) and returns them by ma_can_bo."""
    Cadre.objects.bulk_create(people.made, batch_size=2000)
    saved = Cadre.objects.filter(ma_can_bo__startswith=PREFIX).select_related("unit")
    return {cadre.ma_can_bo: cadre for cadre in saved}


def _session_run(number: int, plan: _Planned, course, cadres: dict[str, Cadre],
                 rng: random.Random) -> int:  # fmt: skip
    """One session as a trainer records it: created, attendance marked, then marked held, at
    which the engine completes the course for those present (dated by the session's end)."""
    unit = plan.unit
    session = session_create(
        code=f"{PREFIX}{number:04d}", kind=plan.kind, course=course, unit=unit,
        title=f"{SessionKind(plan.kind).label} – {unit.name}", start_date=plan.day,
        end_date=plan.day + dt.timedelta(days=plan.days - 1), venue=f"Nhà văn hóa {unit.name}",
    )  # fmt: skip
    sheet = []
    for person in plan.people:
        passed = score = None
        cadre = cadres[person.ma_can_bo]
        if course.requires_post_test:
            passed = rng.random() < ME_PASS_RATE
            score = rng.randrange(70, 101) if passed else rng.randrange(30, 70)
        pre, post = _test_scores(cadre, score, rng)
        sheet.append((cadre, True, passed, post, pre))
    attendance_mark_many(session=session, rows=sheet)
    if plan.status == SessionStatus.HELD:
        session_status_set(session=session, status=SessionStatus.HELD)
    return len(plan.people)


# Share of the people present whose trainer recorded a pre-test and a post-test (the
# knowledge gain), and of those the share with a post-test but no pre-test (late arrivals).
TESTED_SHARE = 0.7
LATE_SHARE = 0.04


def _test_scores(cadre: Cadre, post: int | None, rng: random.Random):
    """(pre, post) test scores of one participant, or (None, post) for someone not tested:
    the pre-test lower for those with fewer years at school in the demo's story (village heads
    a little lower than commune cadres), the gain larger where the pre-test left room."""
    if rng.random() >= TESTED_SHARE:
        return None, post
    base = 30 if cadre.target_group in ("village_head", "prestigious") else 42
    pre = max(0, min(100, base + rng.randrange(-20, 25)))
    if post is None:
        post = min(100, pre + round((100 - pre) * rng.uniform(0.1, 0.7)))
    if rng.random() < LATE_SHARE:
        return None, post
    return pre, post


def _online_study(cadre: Cadre, course, rng: random.Random) -> None:
    """A learner's online path, dated when they did it: the lessons over a few weeks, then the
    final quiz; the engine completes the course at the quiz (or the last lesson)."""
    start = _day(rng, end=HISTORY_END - dt.timedelta(days=60))
    moment = timezone.make_aware(dt.datetime.combine(start, dt.time(20, 0)))
    enrolment, _created = enrolment_create(cadre=cadre, course=course)
    for lesson_id in course.lesson_pages().values_list("pk", flat=True):
        moment += dt.timedelta(days=rng.randrange(1, 4))
        lesson_complete(enrolment=enrolment, lesson_id=lesson_id, at=moment)
    if course.final_quiz_id:
        quiz = course.final_quiz
        moment += dt.timedelta(days=1)
        attempt = quiz_attempt_start(enrolment=enrolment, quiz=quiz, at=moment)
        answers = {question: list(ids) for question, ids in quiz_key(quiz=quiz).correct.items()}
        quiz_attempt_submit(attempt=attempt, cadre=cadre, answers=answers,
                            at=moment + dt.timedelta(minutes=25))  # fmt: skip


def village_targets_enter() -> None:
    """The villages in the programme area of each demo province, as an admin enters them
    (the village-head target), unless one is entered already."""
    from courses.counters.models import Indicator, IndicatorTarget

    indicator = Indicator.objects.filter(code=svc.VILLAGE_HEADS_TRAINED).first()
    if indicator is None:
        return
    for province, villages in PROGRAMME_VILLAGES.items():
        IndicatorTarget.objects.get_or_create(
            indicator=indicator, province_code=province, defaults={"villages": villages}
        )


def load_programme(scale: float = 1.0, *, report: bool = True) -> Iterable[str]:
    if TrainingSession.objects.filter(code__startswith=PREFIX).exists():
        yield "Chương trình 2021–2023: các lớp tập huấn mẫu đã có."
        return
    courses = courses_for_kinds()
    if courses is None:
        yield "Chương trình 2021–2023: chưa có trang khóa học, bỏ qua các lớp tập huấn mẫu."
        return
    from content.models import CoursePage

    online_course = (
        CoursePage.objects.filter(slug=ONLINE_COURSE).first()
        or courses[SessionKind.DISTRICT_COMMUNE]
    )
    svc.indicator_cache_clear()
    rng = random.Random(2023)  # the same demo every time
    _village_cache.clear()
    # One transaction; the cell arithmetic is summed and written once at the end.
    with svc.counters_batched():
        village_targets_enter()
        plans, online, people = _plan(rng, scale, report)
        cadres = _saved(people)
        present = 0
        for number, plan in enumerate(plans, start=1):
            present += _session_run(number, plan, courses[plan.kind], cadres, rng)
        for person in online:
            _online_study(cadres[person.ma_can_bo], online_course, rng)
    held = sum(1 for p in plans if p.status == SessionStatus.HELD)
    yield (
        f"Chương trình 2021–2023: {held} lớp tập huấn đã tổ chức "
        f"({', '.join(f'{SessionKind(k).label}: {v}' for k, v in HELD.items())}; "
        f"{len(TOT_COURSES)} khóa tập huấn giảng viên nguồn), {len(plans) - held} lớp kế hoạch, "
        f"{len(cadres)} người, {present} lượt có mặt, {len(online)} người học trực tuyến."
    )
