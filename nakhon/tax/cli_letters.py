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
