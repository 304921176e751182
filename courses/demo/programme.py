"""Demo step: a synthetic but coherent programme state reproducing the July 2023 report.

- held sessions: 239 for district and commune cadres (of 480), 377 for village heads and
  prestigious people (of 1,600), 283 on monitoring and evaluation (of 1,600), plus some
  planned ones;
- 4,528 distinct people present at the monitoring and evaluation sessions (16 per session).

Sessions are spread over communes of eight northern mountain provinces (2023 structure),
between March 2022 and June 2023. Everything is written with bulk inserts, achievements and
counter cells included, so that `recount_counters --check` finds no drift. Idempotent: the
demo's rows carry codes starting with DEMO-P8-, and a second run finds them and stops.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from courses.counters import services as svc
from courses.counters.models import Achievement, Indicator
from courses.registry.models import AdminUnit, AdminUnitLineage, Cadre, UnitLevel, UnitStructure
from courses.registry.models.cadres import name_key
from courses.registry.models.places import REFORM_DATE, place_of
from courses.sessions import counting as session_counting
from courses.sessions.models import Attendance, SessionKind, SessionStatus, TrainingSession

PREFIX = "DEMO-P8-"
HELD = {
    SessionKind.DISTRICT_COMMUNE: 239,
    SessionKind.VILLAGE: 377,
    SessionKind.MONITORING: 283,
}
PLANNED = {SessionKind.DISTRICT_COMMUNE: 12, SessionKind.VILLAGE: 20, SessionKind.MONITORING: 15}
PRESENT_PER_ME_SESSION = 16  # 283 x 16 = 4,528 people

COURSE_FOR_KIND = {
    SessionKind.DISTRICT_COMMUNE: ["long-ghep-gioi", "ky-nang-phan-tich-gioi"],
    SessionKind.VILLAGE: ["kien-thuc-co-ban-ve-binh-dang-gioi"],
    SessionKind.MONITORING: ["giam-sat-danh-gia-binh-dang-gioi"],
}

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


def _communes() -> list[AdminUnit]:
    """Communes of the demo provinces: from the loaded registry if present, else created."""
    units = AdminUnit.objects.filter(structure=UnitStructure.S2023, level=UnitLevel.COMMUNE)
    if not units.filter(province_code__in=PROVINCES).exists():
        fallback_units_create()
    picked: list[AdminUnit] = []
    for province in PROVINCES:
        picked += list(
            units.filter(province_code=province).order_by("code")[:COMMUNES_PER_PROVINCE]
        )
    return picked


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
        found = CoursePage.objects.filter(slug__in=slugs).order_by("pk").first()
        courses[kind] = found or fallback
    return courses


def _day(rng: random.Random) -> dt.date:
    start = dt.date(2022, 3, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(2023, 6, 30) - start).days))


def load_programme() -> Iterable[str]:
    if TrainingSession.objects.filter(code__startswith=PREFIX).exists():
        yield "programme: demo sessions already loaded"
        return
    courses = courses_for_kinds()
    if courses is None:
        yield "programme: no course page yet, demo sessions skipped"
        return
    svc.indicator_cache_clear()
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    rng = random.Random(2023)  # the same demo every time
    communes = _communes()
    now = timezone.now()
    with transaction.atomic():
        sessions = []
        number = 0
        for kind, held in HELD.items():
            for status, count in (
                (SessionStatus.HELD, held),
                (SessionStatus.PLANNED, PLANNED[kind]),
            ):
                for _ in range(count):
                    number += 1
                    unit = rng.choice(communes)
                    day = _day(rng) if status == SessionStatus.HELD else dt.date(2023, 9, 1)
                    day += dt.timedelta(
                        days=rng.randrange(30) if status != SessionStatus.HELD else 0
                    )
                    sessions.append(
                        TrainingSession(
                            code=f"{PREFIX}{number:04d}", kind=kind, course=courses[kind],
                            title=f"{SessionKind(kind).label} – {unit.name}", start_date=day,
                            end_date=day, unit=unit, **place_of(unit).as_fields(),
                            venue=f"Nhà văn hoá {unit.name}", status=status,
                        )
                    )  # fmt: skip
        TrainingSession.objects.bulk_create(sessions, batch_size=1000)
        sessions = list(TrainingSession.objects.filter(code__startswith=PREFIX).order_by("code"))
        me_held = [s for s in sessions if s.kind == SessionKind.MONITORING and s.status == "held"]

        cadres = []
        for n in range(len(me_held) * PRESENT_PER_ME_SESSION):
            session = me_held[n // PRESENT_PER_ME_SESSION]
            full_name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
            cadres.append(
                Cadre(
                    ma_can_bo=f"{PREFIX}{n + 1:05d}", full_name=full_name,
                    name_key=name_key(full_name), sex=rng.choice(["female"] * 3 + ["male"] * 2),
                    birth_year=rng.randrange(1965, 2000), ethnicity=rng.choice(ETHNICITIES),
                    target_group=rng.choice(["key_cadre", "leader", "wu_officer"]),
                    level=rng.choice(["commune"] * 3 + ["district"]), unit=session.unit,
                    **place_of(session.unit).as_fields(),
                )
            )  # fmt: skip
        Cadre.objects.bulk_create(cadres, batch_size=2000)
        cadres = list(Cadre.objects.filter(ma_can_bo__startswith=PREFIX).order_by("ma_can_bo"))

        attendance = [
            Attendance(session=me_held[n // PRESENT_PER_ME_SESSION], cadre=cadre, present=True,
                       passed=True, post_test_score=rng.randrange(70, 101))
            for n, cadre in enumerate(cadres)
        ]  # fmt: skip
        Attendance.objects.bulk_create(attendance, batch_size=2000)

        achievements = []
        for session in sessions:
            if session.status != SessionStatus.HELD:
                continue
            key = session_counting.cell_key_for_session(session)
            achievements.append(
                Achievement(indicator_id=indicators[session_counting.SESSION_INDICATORS[session.kind]],
                            session=session, achieved_at=now, **key.as_filter())
            )  # fmt: skip
        for n, cadre in enumerate(cadres):
            key = svc.cell_key_for_cadre(cadre, me_held[n // PRESENT_PER_ME_SESSION].end_date)
            achievements.append(
                Achievement(indicator_id=indicators[svc.ME_PARTICIPANTS], cadre=cadre,
                            achieved_at=now, **key.as_filter())
            )  # fmt: skip
        Achievement.objects.bulk_create(achievements, batch_size=2000)
        _cells_add(achievements)
        svc.counters_changed()
    yield (
        f"programme: {sum(HELD.values())} held sessions "
        f"({', '.join(f'{k} {v}' for k, v in HELD.items())}), {len(cadres)} people present "
        f"at M&E sessions, {len(achievements)} achievements"
    )


def _cells_add(achievements: list[Achievement]) -> None:
    """Add the achievements to the cells (existing cells are incremented)."""
    counts = Counter(
        (a.indicator_id, a.month, a.province_code, a.district_code, a.commune_code, a.level,
         a.sex, a.ethnicity, a.province_2025, a.commune_2025)
        for a in achievements
    )  # fmt: skip
    for key, count in counts.items():
        svc.counter_cell_add(indicator=key[0], key=svc.CellKey(*key[1:]), delta=count)
