"""A small world of people with distinctive markers, for the authorisation matrix and the
personal-data checks.

Each person's name and phone carry a marker ("Zzqxy...") that appears nowhere else, so a
response that contains a marker shows that person's personal data. Who may see whom:

| caller        | may see                                  |
|---------------|------------------------------------------|
| anonymous     | nobody                                   |
| cadre (A)     | A                                        |
| cadre2 (B)    | B                                        |
| trainer       | A (a participant of the trainer's session)|
| admin_same    | everyone in province 10: A, B, OUT10     |
| admin_other   | everyone in province 20: P20             |
| central       | everyone                                 |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import Client

from tests.builders import CourseTree, Units, make_cadre, make_course, make_units, make_user

ROLES = ("anonymous", "cadre", "cadre2", "trainer", "admin_same", "admin_other", "central")

# person key -> (name marker, phone marker)
PEOPLE = {
    "A": ("Zzqxy Alpha Cadre", "0901110001"),
    "B": ("Zzqxy Bravo Cadre", "0901110002"),
    "OUT10": ("Zzqxy Oscar Outsider", "0901110003"),
    "P20": ("Zzqxy Papa Province", "0901110004"),
}
VISIBLE = {
    "anonymous": set(),
    "cadre": {"A"},
    "cadre2": {"B"},
    "trainer": {"A"},
    "admin_same": {"A", "B", "OUT10"},
    "admin_other": {"P20"},
    "central": set(PEOPLE),
}


@dataclass
class World:
    tree: CourseTree
    p10: Units
    p20: Units
    users: dict = field(default_factory=dict)
    cadres: dict = field(default_factory=dict)
    enrolments: dict = field(default_factory=dict)
    attempts: dict = field(default_factory=dict)
    certificate: object = None
    session: object = None
    session20: object = None
    clients: dict = field(default_factory=dict)

    def client(self, role: str) -> Client:
        if role not in self.clients:
            # A view that crashes is reported as a 500 in the matrix, not raised.
            client = Client(raise_request_exception=False)
            if role != "anonymous":
                client.force_login(self.users[role])
            self.clients[role] = client
        return self.clients[role]


def seed_indicators() -> None:
    from courses.models import Indicator
    from courses.services.counters import indicator_cache_clear

    for code, name in (
        ("CADRES_TRAINED", "Cán bộ được tập huấn"),
        ("CERTIFIED_LEARNERS", "Học viên có chứng nhận"),
    ):
        Indicator.objects.get_or_create(code=code, defaults={"name": name, "unit": "people"})
    indicator_cache_clear()


def world_build() -> World:
    """Objects for every URL kwarg; tasks must run inline (the certificate is issued)."""
    from courses.models import SessionKind
    from courses.services.completion import enrolment_complete
    from courses.services.learning import (
        enrolment_create,
        quiz_attempt_start,
        quiz_attempt_submit,
    )
    from courses.services.sessions import attendance_mark, session_create
    from tests.builders import wrong_answers

    seed_indicators()
    p10 = make_units(province_code="10", province_name="Tỉnh Lào Cai")
    p20 = make_units(province_code="20", province_name="Tỉnh Lạng Sơn")
    world = World(tree=make_course(title="Khóa học ma trận", modules=1, lessons_per_module=2),
                  p10=p10, p20=p20)  # fmt: skip
    marker_user = {"cadre": "A", "cadre2": "B"}
    world.users["cadre"] = make_user("m_cadre_a", role="Cadre")
    world.users["cadre2"] = make_user("m_cadre_b", role="Cadre")
    world.users["trainer"] = make_user("m_trainer", role="Trainer")
    world.users["admin_same"] = make_user("m_admin10", role="Admin", province_code="10")
    world.users["admin_other"] = make_user("m_admin20", role="Admin", province_code="20")
    world.users["central"] = make_user("m_central", role="Admin")
    for role, key in marker_user.items():
        user = world.users[role]
        user.first_name, user.last_name = PEOPLE[key][0].split(" ", 1)
        user.email = f"{key.lower()}@zzqxy.example"
        user.save()
    units = {"A": p10.commune, "B": p10.commune, "OUT10": p10.commune, "P20": p20.commune}
    for key, (name, phone) in PEOPLE.items():
        user = world.users.get({"A": "cadre", "B": "cadre2"}.get(key, ""), None)
        world.cadres[key] = make_cadre(
            user=user, unit=units[key], full_name=name, phone=phone,
            email=f"{key.lower()}@zzqxy.example", ethnicity="02",
        )  # fmt: skip

    tree = world.tree
    for key in ("A", "B"):
        enrolment, _ = enrolment_create(cadre=world.cadres[key], course=tree.course)
        world.enrolments[key] = enrolment
        attempt = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
        world.attempts[key] = quiz_attempt_submit(
            attempt=attempt, cadre=world.cadres[key], answers=wrong_answers(tree.quiz)
        )
    enrolment_complete(enrolment=world.enrolments["A"], via="online")
    from certificates.models import Certificate

    world.certificate = Certificate.objects.get(enrolment=world.enrolments["A"])

    world.session = session_create(
        kind=SessionKind.DISTRICT_COMMUNE, course=tree.course, title="Buổi tập huấn ma trận",
        start_date=dt.date(2026, 3, 10), end_date=dt.date(2026, 3, 10), unit=p10.commune,
        trainers=[world.users["trainer"]],
    )  # fmt: skip
    attendance_mark(session=world.session, cadre=world.cadres["A"], present=True)
    world.session20 = session_create(
        kind=SessionKind.DISTRICT_COMMUNE, course=tree.course, title="Buổi tập huấn tỉnh 20",
        start_date=dt.date(2026, 3, 11), end_date=dt.date(2026, 3, 11), unit=p20.commune,
    )  # fmt: skip
    attendance_mark(session=world.session20, cadre=world.cadres["P20"], present=True)
    return world


def leaked_people(
    role: str, text: str, *, also_allowed: set[str] = frozenset(), request: str = ""
) -> list[str]:
    """Markers of people outside the role's scope that appear in the text.

    A marker the caller typed into the request itself (e.g. a phone number searched for, which
    the form shows back) is not a leak of that marker; the other markers still count.
    """
    allowed = VISIBLE[role] | set(also_allowed)
    leaks = []
    for key, (name, phone) in PEOPLE.items():
        if key in allowed:
            continue
        markers = [m for m in (name, phone, f"{key.lower()}@zzqxy.example") if m not in request]
        if any(m in text for m in markers):
            leaks.append(key)
    return leaks


def response_text(response) -> str:
    """The text a person could read from the response: HTML/JSON/CSV, or XLSX and PDF text."""
    import io
    import zipfile

    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                return "\n".join(
                    archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                )
        except zipfile.BadZipFile:
            pass
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return body.decode("utf-8", "replace")
