"""``nakhon tax pp1`` and ``nakhon tax warnings``: ภ.ป.1 returns and warning letters as PDF
(docs/cli.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from nakhon.tax.cli import _handled, _year_option, tax


def _print(service: Callable[..., Any], what: str, **kwargs: Any) -> None:
    """Run a batch with a progress bar (on a terminal) and say where the files are."""
    from tqdm import tqdm

    from nakhon.cli import _cli_actor, _cli_municipality
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent

    municipality = _cli_municipality(kwargs.pop("municipality_slug"))
    actor = _cli_actor(kwargs.pop("username"))
    bar = tqdm(unit=f" {what}", file=sys.stderr, leave=False, disable=not sys.stderr.isatty())

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        with origin(via=AuditEvent.Via.CLI):
            result = service(actor=actor, municipality=municipality, progress=progress, **kwargs)
    finally:
        bar.close()
    click.echo(f"{result.documents:,} {what} ({result.pages:,} pages) in {result.folder}")
    click.echo(f"merged: {result.merged}")


@tax.command("pp1")
@_year_option
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who prints them (audit log); default: the superuser.")
@_handled
def pp1(year: int, out_dir: Path, municipality_slug: str | None, username: str | None) -> None:
    """Print the pre-filled ภ.ป.1 signboard tax return of every sign owner for a tax year."""
    from nakhon.tax.notices.filings import signboard_returns_print

    _print(
        signboard_returns_print,
        "returns",
        tax_year=year,
        folder=out_dir,
        municipality_slug=municipality_slug,
        username=username,
    )


@tax.command("warnings")
@_year_option
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who prints them (audit log); default: the superuser.")
@_handled
def warnings(year: int, out_dir: Path, municipality_slug: str | None, username: str | None) -> None:
    """Print the letter of every warning notice recorded for a tax year's assessments."""
    from nakhon.tax.notices.filings import warnings_print

    _print(
        warnings_print,
        "letters",
        tax_year=year,
        folder=out_dir,
        municipality_slug=municipality_slug,
        username=username,
    )


@tax.command("pp1-new")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--sign", "sign_code", help="Register number of the new or changed sign.")
@click.option(
    "--changed-on", help="With --sign: the sign was changed on this B.E. date (15/08/2568)."
)
@click.option("--since", help="Every sign installed from this B.E. date (to today).")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who prints them (audit log); default: the superuser.")
@_handled
def pp1_new(
    out_dir: Path,
    sign_code: str | None,
    changed_on: str | None,
    since: str | None,
    municipality_slug: str | None,
    username: str | None,
) -> None:
    """Print the ภ.ป.1 filed within 15 days of installing or changing a sign (Signboard Tax
    Act §12): for one sign (--sign), or for every sign installed since a date (--since)."""
    from nakhon.cli import _cli_actor, _cli_municipality, _fail
    from nakhon.core import thai
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax.models import Signboard
    from nakhon.tax.notices.filings import signboard_filing_pdf, signboard_filings_print

    def be(text: str, option: str) -> Any:
        try:
            return thai.parse_thai_date(text, era="be")
        except thai.ThaiValueError as exc:
            _fail(f"{option}: {exc.message_en}")

    if bool(sign_code) == bool(since):
        _fail("Give either --sign CODE or --since DATE.")
    if changed_on and not sign_code:
        _fail("--changed-on goes with --sign.")
    if since:
        _print(
            signboard_filings_print,
            "returns",
            since=be(since, "--since"),
            folder=out_dir,
            municipality_slug=municipality_slug,
            username=username,
        )
        return
    municipality = _cli_municipality(municipality_slug)
    actor = _cli_actor(username)
    sign = Signboard.objects.filter(municipality=municipality, code=sign_code).first()
    if sign is None:
        _fail(f"No signboard {sign_code} on the register of {municipality.slug}.")
    day = be(changed_on, "--changed-on") if changed_on else None
    with origin(via=AuditEvent.Via.CLI):
        data = signboard_filing_pdf(
            actor=actor, municipality=municipality, sign=sign, changed_on=day
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"pp1-{'changed' if day else 'new'}-{sign.code}-{day or sign.installed_on}.pdf"
    path = out_dir / name.replace("/", "-")
    path.write_bytes(data)
    click.echo(f"{path}")
