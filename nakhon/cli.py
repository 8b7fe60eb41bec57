"""The ``nakhon`` command: the same CLI on a laptop, in CI and in production (docs/cli.md).

``nakhon`` with no arguments migrates the database, builds the demo city if it is absent,
prints a one-time sign-in link and serves on http://127.0.0.1:8000.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USAGE = 2  # bad configuration or bad input: the message says what to fix


def _fail(message: str) -> NoReturn:
    click.secho(f"nakhon: {message}", fg="red", err=True)
    sys.exit(EXIT_USAGE)


def _setup() -> None:
    """Configure Django, turning configuration errors into one clear line (no traceback)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nakhon.config.settings")
    from nakhon.config.env import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        _fail(f"configuration error: {exc}\nRun `nakhon config` to see every setting.")


def _handle_errors(func: F) -> F:
    """Map domain errors to a clear message on stderr and exit status 2."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from django.db import DatabaseError

        from nakhon.config.env import ConfigError
        from nakhon.core.errors import NakhonError

        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            _fail(f"configuration error: {exc}")
        except DatabaseError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _fail(
                f"database error: {first}\nRun `nakhon check` (is the database reachable and "
                "migrated? `nakhon migrate`)."
            )
        except NakhonError as exc:
            lines = [exc.message]
            for field, problem in getattr(exc, "errors", {}).items():
                lines.append(f"  - {field}: {problem}")
            _fail("\n".join(lines))

    return wrapper  # type: ignore[return-value]


def _migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def _base_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _serve(host: str, port: int) -> None:
    import signal

    import waitress
    from django.conf import settings

    from nakhon.config.wsgi import application

    click.echo(f"Serving Nakhon on {_base_url(host, port)}/  (Ctrl+C stops)")
    proxy: dict[str, Any] = {}
    if settings.NAKHON_TRUSTED_PROXY:
        proxy = {
            "trusted_proxy": settings.NAKHON_TRUSTED_PROXY,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
        }
    try:
        server = waitress.create_server(
            application,
            host=host,
            port=port,
            threads=settings.NAKHON_SERVER_THREADS,
            ident="nakhon",
            clear_untrusted_proxy_headers=True,
            max_request_body_size=4 * 1024**3,  # uploads of large data files (streamed to disk)
            **proxy,
        )
    except OSError as exc:
        _fail(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}. "
            "Is another server running there? Use --port or NAKHON_PORT."
        )
    # the task worker and the scheduler work in this process, unless turned off
    background = _start_background(
        worker=settings.NAKHON_WORKER, scheduler=settings.NAKHON_SCHEDULER
    )
    # SIGTERM (systemd, docker stop) stops the server as Ctrl+C does, then the background work
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.print_listen("Serving on http://{}:{}")
        server.run()  # returns on Ctrl+C
    finally:
        _stop_background(background)


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _start_background(*, worker: bool, threads: int | None = None, scheduler: bool) -> list[Any]:
    """Start the task worker threads and the scheduler of this process, as asked."""
    from django.conf import settings

    from nakhon.core.workers import TaskWorkers, uses_worker

    started: list[Any] = []
    if worker and uses_worker():
        count = threads or settings.NAKHON_WORKER_THREADS
        started.append(TaskWorkers(threads=count).start())
        click.echo(f"Task worker: {count} thread(s) run ingests, assessments and pulls.")
    if scheduler:
        from nakhon.ingestion.pull import start_scheduler_thread

        started.append(start_scheduler_thread())
    return started


def _stop_background(started: list[Any]) -> None:
    """Stop the scheduler; let the running tasks finish (a second Ctrl+C stops at once: their
    runs are then marked interrupted, and nothing half-done is published)."""
    from nakhon.core.workers import TaskWorkers

    for item in started:
        if not isinstance(item, TaskWorkers):
            item.stop()
    for item in started:
        if isinstance(item, TaskWorkers):
            if item.busy:
                click.echo("Waiting for the running task(s) to finish (Ctrl+C again stops now)…")
            try:
                item.stop()
            except KeyboardInterrupt:
                click.echo("Stopped; the interrupted runs will show as failed.", err=True)
                sys.exit(1)


def _print_tour(base_url: str, *, with_link: bool = True) -> None:
    from django.conf import settings

    from nakhon.accounts.models import User
    from nakhon.accounts.services import login_link_create
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.demo.builder import demo_users

    click.echo("")
    click.secho("Nakhon demo city: เทศบาลนครขอนแก่น (Khon Kaen City Municipality)", bold=True)
    click.echo(f"  Home page:   {base_url}/khon-kaen/")
    if with_link:
        user = User.objects.filter(username="kk-admin", is_active=True).first()
        if user is not None:
            with origin(via=AuditEvent.Via.CLI):
                path = login_link_create(user=user, next_url="/khon-kaen/")
            hours = settings.NAKHON_LOGIN_LINK_HOURS
            click.secho(f"  Sign in as the demo admin (one use, {hours} h):", bold=True)
            click.echo(f"    {base_url}{path}")
    if not settings.PRODUCTION:
        click.echo(f"  Demo sign-ins (password: {settings.NAKHON_DEMO_PASSWORD}):")
        for username, slug, role in demo_users():
            click.echo(f"    {username:<14} {slug:<10} {role}")
    click.echo(f"  API docs:    {base_url}/api/v1/docs")
    click.echo("")


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nakhon", prog_name="nakhon")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Nakhon (นคร): the open city data platform for Thai municipalities.

    With no command: migrate, build the demo city if absent, print a sign-in link and serve it
    on http://127.0.0.1:8000 (NAKHON_HOST / NAKHON_PORT change that).
    """
    if ctx.invoked_subcommand is not None:
        return
    _setup()
    _run_default()


