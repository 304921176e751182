"""The three roles, as Django groups, and the scope of an admin.

The groups are created by the data migrations in lms/migrations; the permissions each group
holds are listed here so that a later migration can sync them again when models are added.

Besides the three roles there is one derived group, "Central admin": every member of Admin
without a province scope, and nobody else. Wagtail grants page and collection permissions to
groups, not to a user's scope, so the rights that only central admins hold (publishing
national pages, approving in the review workflow, managing everyone's media) are given to
this group, and `central_admin_sync` keeps its members in step with the Admin group and the
users' `province_code` (lms/receivers.py calls it whenever either changes). It is not meant
to be ticked by hand: a central admin is an Admin with no province.

Media (images, documents, audio and video) live in Wagtail collections. The scheme:

- Trainers and admins may *add* to every collection and *choose* from them (images and
  documents; wagtailmedia has no "choose" permission and lets people choose the audio and
  video they may edit). With "add" only, Wagtail's ownership rule lets each person edit and
  delete what they uploaded, and nothing else: a province admin cannot change or delete
  another province's media (or anyone else's).
- Central admins add, change, delete and choose everything, in every collection.

Why not a collection per province: trainers have no province scope here (a trainer runs
sessions wherever they are sent, and the curriculum is national), so a province collection
would need a group per province kept in step with each user and a choice on every upload,
while the files themselves are lesson material that every lesson may show. Ownership gives
each author control of their own files and the central admins the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lms.models import User

CADRE = "Cadre"
TRAINER = "Trainer"
ADMIN = "Admin"
ROLES = (CADRE, TRAINER, ADMIN)
# Derived: the members of ADMIN without a province scope (see the module docstring).
CENTRAL_ADMIN = "Central admin"

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


# Collection permissions on the root collection (so on every collection), per group:
# (app_label, codename). See the module docstring for the scheme.
_AUTHOR_MEDIA = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailmedia", "add_media"),
]
COLLECTION_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    TRAINER: _AUTHOR_MEDIA,
    ADMIN: _AUTHOR_MEDIA,
    CENTRAL_ADMIN: [
        *_AUTHOR_MEDIA,
        ("wagtailimages", "change_image"),
        ("wagtailimages", "delete_image"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "delete_document"),
        ("wagtailmedia", "change_media"),
        ("wagtailmedia", "delete_media"),
    ],
}

# Page permissions on the root page (so on every page), per group: codenames of
# wagtailcore. National curriculum and story series are published only through the central
# review: trainers and province admins write and submit ("Gửi duyệt"); only central admins
# publish, unpublish, move, lock and approve. A page moved or unpublished by a province admin
# took the whole site down once.
PAGE_PERMISSIONS: dict[str, list[str]] = {
    TRAINER: ["add_page", "change_page"],
    ADMIN: ["add_page", "change_page"],
    CENTRAL_ADMIN: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}


def sync_role_permissions(apps, extra: dict[str, list[tuple[str, str]]] | None = None) -> None:
    """Create the role groups and give them their permissions (idempotent).

    Called from data migrations with the historical `apps`; permissions that do not exist yet
    are created first, so the migration does not depend on post_migrate having run.
    """
    _ensure_permissions(apps)
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


def _ensure_permissions(apps) -> None:
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def sync_collection_permissions(apps) -> None:
    """Give each group exactly its COLLECTION_PERMISSIONS on the root collection (idempotent:
    missing ones are added, ones no longer listed for these groups removed). Called from data
    migrations with the historical `apps`."""
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    for role, perms in COLLECTION_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = set()
        for app_label, codename in perms:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                continue
            wanted.add(permission.pk)
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )
        GroupCollectionPermission.objects.filter(group=group, collection=root).exclude(
            permission_id__in=wanted
        ).delete()


def sync_page_permissions(apps) -> None:
    """Give each group exactly its PAGE_PERMISSIONS on the root page (idempotent, as above)."""
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    for role, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = set()
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            wanted.add(permission.pk)
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
        GroupPagePermission.objects.filter(group=group, page=root).exclude(
            permission_id__in=wanted
        ).delete()


def central_admin_sync(user, *, group_model=None) -> None:
    """Put `user` in the Central admin group exactly when they are an Admin without a
    province scope (superusers need no group). Idempotent; `group_model` for migrations."""
    if user.pk is None:
        return
    if group_model is None:
        from django.contrib.auth.models import Group as group_model
    central = group_model.objects.filter(name=CENTRAL_ADMIN).first()
    if central is None:
        return
    names = set(user.groups.values_list("name", flat=True))
    wanted = ADMIN in names and not user.province_code
    if wanted and CENTRAL_ADMIN not in names:
        user.groups.add(central)
    elif not wanted and CENTRAL_ADMIN in names:
        user.groups.remove(central)
    role_names_forget(user)


def role_names(user: User) -> frozenset[str]:
    """The names of the user's groups, read once per user object: one request's, as Django
    keeps a user's permissions (the admin's menu asks for the roles a dozen times a page).
    Changing the user's groups through that object forgets them (lms/receivers.py)."""
    names = getattr(user, "_role_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = names
    return names


def role_names_forget(user: User) -> None:
    user.__dict__.pop("_role_names", None)


def has_role(user: User, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return role in role_names(user)


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
    return user.is_superuser or bool(role_names(user) & {TRAINER, ADMIN})
