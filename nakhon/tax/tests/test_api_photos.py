"""Photos of signboards through the API (issue #6): list, upload (the page's checks: Pillow
decode, JPEG/PNG/WebP, size and megapixel limits, EXIF dropped, 422 naming the file), fetch,
delete; tax staff only — the public 401, executives and viewers 403, other cities 404."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from nakhon.core.models import AuditEvent
from nakhon.tax import photos
from nakhon.tax.models import Signboard, SignboardPhoto, Taxpayer
from nakhon.tax.tests.conftest import valid_id
from nakhon.tax.tests.test_filings_receipts_photos import jpeg_with_gps

BASE = "/api/v1/municipalities/khon-kaen/tax"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def sign(demo) -> Signboard:
    owner = Taxpayer.objects.create(
        municipality=demo.kk, code="TP-PHOTO-1", kind="person", national_id=valid_id(911), name="x"
    )
    return Signboard.objects.create(
        municipality=demo.kk, code="SB/PHOTO-1", owner=owner, sign_type=2, width_cm=200,
        height_cm=100,
    )  # fmt: skip


def image_bytes(kind: str, size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 200)).save(out, format=kind)
    return out.getvalue()


def upload(client: Client, code: str, name: str, data: bytes, **form: str) -> object:
    return client.post(
        f"{BASE}/signboards/{code}/photos",
        {"photo": SimpleUploadedFile(name, data), **form},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_upload_list_fetch_delete(
    demo, sign, client_as, django_capture_on_commit_callbacks
) -> None:
    client = client_as("kk-tax")
    made = upload(client, sign.code, "front.jpg", jpeg_with_gps(), taken_on="2025-08-01",
                  note="front")  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["signboard"] == "SB/PHOTO-1" and body["taken_on"] == "2025-08-01"
    assert body["note"] == "front" and body["uploaded_by"] == "kk-tax"
    assert body["content_type"] == "image/jpeg" and body["width_px"] == 64
    photo = SignboardPhoto.objects.get(pk=body["id"])
    stored = photos.photo_root() / photo.path
    assert b"Exif" not in stored.read_bytes()  # GPS and camera gone
    assert AuditEvent.objects.filter(action="tax.signboard_photo.add").exists()
    # a PNG and a WebP are taken too, with their own type
    for kind, name in (("PNG", "side.png"), ("WEBP", "back.webp")):
        other = upload(client, sign.code, name, image_bytes(kind))
        assert other.status_code == 201, other.content
        assert other.json()["content_type"] == f"image/{kind.lower()}"

    listed = client.get(f"{BASE}/signboards/{sign.code}/photos")
    assert listed.status_code == 200
    items = listed.json()
    assert items[0]["id"] == photo.pk and len(items) == 3
    first = items[0]
    assert first["file_url"].endswith(f"/khon-kaen/tax/photos/{photo.pk}/")
    assert first["thumbnail_url"].endswith(f"/khon-kaen/tax/photos/{photo.pk}/?thumb=1")
    # the page's serving view answers the signed-in tax office at those URLs
    page = client.get(first["file_url"].split("testserver", 1)[1])
    assert page.status_code == 200 and page["Content-Type"] == "image/jpeg"
    api_file = client.get(first["api_file_url"].split("testserver", 1)[1])
    assert api_file.status_code == 200 and api_file.content == stored.read_bytes()
    assert api_file["Cache-Control"].startswith("private")
    thumb = client.get(f"{BASE}/photos/{photo.pk}/file", {"thumbnail": "true"})
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"

    with django_capture_on_commit_callbacks(execute=True):
        gone = client.delete(f"{BASE}/photos/{photo.pk}")
    assert gone.status_code == 204
    assert not SignboardPhoto.objects.filter(pk=photo.pk).exists() and not stored.exists()
    assert client.delete(f"{BASE}/photos/{photo.pk}").status_code == 404
    assert AuditEvent.objects.filter(action="tax.signboard_photo.delete").exists()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.jpg", b"this is text, not an image", "not an image"),
        ("empty.png", b"", "empty"),
        ("anim.gif", None, "not taken"),
    ],
)
def test_refused_upload_is_a_422_naming_the_file(demo, sign, client_as, name, data, reason):
    data = image_bytes("GIF") if data is None else data
    refused = upload(client_as("kk-tax"), sign.code, name, data)
    assert refused.status_code == 422, refused.content
    error = refused.json()["error"]
    assert error["code"] == "photo-refused"
    assert name in error["message"] and reason in error["message"]
    assert error["errors"]["photo"] == error["message"]
    assert not SignboardPhoto.objects.exists()


def test_size_megapixels_and_date_limits(demo, sign, client_as, monkeypatch) -> None:
    client = client_as("kk-tax")
    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    big = upload(client, sign.code, "big.jpg", jpeg_with_gps())
    assert big.status_code == 422 and "big.jpg" in big.json()["error"]["message"]
    assert "larger than" in big.json()["error"]["message"]
    monkeypatch.setattr(photos, "MAX_BYTES", 10 * 2**20)
    monkeypatch.setattr(photos, "MAX_PIXELS", 1000)
    wide = upload(client, sign.code, "wide.jpg", image_bytes("JPEG", (100, 20)))
    assert wide.status_code == 422 and "pixels" in wide.json()["error"]["message"]
    monkeypatch.setattr(photos, "MAX_PIXELS", 40_000_000)
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    later = upload(client, sign.code, "a.jpg", jpeg_with_gps(), taken_on=tomorrow)
    assert later.status_code == 422 and "taken_on" in later.json()["error"]["message"]
    bad_day = upload(client, sign.code, "a.jpg", jpeg_with_gps(), taken_on="31/02/2568")
    assert bad_day.status_code == 422  # CE ISO dates only: the form's check
    long_note = upload(client, sign.code, "a.jpg", jpeg_with_gps(), note="x" * 301)
    assert long_note.status_code == 422
    no_file = client.post(f"{BASE}/signboards/{sign.code}/photos", {"note": "x"})
    assert no_file.status_code == 422
    assert not SignboardPhoto.objects.exists()


def test_only_the_tax_office_of_the_city(demo, sign, client_as, token_for) -> None:
    made = upload(client_as("kk-tax"), sign.code, "a.jpg", jpeg_with_gps())
    pk = made.json()["id"]
    urls = [f"{BASE}/signboards/{sign.code}/photos", f"{BASE}/photos/{pk}/file"]
    expected = {None: 401, "kk-executive": 403, "kk-viewer": 403, "sila-admin": 404}
    for who, status in expected.items():
        client = client_as(who)
        for url in urls:
            assert client.get(url).status_code == status, (who, url)
        assert upload(client, sign.code, "a.jpg", jpeg_with_gps()).status_code == status
        assert client.delete(f"{BASE}/photos/{pk}").status_code == status, who
    # another city's token; a read-only token may list but not upload or delete
    sila = token_for("sila-admin", scopes=["read", "write"], municipality="sila")
    assert Client().get(urls[0], headers=bearer(sila)).status_code == 404
    read = token_for("kk-tax", scopes=["read"])
    assert Client().get(urls[0], headers=bearer(read)).status_code == 200
    assert Client().get(urls[1], headers=bearer(read)).status_code == 200
    refused = Client().post(
        urls[0], {"photo": SimpleUploadedFile("a.jpg", jpeg_with_gps())}, headers=bearer(read)
    )
    assert refused.status_code == 403
    assert Client().delete(f"{BASE}/photos/{pk}", headers=bearer(read)).status_code == 403
    write = token_for("kk-tax", scopes=["read", "write"])
    made = Client().post(
        urls[0], {"photo": SimpleUploadedFile("b.jpg", jpeg_with_gps())}, headers=bearer(write)
    )
    assert made.status_code == 201
    assert SignboardPhoto.objects.filter(signboard=sign).count() == 2
    # unknown signs and photos, and another city's photo through this city's URL
    tax = client_as("kk-tax")
    assert tax.get(f"{BASE}/signboards/NOPE/photos").status_code == 404
    assert tax.get(f"{BASE}/signboards/%00/photos").status_code == 404
    assert tax.get(f"{BASE}/photos/999999/file").status_code == 404
    sila_sign = Signboard.objects.create(
        municipality=demo.sila, code="SB/PHOTO-1", sign_type=1, width_cm=10, height_cm=10
    )
    theirs = photos.photo_add(
        actor=demo.user("sila-admin"),
        municipality=demo.sila,
        signboard=sila_sign,
        upload=io.BytesIO(jpeg_with_gps()),
        name="s.jpg",
    )
    assert tax.get(f"{BASE}/photos/{theirs.pk}/file").status_code == 404
    assert tax.delete(f"{BASE}/photos/{theirs.pk}").status_code == 404
    assert SignboardPhoto.objects.filter(pk=theirs.pk).exists()
