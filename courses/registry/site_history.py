"""Wagtail's site history report, scoped like the registry.

Wagtail lists in its site history every logged change of every model type the user holds any
permission on, labelled with the object's name: the admin's edits of cadre records (logged by
the registry's viewset) name the person. Trainers and province admins hold registry
permissions but see only their own scope (courses/registry/scope.py), so the report leaves out, for
anyone but central admins, the entries of cadres they may not see (deleted ones included).
Mounted in lms/urls.py in place of Wagtail's own view.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.models import ModelLogEntry

from courses.registry.models import Cadre
from courses.registry.scope import cadres_visible_to
from lms.roles import is_central_admin


class ScopedLogEntriesView(LogEntriesView):
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        user = self.request.user
        if queryset.model is not ModelLogEntry or is_central_admin(user):
            return queryset
        visible = cadres_visible_to(user).values_list(Cast("pk", CharField()), flat=True)
        cadre_type = ContentType.objects.get_for_model(Cadre)
        return queryset.filter(~Q(content_type=cadre_type) | Q(object_id__in=visible))
