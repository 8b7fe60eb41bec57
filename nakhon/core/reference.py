"""National reference data: Thai administrative areas (DOPA codes), loaded from GeoThai."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from nakhon.core.models import AdminArea

SUBDISTRICTS_CSV = Path(__file__).parent / "data" / "th_subdistricts_geothai.csv"


@transaction.atomic
def admin_areas_ensure(*, path: Path = SUBDISTRICTS_CSV) -> int:
    """Load provinces, districts and subdistricts if the table is empty. Returns rows added."""
    if AdminArea.objects.exists():
        return 0
    provinces: dict[str, AdminArea] = {}
    districts: dict[str, AdminArea] = {}
    subdistricts: list[AdminArea] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            p, d = row["province_code"], row["district_code"]
            provinces.setdefault(
                p,
                AdminArea(
                    code=p,
                    level="province",
                    name_th=row["province_th"],
                    name_en=row["province_en"],
                ),
            )
            districts.setdefault(
                d,
                AdminArea(
                    code=d,
                    level="district",
                    name_th=row["district_th"],
                    name_en=row["district_en"],
                    parent_id=p,
                ),
            )
            subdistricts.append(
                AdminArea(
                    code=row["subdistrict_code"],
                    level="subdistrict",
                    name_th=row["subdistrict_th"],
                    name_en=row["subdistrict_en"],
                    parent_id=d,
                    postal_code=row["postal_code"] or "",
                )
            )
    AdminArea.objects.bulk_create(provinces.values(), batch_size=1000)
    AdminArea.objects.bulk_create(districts.values(), batch_size=1000)
    AdminArea.objects.bulk_create(subdistricts, batch_size=1000)
    return len(provinces) + len(districts) + len(subdistricts)
