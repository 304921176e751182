"""The mapping of the programme's figures onto a DHIS2 data set, and the log of the exports.

DHIS2 names everything by a code and an 11-character uid: the data set, one data element per
indicator, the categories a data element is broken down by (sex, level, ethnicity) with their
options, the category option combos (one per combination of options, what dataValueSets
JSON names a value by) and the org units. Central admins edit the mapping in the Wagtail
admin; the data migration ships codes for the programme's indicators, breakdowns and the
provinces of both structures, so an export works before anyone has typed a uid.

A province code means nothing without its structure (15 is Yên Bái in 2023 and Lào Cai in
2025), so an org unit is keyed by structure and province code, never by the code alone.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.counters.models import Indicator
from courses.registry.models import UnitStructure

UID_HELP = _("DHIS2 uid (11 letters and digits). Needed only for exports by uid.")


class Dhis2Breakdown(models.TextChoices):
    """The counter columns a data element may be broken down by."""

    SEX = "sex", _("sex")
    LEVEL = "level", _("level")
    ETHNICITY = "ethnicity", _("ethnicity")


class Dhis2DataSet(models.Model):
    """The DHIS2 data set the figures are reported in (the first one is used)."""

    name = models.CharField(_("name"), max_length=230)
    code = models.CharField(_("code"), max_length=50, unique=True)
    uid = models.CharField(_("uid"), max_length=11, blank=True, help_text=UID_HELP)

    class Meta:
        verbose_name = _("DHIS2 data set")
        verbose_name_plural = _("DHIS2 data sets")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Dhis2Category(models.Model):
    """A DHIS2 category and the counter column it stands for."""

    breakdown = models.CharField(
        _("breakdown"), max_length=10, choices=Dhis2Breakdown.choices, unique=True
    )
    name = models.CharField(_("name"), max_length=230)
    code = models.CharField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("The ADX attribute named by this category (letters, digits, _)."),
    )
    uid = models.CharField(_("uid"), max_length=11, blank=True, help_text=UID_HELP)

    class Meta:
        verbose_name = _("DHIS2 category")
        verbose_name_plural = _("DHIS2 categories")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Dhis2CategoryOption(models.Model):
    """One option of a category: the value the counters hold (blank: not stated) and the code
    DHIS2 knows it by."""

    category = models.ForeignKey(
        Dhis2Category, on_delete=models.CASCADE, related_name="options", verbose_name=_("category")
    )
    value = models.CharField(
        _("value in the counters"),
        max_length=10,
        blank=True,
        help_text=_("female, 08, commune … Empty for people whose value is not stated."),
    )
    name = models.CharField(_("name"), max_length=230)
    code = models.CharField(_("code"), max_length=50)
    uid = models.CharField(_("uid"), max_length=11, blank=True, help_text=UID_HELP)

    class Meta:
        verbose_name = _("DHIS2 category option")
        verbose_name_plural = _("DHIS2 category options")
        ordering = ["category", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "value"], name="unique_dhis2_option_value"),
            models.UniqueConstraint(fields=["category", "code"], name="unique_dhis2_option_code"),
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.name} ({self.code})"


class Dhis2DataElement(models.Model):
    """An indicator as a DHIS2 data element, and the categories it is broken down by."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="dhis2", verbose_name=_("indicator")
    )
    code = models.CharField(_("code"), max_length=50, unique=True)
    uid = models.CharField(_("uid"), max_length=11, blank=True, help_text=UID_HELP)
    categories = models.ManyToManyField(
        Dhis2Category, blank=True, related_name="+", verbose_name=_("categories")
    )

    class Meta:
        verbose_name = _("DHIS2 data element")
        verbose_name_plural = _("DHIS2 data elements")
        ordering = ["indicator__sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.indicator.name}"


class Dhis2OptionCombo(models.Model):
    """A category option combo: one option of each category of a data element. Without a row
    for a combination, an export by code names it by its options' codes joined by "_"."""

    options = models.ManyToManyField(
        Dhis2CategoryOption, related_name="+", verbose_name=_("options")
    )
    code = models.CharField(_("code"), max_length=50, blank=True)
    uid = models.CharField(_("uid"), max_length=11, blank=True, help_text=UID_HELP)

    class Meta:
        verbose_name = _("DHIS2 category option combo")
        verbose_name_plural = _("DHIS2 category option combos")

    def __str__(self) -> str:
        return self.code or self.uid or str(self.pk)


class Dhis2OrgUnit(models.Model):
    """A province of one structure as a DHIS2 org unit."""

    structure = models.CharField(_("unit structure"), max_length=4, choices=UnitStructure.choices)
    province_code = models.CharField(_("province code"), max_length=2)
    code = models.CharField(_("code"), max_length=50, unique=True)
    uid = models.CharField(_("uid"), max_length=11, blank=True, help_text=UID_HELP)

    class Meta:
        verbose_name = _("DHIS2 org unit")
        verbose_name_plural = _("DHIS2 org units")
        ordering = ["structure", "province_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "province_code"], name="unique_dhis2_org_unit_province"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.structure}: {self.province_code})"


class Dhis2Export(models.Model):
    """Who exported what, when (every export, from the admin, the API or the command)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("user"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    via = models.CharField(_("via"), max_length=10)  # admin, api, command
    format = models.CharField(_("format"), max_length=4)  # adx, json
    period = models.CharField(_("period"), max_length=30)
    structure = models.CharField(_("unit structure"), max_length=4)
    province_code = models.CharField(_("province code"), max_length=2, blank=True)
    id_scheme = models.CharField(_("id scheme"), max_length=4, default="code")
    values = models.PositiveIntegerField(_("data values"), default=0)

    class Meta:
        verbose_name = _("DHIS2 export")
        verbose_name_plural = _("DHIS2 exports")
        ordering = ["-created_at"]
