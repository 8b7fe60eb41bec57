"""Land and building tax, end to end and checked by hand: registers imported from CSV (buildings
and condominium units with mixed use) and assessed by the assessment service, every tax
computed in the comments from the rule files of 2568 (issue #6, "Done means").

Rule lines relied on (nakhon/tax/rules/data/land_building/): 2568.toml extends 2567.toml and
sets ``[reduction] percent = 0``; 2567.toml ``[bands.residential_other]`` 0.02 % up to 50M,
``[bands.residential_primary]`` 0.03 % up to 25M (after the 50M of
``[exemptions.residential_primary]``, Act §41), ``[bands.commercial]`` and ``[bands.vacant]``
0.3 % up to 50M, ``[vacant_escalation]`` +0.3 % every 3 vacant years, ``[depreciation]``
masonry age 10 → 10 %, half_masonry age 5 → 10 %, ``[rounding]`` to the satang half up,
``[aggregation]`` per owner and use. The service splits a mixed-use record by its shares
(area × owner share × use share, assessments._share) and ages a building by completed years
on 1 January 2568 (year built in B.E.). Municipality: the demo's Sila, which has no tax
register of its own.
"""

from __future__ import annotations

from decimal import Decimal

from nakhon.tax import assessments
from nakhon.tax.imports import register_import
from nakhon.tax.models import Assessment
from nakhon.tax.tests.conftest import TAXPAYERS_CSV, valid_id

YEAR = 2568
PARCELS = "code,deed_kind,deed_number,area,price_per_sq_wah,owners,use,vacant_since\n"
BUILDINGS = (
    "code,parcel,building_class,structure,floor_area_m2,year_built,price_per_m2,owners,use\n"
)
UNITS = "code,condominium,unit_number,floor,area_m2,price_per_m2,owners,use\n"


# Unit 100 m² × 50,000 baht/m², juristic owner HT-2: 60 % other residence, 40 % commercial.
HU_1 = 'HU-1,ศิลา คอนโด,101,1,100,"50,000",HT-2,residential-other:60; commercial:40'
# Building 300 m² half-masonry at 7,000 baht/m², built 2563, HT-2, 60 % commercial.
HB_2 = "HB-2,{parcel},4,half_masonry,300,2563,7000,HT-2,commercial:60; residential-other:40"
TAXPAYERS = [
    f"HT-1,บุคคลธรรมดา,{valid_id(601)},นาย,ทดสอบ หนึ่ง,1 หมู่ 1,",
    f"HT-2,นิติบุคคล,{valid_id(602, '0')},,บริษัท ทดสอบ จำกัด,2 หมู่ 2,",
    f"HT-3,บุคคลธรรมดา,{valid_id(603)},นาง,ทดสอบ สาม,3 หมู่ 3,",
]
HEADERS = {"taxpayers": TAXPAYERS_CSV, "parcels": PARCELS, "buildings": BUILDINGS, "units": UNITS}


def _taxes(demo, write_csv, **registers: list[str]) -> dict[str, Decimal]:
    """Import the taxpayers and then each register's CSV rows into Sila (every row must be
    saved); run the land and building assessment of 2568; the tax by taxpayer code."""
    actor = demo.user("sila-admin")
    for register, rows in {"taxpayers": TAXPAYERS, **registers}.items():
        path = write_csv(f"{register}.csv", HEADERS[register], rows)
        report = register_import(actor=actor, municipality=demo.sila, register=register, path=path)
        assert report.saved and report.ok, report.as_dict()
    run = assessments.run_assessment(actor, demo.sila, "land-building", YEAR)
    assert run.state == "done", run.error
    return {
        a.taxpayer.code: a.tax_baht
        for a in Assessment.objects.filter(run=run).select_related("taxpayer")
    }


def test_condominium_unit_of_mixed_use_juristic_owner(demo, write_csv) -> None:
    # Unit 100 m² × 50,000 baht/m² = 5,000,000, juristic owner, residential-other 60 %,
    # commercial 40 % → residential-other 60 m² × 50,000 = 3,000,000 × 0.02 % = 600.00;
    # commercial 40 m² × 50,000 = 2,000,000 × 0.3 % = 6,000.00; no reduction in 2568: 6,600.00.
    assert _taxes(demo, write_csv, units=[HU_1]) == {"HT-2": Decimal("6600.00")}


