"""The registry in the Wagtail admin: every list, detail, edit and export view, for each role
(anonymous, cadre, other cadre, trainer, province admin of the same / another province,
central admin). The import pages are in test_views.py."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from courses.registry.models import AdminUnit, Cadre
from tests.builders import make_cadre

ROLES = ["anonymous", "hoa_user", "mai_user", "trainer", "hn_admin", "hg_admin", "central"]
# Who sees Lò Thị Mai (Hà Giang, attends the trainer's session) and Nguyễn Thị Hoa (Hà Nội).
SEES_MAI = {"trainer", "hg_admin", "central"}
SEES_HOA = {"hn_admin", "central"}
EDITS_MAI = {"hg_admin", "central"}
ETHNICITY = {"hg_admin": True, "central": True}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def url(name, *args):
    return reverse(f"courses_cadre:{name}", args=args)


def is_refused(response):
    """Anonymous users are sent to the login page; a signed-in user without admin access gets
    the 403 page with a way back (sending them to log in again looped: they are logged in)."""
    if response.wsgi_request.user.is_authenticated:
        return response.status_code == 403
    return response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_cadre_listing_shows_only_people_in_scope(client, world, role):
    response = login(client, world, role).get(url("index"))
    if role in ("anonymous", "hoa_user", "mai_user"):
        assert is_refused(response)
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Lò Thị Mai" in html) == (role in SEES_MAI)
    assert ("Nguyễn Thị Hoa" in html) == (role in SEES_HOA)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_holds_only_people_in_scope_and_ethnicity_only_for_admins(client, world, role, fmt):
    # Ethnicity is asked for (dan_toc=1): only the admins get it.
    response = login(client, world, role).get(url("index") + f"?export={fmt}&dan_toc=1")
    if role in ("anonymous", "hoa_user", "mai_user"):
        assert is_refused(response)
        return
    assert response.status_code == 200
    if fmt == "csv":
        content = b"".join(response.streaming_content).decode("utf-8")
        rows = list(csv.reader(io.StringIO(content)))
    else:
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    header, body = rows[0], rows[1:]
    names = sorted(row[header.index("ho_ten")] for row in body)
    expected = sorted(
        name
        for name, who in [("Lò Thị Mai", SEES_MAI), ("Nguyễn Thị Hoa", SEES_HOA),
                          ("Trần Thị Lan", SEES_HOA)]
        if role in who
    )  # fmt: skip
    assert names == expected
    assert ("dan_toc" in header) == (role in ("hn_admin", "hg_admin", "central"))
    if "dan_toc" in header and role != "hn_admin":
        mai = next(row for row in body if row[header.index("ho_ten")] == "Lò Thị Mai")
        assert mai[header.index("dan_toc")] == "Hmông"


def test_export_neutralises_formulas(client, world):
    make_cadre(unit=world.units["00001"], full_name="=HYPERLINK(1)", agency="+cmd",
               birth_year=1980)  # fmt: skip
    client.force_login(world.central)
    content = b"".join(client.get(url("index") + "?export=csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in content and "'+cmd" in content
    response = client.get(url("index") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = {v for row in sheet.iter_rows(values_only=True) for v in row}
    assert "'=HYPERLINK(1)" in values


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", ["inspect", "history", "edit", "delete"])
def test_detail_views_are_404_outside_scope(client, world, role, view):
    response = login(client, world, role).get(url(view, world.mai.pk))
    if role in ("anonymous", "hoa_user", "mai_user"):
        assert is_refused(response)
        return
    allowed = SEES_MAI if view == "inspect" else EDITS_MAI
    if role in allowed:
        assert response.status_code == 200
        assert "Lò Thị Mai" in response.content.decode()
    elif role == "trainer":  # may look at a participant, not edit them or read the history
        assert response.status_code in (403, 404, 302)
        assert "Lò Thị Mai" not in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ["trainer", "hn_admin", "hg_admin", "central"])
def test_inspect_shows_ethnicity_only_to_admins_covering_the_person(client, world, role):
    response = login(client, world, role).get(url("inspect", world.mai.pk))
    if role == "hn_admin":
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert ("Hmông" in html) == (role in ETHNICITY)


def test_trainer_cannot_edit_or_delete_their_participant(client, world):
    client.force_login(world.trainer)
    response = client.post(url("edit", world.mai.pk), {"full_name": "Đổi tên"})
    assert response.status_code in (403, 404, 302)
    response = client.post(url("delete", world.mai.pk))
    assert response.status_code in (403, 404, 302)
    world.mai.refresh_from_db()
    assert world.mai.full_name == "Lò Thị Mai"


def test_province_admin_cannot_delete_or_edit_another_province(client, world):
    client.force_login(world.hn_admin)
    assert client.post(url("delete", world.mai.pk)).status_code == 404
    assert client.post(url("edit", world.mai.pk), {"full_name": "X"}).status_code == 404
    assert Cadre.objects.filter(pk=world.mai.pk, full_name="Lò Thị Mai").exists()


def form_data(unit, **extra):
    data = {
        "full_name": "Phạm Thị Thu", "ma_can_bo": "", "sex": "female", "birth_year": "1988",
        "target_group": "key_cadre", "level": "commune", "agency": "", "unit": unit.pk,
        "phone": "0912 000 111", "email": "", "consent_notice_version": "",
        "consent_at": "", "ethnicity": "",
    }  # fmt: skip
    data.update(extra)
    return data


def test_province_admin_creates_cadres_only_in_their_province(client, world):
    client.force_login(world.hn_admin)
    # The unit is picked in the unit chooser, which offers the units of the admin's province.
    assert reverse("courses_adminunit_chooser:choose") in client.get(url("add")).content.decode()
    html = client.get(reverse("courses_adminunit_chooser:choose_results")).content.decode()
    assert "Phường Phúc Xá" in html and "Phường Quang Trung" not in html
    response = client.post(url("add"), form_data(world.units["00688"]))
    assert response.status_code == 200  # the form again, with an error on unit
    assert not Cadre.objects.filter(full_name="Phạm Thị Thu").exists()
    response = client.post(url("add"), form_data(world.units["00001"]))
    assert response.status_code == 302
    thu = Cadre.objects.get(full_name="Phạm Thị Thu")
    assert (thu.province_code, thu.phone) == ("01", "0912000111")


def test_edit_form_keeps_names_nfc(client, world):
    import unicodedata

    client.force_login(world.central)
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    response = client.post(
        url("edit", world.hoa.pk), form_data(world.units["00001"], full_name=nfd)
    )
    assert response.status_code == 302
    world.hoa.refresh_from_db()
    assert world.hoa.full_name == unicodedata.normalize("NFC", nfd)


@pytest.mark.parametrize("role", ROLES)
def test_unit_listing_is_scoped(client, world, role):
    response = login(client, world, role).get(reverse("courses_adminunit:index") + "?q=Phường")
    if role in ("anonymous", "hoa_user", "mai_user"):
        assert is_refused(response)
        return
    if role == "trainer":
        assert response.status_code in (302, 403)
        return
    html = response.content.decode()
    assert ("Phường Phúc Xá" in html) == (role in ("hn_admin", "central"))
    assert ("Phường Quang Trung" in html) == (role in ("hg_admin", "central"))


def test_admin_adds_a_village_under_a_commune_of_their_province(client, world):
    client.force_login(world.hn_admin)
    add = reverse("courses_adminunit:add")
    response = client.post(add, {"parent": world.units["00688"].pk, "name": "Thôn ngoài tỉnh"})
    assert response.status_code == 200 and not AdminUnit.objects.filter(level="village").exists()
    response = client.post(add, {"parent": world.units["00001"].pk, "name": "Tổ dân phố 5"})
    assert response.status_code == 302
    village = AdminUnit.objects.get(level="village")
    assert (village.code, village.province_code, village.commune_code) == ("00001-1", "01", "00001")
    # National units cannot be edited by hand; out-of-province units are not found.
    assert (
        client.get(reverse("courses_adminunit:edit", args=[world.units["00001"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("courses_adminunit:inspect", args=[world.units["00688"].pk])).status_code
        == 404
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_leaves_out_ethnicity_unless_asked_for(client, world, fmt):
    client.force_login(world.central)
    response = client.get(url("index") + f"?export={fmt}")
    if fmt == "csv":
        header = b"".join(response.streaming_content).decode("utf-8").splitlines()[0]
    else:
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        header = ",".join(str(v) for v in next(sheet.iter_rows(values_only=True)))
    assert "ho_ten" in header and "dan_toc" not in header
