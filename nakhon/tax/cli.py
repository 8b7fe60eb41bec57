"""``nakhon tax``: quotes for anyone and imports of the registers (docs/cli.md)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _handled(func: F) -> F:
    """Django set up, and domain errors as one line on stderr with exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from nakhon.cli import _fail, _handle_errors, _setup
        from nakhon.core.errors import InvalidInput

        def refused_in_one_line(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except InvalidInput as exc:  # a refused quote: its message names every field
                _fail(exc.message)

        _setup()
        return _handle_errors(refused_in_one_line)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group()
def tax() -> None:
    """Local revenue: signboard tax and land and building tax."""


@tax.group()
def quote() -> None:
    """The tax of one sign or one property, with its explanation (no account needed)."""


def _year_option(func: F) -> F:
    return click.option(
        "--year", type=int, required=True, help="Tax year in the Buddhist Era, e.g. 2568."
    )(func)


def _municipality_option(func: F) -> F:
    return click.option(
        "--municipality",
        "municipality_slug",
        help="Apply this city's local rules (NAKHON_DATA_DIR/tax-rules/<slug>/).",
    )(func)


def _json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help='Print {"tax_baht": "...", "steps": [...]}.'
    )(func)


def _municipality(slug: str | None) -> Any:
    if not slug:
        return None
    from nakhon.accounts.models import Municipality
    from nakhon.cli import _fail

    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        _fail(f"no municipality {slug!r} (see `nakhon city list`)")
    return municipality


def _print_assessment(assessment: Any, title: str, as_json: bool) -> None:
    from nakhon.tax.quotes import quote_json

    if as_json:
        click.echo(json.dumps(quote_json(assessment), ensure_ascii=False, indent=2))
        return
    click.secho(f"{title}, tax year {assessment.tax_year}: {assessment.tax_baht:,} baht", bold=True)
    for i, step in enumerate(assessment.steps, start=1):
        click.echo(f"{i:>2}. {step.label_th} / {step.label_en}: {step.value}")
        if step.rule:
            mark = (
                "  (UNCONFIRMED)" if step.unconfirmed and "[UNCONFIRMED]" not in step.rule else ""
            )
            click.echo(f"    {step.rule}{mark}")
    if assessment.unconfirmed:
        click.echo("Steps marked [UNCONFIRMED] use a rule not yet confirmed from the legal text.")


def _be_date(text: str | None) -> Any:
    if not text:
        return None
    from nakhon.cli import _fail
    from nakhon.core import thai

    try:
        return thai.parse_thai_date(text, era="be")
    except thai.ThaiValueError as exc:
        _fail(f"--installed-on: {exc.message_en}")


@quote.command("signboard")
@_year_option
@click.option("--type", "sign_type", type=click.IntRange(1, 3), required=True, help="Sign type.")
@click.option(
    "--moving", type=click.Choice(["yes", "no"]), required=True, help="Moving or changing sign."
)
@click.option("--width-cm", type=int, required=True, help="Width in centimetres.")
@click.option("--height-cm", type=int, required=True, help="Height in centimetres.")
@click.option("--faces", type=int, default=1, show_default=True, help="Faces with a message.")
@click.option("--installed-on", help="B.E. date a sign was installed during the year.")
@_municipality_option
@_json_option
@_handled
def quote_signboard(
    year: int,
    sign_type: int,
    moving: str,
    width_cm: int,
    height_cm: int,
    faces: int,
    installed_on: str | None,
    municipality_slug: str | None,
    as_json: bool,
) -> None:
    """The signboard tax of one sign (Signboard Tax Act B.E. 2510)."""
    from nakhon.tax.quotes import quote_signboard as run

    assessment = run(
        tax_year=year,
        sign_type=sign_type,
        moving=moving == "yes",
        width_cm=width_cm,
        height_cm=height_cm,
        faces=faces,
        installed_on=_be_date(installed_on),
        municipality=_municipality(municipality_slug),
    )
    _print_assessment(assessment, "Signboard tax (ภาษีป้าย)", as_json)


@quote.command("land-building")
@_year_option
@click.option(
    "--owner", type=click.Choice(["individual", "juristic"]), required=True, help="Owner kind."
)
@click.option(
    "--use",
    type=click.Choice(
        [
            "agricultural",
            "residential-primary",
            "residential-building-only",
            "residential-other",
            "commercial",
            "vacant",
        ]
    ),
    required=True,
    help="Use of the property.",
)
@click.option("--value-baht", required=True, help="Appraised value in baht.")
@click.option("--vacant-years", type=int, default=0, help="Years vacant land has been unused.")
@_municipality_option
@_json_option
@_handled
def quote_land_building(
    year: int,
    owner: str,
    use: str,
    value_baht: str,
    vacant_years: int,
    municipality_slug: str | None,
    as_json: bool,
) -> None:
    """The land and building tax of one property (Land and Building Tax Act B.E. 2562)."""
    from nakhon.cli import _fail
    from nakhon.tax.quotes import quote_land_building as run

    try:
        value = Decimal(value_baht.replace(",", ""))
    except InvalidOperation:
        _fail(f"--value-baht: {value_baht!r} is not an amount of baht")
    assessment = run(
        tax_year=year,
        owner=owner,
        use=use,
        value_baht=value,
        vacant_years=vacant_years,
        municipality=_municipality(municipality_slug),
    )
    _print_assessment(assessment, "Land and building tax (ภาษีที่ดินและสิ่งปลูกสร้าง)", as_json)


