"""API of the tax office for photos of signboards (issue #6), mounted on the tax router
(``nakhon.tax.api``): list a sign's photos, upload one, fetch its file, delete it.

The same services and checks as the sign page (``nakhon.tax.photos``): tax staff only
(``tax_assessment.view`` to read, ``tax.change`` — token scope ``write`` — to upload or
delete); the public 401, executives and viewers 403, other cities 404. A sign is named by its
register number; dates are CE (``YYYY-MM-DD``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from nakhon.accounts.models import Municipality
from nakhon.accounts.selectors import municipality_get
from nakhon.core.api_auth import actor_of
from nakhon.tax import photos
from nakhon.tax.models import SignboardPhoto

router = Router(tags=["tax"])


class PhotoOut(Schema):
    id: int
    signboard: str = Field(description="The sign's register number.")
    taken_on: dt.date | None = Field(description="CE date the photo was taken, if known.")
    note: str
    content_type: str = Field(description="image/jpeg, image/png or image/webp.")
    width_px: int
    height_px: int
    size_bytes: int
    uploaded_by: str | None = Field(description="User name of who uploaded it.")
    uploaded_at: dt.datetime
    file_url: str = Field(
        description="The file on the tax office's pages (signed-in tax staff, a browser)."
    )
    thumbnail_url: str = Field(description="The same, at most 320 px on its longer side (JPEG).")
    api_file_url: str = Field(
        description="The file through this API (a token works): add ?thumbnail=true for the "
        "thumbnail."
    )


def _photo_out(request: HttpRequest, m: Municipality, p: SignboardPhoto) -> dict[str, Any]:
    page = reverse("tax:photo-file", args=[m.slug, p.pk])
    api = reverse("api:tax_photo_file", kwargs={"slug": m.slug, "pk": p.pk})
    return {
        "id": p.pk,
        "signboard": p.signboard.code,
        "taken_on": p.taken_on,
        "note": p.note,
        "content_type": p.content_type,
        "width_px": p.width_px,
        "height_px": p.height_px,
        "size_bytes": p.size_bytes,
        "uploaded_by": p.uploaded_by.get_username() if p.uploaded_by else None,
        "uploaded_at": p.uploaded_at,
        "file_url": request.build_absolute_uri(page),
        "thumbnail_url": request.build_absolute_uri(f"{page}?thumb=1"),
        "api_file_url": request.build_absolute_uri(api),
    }


@router.get("/municipalities/{slug}/tax/signboards/{path:code}/photos", response=list[PhotoOut])
def photo_list(request: HttpRequest, slug: str, code: str) -> list[dict[str, Any]]:
    """The photos of sign ``code`` (register number), newest taken first (tax office:
    ``tax_assessment.view``): taken on, note, who uploaded it and when, and where to fetch the
    file and its thumbnail. Photos carry no EXIF: the sign's location is the register's."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    sign = photos.photo_signboard(actor=actor, municipality=m, code=code)
    found = photos.photo_list(actor=actor, municipality=m, signboard=sign)
    return [_photo_out(request, m, p) for p in found]


@router.post("/municipalities/{slug}/tax/signboards/{path:code}/photos", response={201: PhotoOut})
def photo_upload(
    request: HttpRequest,
    slug: str,
    code: str,
    photo: File[UploadedFile],
    taken_on: Form[dt.date | None] = None,
    note: str = Form("", max_length=300),
) -> Any:
    """Add a photo to sign ``code`` (``tax.change``, token scope ``write``), multipart with the
    file in ``photo``: the sign page's checks — a real image decoded by Pillow (JPEG, PNG or
    WebP), at most 10 MB and 40 megapixels, ``taken_on`` (CE) not in the future. A refused
    file is a 422 whose message names the file. The stored image is re-encoded upright from
    its pixels: no EXIF (GPS position, camera, owner) is kept."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    sign = photos.photo_signboard(actor=actor, municipality=m, code=code, action="tax.change")
    made = photos.photo_add(
        actor=actor,
        municipality=m,
        signboard=sign,
        upload=photo,
        name=photo.name or "photo",
        taken_on=taken_on,
        note=note,
    )
    return Status(201, _photo_out(request, m, made))


@router.get(
    "/municipalities/{slug}/tax/photos/{pk}/file",
    response={200: None},
    url_name="tax_photo_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The image (its own content type; a thumbnail is JPEG).",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("image/jpeg", "image/png", "image/webp")
                },
            }
        }
    },
)
def photo_file(request: HttpRequest, slug: str, pk: int, thumbnail: bool = False) -> HttpResponse:
    """The image of photo ``pk`` (tax office: ``tax_assessment.view``); ``thumbnail``: at most
    320 px on its longer side, JPEG. Never cached by shared caches."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    data, content_type = photos.photo_read(actor=actor, municipality=m, pk=pk, thumbnail=thumbnail)
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete("/municipalities/{slug}/tax/photos/{pk}", response={204: None})
def photo_delete(request: HttpRequest, slug: str, pk: int) -> Any:
    """Delete photo ``pk`` and its file (``tax.change``, token scope ``write``); audited."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    photo = photos.photo_get(actor=actor, municipality=m, pk=pk)
    photos.photo_delete(actor=actor, municipality=m, photo=photo)
    return Status(204, None)
