"""Forms for learners. Text is normalised to NFC as it comes in."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.registry.models import (
    CONSENT_NOTICE_VERSION,
    AdminUnit,
    Cadre,
    ConsentMethod,
    UnitLevel,
    UnitStructure,
)
from courses.registry.privacy import consent_record, consent_records_link, consent_withdrawn
from courses.registry.selectors import province_choices, units_search, units_sorted
from courses.registry.services import cadre_save
from lms.text import nfc, unit_name_fold
from lms.widgets import PhoneInput

__all__ = ["CONSENT_NOTICE_VERSION", "ProfileForm"]

# Communes offered in the select when a typed name matches several.
CANDIDATES_SHOWN = 30


class UnitSearchInput(forms.TextInput):
    """The text box where a learner types their commune's name. Without JavaScript the name
    is matched on the server when the form is sent (a select of the candidates comes back
    when several communes match); courses/js/unit-search.js turns it into a search box that
    lists the matching communes as one types, from /places/units/ (no other host)."""

    template_name = "courses/registry/widgets/unit_search.html"

    def __init__(self, *, target: str, province_field: str, attrs=None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.target = target
        self.province_field = province_field

    def get_context(self, name, value, attrs):
        from django.urls import reverse

        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-unit-search": reverse("places:units"),
                "data-unit-target": f"id_{self.target}",
                "data-unit-province": f"id_{self.province_field}",
                "data-unit-level": UnitLevel.COMMUNE,
                "data-unit-structure": UnitStructure.S2025,
            }
        )
        return context


class ProfileForm(forms.ModelForm):
    """The learner's own details. Their place is picked by name in the 2025 structure: the
    province from a select (34, in Vietnamese order), the commune, if any, found by its name
    typed with or without diacritics (UnitSearchInput). A record still in a 2023 unit keeps it
    while the learner leaves the place as it is shown."""

    province = forms.ChoiceField(label=_("Province"))
    commune_name = forms.CharField(
        label=_("Commune or ward (optional)"),
        required=False,
        max_length=200,
        widget=UnitSearchInput(target="commune", province_field="province"),
        help_text=_("Type its name, with or without diacritics, e.g. nghia do."),
    )
    # The commune picked from the search box's list (its id, set by unit-search.js), or from
    # the select of candidates; checked against the province, else the name decides.
    commune = forms.CharField(label=_("Commune or ward"), required=False, widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_(
            "I agree that the Women's Union keeps these details to record my training "
            "and issue my certificate."
        ),
        required=True,
    )

    class Meta:
        model = Cadre
        fields = ["full_name", "sex", "birth_year", "target_group", "level", "agency", "phone"]
        widgets = {"phone": PhoneInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["province"].choices = [
            ("", "—"),
            *province_choices(structure=UnitStructure.S2025),
        ]
        if self.instance.pk and self.instance.unit_id:
            cadre = self.instance
            self.fields["province"].initial = cadre.province_2025
            commune = AdminUnit.objects.filter(
                structure=UnitStructure.S2025, level=UnitLevel.COMMUNE, code=cadre.commune_2025
            ).first()
            if commune is not None:
                self.fields["commune"].initial = str(commune.pk)
                self.fields["commune_name"].initial = commune.name
            self.fields["consent"].initial = bool(cadre.consent_at)
        elif user is not None and not self.instance.pk:
            self.fields["full_name"].initial = user.get_full_name()

    def clean_full_name(self):
        name = nfc(self.cleaned_data["full_name"])
        if not name:
            raise forms.ValidationError(_("Please enter your full name."))
        return name

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if year is not None and not (1930 <= year <= this_year - 15):
            raise forms.ValidationError(
                _("The birth year must be between 1930 and %(year)s.") % {"year": this_year - 15}
            )
        return year

    def clean(self):
        data = super().clean()
        code = data.get("province")
        if not code:
            return data
        province = AdminUnit.objects.filter(
            structure=UnitStructure.S2025, level=UnitLevel.PROVINCE, code=code
        ).first()
        if province is None:
            self.add_error("province", _("Choose your province from the list."))
            return data
        if (
            self.instance.pk
            and self.instance.unit_id
            and not ({"province", "commune", "commune_name"} & set(self.changed_data))
        ):
            data["unit"] = self.instance.unit  # the place as it was shown, in either structure
            return data
        name = nfc(data.get("commune_name"))
        picked = (data.get("commune") or "").strip()
        chosen = (
            AdminUnit.objects.filter(
                pk=picked, structure=UnitStructure.S2025, level=UnitLevel.COMMUNE,
                province_code=province.code,
            ).first()
            if picked.isdigit()
            else None
        )  # fmt: skip
        if not name and chosen is None:
            data["unit"] = province
        elif chosen is not None:
            data["unit"] = chosen
        else:
            data["unit"] = self._commune_by_name(province, name)
        return data

    def _commune_by_name(self, province: AdminUnit, name: str) -> AdminUnit | None:
        """The commune of `province` the learner named: the only one whose name holds the
        words typed, or the one whose name is exactly that; when several match, the form
        comes back with a select of them (no JavaScript needed)."""
        matches = units_sorted(
            units_search(
                units=AdminUnit.objects.all(),
                query=name,
                structure=UnitStructure.S2025,
                levels=[UnitLevel.COMMUNE],
                province=province.code,
            )[: CANDIDATES_SHOWN + 1]
        )
        exact = [unit for unit in matches if unit_name_fold(unit.name) == unit_name_fold(name)]
        if len(exact) == 1 or len(matches) == 1:
            return (exact or matches)[0]
        if not matches:
            self.add_error(
                "commune_name",
                _("No commune or ward of this name in %(province)s.") % {"province": province.name},
            )
            return None
        field = self.fields["commune"]
        field.widget = forms.Select(
            choices=[("", "—"), *((unit.pk, unit.name) for unit in matches[:CANDIDATES_SHOWN])]
        )
        self["commune"].label = _("Which one?")  # the bound field is made already
        self.add_error(
            "commune_name", _("Several communes or wards match this name: pick yours below.")
        )
        return None

    def save(self, commit=True):
        cadre = super().save(commit=False)
        cadre.unit = self.cleaned_data["unit"]
        if self.user is not None and cadre.user_id is None:
            cadre.user = self.user
            cadre.email = cadre.email or self.user.email
        # The first save gives consent online; a person who withdrew gives it again only
        # with the profile's own button (consent_give), not by correcting their details.
        give = not cadre.consent_at and not (cadre.pk and consent_withdrawn(cadre=cadre))
        if commit:
            # Through the registry's service: a learner who moves takes what they count for.
            if cadre.pk:
                cadre_save(cadre=cadre)
            else:
                cadre.save()
            consent_records_link(cadre=cadre)
            if give:
                consent_record(cadre=cadre, method=ConsentMethod.ONLINE, user=self.user)
        elif give:
            cadre.consent_at = timezone.now()
            cadre.consent_notice_version = CONSENT_NOTICE_VERSION
            cadre.consent_method = ConsentMethod.ONLINE
        return cadre
