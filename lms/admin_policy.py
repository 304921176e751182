"""A Wagtail permission policy for what only central admins may do (edit the privacy
notice, read the access audit): decided by the role, not by permissions ticked on a group,
so a province admin never holds it by mistake."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from lms.roles import ADMIN, is_central_admin


class CentralAdminPolicy(BasePermissionPolicy):
    """Central admins (and superusers) may do `actions`; nobody else may do anything."""

    def __init__(self, model, *, actions):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and is_central_admin(user)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        if not self.actions & set(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=ADMIN, province_code=""), is_active=True
        ).distinct()