@_handle_errors
def _run_default() -> None:
    from django.conf import settings

    from nakhon.demo.builder import build_demo, demo_exists

    click.echo("Preparing the database…")
    _migrate()
    host, port = settings.NAKHON_HOST, settings.NAKHON_PORT
    if settings.PRODUCTION:
        # production: no demo city, no printed sign-in link; just serve what is there
        _serve(host, port)
        return
    if not demo_exists():
        click.echo("Building the demo city…")
        build_demo(log=lambda m: click.echo(f"  {m}"))
    _print_tour(_base_url(host, port))
    _serve(host, port)


@main.command()
@click.option("--reset", is_flag=True, help="Delete everything in the database first.")
@click.option("--yes", is_flag=True, help="Do not ask before --reset deletes data.")
@_handle_errors
def demo(reset: bool, yes: bool) -> None:
    """Build the demo city (Khon Kaen, plus Sila as a second tenant) into the database."""
    _setup()
    from django.conf import settings

    from nakhon.demo.builder import build_demo

    if settings.PRODUCTION:
        _fail("refusing to build the demo city in production (NAKHON_ENV=production).")
    if reset:
        _reset_database(settings, yes)
    _migrate()
    result = build_demo(log=lambda m: click.echo(f"  {m}"))
    state = "built" if result.created else "already present; nothing changed"
    click.echo(f"Demo city {state}: {', '.join(m.slug for m in result.municipalities)}")
    _print_tour(_base_url(settings.NAKHON_HOST, settings.NAKHON_PORT), with_link=False)


def _reset_database(settings: Any, yes: bool) -> None:
    from django.db import connection

    db = settings.DATABASES["default"]
    where = str(db["NAME"])
    if not yes:
        click.confirm(f"Delete ALL data in {where}?", abort=True, err=True)
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{where}{suffix}").unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        _fail(f"--reset does not know how to empty a {connection.vendor} database")
    # the lake's files (and its SQLite catalog, when it has its own) go with the database
    import shutil

    lake_dir = Path(settings.NAKHON_LAKE_DIR)
    if lake_dir.exists():
        shutil.rmtree(lake_dir)
    catalog = str(settings.NAKHON_LAKE_CATALOG_URL)
    if catalog.startswith("sqlite:///"):
        Path(catalog.removeprefix("sqlite:///")).unlink(missing_ok=True)
    click.echo(f"Emptied {where} and the data lake {lake_dir}.")


