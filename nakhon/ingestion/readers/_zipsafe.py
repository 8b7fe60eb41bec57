"""ZIP archives from strangers: refuse zip bombs and path tricks before anything is expanded.

* Member names: no absolute paths, drive letters or ``..`` (zip slip).
* Declared sizes, checked first: each member's expanded/compressed ratio (members over 1 MiB)
  against ``limits.max_compression_ratio``, and the total against ``limits.max_uncompressed_bytes``.
* Declared sizes can lie, so extraction streams through a byte counter that stops as soon as the
  real output passes the member's declared size or the total budget (nothing past the limit is
  written to disk).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from nakhon.ingestion.errors import IngestError

from ._common import fmt_int, human_bytes
from .base import ReadLimits

RATIO_MIN_BYTES = 1 << 20  # tiny members (a .prj, a .cpg) may compress oddly: not a bomb
_DRIVE = re.compile(r"^[A-Za-z]:")


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise invalid_zip(path.name, exc) from None
    except OSError as exc:
        raise IngestError(
            "file-unreadable",
            f"{path.name} could not be read ({exc.strerror or exc}).",
            f"อ่านไฟล์ {path.name} ไม่ได้ ({exc.strerror or exc})",
        ) from None


def invalid_zip(name: str, exc: BaseException | None = None) -> IngestError:
    detail = f" ({exc})" if exc else ""
    return IngestError(
        "zip-invalid",
        f"{name} is not a valid ZIP archive or is damaged{detail}. Create the .zip again.",
        f"ไฟล์ {name} ไม่ใช่ไฟล์ ZIP ที่ถูกต้องหรือไฟล์เสียหาย{detail} กรุณาสร้างไฟล์ .zip ใหม่",
    )


def is_junk(name: str) -> bool:
    """macOS resource forks and folder entries, ignored."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.endswith("/") or "__MACOSX" in parts or (bool(parts) and parts[-1].startswith("._"))


def check_names(infos: Iterable[zipfile.ZipInfo]) -> None:
    for info in infos:
        name = info.filename
        norm = name.replace("\\", "/")
        if norm.startswith("/") or _DRIVE.match(norm) or ".." in norm.split("/"):
            raise IngestError(
                "zip-unsafe-path",
                f'The ZIP archive contains a file with an unsafe path, "{name}" (absolute or '
                'with ".."); it is refused for safety.',
                f'ไฟล์ ZIP มีไฟล์ที่ระบุตำแหน่งไม่ปลอดภัย "{name}" (เป็นพาธเต็มหรือมี "..") '
                "จึงไม่รับไฟล์นี้เพื่อความปลอดภัย",
                value=name,
            )


def check_declared(infos: Iterable[zipfile.ZipInfo], limits: ReadLimits) -> int:
    """Refuse suspicious declared sizes; returns the declared expanded total."""
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        expanded, packed = info.file_size, max(info.compress_size, 1)
        if expanded > RATIO_MIN_BYTES and expanded / packed > limits.max_compression_ratio:
            raise zip_bomb(
                info.filename,
                f"expands {expanded / packed:,.0f} times ({human_bytes(packed)} to "
                f"{human_bytes(expanded)}); at most {limits.max_compression_ratio} times is "
                "allowed",
                f"ขยายได้ {expanded / packed:,.0f} เท่า (จาก {human_bytes(packed)} เป็น "
                f"{human_bytes(expanded)}) เกินกว่าที่รับได้ ({limits.max_compression_ratio} เท่า)",
            )
        total += expanded
    if total > limits.max_uncompressed_bytes:
        raise zip_too_large(total, limits)
    return total


def zip_bomb(member: str, why_en: str, why_th: str) -> IngestError:
    return IngestError(
        "zip-bomb",
        f'The ZIP archive is refused: its member "{member}" {why_en}.',
        f'ไม่รับไฟล์ ZIP นี้: ไฟล์ "{member}" ภายใน{why_th}',
        value=member,
    )


def zip_too_large(total: int, limits: ReadLimits) -> IngestError:
    return IngestError(
        "zip-too-large",
        f"The ZIP archive expands to {human_bytes(total)}; at most "
        f"{human_bytes(limits.max_uncompressed_bytes)} is allowed.",
        f"ไฟล์ ZIP ขยายออกได้ {human_bytes(total)} เกินกว่าที่รับได้ "
        f"({human_bytes(limits.max_uncompressed_bytes)})",
        value=total,
    )


class Extractor:
    """Stream-extracts members with a byte counter shared by the whole archive."""

    CHUNK = 1 << 20

    def __init__(self, zf: zipfile.ZipFile, limits: ReadLimits, name: str) -> None:
        self.zf = zf
        self.limits = limits
        self.name = name
        self.written = 0

    def extract(self, info: zipfile.ZipInfo, dest: Path) -> None:
        declared = info.file_size
        done = 0
        try:
            with self.zf.open(info) as src, dest.open("wb") as out:
                while chunk := src.read(self.CHUNK):
                    done += len(chunk)
                    self.written += len(chunk)
                    if done > declared:
                        raise zip_bomb(
                            info.filename,
                            f"holds more data than it declares ({fmt_int(declared)} bytes)",
                            f"มีข้อมูลมากกว่าที่ระบุไว้ ({fmt_int(declared)} ไบต์)",
                        )
                    if self.written > self.limits.max_uncompressed_bytes:
                        raise zip_too_large(self.written, self.limits)
                    packed = max(info.compress_size, 1)
                    if done > RATIO_MIN_BYTES and done / packed > self.limits.max_compression_ratio:
                        raise zip_bomb(
                            info.filename,
                            f"expands more than {self.limits.max_compression_ratio} times",
                            f"ขยายได้มากกว่า {self.limits.max_compression_ratio} เท่า",
                        )
                    out.write(chunk)
        except IngestError:
            dest.unlink(missing_ok=True)
            raise
        except RuntimeError as exc:  # encrypted member
            dest.unlink(missing_ok=True)
            if "encrypted" in str(exc) or "password" in str(exc).lower():
                raise IngestError(
                    "zip-encrypted",
                    f'"{info.filename}" in the ZIP archive is password-protected; upload it '
                    "without a password.",
                    f'ไฟล์ "{info.filename}" ใน ZIP มีรหัสผ่าน กรุณาอัปโหลดแบบไม่มีรหัสผ่าน',
                ) from None
            raise invalid_zip(self.name, exc) from None
        except NotImplementedError as exc:
            dest.unlink(missing_ok=True)
            raise IngestError(
                "zip-unsupported",
                f'"{info.filename}" uses a ZIP compression method that is not supported ({exc}). '
                "Create the .zip again with the usual (deflate) compression.",
                f'ไฟล์ "{info.filename}" ใช้วิธีบีบอัดที่ไม่รองรับ ({exc}) '
                "กรุณาสร้างไฟล์ .zip ใหม่ด้วยการบีบอัดแบบปกติ (deflate)",
            ) from None
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            dest.unlink(missing_ok=True)
            raise invalid_zip(self.name, exc) from None
        except OSError as exc:
            dest.unlink(missing_ok=True)
            if "zlib" in type(exc).__module__ or "Error -3" in str(exc):  # pragma: no cover
                raise invalid_zip(self.name, exc) from None
            raise IngestError(
                "file-unreadable",
                f"{self.name} could not be extracted ({exc.strerror or exc}).",
                f"แตกไฟล์ {self.name} ไม่ได้ ({exc.strerror or exc})",
            ) from None
        except Exception as exc:  # zlib.error and the like: a damaged archive
            dest.unlink(missing_ok=True)
            raise invalid_zip(self.name, exc) from None
