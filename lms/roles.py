"""The three roles, as Django groups, and the scope of an admin.

The groups are created by the data migrations in lms/migrations; the permissions each group
holds are listed here so that a later migration can sync them again when models are added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lms.models import User

CADRE = "Cadre"
TRAINER = "Trainer"
ADMIN = "Admin"
ROLES = (CADRE, TRAINER, ADMIN)

# (app_label, codename) pairs per role. Wagtail page permissions are granted separately
# (GroupPagePermission) by the content app once the page tree exists.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    CADRE: [],
    TRAINER: [
        ("wagtailadmin", "access_admin"),
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ],
    ADMIN: [
        ("wagtailadmin", "access_admin"),
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ],
}


def sync_role_permissions(apps, extra: dict[str, list[tuple[str, str]]] | None = None) -> None:
    """Create the role groups and give them their permissions (idempotent).

    Called from data migrations with the historical `apps`; permissions that do not exist yet
    are created first, so the migration does not depend on post_migrate having run.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {role: list(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for role, perms in (extra or {}).items():
        wanted.setdefault(role, []).extend(perms)
    for role, perms in wanted.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)


def has_role(user: User, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role).exists()


def is_central_admin(user: User) -> bool:
    """Superusers and admins without a province scope see the whole country."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, ADMIN) and not user.province_code


def admin_province_code(user: User) -> str | None:
    """The province an admin is limited to, or None for central admins and non-admins."""
    if not user.is_authenticated or user.is_superuser:
        return None
    if has_role(user, ADMIN) and user.province_code:
        return user.province_code
    return None


def is_admin(user: User | None) -> bool:
    """Central or province admin (superusers count as central): may manage the register,
    read the programme figures and look at certificates, each within their scope."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, ADMIN)


def is_trainer_or_admin(user: User | None) -> bool:
    """Trainer, admin or superuser: may run training sessions and enrol other people."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=(TRAINER, ADMIN)).exists()
