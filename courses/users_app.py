"""Wagtail's users app, with the user forms that pick an admin's province scope by name
(courses/registry/users.py). Listed in INSTALLED_APPS in place of "wagtail.users"."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "courses.registry.users.UserViewSet"
