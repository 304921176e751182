"""Administrative units in both structures: the three-level list in force before 1 July 2025
(province, district, commune) and the two-level list after the reform (province, commune),
each unit with its validity dates and the old -> new lineage. Villages (thôn, bản) are added
by admins under a commune of either structure, and share its structure.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.text import text_fold


class UnitStructure(models.TextChoices):
    S2023 = "2023", _("2023 structure (province, district, commune)")
    S2025 = "2025", _("2025 structure (province, commune)")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune")
    VILLAGE = "village", _("village")


class AdminUnit(models.Model):
    structure = models.CharField(_("structure"), max_length=4, choices=UnitStructure.choices)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    # GSO code: 2 digits for a province, 3 for a district, 5 for a commune. Villages get
    # "<commune code>-<n>" as they have no national code.
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    # The name folded (lms.text.text_fold: no diacritics, đ -> d, lower case), kept on the row
    # so that a search by name ("nghia do", "Nghĩa Đô", "NGHIA DO") is one indexed query.
    name_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Denormalised codes of the enclosing units (same structure), so that scoping and counting
    # filter on a column instead of walking the tree.
    province_code = models.CharField(_("province code"), max_length=2, db_index=True)
    district_code = models.CharField(_("district code"), max_length=3, blank=True, db_index=True)
    commune_code = models.CharField(_("commune code"), max_length=5, blank=True, db_index=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["structure", "code"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="unique_unit_code"),
        ]
        indexes = [models.Index(fields=["structure", "level", "province_code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.name_key = text_fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class AdminUnitLineage(models.Model):
    """An old unit (2023) became, wholly or partly, a new unit (2025)."""

    old = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="successor_links", verbose_name=_("old")
    )
    new = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="predecessor_links", verbose_name=_("new")
    )
    partial = models.BooleanField(_("partly"), default=False)

    class Meta:
        verbose_name = _("unit lineage")
        verbose_name_plural = _("unit lineage")
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="unique_unit_lineage")]
