"""Onboarding a city from a profile: one command, every problem listed, nothing half-made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nakhon.accounts.models import Department, Municipality
from nakhon.accounts.onboarding import municipality_onboard, profile_load
from nakhon.core.errors import InvalidInput
from nakhon.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PHRA_LAP = """
slug = "phra-lap"
lao_code = "5400199"
kind = "subdistrict"
name_th = "เทศบาลตำบลพระลับ (ทดสอบ)"
name_en = "Phra Lap Subdistrict Municipality (test)"
province_code = "40"
tambon_codes = ["400102"]
boundary = "area.geojson"

[[departments]]
code = "clerk"
name_th = "สำนักปลัด"
"""

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[102.80, 16.40], [102.85, 16.40], [102.85, 16.45], [102.80, 16.45], [102.80, 16.40]]
    ],
}


def write(tmp_path: Path, text: str, boundary: Any = SQUARE) -> Path:
    (tmp_path / "area.geojson").write_text(json.dumps(boundary), encoding="utf-8")
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_city_in_one_call(tmp_path: Path, demo: Any) -> None:
    m = municipality_onboard(profile=profile_load(write(tmp_path, PHRA_LAP)))
    assert m.slug == "phra-lap" and m.province.code == "40"
    assert [t.code for t in m.tambons.all()] == ["400102"]
    assert m.boundary is not None and m.area_km2 is not None
    assert m.boundary["type"] == "Polygon" and 25 < float(m.area_km2) < 35
    assert Department.objects.filter(municipality=m).count() == 1
    assert AuditEvent.objects.filter(action="municipality.onboard", municipality=m).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('slug = "phra-lap"', 'slug = "Phra Lap!"'), "slug"),
        (('slug = "phra-lap"', 'slug = "admin"'), "slug"),
        (('slug = "phra-lap"', 'slug = "sila"'), "slug"),
        (('lao_code = "5400199"', 'lao_code = "54001"'), "lao_code"),
        (('lao_code = "5400199"', 'lao_code = "3400102"'), "lao_code"),
        (('kind = "subdistrict"', 'kind = "village"'), "kind"),
        (('province_code = "40"', 'province_code = "99"'), "province_code"),
        (('tambon_codes = ["400102"]', 'tambon_codes = ["100101"]'), "tambon_codes"),
        (('tambon_codes = ["400102"]', 'tambon_codes = ["999999"]'), "tambon_codes"),
        (('name_th = "เทศบาลตำบลพระลับ (ทดสอบ)"', 'name_th = ""'), "name_th"),
        (('boundary = "area.geojson"', 'boundary = "missing.geojson"'), "boundary"),
        (('code = "clerk"', ""), "departments[1].code"),
        (('name_th = "สำนักปลัด"', 'email = "not-mail"'), "departments[1].name_th"),
        (('name_th = "สำนักปลัด"', 'name_th = "x"\nemail = "not-mail"'), "departments[1].email"),
        (("[[departments]]", 'branding = "blue"\n[[departments]]'), "branding"),
        (('kind = "subdistrict"', 'kind = "subdistrict"\nprovince_cod = "40"'), "profile"),
        (('kind = "subdistrict"', 'kind = "subdistrict"\nlocale = "fr"'), "locale"),
        (('kind = "subdistrict"', 'kind = "subdistrict"\nwebsite = "kkmuni"'), "website"),
        (('tambon_codes = ["400102"]', 'tambon_codes = "400102"'), "tambon_codes"),
    ],
)
def test_each_problem_is_named(
    tmp_path: Path, demo: Any, change: tuple[str, str], field: str
) -> None:
    before = Municipality.objects.count()
    path = write(tmp_path, PHRA_LAP.replace(*change))
    with pytest.raises(InvalidInput) as info:
        municipality_onboard(profile=profile_load(path))
    assert field in info.value.errors, info.value.errors
    assert Municipality.objects.count() == before


@pytest.mark.parametrize(
    ("boundary", "words"),
    [
        ({"type": "Point", "coordinates": [102.8, 16.4]}, "polygon"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]],
            },
            "thailand",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[102.8, 16.4], [102.9, 16.5], [102.9, 16.4], [102.8, 16.5], [102.8, 16.4]]
                ],
            },
            "valid",
        ),
        ("not json at all", "json"),
    ],
)
def test_bad_boundaries_are_refused_clearly(
    tmp_path: Path, demo: Any, boundary: Any, words: str
) -> None:
    path = write(tmp_path, PHRA_LAP)
    if isinstance(boundary, str):
        (tmp_path / "area.geojson").write_text(boundary, encoding="utf-8")
    else:
        (tmp_path / "area.geojson").write_text(json.dumps(boundary), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        municipality_onboard(profile=profile_load(path))
    assert words in info.value.errors["boundary"].lower(), info.value.errors


def test_profile_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        profile_load(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('slug = "x\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        profile_load(bad)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidInput, match="UTF-8"):
        profile_load(binary)


def test_update_refreshes_an_existing_city(tmp_path: Path, demo: Any) -> None:
    path = write(tmp_path, PHRA_LAP)
    municipality_onboard(profile=profile_load(path))
    path.write_text(PHRA_LAP.replace("(test)", "(updated)"), encoding="utf-8")
    with pytest.raises(InvalidInput, match="problems"):
        municipality_onboard(profile=profile_load(path))
    m = municipality_onboard(profile=profile_load(path), update=True)
    assert m.name_en.endswith("(updated)")
    assert Municipality.objects.filter(slug="phra-lap").count() == 1
