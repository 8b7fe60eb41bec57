"""Importing registers: a good file, each kind of bad input, all or nothing, CP874 and Excel."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nakhon.core.errors import PermissionDenied
from nakhon.core.models import AuditEvent
from nakhon.tax.imports import ImportRefused, register_import
from nakhon.tax.models import Parcel, Signboard, Taxpayer
from nakhon.tax.tests.conftest import valid_id

PARCELS = "code,deed_kind,deed_number,area,price_per_sq_wah,owners,use,vacant_since\n"
SIGNS = "code,owner,business_name,sign_type,moving,width_cm,height_cm,installed_on\n"


def _import(demo, register: str, path: Path, **kw):
    return register_import(
        actor=demo.user("kk-tax"), municipality=demo.kk, register=register, path=path, **kw
    )


def test_good_files_thai_headers_cp874(demo, write_csv) -> None:
    path = write_csv(
        "taxpayers.csv",
        "เลขทะเบียน,ประเภทผู้เสียภาษี,เลขประจำตัวประชาชน,ชื่อ,ที่อยู่\n",
        [
            f"N-1,บุคคลธรรมดา,{valid_id(10)},ทดลอง หนึ่ง,1 หมู่ 1",
            f"N-2,นิติบุคคล,{valid_id(11, '0')},บริษัท ทดลอง จำกัด,",
        ],
        encoding="cp874",
    )
    report = _import(demo, "taxpayers", path)
    assert (report.rows, report.created, report.saved) == (2, 2, True)
    parcels = write_csv(
        "parcels.csv",
        PARCELS,
        [
            'NP-1,โฉนด,555,2-1-35,"12,000",N-1,residential-primary,',
            "NP-2,chanote,556,0-2-0,8000,N-1:50;N-2:50,vacant,01/01/2560",
        ],
    )
    report = _import(demo, "parcels", parcels)
    assert report.created == 2
    assert Parcel.objects.get(municipality=demo.kk, code="NP-1").area_rnw == "2-1-35"
    again = _import(demo, "parcels", parcels)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.filter(action="tax.import", municipality=demo.kk).count() == 3


def test_excel_register(demo, tmp_path: Path) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.append(["ทะเบียนป้าย เทศบาลนครขอนแก่น"])
    sheet.append(["code", "business_name", "sign_type", "moving", "width_cm", "height_cm"])
    sheet.append(["XS-1", "ร้านทดลอง", 2, "no", 200, 100])
    book.save(tmp_path / "signs.xlsx")
    report = _import(demo, "signboards", tmp_path / "signs.xlsx")
    assert report.created == 1
    assert Signboard.objects.get(municipality=demo.kk, code="XS-1").width_cm == 200


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("BP-1,chanote,1,-1-0-0,100,TP-0001,commercial,", "area", "rai-ngan-wah"),
        ("BP-1,chanote,1,1-5-20,100,TP-0001,commercial,", "area", "ngan must be 0-3"),
        ("BP-1,chanote,1,1-0-0,-100,TP-0001,commercial,", "price_per_sq_wah", "out of range"),
        ("BP-1,chanote,1,1-0-0,99999999,TP-0001,commercial,", "price_per_sq_wah", "out of range"),
        ("BP-1,chanote,1,1-0-0,100,TP-0001,factory,", "use", "unknown use"),
        ("BP-1,chanote,1,1-0-0,100,NOBODY,commercial,", "owners", "no taxpayer"),
    ],
)
def test_bad_parcel_rows_name_the_record(demo, write_csv, row, column, words) -> None:
    path = write_csv("p.csv", PARCELS, ["GP-1,chanote,9,1-0-0,100,TP-0001,commercial,", row])
    with pytest.raises(ImportRefused) as err:
        _import(demo, "parcels", path)
    report = err.value.report
    assert report.problem_total == 1 and not report.saved
    problem = report.problems[0]
    assert (problem.row, problem.column, problem.record) == (3, column, "BP-1")
    assert words in problem.reason_en and "BP-1" in problem.reason_en and problem.reason_th
    assert not Parcel.objects.filter(code__in=["GP-1", "BP-1"]).exists()


def test_bad_sign_type_and_duplicates(demo, write_csv) -> None:
    path = write_csv(
        "s.csv",
        SIGNS,
        [
            "D-1,TP-0031,ร้าน ก,2,no,100,50,",
            "D-2,TP-0031,ร้าน ข,5,no,100,50,",
            "D-1,TP-0031,ร้าน ค,1,no,100,50,",
        ],
    )
    with pytest.raises(ImportRefused) as err:
        _import(demo, "signboards", path)
    problems = {(p.row, p.column): p for p in err.value.report.problems}
    assert "sign type must be 1, 2 or 3" in problems[(3, "sign_type")].reason_en
    assert "duplicated record" in problems[(4, "code")].reason_en
    assert "row 2" in problems[(4, "code")].reason_en
    assert not Signboard.objects.filter(code__startswith="D-").exists()


def test_all_or_nothing_keeps_the_previous_state(demo, write_csv) -> None:
    before = Parcel.objects.get(municipality=demo.kk, code="P-0001")
    path = write_csv(
        "p.csv",
        PARCELS,
        ["P-0001,chanote,1,9-0-0,100,TP-0001,commercial,", "NEW-1,chanote,2,1-0-0,100,TP-0001,x,"],
    )
    with pytest.raises(ImportRefused):
        _import(demo, "parcels", path)
    after = Parcel.objects.get(municipality=demo.kk, code="P-0001")
    assert after.area_sq_wah == before.area_sq_wah
    assert not Parcel.objects.filter(code="NEW-1").exists()


def test_dry_run_saves_nothing(demo, write_csv) -> None:
    path = write_csv("p.csv", PARCELS, ["DRY-1,chanote,1,1-0-0,100,TP-0001,commercial,"])
    report = _import(demo, "parcels", path, dry_run=True)
    assert report.created == 1 and not report.saved
    assert not Parcel.objects.filter(code="DRY-1").exists()


def test_duplicate_id_numbers_in_a_file(demo, write_csv) -> None:
    number = valid_id(20)
    path = write_csv(
        "t.csv",
        "code,kind,national_id,name\n",
        [f"DT-1,person,{number},ก", f"DT-2,person,{number},ข"],
    )
    with pytest.raises(ImportRefused) as err:
        _import(demo, "taxpayers", path)
    problem = err.value.report.problems[0]
    assert problem.column == "national_id" and problem.value == ""  # the ID is not echoed
    assert not Taxpayer.objects.filter(code__startswith="DT-").exists()


def test_import_needs_the_import_action(demo, write_csv) -> None:
    path = write_csv("p.csv", PARCELS, ["Q-1,chanote,1,1-0-0,100,TP-0001,commercial,"])
    with pytest.raises(PermissionDenied):
        register_import(
            actor=demo.user("kk-executive"), municipality=demo.kk, register="parcels", path=path
        )


def test_cli_import(demo, write_csv) -> None:
    from nakhon.cli import main

    good = write_csv("p.csv", PARCELS, ["CLI-1,chanote,1,1-0-0,100,TP-0001,commercial,"])
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["tax", "import", "parcels", str(good), "--municipality", "khon-kaen", "--user", "kk-tax"],
    )
    assert result.exit_code == 0, result.output
    assert "created 1" in result.output
    bad = write_csv("b.csv", PARCELS, ["CLI-2,chanote,1,1-5-20,100,TP-0001,commercial,"])
    result = runner.invoke(
        main,
        [
            "tax",
            "import",
            "parcels",
            str(bad),
            "--municipality",
            "khon-kaen",
            "--user",
            "kk-tax",
            "--json",
        ],
    )
    assert result.exit_code == 2
    assert '"problem_total": 1' in result.output
    assert not Parcel.objects.filter(code="CLI-2").exists()
