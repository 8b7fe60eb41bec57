"""``nakhon tax pay``, ``nakhon tax import-payments``, ``nakhon tax arrears`` (docs/cli.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from nakhon.tax.cli import _handled, tax

_CHANNELS = click.Choice(["counter", "transfer"])


@tax.command("pay")
@click.argument("reference")
@click.argument("amount")
@click.option("--paid-on", help="Date paid, B.E. (e.g. 15/06/2568); default: today.")
@click.option("--channel", type=_CHANNELS, default="counter", show_default=True, help="How.")
@click.option("--receipt", "receipt_number", default="", help="Receipt number (default: next).")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who records it (audit log); default: the superuser.")
@_handled
def pay(
    reference: str,
    amount: str,
    paid_on: str | None,
    channel: str,
    receipt_number: str,
    municipality_slug: str | None,
    username: str | None,
) -> None:
    """Record a payment of the assessment with payment reference REFERENCE (Ref. 1)."""
    from django.utils import timezone

    from nakhon.cli import _cli_actor, _cli_municipality
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax import payments

    municipality = _cli_municipality(municipality_slug)
    actor = _cli_actor(username)
    assessment = payments.payment_find(municipality=municipality, reference=reference)
    with origin(via=AuditEvent.Via.CLI):
        payment = payments.payment_record(
            actor=actor,
            municipality=municipality,
            assessment=assessment,
            amount_baht=payments.parse_amount(amount),
            paid_on=payments.parse_be(paid_on) if paid_on else timezone.localdate(),
            channel=channel,
            receipt_number=receipt_number,
        )
    account = payments.account_get(
        actor=actor, municipality=municipality, assessment=payment.assessment
    )
    click.echo(
        f"receipt {payment.receipt_number} (fiscal year {payment.fiscal_year}): "
        f"{payment.amount_baht:,} baht = tax {payment.principal_baht:,} + penalty and "
        f"surcharge {payment.charges_baht:,}; balance today {account.balance_baht:,} baht"
    )


@tax.command("import-payments")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who imports (audit log); default: the superuser.")
@click.option("--dry-run", is_flag=True, help="Check every row; save nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_handled
def import_payments(
    file: Path, municipality_slug: str | None, username: str | None, dry_run: bool, as_json: bool
) -> None:
    """Import a bank statement (CSV) of tax payments: all rows or none."""
    from nakhon.cli import EXIT_USAGE, _cli_actor, _cli_municipality
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax.bank_import import ImportRefused, payments_import

    municipality = _cli_municipality(municipality_slug)
    actor = _cli_actor(username)
    try:
        with origin(via=AuditEvent.Via.CLI):
            report = payments_import(
                actor=actor, municipality=municipality, data=file.read_bytes(), dry_run=dry_run
            )
    except ImportRefused as exc:
        report = exc.report
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for r in report.rows:
            status = r.receipt_number or ("ok" if r.ok else "REFUSED")
            line = f"row {r.row}: {r.ref1} {r.amount} {r.paid_on}: {status}"
            click.echo(line + (f": {r.message}" if r.message else ""), err=not r.ok)
        if not report.ok:
            click.secho(
                f"nakhon: {len(report.problems)} row(s) refused; nothing was saved",
                fg="red",
                err=True,
            )
        else:
            click.echo("dry run: nothing was saved" if dry_run else f"saved {len(report.rows)}")
    if not report.ok:
        sys.exit(EXIT_USAGE)


@tax.command("arrears")
@click.option("--as-of", help="Date, B.E. (default: today).")
@click.option("--kind", type=click.Choice(["signboard", "land_building"]), help="One tax only.")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who reads (default: the superuser).")
@click.option("--json", "as_json", is_flag=True, help="Print the arrears as JSON.")
@_handled
def arrears(
    as_of: str | None,
    kind: str | None,
    municipality_slug: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Arrears by age, tax year, tambon and taxpayer, with the legal follow-up list."""
    from nakhon.cli import _cli_actor, _cli_municipality
    from nakhon.tax.arrears import arrears_get
    from nakhon.tax.payments import parse_be

    data = arrears_get(
        actor=_cli_actor(username),
        municipality=_cli_municipality(municipality_slug),
        as_of=parse_be(as_of, "--as-of") if as_of else None,
        kind=kind or "",
        names=as_json,  # the text lists register numbers only: no personal-data read
    )
    if as_json:
        click.echo(json.dumps(data.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"arrears on {data.as_of}: {len(data.rows)} assessment(s), {data.total_baht:,} baht")
    for g in data.by_bucket:
        click.echo(f"  {g['key']:>8} days: {g['count']:>5}  {g['balance_baht']:>14,} baht")
    for g in data.by_year:
        click.echo(f"  {g['key'][1]} {g['key'][0]}: {g['count']}  {g['balance_baht']:,} baht")
    for r in data.rows:
        flag = "  legal follow-up" if r.legal else ""
        click.echo(
            f"  {r.taxpayer_code:<10} {r.payment_reference:<13} due {r.due_on} "
            f"{r.days:>4} d {r.balance_baht:>12,} baht{flag}"
        )
