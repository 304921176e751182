"""The trainer's pages for in-person sessions: their session list, the attendance sheet
(participants with present / passed / pre- and post-test scores, the session's knowledge
gain, registry search, a new registry
record on the spot, "mark held") and the sign-in sheet PDF.

Thin callers: reads come from courses.sessions.selectors, writes go through
courses.sessions.services. Only the session's trainers and admins whose scope covers the
session see it (others get 404; people with no trainer or admin role get 403).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from courses.counters.gain_selectors import GainFilters, knowledge_gain_public
from courses.registry.models import Level, Sex, TargetGroup
from courses.sessions.models import SessionStatus, TrainingSession
from courses.sessions.selectors import (
    session_attendance,
    session_cadre_scope,
    session_cadre_search,
    session_get_for_user,
    sessions_visible_to,
)
from courses.sessions.services import (
    attendance_add_new_cadre,
    attendance_mark,
    session_sign_off,
    session_status_set,
)
from courses.sessions.signin_sheet import signin_sheet_render
from lms.roles import is_admin, is_trainer_or_admin
from lms.spreadsheet import normalise_phone
from lms.text import nfc
from lms.widgets import PhoneInput

PAGE_SIZE = 20
PASSED_CHOICES = [
    ("", gettext_lazy("not recorded")),
    ("1", gettext_lazy("passed")),
    ("0", gettext_lazy("not passed")),
]


# --- Forms -------------------------------------------------------------------------------------


class AttendanceSheetForm(forms.Form):
    """One form for the whole sheet: present, passed and score for each participant."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[f"present_{row.pk}"] = forms.BooleanField(
                label=_("Present"), required=False, initial=row.present
            )
            self.fields[f"passed_{row.pk}"] = forms.ChoiceField(
                label=_("Post-test"),
                choices=PASSED_CHOICES,
                required=False,
                initial="" if row.passed is None else str(int(row.passed)),
            )
            self.fields[f"pre_{row.pk}"] = _score_field(
                _("Pre-test score"),
                row.pre_test_score,
                _("The pre-test score must be between 0 and 100."),
            )
            self.fields[f"score_{row.pk}"] = _score_field(
                _("Score"), row.post_test_score, _("The post-test score must be between 0 and 100.")
            )

    def lines(self):
        """(attendance, present, passed, score, pre-test score) bound fields, one tuple per
        participant."""
        for row in self.rows:
            yield (
                row,
                self[f"present_{row.pk}"],
                self[f"passed_{row.pk}"],
                self[f"score_{row.pk}"],
                self[f"pre_{row.pk}"],
            )

    def changes(self):
        """(attendance, present, passed, score, pre-test score) for the rows whose values
        changed."""
        for row in self.rows:
            present = self.cleaned_data[f"present_{row.pk}"]
            passed_text = self.cleaned_data[f"passed_{row.pk}"]
            passed = None if passed_text == "" else passed_text == "1"
            score = self.cleaned_data[f"score_{row.pk}"]
            pre = self.cleaned_data[f"pre_{row.pk}"]
            if (present, passed, score, pre) != (
                row.present, row.passed, row.post_test_score, row.pre_test_score
            ):  # fmt: skip
                yield row, present, passed, score, pre


def _score_field(label: str, initial: int | None, message: str) -> forms.IntegerField:
    """A test score from 0 to 100 (or empty), refused with `message` otherwise."""
    return forms.IntegerField(
        label=label,
        required=False,
        initial=initial,
        validators=[MinValueValidator(0, message=message), MaxValueValidator(100, message=message)],
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
        error_messages={"invalid": _("The score must be a whole number from 0 to 100.")},
    )


def _birth_year_choices():
    this_year = dt.date.today().year
    return [("", "—")] + [(str(y), str(y)) for y in range(this_year - 15, 1919, -1)]


class NewCadreForm(forms.Form):
    """A person not in the registry yet, added on the spot at a session."""

    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    # Nothing is pre-selected that the form cannot know: a hurried entry must choose.
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=[("", "—"), *Sex.choices])
    birth_year = forms.TypedChoiceField(
        label=gettext_lazy("Birth year"),
        choices=_birth_year_choices,
        coerce=int,
        empty_value=None,
        required=False,
    )
    target_group = forms.ChoiceField(
        label=gettext_lazy("Target group"), choices=[("", "—"), *TargetGroup.choices]
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=[("", "—"), *Level.choices])
    agency = forms.CharField(label=gettext_lazy("Agency"), max_length=255, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone"), max_length=20, required=False, widget=PhoneInput()
    )
    present = forms.BooleanField(label=gettext_lazy("Present"), required=False, initial=True)
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I attest that this person has heard the privacy notice and agreed to their data "
            "being recorded"
        ),
        required=False,
    )

    def clean_full_name(self):
        name = nfc(self.cleaned_data["full_name"])
        if not name:
            raise ValidationError(_("Enter the full name."))
        return name

    def clean_agency(self):
        return nfc(self.cleaned_data["agency"])

    def clean_phone(self):
        text = nfc(self.cleaned_data["phone"])
        if not text:
            return ""
        phone = normalise_phone(text)
        if phone is None:
            raise ValidationError(_("Enter a Vietnamese phone number, e.g. 0912345678."))
        return phone


# --- Helpers -----------------------------------------------------------------------------------


