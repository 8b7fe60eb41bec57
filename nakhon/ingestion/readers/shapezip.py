"""Zipped Shapefile (.zip holding .shp, .shx, .dbf and optionally .prj, .cpg).

The archive is checked before anything is expanded (``_zipsafe``: unsafe paths, declared
sizes and compression ratios), then only the chosen layer's files are stream-extracted with a
byte counter into a private temporary directory, removed by ``close()``.

* Layer: the only .shp, or the one named by ``sheet=`` (its name without .shp) when there are
  several. ``SourceInfo.sheets`` lists the layers.
* DBF text: the .cpg's encoding if there is one, else UTF-8 if the records decode as UTF-8,
  else CP874 (Thai Windows) when that gives Thai text.
* Coordinates: from the .prj (WGS 84 / UTM 47N, 48N, Indian 1975 / UTM 47N, 48N, ...), or
  guessed as in GeoJSON when there is none; reprojected to WGS 84, geometry as GeoJSON text.
* ``_row`` is the 1-based record number in the .dbf (deleted records are skipped).
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import shapefile  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.errors import IngestError

from . import _geo, _zipsafe
from ._common import RowBatcher, cell_text, check_header, fmt_int
from ._text import CHUNK, decide_undecided, resolve_codec
from .base import GEOMETRY, ROW, ReadLimits, SourceInfo

_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SAMPLE_SHAPES = 100


def _stem(name: str) -> str:
    return str(PurePosixPath(name.replace("\\", "/")).with_suffix(""))


def _layer(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).stem


class ShapefileZipSource:
    def __init__(
        self,
        path: Path,
        *,
        limits: ReadLimits,
        layer: str | int | None = None,
        encoding: str | None = None,
    ) -> None:
        self.path = path
        self.limits = limits
        self._dir = Path(tempfile.mkdtemp(prefix="nakhon-shp-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, ignore_errors=True)
        try:
            self._setup(layer, encoding)
        except BaseException:
            self._cleanup()
            raise

    def _setup(self, layer: str | int | None, encoding: str | None) -> None:
        name = self.path.name
        with _zipsafe.open_zip(self.path) as zf:
            infos = zf.infolist()
            _zipsafe.check_names(infos)
            members = [i for i in infos if not _zipsafe.is_junk(i.filename)]
            _zipsafe.check_declared(members, self.limits)
            shps = [i for i in members if i.filename.lower().endswith(".shp")]
            chosen = self._choose_layer(shps, members, layer)
            stem = _stem(chosen.filename).lower()
            parts: dict[str, Any] = {}
            for info in members:
                suffix = PurePosixPath(info.filename).suffix.lower()
                if suffix in _PARTS and _stem(info.filename).lower() == stem:
                    parts[suffix] = info
            if ".dbf" not in parts:
                raise IngestError(
                    "shapefile-missing-part",
                    f'The Shapefile "{_layer(chosen.filename)}" in {name} has no .dbf file (the '
                    "attribute table). Zip the .shp together with its .shx, .dbf and .prj.",
                    f'Shapefile "{_layer(chosen.filename)}" ในไฟล์ {name} ไม่มีไฟล์ .dbf '
                    "(ตารางข้อมูลเชิงบรรยาย) กรุณาบีบอัด .shp พร้อมกับ .shx .dbf และ .prj",
                )
            extractor = _zipsafe.Extractor(zf, self.limits, name)
            self._files: dict[str, Path] = {}
            for suffix, info in parts.items():
                dest = self._dir / f"layer{suffix}"
                extractor.extract(info, dest)
                self._files[suffix] = dest
        self.layer = _layer(chosen.filename)
        self._encoding, label, enc_note = self._dbf_encoding(encoding)
        reader = self._reader()
        try:
            fields = [f.name for f in reader.fields[1:]]
            samples = self._sample_points(reader)
        finally:
            reader.close()
        self.columns = check_header(fields, self.limits, reserved=(ROW, GEOMETRY), where="field")
        declared = None
        if ".prj" in self._files:
            declared = _geo.from_prj(self._files[".prj"].read_text("utf-8", "replace").strip())
        self._reproject = _geo.choose(declared, samples, what="Shapefile")
        self.info = SourceInfo(
            format="shapefile",
            encoding=label,
            sheet=self.layer,
            sheets=self._layers,
            crs=self._reproject.label,
        )
        for note in (enc_note, self._reproject.note):
            if note:
                self.info.notes.append(note)
        if ".shx" not in self._files:
            self.info.notes.append("No .shx index in the archive; shapes were read in order.")

    def _choose_layer(self, shps: list[Any], members: list[Any], layer: str | int | None) -> Any:
        name = self.path.name
        self._layers = [_layer(i.filename) for i in shps]
        if not shps:
            listed = ", ".join(i.filename for i in members[:10]) or "nothing"
            raise IngestError(
                "shapefile-missing-shp",
                f"{name} contains no Shapefile (.shp); it contains: {listed}.",
                f"ไฟล์ {name} ไม่มี Shapefile (.shp) อยู่ภายใน มีเพียง: {listed}",
            )
        if layer is not None:
            wanted = str(layer).strip().lower()
            for info in shps:
                if wanted in (_layer(info.filename).lower(), info.filename.lower()):
                    return info
            raise IngestError(
                "shapefile-layer-not-found",
                f'There is no layer "{layer}" in {name}; the layers are: '
                + ", ".join(self._layers)
                + ".",
                f'ไม่มีชั้นข้อมูล "{layer}" ในไฟล์ {name} ชั้นข้อมูลที่มีคือ: ' + ", ".join(self._layers),
                value=layer,
            )
        if len(shps) > 1:
            listed = ", ".join(i.filename for i in shps)
            raise IngestError(
                "shapefile-many-layers",
                f"{name} contains {len(shps)} Shapefiles: {listed}. Choose one layer by name.",
                f"ไฟล์ {name} มี Shapefile {len(shps)} ชุด: {listed} กรุณาเลือกชั้นข้อมูลหนึ่งชุด",
                value=self._layers,
            )
        return shps[0]

    def _dbf_encoding(self, requested: str | None) -> tuple[str, str, str | None]:
        if requested:
            codec = resolve_codec(requested)
            return codec, codec, None
        if ".cpg" in self._files:
            text = self._files[".cpg"].read_text("ascii", "replace").strip()
            try:
                codec = resolve_codec(text)
                return codec, codec, None
            except IngestError:
                note = f'The .cpg names an unknown encoding "{text}"; the text was detected.'
        else:
            note = None
        with self._files[".dbf"].open("rb") as f:
            head = f.read(32)
            if len(head) < 32:
                raise self._invalid("the .dbf file is truncated")
            (header_length,) = struct.unpack("<H", head[8:10])
            f.seek(header_length)
            while chunk := f.read(CHUNK):
                if not chunk.isascii():
                    codec = decide_undecided(chunk, line=None, name=self.path.name)
                    detected = f"DBF text detected as {codec}."
                    return codec, codec, f"{note} {detected}" if note else detected
        return "utf-8", "utf-8", note

    def _reader(self) -> shapefile.Reader:
        opened: dict[str, Any] = {}
        try:
            for suffix in (".shp", ".shx", ".dbf"):
                if suffix in self._files:
                    opened[suffix[1:]] = self._files[suffix].open("rb")
            return shapefile.Reader(**opened, encoding=self._encoding, encodingErrors="strict")
        except (shapefile.ShapefileException, struct.error, ValueError, OSError) as exc:
            for f in opened.values():
                f.close()
            raise self._invalid(str(exc)) from None

    def _invalid(self, why: str, row: int | None = None) -> IngestError:
        where_en = f" at record {fmt_int(row)}" if row else ""
        where_th = f" ที่ระเบียนที่ {fmt_int(row)}" if row else ""
        return IngestError(
            "shapefile-invalid",
            f"The Shapefile {self.path.name} cannot be read{where_en}: {why}.",
            f"ไม่สามารถอ่าน Shapefile {self.path.name} ได้{where_th}: {why}",
            row=row,
        )

    def _sample_points(self, reader: shapefile.Reader) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        try:
            for i, shape in enumerate(reader.iterShapes()):
                if i >= _SAMPLE_SHAPES:
                    break
                points += [(float(p[0]), float(p[1])) for p in shape.points[:5]]
        except (shapefile.ShapefileException, struct.error, ValueError) as exc:
            raise self._invalid(str(exc)) from None
        return points

    # ------------------------------------------------------------------------------------------

    def batches(self) -> Iterator[pa.RecordBatch]:
        batcher = RowBatcher(self.columns, self.limits, geometry=True)
        reader = self._reader()
        row: int | None = None
        try:
            shapes = reader.iterShapes()
            shape_index = -1
            shape: Any = None
            for rec in reader.iterRecords():
                row = rec.oid + 1
                while shape_index < rec.oid:
                    try:
                        shape = next(shapes)
                    except StopIteration:
                        raise self._invalid(
                            "the .dbf has more records than the .shp has shapes", row
                        ) from None
                    shape_index += 1
                cells = [cell_text(v) for v in rec]
                cells.append(self._geometry(shape, row))
                out = batcher.add(row, cells)
                if out is not None:
                    yield out
        except UnicodeDecodeError as exc:
            row = (row or 0) + 1  # the record being decoded follows the last one read
            raise IngestError(
                "dbf-encoding",
                f"Record {fmt_int(row or 0)} of the .dbf is not valid {self._encoding} text "
                f"({exc.reason}). Add a .cpg file naming the encoding (e.g. 874 for Thai "
                "Windows) or save the layer as UTF-8.",
                f"ระเบียนที่ {fmt_int(row or 0)} ในไฟล์ .dbf ไม่ใช่ข้อความ {self._encoding} "
                "ที่ถูกต้อง กรุณาเพิ่มไฟล์ .cpg ที่ระบุการเข้ารหัส (เช่น 874) หรือบันทึกเป็น UTF-8",
                row=row,
            ) from None
        except (shapefile.ShapefileException, struct.error, ValueError, OSError) as exc:
            raise self._invalid(str(exc), row) from None
        finally:
            reader.close()
        last = batcher.flush()
        if last is not None:
            yield last

    def _geometry(self, shape: Any, row: int) -> str | None:
        if shape is None or shape.shapeType == shapefile.NULL or not shape.points:
            return None
        positions: list[list[float]] = []
        try:
            geom = _geo.normalise(shape.__geo_interface__, positions)
            self._reproject.apply(positions)
        except (_geo.GeometryError, shapefile.ShapefileException) as exc:
            raise IngestError(
                "shapefile-invalid-geometry",
                f"The shape of record {fmt_int(row)} cannot be read: {exc}.",
                f"อ่านรูปทรงของระเบียนที่ {fmt_int(row)} ไม่ได้: {exc}",
                row=row,
                column=GEOMETRY,
            ) from None
        return _geo.geometry_text(geom)

    def close(self) -> None:
        self._cleanup()
