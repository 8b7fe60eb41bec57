"""System checks behind ``nakhon check``: what is misconfigured, with the fix."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@register(Tags.security, deploy=False)
def check_production(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    messages: list[Any] = []
    if settings.PRODUCTION:
        if "localhost" in settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
            messages.append(
                Warning(
                    "NAKHON_ALLOWED_HOSTS contains localhost or *",
                    hint="List only the public host names of this site.",
                    id="nakhon.W001",
                )
            )
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            messages.append(
                Warning(
                    "Production is running on SQLite",
                    hint="Set DATABASE_URL=postgres://… for a multi-user deployment.",
                    id="nakhon.W002",
                )
            )
    return messages


@register(Tags.database)
def check_data_dir(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    data_dir = settings.DATA_DIR
    if not os.access(data_dir, os.W_OK):
        return [
            Error(
                f"NAKHON_DATA_DIR {data_dir} is not writable",
                hint="Point NAKHON_DATA_DIR at a directory this user can write.",
                id="nakhon.E001",
            )
        ]
    return []


def check_database() -> list[Any]:
    """Not a registered check (it touches the database): used by ``nakhon check``."""
    try:
        connection.ensure_connection()
    except Exception as exc:
        return [
            Error(
                f"cannot connect to the database: {exc}".strip(),
                hint="Check DATABASE_URL, or unset it to use SQLite in NAKHON_DATA_DIR.",
                id="nakhon.E002",
            )
        ]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return [
            Warning(
                f"{len(plan)} database migrations are not applied",
                hint="Run `nakhon migrate` (or `nakhon demo`, which migrates first).",
                id="nakhon.W003",
            )
        ]
    from nakhon.accounts.models import Municipality

    if not Municipality.objects.exists():
        return [
            Info(
                "no municipality yet",
                hint="Run `nakhon demo` for the demo city or `nakhon city add PROFILE.toml`.",
                id="nakhon.I001",
            )
        ]
    return []
