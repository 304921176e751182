"""Keep the derived Central admin group in step with the Admin group and each user's
province scope (lms/roles.py): Wagtail reads page and collection permissions from groups, so
a province admin must never sit in the group that publishes national pages, and an admin
whose province is cleared becomes central at once. And tell every process when a Wagtail
site, or what routing reads of a site's root page, changes (lms/sites.py)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, Site
from wagtail.signals import post_page_move

from lms.roles import central_admin_sync, role_names_forget
from lms.sites import is_site_root, sites_changed

User = get_user_model()


@receiver(post_save, sender=User, dispatch_uid="lms_central_admin_on_save")
def central_admin_on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        central_admin_sync(instance)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="lms_central_admin_on_groups")
def central_admin_on_groups(sender, instance, action, reverse, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        role_names_forget(instance)
    if reverse:
        # group.user_set.add(...): `instance` is the group, pk_set the users.
        users = User.objects.filter(pk__in=pk_set or ()) if pk_set else User.objects.none()
        for user in users:
            central_admin_sync(user)
        return
    central_admin_sync(instance)


@receiver(post_save, sender=Site, dispatch_uid="lms_sites_changed_on_save")
@receiver(post_delete, sender=Site, dispatch_uid="lms_sites_changed_on_delete")
def site_changed(sender, raw=False, **kwargs):
    sites_changed()


@receiver(post_save, dispatch_uid="lms_sites_changed_on_root_page_save")
def site_root_saved(sender, instance, **kwargs):
    if isinstance(instance, Page) and is_site_root(instance):
        sites_changed()


@receiver(post_page_move, dispatch_uid="lms_sites_changed_on_page_move")
def page_moved(sender, **kwargs):
    sites_changed()  # the move may have taken a site's root page along
