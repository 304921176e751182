"""The programme's figures for DHIS2: ADX XML and dataValueSets JSON, from the counter cells.

Values are read from CounterRollup (indicator x month x province x level x sex x ethnicity),
the table the dashboard reads for the months of a cut year, over the months of the period and
within each indicator's own period, exactly as the dashboard bounds them: a data element's
values for an org unit add up to the indicator's figure for that province and period.

Every value is exact: there is no small-cell suppression here. The dashboard's "< 10" is for
published cells below the province, where a figure could single someone out; this export goes
to the ministry's DHIS2, not to the public, and carries province figures only (no district,
commune or person), so DHIS2 gets what the programme's rules allow and the ministry needs.

Scope is the dashboard's: a province admin exports their 2025 province (in the 2023 structure,
the provinces that went into it), whatever they ask; asking for another province is refused
without saying anything about it. Records made in a 2025 unit have no 2023 province, so they
are in 2025-structure exports only. Every export is logged (Dhis2Export: who, what, when).

Nothing is half-written: the document is built whole in memory and only then returned; an
unmapped indicator, province or option is an error naming it, and no document at all.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.counters.dhis2_models import (
    Dhis2Category,
    Dhis2DataElement,
    Dhis2DataSet,
    Dhis2Export,
    Dhis2OptionCombo,
    Dhis2OrgUnit,
)
from courses.counters.models import CounterRollup, Indicator
from courses.counters.periods import Period
from courses.counters.selectors import PLACE_COLUMNS, counters_province_in_scope, unit_name
from courses.registry.models import UnitStructure

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
ADX_MEDIA_TYPE = "application/adx+xml"
FORMATS = ("adx", "json")
ID_SCHEMES = ("code", "uid")
# DHIS2's built-in combo for data elements without categories.
DEFAULT_COMBO = {"code": "default", "uid": "HllvX50cXC0"}


class Dhis2Error(ValueError):
    """The export cannot be made (unmapped indicator, province or option, a province outside
    the scope, nothing to report); the message says which, in the reader's language."""


class OutOfScope(Dhis2Error):
    pass


@dataclass(frozen=True)
class Dhis2Value:
    element: Dhis2DataElement
    org_unit: Dhis2OrgUnit
    options: tuple  # Dhis2CategoryOption, one per category of the element, in its order
    value: int


@dataclass
class Dhis2Document:
    period: Period
    structure: str
    data_set: Dhis2DataSet
    values: list[Dhis2Value]
    exported: dt.datetime


def _months_q(indicator: Indicator, period: Period) -> Q | None:
    first = max(filter(None, [period.first, indicator.period_start]))
    last = min(filter(None, [period.last_month, indicator.period_end]))
    first, last = first.replace(day=1), last.replace(day=1)
    if first > last:
        return None
    return Q(indicator_id=indicator.pk, month__gte=first, month__lte=last)


def dhis2_values(
    *, period: Period, structure: str, province: str = "", scope_province: str | None
) -> Dhis2Document:
    """The data values of a period in a structure (one province of it, or all in the scope)."""
    if structure not in UnitStructure.values:
        raise Dhis2Error(_("structure must be 2023 or 2025."))
    if not counters_province_in_scope(
        structure=structure, province=province, scope_province=scope_province
    ):
        raise OutOfScope(_("This province is outside your scope."))
    data_set = Dhis2DataSet.objects.first()
    if data_set is None:
        raise Dhis2Error(_("No DHIS2 data set is mapped: add one under DHIS2 mapping."))
    column = PLACE_COLUMNS[structure]["province"]
    indicators = list(Indicator.objects.all())
    months = Q(pk__in=[])
    for indicator in indicators:
        q = _months_q(indicator, period)
        if q is not None:
            months |= q
    rows = CounterRollup.objects.filter(months).exclude(**{column: ""})
    if scope_province:
        rows = rows.filter(province_2025=scope_province)
    if province:
        rows = rows.filter(**{column: province})
    group = ["indicator_id", column, "level", "sex", "ethnicity"]
    rows = rows.values(*group).annotate(total=Sum("value")).values_list(*group, "total")
    elements = {
        e.indicator_id: e
        for e in Dhis2DataElement.objects.select_related("indicator").prefetch_related(
            "categories__options"
        )
    }
    org_units = {u.province_code: u for u in Dhis2OrgUnit.objects.filter(structure=structure)}
    names = {i.pk: i for i in indicators}
    sums: dict[tuple, int] = defaultdict(int)
    for pk, place, level, sex, ethnicity, total in rows.order_by():
        if not total:
            continue
        element = elements.get(pk)
        if element is None:
            indicator = names[pk]
            raise Dhis2Error(
                _("Indicator “{name}” ({code}) has no DHIS2 data element: map it first.").format(
                    name=indicator.name, code=indicator.code
                )
            )
        org_unit = org_units.get(place)
        if org_unit is None:
            raise Dhis2Error(
                _("Province “{name}” ({code}, {structure} structure) has no DHIS2 org unit: "
                  "map it first.").format(
                    name=unit_name(structure, place), code=place, structure=structure
                )
            )  # fmt: skip
        held = {"sex": sex, "level": level, "ethnicity": ethnicity}
        options = []
        for category in element.categories.all():
            by_value = {o.value: o for o in category.options.all()}
            option = by_value.get(held[category.breakdown])
            if option is None:
                raise Dhis2Error(
                    _("Category “{category}” has no option for the value “{value}”: map it "
                      "first.").format(category=category.name, value=held[category.breakdown])
                )  # fmt: skip
            options.append(option)
        sums[(element.pk, org_unit.pk, tuple(o.pk for o in options))] += total
    by_pk_element = {e.pk: e for e in elements.values()}
    by_pk_unit = {u.pk: u for u in org_units.values()}
    options_by_pk = {
        o.pk: o for e in elements.values() for c in e.categories.all() for o in c.options.all()
    }
    values = [
        Dhis2Value(
            element=by_pk_element[element_pk],
            org_unit=by_pk_unit[unit_pk],
            options=tuple(options_by_pk[pk] for pk in option_pks),
            value=value,
        )
        for (element_pk, unit_pk, option_pks), value in sums.items()
        if value
    ]
    values.sort(key=lambda v: (v.org_unit.code, v.element.code, [o.code for o in v.options]))
    return Dhis2Document(
        period=period, structure=structure, data_set=data_set, values=values,
        exported=timezone.now().replace(microsecond=0),
    )  # fmt: skip


