"""Who sees the registers: tax officers and admins with personal data (audited), executives
without, the viewer, another city's staff and the public not at all. The demo register."""

from __future__ import annotations

import pytest

from nakhon.core.models import AuditEvent
from nakhon.tax.models import Building, Parcel, Signboard, Taxpayer


def test_demo_register_is_present(demo) -> None:
    assert Taxpayer.objects.filter(municipality=demo.kk).count() >= 30
    assert Parcel.objects.filter(municipality=demo.kk).count() >= 30
    assert Building.objects.filter(municipality=demo.kk).exists()
    assert Signboard.objects.filter(municipality=demo.kk).count() >= 20
    assert not Taxpayer.objects.filter(municipality=demo.sila).exists()


@pytest.mark.parametrize(
    ("username", "status"), [(None, 302), ("sila-admin", 404), ("kk-viewer", 403)]
)
def test_taxpayers_hidden_from_the_public_other_cities_and_viewers(
    demo, client_as, username, status
) -> None:
    taxpayer = Taxpayer.objects.filter(municipality=demo.kk).first()
    client = client_as(username)
    for url in (
        "/khon-kaen/tax/",
        "/khon-kaen/tax/taxpayers/",
        f"/khon-kaen/tax/taxpayers/{taxpayer.pk}/",
        "/khon-kaen/tax/parcels/",
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert taxpayer.name not in response.content.decode()


def test_tax_officer_sees_personal_data_and_the_read_is_audited(demo, client_as) -> None:
    taxpayer = Taxpayer.objects.filter(municipality=demo.kk, kind="person").first()
    client = client_as("kk-tax")
    before = AuditEvent.objects.filter(personal_data=True).count()
    page = client.get(f"/khon-kaen/tax/taxpayers/{taxpayer.pk}/").content.decode()
    assert taxpayer.name in page
    event = AuditEvent.objects.filter(
        action="personal_data.read", object_id=str(taxpayer.pk), object_type="tax.taxpayer"
    ).latest("id")
    assert event.actor.username == "kk-tax" and event.personal_data
    listing = client.get("/khon-kaen/tax/taxpayers/", {"q": taxpayer.code}).content.decode()
    assert taxpayer.name in listing
    assert AuditEvent.objects.filter(personal_data=True).count() == before + 2
    assert "tax.taxpayer.create" in page  # the record's history


def test_executive_reads_registers_without_personal_data(demo, client_as) -> None:
    taxpayer = Taxpayer.objects.filter(municipality=demo.kk).first()
    client = client_as("kk-executive")
    before = AuditEvent.objects.filter(personal_data=True).count()
    for url in ("/khon-kaen/tax/taxpayers/", f"/khon-kaen/tax/taxpayers/{taxpayer.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert taxpayer.name not in text and taxpayer.national_id not in text
    assert AuditEvent.objects.filter(personal_data=True).count() == before
    assert client.get("/khon-kaen/tax/import/").status_code == 403


def test_officer_register_pages(demo, client_as) -> None:
    client = client_as("kk-tax")
    parcel = Parcel.objects.filter(municipality=demo.kk).first()
    assert parcel.code in client.get("/khon-kaen/tax/parcels/").content.decode()
    page = client.get(f"/khon-kaen/tax/parcels/{parcel.pk}/").content.decode()
    assert parcel.area_rnw in page and "tax.parcel.create" in page
    for register in ("buildings", "units", "signboards"):
        assert client.get(f"/khon-kaen/tax/{register}/", {"q": "1"}).status_code == 200
    assert client.get("/khon-kaen/tax/nothing/").status_code == 404


def test_import_page_upload_report_confirm(demo, client_as, tmp_path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("kk-tax")
    content = b"code,area,owners,use\nWEB-1,1-0-0,TP-0001,commercial\n"
    response = client.post(
        "/khon-kaen/tax/import/",
        {"register": "parcels", "file": SimpleUploadedFile("p.csv", content)},
    )
    assert response.status_code == 200 and not Parcel.objects.filter(code="WEB-1").exists()
    response = client.post("/khon-kaen/tax/import/", {"confirm": "1"})
    assert Parcel.objects.filter(municipality=demo.kk, code="WEB-1").exists()
    bad = b"code,area,owners,use\nWEB-2,1-5-20,TP-0001,commercial\n"
    response = client.post(
        "/khon-kaen/tax/import/",
        {"register": "parcels", "file": SimpleUploadedFile("p.csv", bad)},
    )
    assert "1-5-20" in response.content.decode()
    assert not Parcel.objects.filter(code="WEB-2").exists()


def test_no_taxpayer_data_on_public_pages_or_api(demo, client) -> None:
    names = list(Taxpayer.objects.filter(municipality=demo.kk).values_list("name", "national_id"))
    for url in ("/khon-kaen/", "/khon-kaen/tax/calculator/", "/api/v1/openapi.json"):
        text = client.get(url).content.decode()
        for name, number in names:
            assert name not in text and number not in text, url
