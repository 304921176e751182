"""Reads for in-person training sessions: who may see and run which session, its
participant list, and the registry search used to add participants."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from courses.registry.models import Cadre
from courses.registry.models.cadres import name_key
from courses.registry.selectors import UNDECIDED, UNIT_PATH
from courses.sessions.models import Attendance, TrainingSession
from lms.roles import TRAINER, admin_province_code, has_role, is_admin, is_central_admin
from lms.spreadsheet import normalise_phone


def sessions_visible_to(*, user) -> QuerySet[TrainingSession]:
    """Central admins see every session, a province admin the sessions in their province,
    a trainer the sessions they run; anyone else none."""
    sessions = TrainingSession.objects.select_related("course", "unit")
    if not user.is_authenticated:
        return sessions.none()
    if is_central_admin(user):
        return sessions.all()
    condition = Q()
    province = admin_province_code(user)
    if province:
        condition |= Q(province_2025=province)
    if has_role(user, TRAINER):
        condition |= Q(pk__in=TrainingSession.trainers.through.objects.filter(
            user_id=user.pk).values("trainingsession_id"))  # fmt: skip
    if not condition:
        return sessions.none()
    return sessions.filter(condition)


def sessions_undecided(*, user) -> QuerySet[TrainingSession]:
    """The sessions within the admin's scope held in a split 2023 commune whose new commune is
    not decided (none for anyone but admins), grouped by place, the latest first."""
    sessions = (
        TrainingSession.objects.filter(UNDECIDED)
        .select_related(UNIT_PATH)
        .order_by("province_2025", "commune_code", "-start_date", "pk")
    )
    if is_central_admin(user):
        return sessions
    province = admin_province_code(user) if is_admin(user) else None
    return sessions.filter(province_2025=province) if province else sessions.none()


def sessions_of_province(*, province_code: str | None) -> QuerySet[TrainingSession]:
    """Every session held in a province (a 2025 code, its 2023 predecessors included), or in
    the whole country without one."""
    sessions = TrainingSession.objects.all()
    if province_code:
        sessions = sessions.filter(province_2025=province_code)
    return sessions


def session_get_for_user(*, user, pk: int) -> TrainingSession | None:
    """The session if the user may see and run it, else None."""
    return sessions_visible_to(user=user).filter(pk=pk).first()


def session_attendance(*, session: TrainingSession) -> QuerySet[Attendance]:
    """The participant list, in name order."""
    return (
        Attendance.objects.filter(session=session)
        .select_related("cadre", "cadre__unit")
        .order_by("cadre__name_key", "cadre__pk")
    )


def session_cadre_scope(*, user, session: TrainingSession) -> QuerySet[Cadre]:
    """The registry records a user may add to a session: the session's province; central
    admins, who run the central courses, the whole registry."""
    cadres = Cadre.objects.all()
    if is_central_admin(user):
        return cadres
    return cadres.filter(province_2025=session.province_2025)


def session_cadre_search(
    *, user, session: TrainingSession, query: str, limit: int = 20
) -> list[Cadre]:
    """Registry records who are not yet on the session's list, matching the search: by name
    (diacritics ignored) or part of a phone number among the people of the session's own
    commune (or district or province, for a session held at that level); beyond it, within the
    user's scope, only by a whole phone number or a cadre id, which say who the person is. So a
    hurried trainer is not offered a namesake from the other end of the province."""
    query = " ".join((query or "").split())
    if len(query) < 2:
        return []
    key = name_key(query)
    digits = query.replace(" ", "").replace(".", "")
    nearby = Q(name_key__contains=key)
    if digits.isdigit() and len(digits) >= 6:
        nearby |= Q(phone__contains=digits)
    anywhere = Q(ma_can_bo__iexact=query)
    phone = normalise_phone(query)
    if phone:
        anywhere |= Q(phone=phone)
    return list(
        session_cadre_scope(user=user, session=session)
        .filter((nearby & _near_session(session)) | anywhere)
        .exclude(attendance__session=session)
        .select_related("unit")
        .order_by("name_key", "pk")[:limit]
    )


def _near_session(session: TrainingSession) -> Q:
    """The people of the session's smallest unit, in the structure it names."""
    if session.commune_2025:
        return Q(commune_2025=session.commune_2025)
    if session.commune_code:
        return Q(commune_code=session.commune_code)
    if session.district_code:
        return Q(district_code=session.district_code)
    return Q(province_2025=session.province_2025)
