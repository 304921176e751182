"""A default DHIS2 mapping (codes only), so an export works before anyone types a uid.

The data set DE_AN_8; one data element per programme indicator; the people indicators broken
down by sex, level and ethnicity (the session indicators are totals: a session has no sex);
the categories SEX, LEVEL and ETHNICITY with an option for every value the counters hold,
the empty value (not stated) included, so that a data element's values add up to the
indicator's total; and an org unit for each province of both structures, coded VN2023_<code>
and VN2025_<code> so that the two structures' colliding codes stay apart. Creates missing
rows only and never overwrites an edited one.
"""

from django.db import migrations

DATA_SET = ("Đề án 8 – Bình đẳng giới", "DE_AN_8")
PEOPLE = ["CADRES_TRAINED", "VILLAGE_HEADS_TRAINED", "ME_PARTICIPANTS", "CERTIFIED_LEARNERS"]
SESSIONS = ["SESSIONS_DISTRICT_COMMUNE", "SESSIONS_VILLAGE", "SESSIONS_ME"]

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

CATEGORIES = [
    # breakdown, name, code, options (value, name, code)
    ("sex", "Giới tính", "SEX",
     [("female", "Nữ", "FEMALE"), ("male", "Nam", "MALE"), ("", "Không ghi", "NOT_STATED")]),
    ("level", "Cấp", "LEVEL",
     [("province", "Cấp tỉnh", "PROVINCE"), ("district", "Cấp huyện", "DISTRICT"),
      ("commune", "Cấp xã", "COMMUNE"), ("village", "Cấp thôn, bản", "VILLAGE"),
      ("", "Không ghi", "NOT_STATED")]),
    ("ethnicity", "Dân tộc", "ETHNICITY",
     [*((code, name, code) for code, name in ETHNIC_GROUPS), ("", "Không ghi", "NOT_STATED")]),
]  # fmt: skip

# GSO province codes: the 63 provinces until 30 June 2025, the 34 since 1 July 2025.
PROVINCES_2023 = (
    "01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 45 "
    "46 48 49 51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 92 93 "
    "94 95 96"
).split()
PROVINCES_2025 = (
    "01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 82 "
    "86 91 92 96"
).split()


def seed(apps, schema_editor):
    DataSet = apps.get_model("courses", "Dhis2DataSet")
    Category = apps.get_model("courses", "Dhis2Category")
    Option = apps.get_model("courses", "Dhis2CategoryOption")
    DataElement = apps.get_model("courses", "Dhis2DataElement")
    OrgUnit = apps.get_model("courses", "Dhis2OrgUnit")
    Indicator = apps.get_model("courses", "Indicator")
    if not DataSet.objects.exists():
        DataSet.objects.create(name=DATA_SET[0], code=DATA_SET[1])
    categories = []
    for breakdown, name, code, options in CATEGORIES:
        category, _ = Category.objects.get_or_create(
            breakdown=breakdown, defaults={"name": name, "code": code}
        )
        categories.append(category)
        for value, option_name, option_code in options:
            Option.objects.get_or_create(
                category=category, value=value, defaults={"name": option_name, "code": option_code}
            )
    for indicator in Indicator.objects.filter(code__in=PEOPLE + SESSIONS):
        element, created = DataElement.objects.get_or_create(
            indicator=indicator, defaults={"code": indicator.code}
        )
        if created and indicator.code in PEOPLE:
            element.categories.set(categories)
    for structure, codes in (("2023", PROVINCES_2023), ("2025", PROVINCES_2025)):
        for code in codes:
            OrgUnit.objects.get_or_create(
                structure=structure, province_code=code,
                defaults={"code": f"VN{structure}_{code}"},
            )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("courses", "0022_dhis2_mapping")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
