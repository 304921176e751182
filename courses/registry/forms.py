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
from lms.text import nfc

__all__ = ["CONSENT_NOTICE_VERSION", "ProfileForm"]


class ProfileForm(forms.ModelForm):
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=AdminUnit.objects.filter(
            structure=UnitStructure.S2023, level=UnitLevel.PROVINCE
        ).order_by("name"),
    )
    unit_code = forms.CharField(
        label=_("District or commune code (optional)"),
        required=False,
        max_length=5,
        help_text=_("GSO code: 3 digits for a district, 5 for a commune."),
    )
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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk and self.instance.unit_id:
            unit = self.instance.unit
            self.fields["province"].initial = AdminUnit.objects.filter(
                structure=UnitStructure.S2023, code=unit.province_code
            ).first()
            if unit.level != UnitLevel.PROVINCE:
                self.fields["unit_code"].initial = unit.code
            self.fields["consent"].initial = bool(self.instance.consent_at)
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
        province = data.get("province")
        code = (data.get("unit_code") or "").strip()
        if province is None:
            return data
        unit = province
        if code:
            unit = AdminUnit.objects.filter(
                structure=UnitStructure.S2023, code=code, province_code=province.code
            ).first()
            if unit is None:
                self.add_error(
                    "unit_code", _("No district or commune with this code in that province.")
                )
        data["unit"] = unit
        return data

    def save(self, commit=True):
        cadre = super().save(commit=False)
        cadre.unit = self.cleaned_data["unit"]
        if self.user is not None and cadre.user_id is None:
            cadre.user = self.user
            cadre.email = cadre.email or self.user.email
        if not cadre.consent_at:
            cadre.consent_at = timezone.now()
            cadre.consent_notice_version = CONSENT_NOTICE_VERSION
            cadre.consent_method = ConsentMethod.ONLINE
        if commit:
            cadre.save()
        return cadre
