"""The Wagtail admin's user forms with the user's province scope picked by name.

A province admin is limited to one province of the 2025 structure (User.province_code,
read by lms.roles.admin_province_code and courses.registry.scope). The superuser who manages
accounts picks it from the 34 provinces by name, in Vietnamese order, or "central" (the whole
country): nobody types a province code. Wired in by courses/users_app.py, which replaces
Wagtail's users app config so that Wagtail's user viewset uses these forms.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from courses.registry.models import UnitStructure
from courses.registry.selectors import province_choices


class ProvinceScopeFields(forms.Form):
    province_code = forms.ChoiceField(
        label=_("province scope"),
        required=False,
        help_text=_(
            "The province (2025 structure) an admin is limited to; central admins see the "
            "whole country."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = province_choices(structure=UnitStructure.S2025)
        current = getattr(self.instance, "province_code", "") or ""
        if current and current not in dict(choices):
            # A scope whose province is not in the loaded list: kept as it is, not lost.
            choices.append((current, current))
        self.fields["province_code"].choices = [
            ("", _("Central: the whole country")),
            *choices,
        ]


class ScopedUserCreationForm(ProvinceScopeFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"province_code"}


class ScopedUserEditForm(ProvinceScopeFields, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"province_code"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return ScopedUserEditForm if for_update else ScopedUserCreationForm