def _session_or_404(request, pk: int) -> TrainingSession:
    if not is_trainer_or_admin(request.user):
        raise PermissionDenied
    session = session_get_for_user(user=request.user, pk=pk)
    if session is None:
        raise Http404
    return session


def _attendance_editable(request, session: TrainingSession) -> bool:
    """Open unless cancelled, or signed off (then for admins only)."""
    if session.status == SessionStatus.CANCELLED:
        return False
    return session.signed_off_at is None or is_admin(request.user)


def _attendance_locked_reason(session: TrainingSession) -> str:
    if session.status == SessionStatus.CANCELLED:
        return _("This session was cancelled: its attendance cannot be changed.")
    return _("This session was signed off by its trainer: only an admin can change its attendance.")


def _detail_url(session: TrainingSession) -> str:
    return reverse("training_sessions:detail", args=[session.pk])


# --- Views -------------------------------------------------------------------------------------


@login_required
def session_list(request):
    if not is_trainer_or_admin(request.user):
        raise PermissionDenied
    sessions = sessions_visible_to(user=request.user).annotate(
        participant_count=Count("attendance", distinct=True),
        present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
    )
    page = Paginator(sessions.order_by("-start_date", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "courses/sessions/list.html", {"page": page})


@login_required
def session_detail(request, pk: int):
    session = _session_or_404(request, pk)
    editable = _attendance_editable(request, session)
    rows = session_attendance(session=session)
    if request.method == "POST":
        if not editable:
            messages.error(request, _attendance_locked_reason(session))
            return redirect(_detail_url(session))
        form = AttendanceSheetForm(request.POST, rows=rows)
        if form.is_valid():
            count = 0
            try:
                with transaction.atomic():
                    for row, present, passed, score, pre in form.changes():
                        attendance_mark(
                            session=session,
                            cadre=row.cadre,
                            present=present,
                            passed=passed,
                            score=score,
                            pre_score=pre,
                            by=request.user,
                        )
                        count += 1
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(_detail_url(session))
            messages.success(request, _("Attendance saved ({count} changed).").format(count=count))
            return redirect(_detail_url(session))
        messages.error(request, _("Please correct the errors below."))
    else:
        form = AttendanceSheetForm(rows=rows)
    query = nfc(request.GET.get("q", ""))
    results = (
        session_cadre_search(user=request.user, session=session, query=query)
        if query and editable
        else []
    )
    return render(
        request,
        "courses/sessions/detail.html",
        {
            "session": session,
            "form": form,
            "editable": editable,
            "query": query,
            "results": results,
            "can_mark_held": session.status == SessionStatus.PLANNED,
            "can_sign_off": session.status == SessionStatus.HELD and not session.signed_off_at,
            "locked_reason": "" if editable else _attendance_locked_reason(session),
            "present_count": sum(1 for row in form.rows if row.present),
            "gain": knowledge_gain_public(
                scope_province=None, filters=GainFilters(session_id=session.pk), by="sex"
            ),
        },
    )


@login_required
@require_POST
def session_participant_add(request, pk: int):
    session = _session_or_404(request, pk)
    try:
        cadre_id = int(request.POST.get("cadre", ""))
    except ValueError as exc:
        raise Http404 from exc
    cadre = session_cadre_scope(user=request.user, session=session).filter(pk=cadre_id).first()
    if cadre is None:
        raise Http404
    try:
        attendance_mark(session=session, cadre=cadre, present=True, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("{name} was added to the list as present.").format(name=cadre.full_name)
        )
    return redirect(_detail_url(session))


@login_required
def session_new_cadre(request, pk: int):
    session = _session_or_404(request, pk)
    if not _attendance_editable(request, session):
        messages.error(request, _attendance_locked_reason(session))
        return redirect(_detail_url(session))
    if request.method == "POST":
        form = NewCadreForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                attendance = attendance_add_new_cadre(
                    session=session,
                    full_name=data["full_name"],
                    sex=data["sex"],
                    birth_year=data["birth_year"],
                    target_group=data["target_group"],
                    level=data["level"],
                    agency=data["agency"],
                    phone=data["phone"],
                    present=data["present"],
                    consent=data["consent"],
                    by=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(
                    request,
                    _("{name} was added to the registry and to the list.").format(
                        name=attendance.cadre.full_name
                    ),
                )
                return redirect(_detail_url(session))
    else:
        form = NewCadreForm()
    return render(request, "courses/sessions/new_cadre.html", {"session": session, "form": form})


@login_required
@require_POST
def session_mark_held(request, pk: int):
    session = _session_or_404(request, pk)
    if session.status != SessionStatus.PLANNED:
        messages.error(request, _("Only a planned session can be marked as held."))
    else:
        session_status_set(session=session, status=SessionStatus.HELD)
        messages.success(request, _("The session is marked as held."))
    return redirect(_detail_url(session))


@login_required
@require_POST
def session_sign_off_view(request, pk: int):
    session = _session_or_404(request, pk)
    try:
        session_sign_off(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The attendance is signed off: from now on only an admin can change it.")
        )
    return redirect(_detail_url(session))


@login_required
def session_signin_sheet(request, pk: int):
    session = _session_or_404(request, pk)
    pdf = signin_sheet_render(session=session)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"danh-sach-ky-ten-{session.code or session.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
