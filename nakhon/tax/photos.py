"""Photos of signboards (issue #6): several per sign, uploaded by tax staff, served to tax
staff only, deleted with the sign.

An upload must be a real image (decoded by Pillow: JPEG, PNG or WebP), at most
``MAX_BYTES`` and ``MAX_PIXELS``; anything else is refused with a message naming the file.
The stored file is re-encoded from the decoded pixels (turned upright by its EXIF
orientation): no EXIF block survives, so no GPS position, camera serial or owner name leaves
with it — the sign's location is the register's. Files sit under
``NAKHON_DATA_DIR/tax-photos/<city>/`` and are read through :func:`photo_read`, which checks
``tax_assessment.view``; they are never under a static or media URL. The API
(``nakhon.tax.api_photos``) lists, uploads, serves and deletes them through these functions.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require, user_of
from nakhon.tax.models import Signboard, SignboardPhoto
from nakhon.tax.validate import CODE_RE

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
THUMB_PX = 320


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class PhotoRefused(InvalidInput):
    """An upload that is not a photo we keep; the message names the file."""

    code = "photo-refused"


def photo_root() -> Path:
    return Path(settings.DATA_DIR) / "tax-photos"


def _refuse(name: str, reason: str) -> PhotoRefused:
    message = _("%(name)s: %(reason)s") % {"name": name, "reason": reason}
    return PhotoRefused(message, errors={"photo": message})


def _clean_image(data: bytes, name: str) -> tuple[bytes, str, str, int, int]:
    """The image re-encoded without its metadata: (bytes, content type, suffix, w, h)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            if kind not in FORMATS:
                raise _refuse(
                    name, _("a %(kind)s file is not taken: JPEG, PNG or WebP.") % {"kind": kind}
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse(name, _("the image is larger than %(n)s pixels.") % {"n": MAX_PIXELS})
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            if upright.mode not in ("RGB", "RGBA", "L"):
                upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
            if kind == "JPEG" and upright.mode == "RGBA":
                upright = upright.convert("RGB")
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 90} if kind in ("JPEG", "WEBP") else {}
            upright.save(out, format=kind, **options)  # no exif= : the metadata is dropped
            content_type, suffix = FORMATS[kind]
            return out.getvalue(), content_type, suffix, upright.width, upright.height
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(name, _("the file is not an image (JPEG, PNG or WebP).")) from None


@transaction.atomic
def photo_add(
    *,
    actor: Any,
    municipality: Municipality,
    signboard: Signboard,
    upload: Readable,
    name: str,
    taken_on: dt.date | str | None = None,
    note: str = "",
) -> SignboardPhoto:
    """Keep a photo of ``signboard`` (``tax.change``), checked and stripped (see above)."""
    require(actor, "tax.change", municipality)
    if signboard.municipality_id != municipality.pk:
        raise NotFound()
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(name, _("the file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20})
    if not data:
        raise _refuse(name, _("the file is empty."))
    try:
        day = thai.parse_thai_date_or_none(taken_on)
    except thai.ThaiValueError as exc:
        raise PhotoRefused(
            f"taken_on: {exc.message_en}", errors={"taken_on": exc.message_en}
        ) from None
    if day is not None and day > timezone.localdate():
        raise PhotoRefused(_("taken_on: the date is in the future."), errors={"taken_on": "future"})
    clean, content_type, suffix, width, height = _clean_image(data, name)
    relative = f"{municipality.slug}/{signboard.pk}-{uuid.uuid4().hex}{suffix}"
    target = photo_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(clean)
    try:
        photo = SignboardPhoto.objects.create(
            municipality=municipality,
            signboard=signboard,
            path=relative,
            content_type=content_type,
            size_bytes=len(clean),
            width_px=width,
            height_px=height,
            taken_on=day,
            note=note.strip()[:300],
            uploaded_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="tax.signboard_photo.add",
            municipality=municipality,
            obj=signboard,
            changes={"photo": photo.pk, "bytes": len(clean), "taken_on": str(day or "")},
        )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return photo


def photo_signboard(
    *, actor: Any, municipality: Municipality, code: str, action: str = "tax_assessment.view"
) -> Signboard:
    """The sign of register number ``code`` whose photos ``actor`` reads (``action``
    ``tax_assessment.view``) or changes (``tax.change``): the permission is checked first, so
    the public, other roles and other cities learn nothing of the register (401/403/404)."""
    require(actor, action, municipality)
    sign = None
    if CODE_RE.fullmatch(code):
        sign = Signboard.objects.filter(municipality=municipality, code=code).first()
    if sign is None:
        raise NotFound()
    return sign


def photo_list(
    *, actor: Any, municipality: Municipality, signboard: Signboard
) -> list[SignboardPhoto]:
    """The photos of ``signboard`` (tax staff: ``tax_assessment.view``), newest taken first."""
    require(actor, "tax_assessment.view", municipality)
    if signboard.municipality_id != municipality.pk:
        raise NotFound()
    return list(
        SignboardPhoto.objects.filter(municipality=municipality, signboard=signboard)
        .select_related("uploaded_by")
        .order_by(F("taken_on").desc(nulls_last=True), "pk")  # SQLite and PostgreSQL alike
    )


def photo_get(*, actor: Any, municipality: Municipality, pk: int) -> SignboardPhoto:
    require(actor, "tax_assessment.view", municipality)
    photo = SignboardPhoto.objects.filter(municipality=municipality, pk=pk).first()
    if photo is None:
        raise NotFound()
    return photo


def photo_read(
    *, actor: Any, municipality: Municipality, pk: int, thumbnail: bool = False
) -> tuple[bytes, str]:
    """A photo's bytes and content type, for tax staff only (``tax_assessment.view``);
    ``thumbnail``: at most ``THUMB_PX`` on its longer side, JPEG."""
    photo = photo_get(actor=actor, municipality=municipality, pk=pk)
    path = _path(photo)
    if path is None or not path.exists():
        raise NotFound()
    if not thumbnail:
        return path.read_bytes(), photo.content_type
    from PIL import Image

    with Image.open(path) as image:
        image.thumbnail((THUMB_PX, THUMB_PX))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue(), "image/jpeg"


def _path(photo: SignboardPhoto) -> Path | None:
    root = photo_root().resolve()
    path = (root / photo.path).resolve()
    return path if path.is_relative_to(root) else None


@transaction.atomic
def photo_delete(*, actor: Any, municipality: Municipality, photo: SignboardPhoto) -> None:
    """Delete a photo (``tax.change``); its file goes with it."""
    require(actor, "tax.change", municipality)
    if photo.municipality_id != municipality.pk:
        raise NotFound()
    audit_record(
        actor=actor,
        action="tax.signboard_photo.delete",
        municipality=municipality,
        obj=photo.signboard,
        changes={"photo": photo.pk},
    )
    photo.delete()


def remove_file(instance: SignboardPhoto) -> None:
    """The file goes with its row — also when the sign is deleted (CASCADE) — once the
    transaction commits (``post_delete``, connected in ``nakhon.tax.models``)."""
    path = _path(instance)
    if path is not None:
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