def test_building_of_mixed_use_juristic_owner(demo, write_csv) -> None:
    # Building 300 m² half-masonry at 7,000 baht/m², built 2563 → 5 completed years on
    # 1 Jan 2568 → depreciation 10 %. Commercial 60 %: 180 m² × 7,000 = 1,260,000 less 10 % =
    # 1,134,000 × 0.3 % = 3,402.00; residential-other 40 %: 120 m² × 7,000 = 840,000 less 10 %
    # = 756,000 × 0.02 % = 151.20. Total 3,553.20.
    assert _taxes(demo, write_csv, buildings=[HB_2.format(parcel="")]) == {
        "HT-2": Decimal("3553.20")
    }


def test_building_without_own_price_takes_its_class_price(demo, write_csv) -> None:
    # Building class 100 (detached house) of the rule file's building price list:
    # [building_cost."100"] baht_per_m2 = 7250 (2567.toml, inherited by 2568). No price of its
    # own on the register, masonry, 200 m², built 2558 → 10 completed years on 1 Jan 2568 →
    # [depreciation] masonry[10] = 10 %. Juristic owner HT-2, commercial 100 %:
    # 200 × 7,250 = 1,450,000 less 10 % = 1,305,000 × 0.3 % = 3,915.00.
    row = "HB-3,,100,masonry,200,2558,,HT-2,commercial"
    assert _taxes(demo, write_csv, buildings=[row]) == {"HT-2": Decimal("3915.00")}
    steps = Assessment.objects.get(taxpayer__code="HT-2", municipality=demo.sila).steps
    assert any("7,250" in str(step) and "100" in str(step) for step in steps), steps


def test_small_register_assessed_by_hand(demo, write_csv) -> None:
    parcels = [
        # 400 sq wah × 130,000 = 52,000,000, HT-1's primary home (land).
        'HP-1,chanote,7001,1-0-00,"130,000",HT-1,residential-primary,',
        # 200 sq wah × 20,000 = 4,000,000, HT-2, commercial.
        "HP-2,chanote,7002,0-2-00,20000,HT-2,commercial,",
        # 100 sq wah × 15,000 = 1,500,000, HT-1 and HT-3 half each, let (other home).
        "HP-3,chanote,7003,0-1-00,15000,HT-1:50; HT-3:50,residential-other,",
        # 300 sq wah × 10,000 = 3,000,000, HT-3, vacant since 1 Jan 2560.
        "HP-4,chanote,7004,0-3-00,10000,HT-3,vacant,01/01/2560",
    ]
    buildings = [
        # 200 m² masonry × 8,000 = 1,600,000, built 2558 → 10 years → 10 %: 1,440,000.
        "HB-1,HP-1,1,masonry,200,2558,8000,HT-1,residential-primary",
        # As in test_building_of_mixed_use_juristic_owner: 1,134,000 + 756,000.
        HB_2.format(parcel="HP-2"),
    ]
    # HU-1 as in test_condominium_unit_of_mixed_use_juristic_owner: 3,000,000 + 2,000,000.
    taxes = _taxes(demo, write_csv, parcels=parcels, buildings=buildings, units=[HU_1])
    assert taxes == {
        # HT-1 primary home: 52,000,000 + 1,440,000 = 53,440,000 − 50,000,000 (§41) =
        # 3,440,000 × 0.03 % = 1,032.00; other home: half of HP-3 = 50 sq wah × 15,000 =
        # 750,000 × 0.02 % = 150.00. Total 1,182.00.
        "HT-1": Decimal("1182.00"),
        # HT-2 commercial: 4,000,000 + 1,134,000 + 2,000,000 = 7,134,000 × 0.3 % = 21,402.00;
        # residential-other: 756,000 + 3,000,000 = 3,756,000 × 0.02 % = 751.20. Total 22,153.20.
        "HT-2": Decimal("22153.20"),
        # HT-3 other home: 750,000 × 0.02 % = 150.00; vacant: 1 Jan 2017 to 1 Jan 2025 = 8
        # years → 2 steps of 3 years → 0.3 + 0.6 = 0.9 %: 3,000,000 × 0.9 % = 27,000.00.
        # Total 27,150.00.
        "HT-3": Decimal("27150.00"),
    }