@main.command()
@click.option("--host", default=None, help="Interface to listen on [NAKHON_HOST].")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port [NAKHON_PORT].")
@click.option("--no-migrate", is_flag=True, help="Do not apply pending migrations first.")
@_handle_errors
def serve(host: str | None, port: int | None, no_migrate: bool) -> None:
    """Serve the web application and API (waitress, a production WSGI server)."""
    _setup()
    from django.conf import settings

    if not no_migrate:
        _migrate()
    _serve(host or settings.NAKHON_HOST, port or settings.NAKHON_PORT)


@main.command()
@click.option("--deploy", is_flag=True, help="Also run Django's deployment checks.")
def check(deploy: bool) -> None:
    """Report what is misconfigured; exit status 1 if anything is an error."""
    _setup()
    from django.core import checks

    from nakhon.core.checks import check_database

    messages = list(checks.run_checks(include_deployment_checks=deploy)) + check_database()
    messages = [m for m in messages if not m.is_silenced()]
    errors = 0
    for message in messages:
        level = (
            "ERROR"
            if message.is_serious()
            else ("WARNING" if message.level >= checks.WARNING else "INFO")
        )
        errors += message.is_serious()
        color = {"ERROR": "red", "WARNING": "yellow"}.get(level)
        click.secho(f"{level} {message.id or ''}: {message.msg}", fg=color)
        if message.hint:
            click.echo(f"    fix: {message.hint}")
    if errors:
        click.secho(f"{errors} error(s).", fg="red", err=True)
        sys.exit(1)
    click.secho("No errors." if messages else "Everything is in order.", fg="green")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def config(as_json: bool) -> None:
    """List every setting with its current value, default and help (secrets masked)."""
    from nakhon.config.env import describe

    rows = describe()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        source = "" if row["source"] == "default" else "  (set)"
        click.secho(f"{row['name']}={row['value']}{source}", bold=True)
        click.echo(f"    {row['help']}")
        if row["default"]:
            click.echo(f"    default: {row['default']}")


@main.group()
def city() -> None:
    """Municipalities (tenants) of this deployment."""


@city.command("add")
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--update", is_flag=True, help="Update the municipality if it exists.")
@_handle_errors
def city_add(profile: Path, update: bool) -> None:
    """Onboard a municipality from a profile (TOML: names, LAO code, boundary file)."""
    _setup()
    from nakhon.accounts.models import Department
    from nakhon.accounts.onboarding import municipality_onboard, profile_load
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent

    _migrate()
    data = profile_load(profile)
    with origin(via=AuditEvent.Via.CLI):
        municipality = municipality_onboard(profile=data, actor=None, update=update)
    departments = Department.objects.filter(municipality=municipality).count()
    click.echo(
        f"{municipality.name_th} ({municipality.name_en}) is ready at /{municipality.slug}/ "
        f"(LAO {municipality.lao_code}, {departments} departments)."
    )


@city.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_handle_errors
def city_list(as_json: bool) -> None:
    """List the municipalities."""
    _setup()
    from nakhon.accounts.models import Municipality

    rows = [
        {
            "slug": m.slug,
            "lao_code": m.lao_code,
            "name_th": m.name_th,
            "name_en": m.name_en,
            "active": m.is_active,
        }
        for m in Municipality.objects.order_by("slug")
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['slug']:<20} {row['lao_code']}  {row['name_th']} ({row['name_en']})")