@tax.command("import")
@click.argument(
    "register", type=click.Choice(["taxpayers", "parcels", "buildings", "units", "signboards"])
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who imports (audit log); default: the superuser.")
@click.option("--sheet", help="Spreadsheet sheet (name or 1-based number).")
@click.option("--dry-run", is_flag=True, help="Check the file and report; save nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_handled
def import_(
    register: str,
    file: Path,
    municipality_slug: str | None,
    username: str | None,
    sheet: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import a register from the tax office's Excel or CSV file, all or nothing."""
    import sys

    from nakhon.cli import EXIT_USAGE, _cli_actor, _cli_municipality
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax.imports import ImportRefused, register_import

    municipality = _cli_municipality(municipality_slug)
    actor = _cli_actor(username)
    try:
        with origin(via=AuditEvent.Via.CLI):
            report = register_import(
                actor=actor,
                municipality=municipality,
                register=register,
                path=file,
                sheet=sheet,
                dry_run=dry_run,
            )
    except ImportRefused as exc:
        _print_report(exc.report, as_json)
        sys.exit(EXIT_USAGE)
    _print_report(report, as_json)


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    err = not report.ok
    click.echo(
        f"{report.register}: {report.rows} row(s); created {report.created}, changed "
        f"{report.changed}, unchanged {report.unchanged}",
        err=err,
    )
    for p in report.problems[:50]:
        where = f"row {p.row}" if p.row is not None else "file"
        value = f" {p.value!r}" if p.value else ""
        click.echo(f"  {where}, {p.column}{value}: {p.reason_en} / {p.reason_th}", err=True)
    if report.problem_total > 50:
        click.echo(f"  … and {report.problem_total - 50} more (use --json)", err=True)
    if err:
        click.secho(
            f"nakhon: {report.problem_total} problem(s); nothing was saved", fg="red", err=True
        )
    elif report.dry_run:
        click.echo("dry run: nothing was saved")
    else:
        click.echo("saved")


_KIND = click.Choice(["signboard", "land-building"])


@tax.command("assess")
@_year_option
@click.option("--kind", type=_KIND, required=True, help="Which tax.")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who runs it (audit log); default: the superuser.")
@click.option("--issue", is_flag=True, help="Issue the run at once: number the notices.")
@_handled
def assess(
    year: int, kind: str, municipality_slug: str | None, username: str | None, issue: bool
) -> None:
    """Assess the whole register for a tax year (B.E.), with a progress bar."""
    from nakhon.cli import _cli_actor, _cli_municipality, _progress_bar
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax.assessments import run_assessment, run_issue

    municipality = _cli_municipality(municipality_slug)
    actor = _cli_actor(username)
    bar, update = _progress_bar()
    try:
        with origin(via=AuditEvent.Via.CLI):
            run = run_assessment(
                actor, municipality, kind, year, progress=lambda s, p: update(s, p / 100)
            )
            if issue:
                run = run_issue(actor=actor, municipality=municipality, run=run)
    finally:
        bar.close()
    click.echo(
        f"run {run.pk}: {run.kind} {run.tax_year}, {run.records:,} register records, "
        f"{run.assessment_count:,} assessments ({run.exempt_count:,} with no tax), "
        f"total {run.total_baht:,} baht; {run.state}"
    )


@tax.command("notices")
@_year_option
@click.option("--kind", type=_KIND, required=True, help="Which tax.")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who prints them (audit log); default: the superuser.")
@_handled
def notices(
    year: int, kind: str, out_dir: Path, municipality_slug: str | None, username: str | None
) -> None:
    """Print every issued notice of a tax year as PDF: one file each and one merged file."""
    from nakhon.cli import _cli_actor, _cli_municipality
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax.notices.service import notices_print

    municipality = _cli_municipality(municipality_slug)
    actor = _cli_actor(username)
    import sys

    from tqdm import tqdm

    bar = tqdm(unit=" notices", file=sys.stderr, leave=False, disable=not sys.stderr.isatty())

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        with origin(via=AuditEvent.Via.CLI):
            result = notices_print(
                actor=actor,
                municipality=municipality,
                kind=kind,
                tax_year=year,
                folder=out_dir,
                progress=progress,
            )
    finally:
        bar.close()
    click.echo(f"{result.notices:,} notices ({result.pages:,} pages) in {result.folder}")
    click.echo(f"merged: {result.merged}")


@tax.command("gap")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--year", type=int, help="Tax year in the Buddhist Era (default: this year).")
@click.option("--json", "as_json", is_flag=True, help="Print the worklists as JSON.")
@_handled
def gap(municipality_slug: str | None, year: int | None, as_json: bool) -> None:
    """The revenue-gap worklists: unregistered buildings and signs, use contradictions, drops."""
    from nakhon.cli import _cli_actor, _cli_municipality
    from nakhon.tax.gap import gap_report

    report = gap_report(
        actor=_cli_actor(None), municipality=_cli_municipality(municipality_slug), tax_year=year
    )
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"revenue gap, {report.municipality.slug}, tax year {report.tax_year}: estimated "
        f"{report.total_baht:,} baht at stake"
    )
    for worklist in report.lists.values():
        click.echo(
            f"\n{worklist.name}: {len(worklist.findings)} finding(s), estimated "
            f"{worklist.total_baht:,} baht"
        )
        if worklist.note:
            click.echo(f"  ({worklist.note})")
        for f in worklist.findings:
            click.echo(f"  {f.key}  {f.tax_baht:>12,} baht  {f.evidence}")
    click.echo("\nEvery amount is an estimate; the assumptions are in --json and docs/tax.md.")


from nakhon.tax import cli_collect as _cli_collect  # noqa: E402,F401  (pay, import-payments, arrears)
from nakhon.tax import cli_letters as _cli_letters  # noqa: E402,F401  (pp1, warnings)
from nakhon.tax import cli_publish as _cli_publish  # noqa: E402,F401  (publish)
