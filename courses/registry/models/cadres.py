"""One record per trained person. A record may have a login, or none (people trained only in
person). Ethnicity is sensitive personal data: optional, shown only to admins whose scope
covers the person, never on a public page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.text import NameFieldsChecked, nfc, phone_mask, text_fold

from .places import place_sync

# The 54 ethnic groups of Vietnam with their GSO codes (Danh mục các dân tộc Việt Nam,
# Tổng cục Thống kê). Names are proper nouns and stay in Vietnamese in every language.
ETHNIC_GROUPS = [
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Hoa"), ("05", "Khơ-me"),
    ("06", "Mường"), ("07", "Nùng"), ("08", "Hmông"), ("09", "Dao"), ("10", "Gia-rai"),
    ("11", "Ngái"), ("12", "Ê-đê"), ("13", "Ba-na"), ("14", "Xơ-đăng"), ("15", "Sán Chay"),
    ("16", "Cơ-ho"), ("17", "Chăm"), ("18", "Sán Dìu"), ("19", "Hrê"), ("20", "Mnông"),
    ("21", "Ra-glai"), ("22", "Xtiêng"), ("23", "Bru-Vân Kiều"), ("24", "Thổ"), ("25", "Giáy"),
    ("26", "Cơ-tu"), ("27", "Gié-Triêng"), ("28", "Mạ"), ("29", "Khơ-mú"), ("30", "Co"),
    ("31", "Tà-ôi"), ("32", "Chơ-ro"), ("33", "Kháng"), ("34", "Xinh-mun"), ("35", "Hà Nhì"),
    ("36", "Chu-ru"), ("37", "Lào"), ("38", "La Chí"), ("39", "La Ha"), ("40", "Phù Lá"),
    ("41", "La Hủ"), ("42", "Lự"), ("43", "Lô Lô"), ("44", "Chứt"), ("45", "Mảng"),
    ("46", "Pà Thẻn"), ("47", "Cơ Lao"), ("48", "Cống"), ("49", "Bố Y"), ("50", "Si La"),
    ("51", "Pu Péo"), ("52", "Brâu"), ("53", "Ơ Đu"), ("54", "Rơ-măm"),
]  # fmt: skip

NOT_STATED = ""

# The version of the notice people agree to (what is kept, why, who sees it). A person's
# consent records the version they were shown; a new notice gets a new version.
CONSENT_NOTICE_VERSION = "2026-11"


class ConsentMethod(models.TextChoices):
    """How a person's consent was given: ethnicity is stored only with one of these."""

    ONLINE = "online", _("given online by the person (profile)")
    PAPER = "paper", _("on paper, collected by the province (attested at import)")
    TRAINER = "trainer", _("in person, attested by the trainer")


Ethnicity = models.TextChoices(
    "Ethnicity",
    [("NOT_STATED", (NOT_STATED, _("not stated")))]
    + [(f"E{code}", (code, name)) for code, name in ETHNIC_GROUPS],
)


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class TargetGroup(models.TextChoices):
    LEADER = "leader", _("leader")
    KEY_CADRE = "key_cadre", _("key cadre")
    VILLAGE_HEAD = "village_head", _("village head")
    PRESTIGIOUS = "prestigious", _("prestigious person")
    WU_OFFICER = "wu_officer", _("Women's Union officer")
    OTHER = "other", _("other")


class Level(models.TextChoices):
    PROVINCE = "province", _("province")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune")
    VILLAGE = "village", _("village")


def name_key(text: str) -> str:
    """The folded name (lms.text.text_fold: no diacritics, đ -> d, lower case, single
    spaces), for de-duplication and search."""
    return text_fold(text)


class Cadre(NameFieldsChecked, models.Model):
    # A name that prints as it reads: every form of the record refuses direction controls.
    name_fields = ("full_name",)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    ma_can_bo = models.CharField(
        _("cadre id"), max_length=50, null=True, blank=True, unique=True,
        help_text=_("Optional external identifier (ma_can_bo)."),
    )  # fmt: skip
    full_name = models.CharField(_("full name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=2, choices=Ethnicity.choices, blank=True, default=NOT_STATED
    )
    target_group = models.CharField(_("target group"), max_length=16, choices=TargetGroup.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    agency = models.CharField(_("agency"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "courses.AdminUnit",
        verbose_name=_("administrative unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cadres",
    )
    successor = models.ForeignKey(
        "courses.AdminUnit",
        verbose_name=_("new commune (2025)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For a commune of 2023 split between several communes in 2025."),
    )
    # The place in both structures (courses.registry.models.places), copied from `unit` on save:
    # scoping and counters filter on these columns without joins. The 2023 codes are blank
    # for a unit of the 2025 structure; the 2025 commune is blank while undecided.
    province_code = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    district_code = models.CharField(max_length=3, blank=True, db_index=True, editable=False)
    commune_code = models.CharField(max_length=5, blank=True, db_index=True, editable=False)
    province_2025 = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    commune_2025 = models.CharField(max_length=5, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    consent_notice_version = models.CharField(
        _("consent notice version"), max_length=20, blank=True
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_method = models.CharField(
        _("consent given"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    # Who vouched for a consent the person did not give here themself: the admin who
    # imported the paper forms, or the trainer who registered the person on the spot.
    consent_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("consent attested by"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    # Set when the person's personal data was erased at their request: the record stays,
    # with a placeholder name, so that what they counted for keeps counting.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True,
                                     editable=False)  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["name_key", "pk"]
        indexes = [
            models.Index(fields=["province_code", "district_code", "level"]),
            # The village-heads target is a share of the registry: counted by target group.
            models.Index(fields=["target_group", "province_code"]),
            models.Index(fields=["target_group", "province_2025"]),
            # The records whose new commune is not decided (few): the admin menu counts them
            # on every admin page.
            models.Index(
                fields=["province_2025"],
                condition=~models.Q(commune_code="") & models.Q(commune_2025=""),
                name="cadre_undecided_commune",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.full_name = nfc(self.full_name)
        self.name_key = name_key(self.full_name)
        self.sync_unit_codes()
        super().save(*args, **kwargs)

    def sync_unit_codes(self) -> None:
        place_sync(self)

    @property
    def phone_masked(self) -> str:
        """The phone as lists show it: its last three digits."""
        return phone_mask(self.phone)
