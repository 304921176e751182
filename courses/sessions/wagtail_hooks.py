"""Wagtail admin for training sessions: admins create, edit and delete sessions within their
scope (a province admin sees and edits the sessions of their province only; other sessions
are a 404). Saving goes through the session services, so a status change made here moves the
counters and completes enrolments exactly like the trainer's "mark held" button.

Imported from courses/wagtail_hooks.py with one line.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from courses.registry.choosers import unit_chooser
from courses.registry.hooks import IMPORT_KINDS, UNDECIDED_PLACE_RECORDS
from courses.registry.import_kinds import ImportKindSpec
from courses.registry.models import ImportKind, UnitStructure
from courses.registry.scope import units_assignable_by
from courses.registry.undecided import SuccessorPickView, UndecidedRecords
from courses.sessions.imports import attendance as attendance_import
from courses.sessions.imports import sessions as session_import
from courses.sessions.models import TrainingSession
from courses.sessions.selectors import sessions_undecided, sessions_visible_to
from courses.sessions.services import (
    session_create,
    session_delete,
    session_successor_pick,
    session_update,
)
from lms import admin_menu
from lms.display import PlainInspectMixin
from lms.roles import ADMIN, TRAINER, admin_province_code, is_admin

FORM_FIELDS = [
    "code", "kind", "course", "title", "start_date", "end_date", "unit", "venue", "trainers",
    "status",
]  # fmt: skip
SERVICE_FIELDS = [f for f in FORM_FIELDS if f not in ("trainers", "status")]


class AdminOnlyPolicy(BasePermissionPolicy):
    """Central and province admins manage sessions in the admin; which sessions, the scoped
    querysets below decide. Trainers use their own pages under /trainer/sessions/."""

    def user_has_permission(self, user, action):
        return is_admin(user)

    def user_has_any_permission(self, user, actions):
        return is_admin(user)

    def users_with_any_permission(self, actions):
        admins = Q(groups__name=ADMIN) | Q(is_superuser=True)
        return get_user_model().objects.filter(admins, is_active=True).distinct()

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


register_permission_policy(TrainingSession, AdminOnlyPolicy(TrainingSession))


class TrainingSessionForm(WagtailAdminModelForm):
    class Meta:
        model = TrainingSession
        fields = FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["unit"].queryset = units_assignable_by(user)
        unit_chooser(self.fields["unit"])
        trainers = get_user_model().objects.filter(groups__name=TRAINER, is_active=True)
        province = admin_province_code(user) if user is not None else None
        if province:
            trainers = trainers.filter(province_code__in=[province, ""])
        self.fields["trainers"].queryset = trainers.order_by("username").distinct()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class SessionObjectScopeMixin:
    """History and usage find their session among those the user may see; their own
    get_queryset (the log entries, the references) is left alone."""

    def get_base_object_queryset(self):
        return sessions_visible_to(user=self.request.user)


class SessionScopeMixin(SessionObjectScopeMixin):
    def get_queryset(self):  # edit / delete
        return sessions_visible_to(user=self.request.user)


class SessionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return sessions_visible_to(user=self.request.user)

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        for spec, label in (
            (SESSIONS_IMPORT, _("Import sessions")),
            (ATTENDANCE_IMPORT, _("Import attendance")),
        ):
            if spec.allowed(self.request.user):
                url = reverse("courses_registry_import_kind", args=[spec.kind])
                buttons.append(HeaderButton(label, url=url, icon_name="upload"))
        return buttons


class SessionCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        session = session_create(
            **{f: data[f] for f in SERVICE_FIELDS},
            status=data["status"],
            trainers=data["trainers"],
        )
        log(instance=session, action="wagtail.create", user=self.request.user)
        return session


class SessionEditView(SessionScopeMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        session = TrainingSession.objects.get(pk=self.form.instance.pk)
        session_update(
            session=session,
            **{f: data[f] for f in SERVICE_FIELDS},
            status=data["status"],
            trainers=data["trainers"],
        )
        log(instance=session, action="wagtail.edit", user=self.request.user)
        return session


class SessionDeleteView(SessionScopeMixin, generic.DeleteView):
    def delete_action(self):
        log(instance=self.object, action="wagtail.delete", user=self.request.user)
        session_delete(session=self.object)


class SessionHistoryView(SessionObjectScopeMixin, history.HistoryView):
    pass


class SessionUsageView(SessionObjectScopeMixin, usage.UsageView):
    pass


class SessionInspectView(PlainInspectMixin, SessionScopeMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), pk=unquote(str(self.pk)))


class TrainingSessionViewSet(ModelViewSet):
    model = TrainingSession
    name = "courses_trainingsession"
    url_prefix = "sessions"
    icon = "date"
    menu_label = _("Training sessions")
    menu_order = admin_menu.TRAINING_SESSIONS
    add_to_admin_menu = True
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    delete_view_class = SessionDeleteView
    history_view_class = SessionHistoryView
    usage_view_class = SessionUsageView
    inspect_view_class = SessionInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        TitleColumn("title", label=_("title"), url_name="courses_trainingsession:edit"),
        "code", "kind", "start_date", Column("unit", label=_("administrative unit")), "status",
    ]  # fmt: skip
    list_filter = ["kind", "status"]
    search_fields = ["title", "code", "venue"]
    ordering = ["-start_date", "pk"]
    list_per_page = 50
    inspect_view_fields = FORM_FIELDS + ["created_at", "updated_at"]

    def get_form_class(self, for_update=False):
        return TrainingSessionForm


@hooks.register("register_admin_viewset")
def register_session_viewset():
    return TrainingSessionViewSet()


# --- Sessions on the registry's to-do list "new commune not decided" ------------------------


def _session_describe(session: TrainingSession) -> str:
    return f"{session.title} ({date_format(session.start_date, 'SHORT_DATE_FORMAT')})"


UNDECIDED_SESSIONS = UndecidedRecords(
    label=capfirst(TrainingSession._meta.verbose_name),
    records=lambda user: sessions_undecided(user=user),
    describe=_session_describe,
    detail_url_name="courses_trainingsession:inspect",
    pick=lambda session, successor: session_successor_pick(session=session, successor=successor),
    pick_url_name="courses_registry_undecided_session",
)


@hooks.register(UNDECIDED_PLACE_RECORDS)
def register_undecided_sessions():
    return UNDECIDED_SESSIONS


@hooks.register("register_admin_urls")
def register_undecided_session_urls():
    return [
        path(
            "registry/undecided/sessions/<int:pk>/",
            SuccessorPickView.as_view(kind=UNDECIDED_SESSIONS),
            name="courses_registry_undecided_session",
        ),
    ]


# --- Session and attendance files in the admin's import pages -------------------------------


def _sessions_run(path, *, job, dry_run, progress, budget):
    return session_import.session_file_import(
        path, name=job.original_name, structure=job.structure, dry_run=dry_run,
        province_code=job.province_code or None, progress=progress, budget=budget,
    )  # fmt: skip


def _attendance_run(path, *, job, dry_run, progress, budget):
    return attendance_import.attendance_file_import(
        path, name=job.original_name, dry_run=dry_run, by=job.created_by,
        province_code=job.province_code or None, progress=progress, budget=budget,
    )  # fmt: skip


# Real units of each structure: Xã Mường Nhé (03160) in 2023, Xã Nghĩa Đô (02953) in 2025.
_SESSION_EXAMPLES = {
    UnitStructure.S2023: [
        ["LC-2025-001", "can_bo_huyen_xa", "long-ghep-gioi", "Lồng ghép giới cho cán bộ xã",
         "12/05/2025", "13/05/2025", "03160", "Hội trường UBND xã", "đã tổ chức"],
    ],
    UnitStructure.S2025: [
        ["LC-2026-001", "can_bo_huyen_xa", "long-ghep-gioi", "Lồng ghép giới cho cán bộ xã",
         "12/03/2026", "13/03/2026", "02953", "Hội trường UBND xã Nghĩa Đô", "đã tổ chức"],
        ["LC-2026-002", "truong_thon_uy_tin", "long-ghep-gioi", "Trưởng thôn, người có uy tín",
         "20/04/2026", "", "02953", "Nhà văn hóa thôn Nặm Cằm", "kế hoạch"],
    ],
}  # fmt: skip


def _sessions_template(structure):
    return list(session_import.COLUMNS), _SESSION_EXAMPLES[structure]


def _attendance_template(_structure):
    return list(attendance_import.COLUMNS), [
        ["LC-2026-001", "HN-0001", "", "có", "đạt"],
        ["LC-2026-001", "", "0912345678", "có", ""],
        ["LC-2026-001", "", "0987654321", "vắng", ""],
    ]


SESSIONS_IMPORT = ImportKindSpec(
    kind=ImportKind.SESSIONS,
    run=_sessions_run,
    title=_("Import training sessions"),
    index_url_name="courses_trainingsession:index",
    index_label=_("Training sessions"),
    created_label=_("new sessions"),
    allowed=is_admin,
    template=_sessions_template,
    template_stem="mau_nhap_buoi_tap_huan",
    columns=tuple(session_import.COLUMNS),
    notes=(
        _("A session is found by its code (ma_buoi): importing the same file again changes "
          "nothing, and a row whose code exists updates that session."),
        format_lazy(
            _("loai is one of: {kinds}. khoa_hoc is the course's slug (the last part of its "
              "address). Dates as DD/MM/YYYY. trang_thai: kế hoạch, đã tổ chức or đã hủy."),
            kinds=", ".join(session_import.KINDS_LIST),
        ),
        _("A session marked held completes the enrolments of the people present, and the "
          "counters move, as when it is marked held by hand."),
    ),
)  # fmt: skip

ATTENDANCE_IMPORT = ImportKindSpec(
    kind=ImportKind.ATTENDANCE,
    run=_attendance_run,
    title=_("Import attendance"),
    index_url_name="courses_trainingsession:index",
    index_label=_("Training sessions"),
    created_label=_("new attendance records"),
    allowed=is_admin,
    template=_attendance_template,
    template_stem="mau_nhap_diem_danh",
    placed=False,
    columns=tuple(attendance_import.COLUMNS),
    notes=(
        _("ma_buoi is the session's code. The person is found by ma_can_bo, or by so_dien_thoai "
          "when ma_can_bo is empty."),
        _("co_mat (present) and dat (passed the post-test): có or không (1/0, x or blank); a "
          "blank dat means no post-test result."),
        _("Rows of a cancelled session are left out with a warning; a session still planned "
          "must be marked held first."),
    ),
)  # fmt: skip


@hooks.register(IMPORT_KINDS)
def register_session_import():
    return SESSIONS_IMPORT


@hooks.register(IMPORT_KINDS)
def register_attendance_import():
    return ATTENDANCE_IMPORT
