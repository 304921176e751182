"""The Wagtail admin menu: every entry of the apps has a place of its own."""

from django.urls import reverse
from wagtail import hooks

from lms import admin_menu as places

PLACES = {name: value for name, value in vars(places).items() if name.isupper()}


def test_no_two_admin_menu_entries_claim_the_same_place(db):
    reverse("wagtailadmin_home")  # the admin's URLconf registers the viewsets and their menus
    orders = [
        item.order
        for fn in hooks.get_hooks("register_admin_menu_item")
        if (item := fn()) is not None and item.order in PLACES.values()
    ]
    assert sorted(orders) == sorted(PLACES.values()), "each place is used by one entry"
    assert len(orders) == len(set(orders))
