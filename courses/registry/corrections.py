"""Corrections of the registry that keep the counters exact: deleting a record entered by
mistake, merging two records of one person, erasing a person's personal data.

A record that anything refers to (enrolments, attendance, achievements, and through the
enrolments certificates) is never hard-deleted: deleting it would take its achievements along
while the counter cells kept their counts. Such a record is merged into the other record of
the same person, or has its personal data erased while it keeps counting.

The registry does not import the features above it: a merge sends `cadre_merging` and
`cadre_merged` (courses.registry.signals) and each feature moves its own rows; an erasure sends
`cadre_erasing` for the copies of the name they keep. Every correction is one transaction,
with its Wagtail log entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from courses.registry.models import Cadre
from courses.registry.models.cadres import NOT_STATED, name_key
from courses.registry.scope import cadres_editable_by
from courses.registry.signals import cadre_erasing, cadre_merged, cadre_merging, place_changed
from lms.spreadsheet import normalise_phone

# Stored in place of an erased person's name (a stored value, so in the language of the
# records, not of whoever reads them).
ERASED_NAME = "Đã xóa dữ liệu cá nhân"

MERGE_ACTION = "courses.cadre.merge"
ERASE_ACTION = "courses.cadre.erase"


@dataclass(frozen=True)
class Attachment:
    """Rows of one kind that refer to a record: what its deletion would take along."""

    label: str
    count: int

    def __str__(self) -> str:
        return f"{self.label}: {self.count}"


class CadreInUse(ValidationError):
    """The record has rows attached and cannot be deleted (merge it or erase it instead)."""

    def __init__(self, attachments: list[Attachment]):
        self.attachments = attachments
        listed = ", ".join(str(a) for a in attachments)
        super().__init__(
            _("This person cannot be deleted: %(records)s are recorded for them, and the "
              "counters count them. If the record is a duplicate, merge it into the other "
              "record of the same person; if the person asked for their data to be removed, "
              "erase their personal data (what they count for stays).")
            % {"records": listed},
            code="in_use",
        )  # fmt: skip


def _dependent_relations() -> list:
    """Every relation of another table to Cadre whose rows would go with the record, or stop
    its deletion (CASCADE, PROTECT, RESTRICT), hidden ones (related_name "+") included. A
    relation that lets go of the person (SET_NULL) does not hold them."""
    holding = (models.CASCADE, models.PROTECT, models.RESTRICT)
    return [
        field
        for field in Cadre._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        and field.on_delete in holding
    ]


def cadre_attachments(*, cadre: Cadre) -> list[Attachment]:
    """What refers to the record, by kind (one COUNT per kind), empty if nothing does."""
    found = []
    for relation in _dependent_relations():
        model = relation.related_model
        count = model._base_manager.filter(**{relation.field.name: cadre.pk}).count()
        if count:
            found.append(Attachment(label=str(model._meta.verbose_name_plural), count=count))
    return found


# --- Deleting ------------------------------------------------------------------------------------


def cadre_delete(*, cadre: Cadre, by=None) -> None:
    """Delete a record that nothing refers to (entered by mistake), with its log entry.
    CadreInUse (a ValidationError with the reason) if anything does: the counters stay as
    they are."""
    with transaction.atomic():
        locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
        attached = cadre_attachments(cadre=locked)
        if attached:
            raise CadreInUse(attached)
        log(instance=locked, action="wagtail.delete", user=by)
        locked.delete()


# --- Merging -------------------------------------------------------------------------------------

# Filled in on the kept record from the duplicate when the kept one has none.
FILLED_FIELDS = ("ma_can_bo", "birth_year", "phone", "email", "agency", "unit",
                 "consent_notice_version", "consent_at")  # fmt: skip
UNIQUE_FIELDS = ("ma_can_bo", "user")


def _blank(value) -> bool:
    return value in (None, "")


def cadre_merge(*, kept: Cadre, duplicate: Cadre, by=None) -> Cadre:
    """Merge `duplicate` into `kept` (two records of the same person) and remove it.

    In one transaction, both rows locked in primary-key order: the kept record takes the
    duplicate's details where it has none (cadre id, birth year, phone, e-mail, agency, unit,
    ethnicity, consent, login); every feature moves its rows (cadre_merging), the completion
    engine looks at the kept record again (cadre_merged); the duplicate, then referred to by
    nothing, is deleted. Both records get a log entry. ValidationError if refused.
    """
    if kept.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged with itself."), code="same")
    with transaction.atomic():
        rows = {
            c.pk: c
            for c in Cadre.objects.select_for_update()
            .filter(pk__in=[kept.pk, duplicate.pk])
            .order_by("pk")
        }
        if len(rows) != 2:
            raise Cadre.DoesNotExist
        kept, duplicate = rows[kept.pk], rows[duplicate.pk]
        if kept.erased_at or duplicate.erased_at:
            raise ValidationError(
                _("A record whose personal data was erased cannot be merged."), code="erased"
            )
        place_before = _place(kept)
        filled = [
            name
            for name in FILLED_FIELDS
            if _blank(getattr(kept, name)) and not _blank(getattr(duplicate, name))
        ]
        if kept.ethnicity == NOT_STATED and duplicate.ethnicity != NOT_STATED:
            filled.append("ethnicity")
        other_login = duplicate.user
        # The unique columns leave the duplicate before the kept record takes them.
        Cadre.objects.filter(pk=duplicate.pk).update(ma_can_bo=None, user=None)
        for name in filled:
            setattr(kept, name, getattr(duplicate, name))
        if other_login is not None:
            if kept.user_id is None:
                kept.user = other_login
                filled.append("user")
            else:
                _user_deactivate(other_login)
        kept.save()
        if _place(kept) != place_before:
            place_changed.send(sender=Cadre, cadre=kept)
        cadre_merging.send(sender=Cadre, kept=kept, duplicate=duplicate, by=by)
        cadre_merged.send(sender=Cadre, kept=kept, duplicate=duplicate, by=by)
        left = cadre_attachments(cadre=duplicate)
        if left:
            # A feature did not move its rows: nothing is merged rather than rows lost.
            raise CadreInUse(left)
        log(instance=kept, action=MERGE_ACTION, user=by,
            data={"duplicate_id": duplicate.pk, "filled": sorted(filled)})  # fmt: skip
        log(instance=duplicate, action=MERGE_ACTION, user=by, data={"kept_id": kept.pk})
        duplicate.delete()
    return kept


def _place(cadre: Cadre) -> tuple:
    return (cadre.province_code, cadre.district_code, cadre.commune_code, cadre.province_2025,
            cadre.commune_2025)  # fmt: skip


def _user_deactivate(user) -> None:
    """The login can no longer be used: a person without a record who signed in would be
    asked to register again, as a third record."""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])


# --- Erasing -------------------------------------------------------------------------------------


def cadre_erase(*, cadre: Cadre, by=None) -> Cadre:
    """Erase a person's personal data at their request, keeping what they count for.

    The name becomes ERASED_NAME; phone, e-mail, birth year, cadre id and ethnicity are
    removed; their login is deactivated, stripped of its name and e-mail, and unlinked. The
    record, its enrolments, attendance and achievements stay, so the counters do not change
    (sex, level, target group and unit, which the counts are kept by, stay). The features
    that copied the name remove their copies (cadre_erasing: certificates), and the log
    entries of the record no longer carry the name. Running it again changes nothing.
    """
    with transaction.atomic():
        locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
        if locked.erased_at is not None:
            return locked
        locked.full_name = ERASED_NAME
        locked.phone = ""
        locked.email = ""
        locked.birth_year = None
        locked.ma_can_bo = None
        locked.ethnicity = NOT_STATED
        if locked.user_id is not None:
            _user_erase(locked.user)
            locked.user = None
        locked.erased_at = timezone.now()
        cadre_erasing.send(sender=Cadre, cadre=locked, by=by)
        locked.save()
        # Its own entries, and those of the duplicates merged into it (named after them).
        ModelLogEntry.objects.filter(
            models.Q(object_id=str(locked.pk))
            | models.Q(action=MERGE_ACTION, data__kept_id=locked.pk),
            content_type=ContentType.objects.get_for_model(Cadre),
        ).update(label=ERASED_NAME)
        log(instance=locked, action=ERASE_ACTION, user=by)
    return locked


def _user_erase(user) -> None:
    user.is_active = False
    user.set_unusable_password()
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    # The user name is often the phone number or the name itself.
    user.username = f"da-xoa-{user.pk}"
    user.save()


def cadres_for_merge(*, user, cadre: Cadre, query: str, limit: int = 20) -> list[Cadre]:
    """The other records `user` may merge into `cadre` matching a search (folded name, phone,
    cadre id or e-mail), at most `limit`; none for an empty search."""
    query = (query or "").strip()
    folded = name_key(query)
    if not folded:
        return []
    condition = models.Q(name_key__contains=folded) | models.Q(ma_can_bo__iexact=query)
    phone = normalise_phone(query)
    if phone:
        condition |= models.Q(phone=phone)
    if "@" in query:
        condition |= models.Q(email__iexact=query)
    return list(
        cadres_editable_by(user)
        .filter(condition, erased_at__isnull=True)
        .exclude(pk=cadre.pk)
        .select_related("unit", "unit__parent")
        .order_by("name_key", "birth_year", "pk")[:limit]
    )
