"""Who may do what with quizzes in the admin (registered in ContentConfig.ready, before any
view or action asks Wagtail for the quiz's policy)."""

from __future__ import annotations

from wagtail.permission_policies import ModelPermissionPolicy

from lms.roles import admin_province_code

# Publishing, unpublishing and locking others out stay with central reviewers: a quiz is part
# of the national curriculum, which a province admin does not publish.
CENTRAL_ACTIONS = {"publish", "unpublish", "lock", "unlock"}


class QuizPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, except that a province admin does not publish quizzes."""

    def user_has_permission(self, user, action):
        if action in CENTRAL_ACTIONS and admin_province_code(user):
            return False
        return super().user_has_permission(user, action)
