"""``nakhon tax publish``: the open figures of local revenue to the public catalog
(``nakhon.tax.publish``; docs/cli.md, docs/tax.md "Open figures")."""

from __future__ import annotations

import json

import click

from nakhon.tax.cli import _handled, tax


@tax.command("publish")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option(
    "--fy",
    "fiscal_year",
    type=int,
    help="Last fiscal year (B.E.) of the monthly collection; default: the current one.",
)
@click.option(
    "--tax-year",
    type=int,
    help="Last tax year (B.E.) by category; default: the latest with issued assessments.",
)
@click.option("--user", "username", help="Who publishes (audit log); default: the superuser.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@_handled
def publish_figures(
    municipality_slug: str | None,
    fiscal_year: int | None,
    tax_year: int | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Publish the aggregated tax figures (collection by month, tax by category and sign type,
    arrears by tambon and age) as public datasets; a new version only when figures changed."""
    from nakhon.cli import _cli_actor, _cli_municipality
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax import publish

    municipality = _cli_municipality(municipality_slug)
    actor = _cli_actor(username)
    with origin(via=AuditEvent.Via.CLI):
        done = publish.tax_figures_publish(
            actor=actor, municipality=municipality, fiscal_year=fiscal_year, tax_year=tax_year
        )
    if as_json:
        out = [
            {
                "dataset": p.slug,
                "version": p.version.number if p.version else None,
                "changed": p.changed,
                "rows": p.rows,
                "withheld": p.suppressed,
            }
            for p in done
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(publish.describe(done))
