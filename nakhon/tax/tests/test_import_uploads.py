"""The import page's pending uploads (issue #6): a checked register file (it can hold
taxpayers' personal data) waits under NAKHON_UPLOAD_DIR/tax/import only until it is confirmed,
cancelled, replaced by another upload, or 24 hours old; it belongs to the city it was checked
for and cannot be confirmed in another city's page."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from nakhon.accounts.models import Membership, Role
from nakhon.tax import imports
from nakhon.tax.models import Parcel, Taxpayer
from nakhon.tax.tests.conftest import valid_id

KK = "/khon-kaen/tax/import/"
GONE = "ไม่มีรายการให้บันทึก"  # "Nothing to save: the checked file is gone…" (pages are Thai)
ELSEWHERE = "เป็นของเทศบาลอื่น"  # "…was for another municipality…"
SILA = "/sila/tax/import/"
GOOD = b"code,area,owners,use\nUP-1,1-0-0,TP-0001,commercial\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def folder() -> Path:
    """The upload folder, emptied (other tests of the session may have left files)."""
    path = imports.upload_dir()
    for old in path.iterdir():
        old.unlink()
    return path


def upload(client, url: str = KK, content: bytes = GOOD, register: str = "parcels"):
    return client.post(
        url, {"register": register, "file": SimpleUploadedFile("register.csv", content)}
    )


def files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def test_confirm_deletes_the_file(demo, client_as, folder) -> None:
    client = client_as("kk-tax")
    assert upload(client).status_code == 200
    [stored] = files(folder)
    assert stored.suffix == ".csv" and stored.name != "register.csv"
    pending = client.session["tax_import"]
    assert pending["municipality_id"] == demo.kk.pk and pending["register"] == "parcels"
    assert 'data-testid="import-pending"' in client.get(KK).content.decode()
    response = client.post(KK, {"confirm": "1"})
    assert response.status_code == 200
    assert Parcel.objects.filter(municipality=demo.kk, code="UP-1").exists()
    assert files(folder) == [] and "tax_import" not in client.session


def test_cancel_deletes_the_file_and_saves_nothing(demo, client_as, folder) -> None:
    client = client_as("kk-tax")
    upload(client)
    assert len(files(folder)) == 1
    client.post(KK, {"cancel": "1"})
    assert files(folder) == [] and "tax_import" not in client.session
    again = client.post(KK, {"confirm": "1"})
    assert again.status_code == 422 and GONE in again.content.decode()
    assert not Parcel.objects.filter(code="UP-1").exists()


def test_a_new_upload_replaces_the_waiting_one(demo, client_as, folder) -> None:
    client = client_as("kk-tax")
    upload(client)
    [first] = files(folder)
    upload(client, content=GOOD.replace(b"UP-1", b"UP-2"))
    [second] = files(folder)
    assert second != first and not first.exists()
    # a refused upload replaces it too, and is not kept itself
    bad = upload(client, content=b"code,area,owners,use\nUP-3,1-5-20,TP-0001,commercial\n")
    assert "1-5-20" in bad.content.decode()
    assert files(folder) == [] and "tax_import" not in client.session
    client.post(KK, {"confirm": "1"})
    assert not Parcel.objects.filter(code__in=["UP-1", "UP-2", "UP-3"]).exists()


def test_a_taxpayer_file_is_not_kept_after_a_refused_check(demo, client_as, folder) -> None:
    client = client_as("kk-tax")
    header = b"code,kind,national_id,name\n"
    row = f"UT-1,person,{valid_id(77)},x\nUT-2,person,123,y\n".encode()
    response = upload(client, content=header + row, register="taxpayers")
    assert response.status_code == 200 and "UT-2" in response.content.decode()
    assert files(folder) == []
    assert not Taxpayer.objects.filter(code__startswith="UT-").exists()


def test_confirming_in_another_city_is_refused(demo, client_as, folder) -> None:
    officer = demo.user("kk-tax")
    Membership.objects.create(municipality=demo.sila, user=officer, role=Role.TAX_OFFICER)
    client = client_as("kk-tax")
    upload(client)  # checked for Khon Kaen
    refused = client.post(SILA, {"confirm": "1"})
    assert refused.status_code == 422
    assert ELSEWHERE in refused.content.decode()
    assert not Parcel.objects.filter(code="UP-1").exists()
    assert 'data-testid="import-pending"' not in client.get(SILA).content.decode()
    cancel_there = client.post(SILA, {"cancel": "1"})
    assert cancel_there.status_code == 422 and len(files(folder)) == 1
    # still waiting for Khon Kaen, where it is saved into Khon Kaen's register
    client.post(KK, {"confirm": "1"})
    assert Parcel.objects.get(code="UP-1").municipality == demo.kk
    assert files(folder) == []


def test_a_session_cannot_point_outside_the_upload_folder(demo, client_as, folder) -> None:
    client = client_as("kk-tax")
    session = client.session
    session["tax_import"] = {
        "stored": "../../settings.py",
        "register": "parcels",
        "name": "x.csv",
        "municipality_id": demo.kk.pk,
        "uploaded_at": time.time(),
    }
    session.save()
    response = client.post(KK, {"confirm": "1"})
    assert response.status_code == 422 and GONE in response.content.decode()


def test_files_older_than_24_hours_are_swept_on_upload(demo, client_as, folder) -> None:
    client = client_as("kk-tax")
    upload(client)
    [waiting] = files(folder)
    day_old = time.time() - imports.UPLOAD_MAX_AGE.total_seconds() - 60
    forgotten = folder / ("0" * 32 + ".xlsx")  # another session's, never confirmed
    forgotten.write_bytes(b"x")
    os.utime(forgotten, (day_old, day_old))
    other = client_as("kk-admin")
    upload(other, content=GOOD.replace(b"UP-1", b"UP-9"))
    assert not forgotten.exists() and waiting.exists()  # the fresh one of kk-tax stays
    assert len(files(folder)) == 2
    # a pending import older than the limit is refused at confirmation, and deleted
    os.utime(waiting, (day_old, day_old))
    session = client.session
    session["tax_import"] = {**session["tax_import"], "uploaded_at": day_old}
    session.save()
    response = client.post(KK, {"confirm": "1"})
    assert response.status_code == 422 and not waiting.exists()
    assert not Parcel.objects.filter(code="UP-1").exists()
    assert imports.uploads_sweep(now=time.time() + 2 * imports.UPLOAD_MAX_AGE.total_seconds()) == 1
    assert files(folder) == []