def dhis2_adx(document: Dhis2Document) -> bytes:
    """ADX XML: a group per org unit, a dataValue per data element and combination of options,
    each category an attribute named by its code whose value is the option's code."""
    if not document.values:
        raise Dhis2Error(_("There are no figures to export for this period and scope."))
    ET.register_namespace("", ADX_NAMESPACE)
    root = ET.Element(f"{{{ADX_NAMESPACE}}}adx", exported=document.exported.isoformat())
    groups: dict[int, ET.Element] = {}
    for value in document.values:
        group = groups.get(value.org_unit.pk)
        if group is None:
            group = ET.SubElement(
                root, f"{{{ADX_NAMESPACE}}}group", orgUnit=value.org_unit.code,
                period=document.period.iso, dataSet=document.data_set.code,
            )  # fmt: skip
            groups[value.org_unit.pk] = group
        attributes = {"dataElement": value.element.code, "value": str(value.value)}
        for option in value.options:
            attributes[option.category.code] = option.code
        ET.SubElement(group, f"{{{ADX_NAMESPACE}}}dataValue", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _identifier(row, id_scheme: str, what: str) -> str:
    identifier = getattr(row, id_scheme)
    if not identifier:
        raise Dhis2Error(
            _("{what} “{name}” has no DHIS2 {scheme}: enter it under DHIS2 mapping.").format(
                what=what, name=str(row), scheme=id_scheme
            )
        )
    return identifier


def _combos() -> dict[frozenset, Dhis2OptionCombo]:
    combos = {}
    for combo in Dhis2OptionCombo.objects.prefetch_related("options"):
        combos[frozenset(o.pk for o in combo.options.all())] = combo
    return combos


def dhis2_json(document: Dhis2Document, *, id_scheme: str = "code") -> bytes:
    """dataValueSets JSON. With idScheme code, a combination of options without a mapped combo
    is named by its options' codes joined by "_" (FEMALE_08); with idScheme uid every data
    element, org unit, the data set and every combo used needs its uid. completeDate is the
    day of the export (DHIS2 records the data set as reported that day); records that arrive
    late for a period change its figures, and a new export of the period replaces them."""
    if id_scheme not in ID_SCHEMES:
        raise Dhis2Error(_("idScheme must be code or uid."))
    combos = _combos()
    data_values = []
    for value in document.values:
        if value.options:
            combo = combos.get(frozenset(o.pk for o in value.options))
            if combo is not None and getattr(combo, id_scheme):
                combo_id = getattr(combo, id_scheme)
            elif id_scheme == "code":
                combo_id = "_".join(o.code for o in value.options)
            else:
                raise Dhis2Error(
                    _("The combination “{options}” has no DHIS2 category option combo uid: "
                      "enter it under DHIS2 mapping.").format(
                        options=", ".join(o.name for o in value.options)
                    )
                )  # fmt: skip
        else:
            combo_id = DEFAULT_COMBO[id_scheme]
        data_values.append(
            {
                "dataElement": _identifier(value.element, id_scheme, _("Data element")),
                "period": document.period.dhis2_id,
                "orgUnit": _identifier(value.org_unit, id_scheme, _("Org unit")),
                "categoryOptionCombo": combo_id,
                "value": str(value.value),
            }
        )
    body = {
        "dataSet": _identifier(document.data_set, id_scheme, _("Data set")),
        "completeDate": timezone.localdate(document.exported).isoformat(),
        "period": document.period.dhis2_id,
        "dataValues": data_values,
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


XS = "http://www.w3.org/2001/XMLSchema"


def _enumeration(parent: ET.Element, name: str, codes) -> None:
    simple = ET.SubElement(parent, f"{{{XS}}}simpleType", name=name)
    restriction = ET.SubElement(simple, f"{{{XS}}}restriction", base="xs:token")
    for code in sorted(set(codes)):
        ET.SubElement(restriction, f"{{{XS}}}enumeration", value=code)


def dhis2_adx_schema(*, structure: str) -> bytes:
    """A strict XML Schema for this project's ADX in one structure, generated from the
    mapping: only the mapped data set, data elements, org units of that structure and
    category option codes, one attribute per mapped category, and whole values that are not
    negative. What a DHIS2 server would refuse, refused before anything is sent."""
    ET.register_namespace("xs", XS)
    root = ET.Element(
        f"{{{XS}}}schema", targetNamespace=ADX_NAMESPACE, elementFormDefault="qualified"
    )
    root.set("xmlns", ADX_NAMESPACE)
    _enumeration(root, "dataSetCode", Dhis2DataSet.objects.values_list("code", flat=True))
    _enumeration(root, "dataElementCode", Dhis2DataElement.objects.values_list("code", flat=True))
    _enumeration(
        root, "orgUnitCode",
        Dhis2OrgUnit.objects.filter(structure=structure).values_list("code", flat=True),
    )  # fmt: skip
    categories = list(Dhis2Category.objects.prefetch_related("options"))
    for category in categories:
        _enumeration(root, f"category_{category.code}", [o.code for o in category.options.all()])
    period = ET.SubElement(root, f"{{{XS}}}simpleType", name="periodType")
    ET.SubElement(
        ET.SubElement(period, f"{{{XS}}}restriction", base="xs:token"),
        f"{{{XS}}}pattern", value=r"\d{4}-\d{2}-01/P(1M|3M|1Y)",
    )  # fmt: skip
    value = ET.SubElement(root, f"{{{XS}}}complexType", name="dataValueType")
    for name, kind in (("dataElement", "dataElementCode"), ("value", "xs:nonNegativeInteger")):
        ET.SubElement(value, f"{{{XS}}}attribute", name=name, type=kind, use="required")
    for category in categories:
        ET.SubElement(
            value, f"{{{XS}}}attribute", name=category.code, type=f"category_{category.code}"
        )
    group = ET.SubElement(root, f"{{{XS}}}complexType", name="groupType")
    sequence = ET.SubElement(group, f"{{{XS}}}sequence", maxOccurs="unbounded")
    ET.SubElement(sequence, f"{{{XS}}}element", name="dataValue", type="dataValueType")
    for name, kind in (("orgUnit", "orgUnitCode"), ("period", "periodType"),
                       ("dataSet", "dataSetCode")):  # fmt: skip
        ET.SubElement(group, f"{{{XS}}}attribute", name=name, type=kind, use="required")
    adx = ET.SubElement(root, f"{{{XS}}}complexType", name="adxType")
    sequence = ET.SubElement(adx, f"{{{XS}}}sequence", maxOccurs="unbounded")
    ET.SubElement(sequence, f"{{{XS}}}element", name="group", type="groupType")
    ET.SubElement(adx, f"{{{XS}}}attribute", name="exported", type="xs:dateTime", use="required")
    ET.SubElement(root, f"{{{XS}}}element", name="adx", type="adxType")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def dhis2_export(
    *,
    user,
    via: str,
    format: str,
    period: Period,
    structure: str,
    province: str = "",
    scope_province: str | None,
    id_scheme: str = "code",
) -> tuple[bytes, str]:
    """The whole document (bytes, media type), logged once made; nothing on an error."""
    if format not in FORMATS:
        raise Dhis2Error(_("format must be adx or json."))
    document = dhis2_values(
        period=period, structure=structure, province=province, scope_province=scope_province
    )
    if format == "adx":
        content, media_type = dhis2_adx(document), ADX_MEDIA_TYPE
    else:
        content, media_type = dhis2_json(document, id_scheme=id_scheme), "application/json"
    Dhis2Export.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        via=via, format=format, period=period.dhis2_id, structure=structure,
        province_code=province or scope_province or "", id_scheme=id_scheme,
        values=len(document.values),
    )  # fmt: skip
    return content, media_type