def _cli_actor(username: str | None) -> Any:
    from nakhon.accounts.models import User

    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            _fail(f"no active user {username!r}")
        return user
    supers = list(User.objects.filter(is_superuser=True, is_active=True).order_by("id")[:2])
    if len(supers) != 1:
        _fail("say who does this: --user USERNAME (it is written to the audit log)")
    return supers[0]


def _cli_municipality(slug: str | None) -> Any:
    from nakhon.accounts.models import Municipality

    if slug:
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            _fail(f"no municipality {slug!r} (see `nakhon city list`)")
        return municipality
    cities = list(Municipality.objects.filter(is_active=True).order_by("created_at", "id"))
    if not cities:
        _fail("no municipality yet: run `nakhon demo` or `nakhon city add PROFILE`")
    if len(cities) > 1:
        click.echo(f"(using {cities[0].slug}; choose another with --municipality)", err=True)
    return cities[0]


def _progress_bar() -> tuple[Any, Any]:
    from tqdm import tqdm

    bar = tqdm(
        total=100,
        unit="%",
        file=sys.stderr,
        leave=False,
        bar_format="{desc:<12} {bar} {n:.0f}%",
        disable=not sys.stderr.isatty(),
    )
    state = {"last": 0.0}

    def update(stage: str, fraction: float) -> None:
        bar.set_description_str(stage)
        target = max(state["last"], fraction * 100)
        bar.update(target - state["last"])
        state["last"] = target

    return bar, update


