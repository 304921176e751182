"""Everything the system holds about one person, for them to download (their right of
access): the registry record, enrolments, lesson progress, quiz attempts, attendance,
consent history and requests, and what the apps above courses add through the declared
Wagtail hook `personal_data_sections` (certificates: a function of the cadre returning
(section name, list of rows)).

Each section is a list of flat rows (dicts of text, numbers and ISO dates), so the same data
makes the JSON file and one sheet per section of the XLSX file."""

from __future__ import annotations

from typing import Any

from wagtail import hooks

from courses.learning.models import Enrolment, LessonProgress, QuizAttempt
from courses.registry.models import Cadre, ConsentRecord, PersonalDataRequest
from courses.registry.models.cadres import ETHNIC_GROUPS
from courses.sessions.models import Attendance

PROFILE_FIELDS = (
    "full_name", "ma_can_bo", "sex", "birth_year", "ethnicity", "target_group", "level",
    "agency", "phone", "email", "consent_notice_version", "consent_at", "consent_method",
    "created_at", "updated_at",
)  # fmt: skip


def _value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def personal_data(*, cadre: Cadre) -> dict[str, list[dict]]:
    """The sections, in the order the files show them."""
    profile = {field: _value(getattr(cadre, field)) for field in PROFILE_FIELDS}
    profile["ethnicity_name"] = dict(ETHNIC_GROUPS).get(cadre.ethnicity, "")
    profile["unit"] = str(cadre.unit) if cadre.unit_id else ""
    profile["unit_code"] = cadre.unit.code if cadre.unit_id else ""
    enrolments = Enrolment.objects.filter(cadre=cadre).select_related("course")
    sections: dict[str, list[dict]] = {
        "profile": [profile],
        "enrolments": [
            {"course": e.course.title, "enrolled_at": _value(e.enrolled_at),
             "completed_at": _value(e.completed_at), "completed_via": e.completed_via}
            for e in enrolments.order_by("enrolled_at", "pk")
        ],
        "progress": [
            {"course": p.enrolment.course.title, "lesson": p.lesson.title,
             "completed_at": _value(p.completed_at)}
            for p in LessonProgress.objects.filter(enrolment__cadre=cadre)
            .select_related("enrolment__course", "lesson").order_by("completed_at", "pk")
        ],
        "attempts": [
            {"course": a.enrolment.course.title, "quiz": str(a.quiz), "number": a.number,
             "started_at": _value(a.started_at), "submitted_at": _value(a.submitted_at),
             "score": a.score, "passed": a.passed}
            for a in QuizAttempt.objects.filter(enrolment__cadre=cadre)
            .select_related("enrolment__course", "quiz").order_by("started_at", "pk")
        ],
        "attendance": [
            {"session": a.session.code, "title": a.session.title,
             "start_date": _value(a.session.start_date), "end_date": _value(a.session.end_date),
             "present": a.present, "passed": a.passed, "post_test_score": a.post_test_score}
            for a in Attendance.objects.filter(cadre=cadre).select_related("session")
            .order_by("session__start_date", "pk")
        ],
    }  # fmt: skip
    for fn in hooks.get_hooks("personal_data_sections"):
        name, rows = fn(cadre)
        sections[name] = [{key: _value(value) for key, value in row.items()} for row in rows]
    sections["consent_history"] = [
        {"action": r.action, "notice_version": r.notice_version, "method": r.method,
         "attested": r.attested_by_id is not None, "at": _value(r.at)}
        for r in ConsentRecord.objects.filter(cadre=cadre).order_by("at", "pk")
    ]  # fmt: skip
    sections["requests"] = [
        {"kind": r.kind, "details": r.details, "status": r.status, "outcome": r.outcome,
         "created_at": _value(r.created_at), "decided_at": _value(r.decided_at)}
        for r in PersonalDataRequest.objects.filter(cadre=cadre).order_by("created_at", "pk")
    ]  # fmt: skip
    return sections


def personal_data_sheets(sections: dict[str, list[dict]]):
    """(sheet title, rows) per section for lms.spreadsheet.xlsx_bytes: a header of the
    field names, then the rows (an empty section keeps its sheet, with no header)."""
    for name, rows in sections.items():
        header = list(rows[0]) if rows else []
        yield name, [header, *([row.get(key) for key in header] for row in rows)]