def _print_report(result: Any, as_json: bool) -> None:
    report = result.report
    if as_json:
        body = {
            "run": result.run.pk,
            "dataset": result.dataset.slug if result.dataset else None,
            "state": result.run.state,
            "published": result.published,
            "version": result.version.as_dict() if result.version else None,
            "report": report.to_dict(),
        }
        click.echo(json.dumps(body, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(
        f"rows: {report.total_rows:,}  valid: {report.valid_rows:,}  "
        f"with errors: {report.error_rows:,}"
    )
    for problem in report.to_dict().get("problems", [])[:20]:
        where = f"row {problem.get('row')}, {problem.get('column')}"
        click.echo(f"  {where}: {problem.get('message_en')} [{problem.get('rule')}]")
    if result.run.report_file:
        click.echo(f"whole report: {result.run.report_file}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "dataset_slug", required=True, help="Dataset slug (new: created).")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who publishes (audit log); default: the superuser.")
@click.option(
    "--mode",
    type=click.Choice(["replace", "append", "upsert"]),
    help="Override the dataset's publish mode.",
)
@click.option(
    "--policy",
    type=click.Choice(["valid-only", "quarantine"]),
    help="Override the dataset's publish policy.",
)
@click.option("--sheet", help="Spreadsheet sheet (name or 1-based number) or layer.")
@click.option("--title", "title_th", help="Thai title of a new dataset.")
@click.option("--department", help="Department code of a new dataset.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_handle_errors
def ingest(
    file: Path,
    dataset_slug: str,
    municipality_slug: str | None,
    username: str | None,
    mode: str | None,
    policy: str | None,
    sheet: str | None,
    title_th: str | None,
    department: str | None,
    as_json: bool,
) -> None:
    """Validate FILE and publish it as a new version of a dataset."""
    _run_ingest(
        file,
        dataset_slug,
        municipality_slug,
        username,
        mode,
        policy,
        sheet,
        title_th,
        department,
        as_json,
        publish=True,
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "dataset_slug", required=True, help="Dataset slug.")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--user", "username", help="Who validates (audit log); default: the superuser.")
@click.option("--sheet", help="Spreadsheet sheet (name or 1-based number) or layer.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_handle_errors
def validate(
    file: Path,
    dataset_slug: str,
    municipality_slug: str | None,
    username: str | None,
    sheet: str | None,
    as_json: bool,
) -> None:
    """Check FILE against a dataset's schema and print the report; publish nothing."""
    _run_ingest(
        file,
        dataset_slug,
        municipality_slug,
        username,
        None,
        None,
        sheet,
        None,
        None,
        as_json,
        publish=False,
    )


def _without_gc(func: F) -> F:
    """Run ``func`` with the cyclic garbage collector off.

    The start-up and the lazy imports of an ingest (Django, pyarrow, DuckDB, pyiceberg,
    SQLAlchemy) create about a million objects that live until the command exits, and the
    collector rescans them over and over (~0.3 s of CPU). The rows live in Arrow and DuckDB
    memory, not in Python objects, so a one-shot command loses nothing by it.
    """
    import functools
    import gc

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper  # type: ignore[return-value]


@_without_gc
def _run_ingest(
    file: Path,
    dataset_slug: str,
    municipality_slug: str | None,
    username: str | None,
    mode: str | None,
    policy: str | None,
    sheet: str | None,
    title_th: str | None,
    department: str | None,
    as_json: bool,
    *,
    publish: bool,
) -> None:
    _setup()
    from nakhon.catalog.models import Dataset
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.ingestion.errors import IngestError
    from nakhon.ingestion.pipeline import IngestRejected
    from nakhon.ingestion.pipeline import ingest as run_ingest

    actor = _cli_actor(username)  # (an unmigrated database is a clear "run nakhon migrate")
    municipality = _cli_municipality(municipality_slug)
    create = None
    if not Dataset.objects.filter(municipality=municipality, slug=dataset_slug).exists():
        if not publish:
            _fail(f"no dataset {dataset_slug!r} in {municipality.slug}: `nakhon ingest` creates it")
        create = {"title_th": title_th or dataset_slug, "department": department or ""}
        if not department:
            from nakhon.accounts.models import Department

            first = Department.objects.filter(municipality=municipality).order_by("code").first()
            create["department"] = first.code if first else ""
    from nakhon.ingestion.pipeline import sheet_choice

    sheet_arg = sheet_choice(sheet)
    bar, update = _progress_bar()
    try:
        with origin(via=AuditEvent.Via.CLI):
            result = run_ingest(
                actor=actor,
                municipality=municipality,
                dataset_slug=dataset_slug,
                path=file,
                publish=publish,
                create=create,
                mode=mode,
                policy=policy,
                sheet=sheet_arg,
                progress=update,
            )
    except IngestError as exc:
        bar.close()
        where = "".join(
            [
                f" (row {exc.row})" if exc.row else "",
                f" (column {exc.column})" if exc.column else "",
            ]
        )
        _fail(f"nothing was published: {exc.message_en}{where}\n{exc.message_th}")
    except IngestRejected as exc:
        bar.close()
        for problem in (exc.run.summary or {}).get("problems", [])[:20]:
            click.echo(
                f"  row {problem.get('row')}, {problem.get('column')}: "
                f"{problem.get('message_en')} [{problem.get('rule')}]",
                err=True,
            )
        if exc.run.report_file:
            click.echo(f"whole report: {exc.run.report_file}", err=True)
        _fail(exc.message)
    bar.close()
    _print_report(result, as_json)
    if publish and not result.published:
        _fail("nothing was published")
    if result.published and not as_json:
        v = result.version
        assert v is not None and result.dataset is not None
        click.echo(
            f"published {result.dataset.slug} version {v.number} "
            f"({v.rows_total:,} rows, snapshot {v.snapshot_id})"
        )


@main.command()
@click.argument("dataset_slug")
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_handle_errors
def versions(dataset_slug: str, municipality_slug: str | None, as_json: bool) -> None:
    """List the published versions of a dataset, newest first."""
    _setup()
    from nakhon.catalog.models import Dataset, DatasetVersion
    from nakhon.ingestion.pipeline import versions_sync

    municipality = _cli_municipality(municipality_slug)
    dataset = Dataset.objects.filter(municipality=municipality, slug=dataset_slug).first()
    if dataset is None:
        _fail(f"no dataset {dataset_slug!r} in {municipality.slug}")
    versions_sync(dataset)
    from nakhon.ingestion.pipeline import runs_reap

    runs_reap(municipality)
    rows = [v.as_dict() for v in DatasetVersion.objects.filter(dataset=dataset).order_by("-number")]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no version published yet")
    for row in rows:
        click.echo(
            f"v{row['number']:<4} {row['published_at'][:19]}  {row['published_by'] or '-':<14} "
            f"{row['operation']:<9} {row['rows_total'] or 0:>12,} rows  {row['source']}"
        )


@main.command()
@click.argument("dataset_slug", required=False)
@click.option("--municipality", "municipality_slug", help="Municipality slug.")
@click.option("--due", is_flag=True, help="Pull every dataset whose pull interval has passed.")
@_handle_errors
def pull(dataset_slug: str | None, municipality_slug: str | None, due: bool) -> None:
    """Download a dataset's source URL and publish it (or, with --due, all that are due)."""
    _setup()
    from nakhon.catalog.models import Dataset
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.ingestion import pull as puller

    _migrate()
    if due:
        with origin(via=AuditEvent.Via.CLI):
            result = puller.tick()
        click.echo(
            f"pulled {result['pulled']}, failed {result['failed']}, "
            f"overdue notices {result['notified']}"
        )
        if result["failed"]:
            sys.exit(1)
        return
    if not dataset_slug:
        _fail("name a dataset, or use --due")
    municipality = _cli_municipality(municipality_slug)
    dataset = Dataset.objects.filter(municipality=municipality, slug=dataset_slug).first()
    if dataset is None:
        _fail(f"no dataset {dataset_slug!r} in {municipality.slug}")
    if not dataset.source_url:
        _fail(f"dataset {dataset_slug!r} has no source URL")
    from nakhon.ingestion.errors import IngestError
    from nakhon.ingestion.pipeline import IngestRejected

    try:
        with origin(via=AuditEvent.Via.CLI):
            result = puller.pull(dataset)
    except IngestError as exc:
        _fail(f"nothing was published: {exc.message_en}\n{exc.message_th}")
    except IngestRejected as exc:
        _fail(exc.message)
    _print_report(result, as_json=False)


@main.command()
@click.option(
    "--threads",
    type=click.IntRange(1),
    default=None,
    help="Tasks run at once [NAKHON_WORKER_THREADS].",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.1),
    default=1.0,
    show_default=True,
    help="Seconds between looks at an empty queue.",
)
@click.option(
    "--scheduler", is_flag=True, help="Also queue due URL pulls and send overdue notices."
)
@click.option("--batch", is_flag=True, help="Run the tasks queued now, then exit.")
@click.option("--no-migrate", is_flag=True, help="Do not apply pending migrations first.")
@_handle_errors
def worker(
    threads: int | None, interval: float, scheduler: bool, batch: bool, no_migrate: bool
) -> None:
    """Run background tasks (ingests, assessments, pulls) from the queue until stopped."""
    _setup()
    import signal
    import threading

    from django.conf import settings

    from nakhon.core.workers import TaskWorkers, graceful_signals, uses_worker, worker_id

    if not uses_worker():
        _fail(
            f"NAKHON_TASKS_BACKEND={settings.NAKHON_TASKS_BACKEND}: tasks run where they are "
            "asked for; there is no queue for a worker. Use `database`."
        )
    if not no_migrate:
        _migrate()
    if batch:
        TaskWorkers.drain()
        click.echo("No task left in the queue.")
        return
    count = threads or settings.NAKHON_WORKER_THREADS
    workers = TaskWorkers(threads=count, interval=interval).start()
    rounds = None
    if scheduler:
        from nakhon.ingestion.pull import start_scheduler_thread

        rounds = start_scheduler_thread()
    click.echo(
        f"Nakhon worker {worker_id()}: {count} thread(s)"
        f"{', scheduler every minute' if scheduler else ''}  (Ctrl+C stops)"
    )
    stopping = threading.Event()

    def first_signal() -> None:  # take no new task; the running ones finish
        workers.stop(wait=0)
        if rounds is not None:
            rounds.stop()
        stopping.set()

    with graceful_signals(first_signal):
        try:
            while not stopping.wait(0.5):
                pass
            if workers.busy:
                click.echo("Waiting for the running task(s) to finish (Ctrl+C again stops now)…")
            workers.stop()
        except KeyboardInterrupt:
            click.echo("Stopped; the interrupted runs will show as failed.", err=True)
            sys.exit(128 + signal.SIGINT)
    click.echo("Worker stopped.")


@main.command()
@click.option("--once", is_flag=True, help="Run one round and exit.")
@click.option("--interval", default=60, show_default=True, help="Seconds between rounds.")
def scheduler(once: bool, interval: int) -> None:
    """Queue URL pulls when due and send overdue notices, every minute (a worker runs them)."""
    _setup()
    import time

    from nakhon.ingestion import pull as puller

    _migrate()
    while True:
        result = puller.schedule()
        click.echo(
            f"{time.strftime('%Y-%m-%d %H:%M:%S')} queued {result['queued']} pull(s), "
            f"notices {result['notified']}, pruned {result['pruned']} finished task(s)"
        )
        if once:
            return
        time.sleep(max(interval, 5))


@main.command()
@click.option(
    "--older-than-hours",
    default=24,
    show_default=True,
    type=click.IntRange(1),
    help="Only files older than this (longer than any publish takes).",
)
@click.option("--dry-run", is_flag=True, help="List the files; delete nothing.")
@_handle_errors
def vacuum(older_than_hours: int, dry_run: bool) -> None:
    """Delete lake files no version refers to (left behind by killed publishes)."""
    _setup()
    import datetime as dt

    from nakhon.catalog.models import Dataset
    from nakhon.lake.service import lake, table_ref_for

    the_lake = lake()
    total = 0
    for dataset in Dataset.objects.select_related("municipality").order_by("id"):
        ref = table_ref_for(dataset)
        if not the_lake.exists(ref):
            continue
        paths = the_lake.vacuum_orphans(
            ref, older_than=dt.timedelta(hours=older_than_hours), dry_run=dry_run
        )
        for path in paths:
            click.echo(f"{'would delete' if dry_run else 'deleted'} {path}")
        total += len(paths)
    click.echo(f"{total} orphan file(s) {'found' if dry_run else 'deleted'}.")


@main.command("login-link")
@click.argument("username")
@click.option("--next", "next_url", default="", help="Page to open after signing in.")
@_handle_errors
def login_link(username: str, next_url: str) -> None:
    """Print a one-time sign-in link for USERNAME."""
    _setup()
    from django.conf import settings

    from nakhon.accounts.models import User
    from nakhon.accounts.services import login_link_create
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        _fail(f"no active user {username!r}")
    if next_url and not next_url.startswith("/"):
        _fail("--next must be a path on this site, such as /khon-kaen/")
    with origin(via=AuditEvent.Via.CLI):
        path = login_link_create(user=user, next_url=next_url)
    click.echo(f"{_base_url(settings.NAKHON_HOST, settings.NAKHON_PORT)}{path}")


@main.command()
@click.option("-v", "--verbose", is_flag=True)
@_handle_errors
def migrate(verbose: bool) -> None:
    """Apply database migrations."""
    _setup()
    _migrate(verbose=verbose)
    click.echo("Database is up to date.")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (e.g. `nakhon manage createsuperuser`)."""
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["nakhon manage", *args])


from nakhon.tax.cli import tax  # noqa: E402 - light: click only; Django loads per command

main.add_command(tax)

if __name__ == "__main__":  # pragma: no cover
    main()
