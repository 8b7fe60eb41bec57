"""pytest fixtures: the demo city built once per test database, and clients per demo role.

The same builder as ``nakhon demo`` (``nakhon.demo.builder``) fills the test database, so tests
run against exactly what a person sees after command 1 of the README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

DEMO_PASSWORD = "demo-test-password"  # noqa: S105 - test fixture


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Build the demo city once into the test database (each test then rolls back)."""
    from nakhon.demo.builder import build_demo

    with django_db_blocker.unblock():
        build_demo(password=DEMO_PASSWORD, tax_collection=False)
    yield


@dataclass
class Demo:
    kk: Any  # Municipality khon-kaen
    sila: Any  # Municipality sila

    def user(self, username: str) -> Any:
        from nakhon.accounts.models import User

        return User.objects.get(username=username)


@pytest.fixture
def demo(db: None) -> Demo:
    from nakhon.accounts.models import Municipality

    return Demo(
        kk=Municipality.objects.get(slug="khon-kaen"), sila=Municipality.objects.get(slug="sila")
    )


@pytest.fixture
def demo_collection(demo: Demo) -> Demo:
    """The demo's tax collection cycle of 2568 (as ``nakhon demo`` builds it), made inside the
    test's transaction: runs issued, payments, a reversal, a warning notice, an objection."""
    from nakhon.accounts.models import User
    from nakhon.core.audit import origin
    from nakhon.core.models import AuditEvent
    from nakhon.tax.demo import build_tax_collection

    with origin(via=AuditEvent.Via.CLI):
        build_tax_collection(demo.kk, User.objects.get(username="kk-tax"))
    return demo


@pytest.fixture
def client_as(db: None) -> Callable[[str | None], Client]:
    """``client_as("kk-admin")``: a test client signed in as that demo user (None: public)."""

    def make(username: str | None) -> Client:
        from nakhon.accounts.models import User

        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def token_for(db: None) -> Callable[..., str]:
    """``token_for("kk-admin", scopes=["read"], municipality="khon-kaen")`` → raw API token."""

    def make(
        username: str, *, scopes: list[str] | None = None, municipality: str = "khon-kaen"
    ) -> str:
        from nakhon.accounts.models import Municipality, User
        from nakhon.accounts.services import api_token_create

        user = User.objects.get(username=username)
        issued = api_token_create(
            actor=user,
            municipality=Municipality.objects.get(slug=municipality),
            user=user,
            name="test",
            scopes=scopes or ["read"],
        )
        return issued.raw

    return make


@pytest.fixture
def fresh_lake(tmp_path: Any, settings: Any) -> Any:
    """A lake of the test's own (the test database rolls back; a lake does not)."""
    lake_dir = tmp_path / "lake"
    settings.NAKHON_LAKE_DIR = lake_dir
    settings.NAKHON_LAKE_CATALOG_URL = f"sqlite:///{lake_dir / 'catalog.sqlite3'}"
    settings.NAKHON_REPORT_DIR = tmp_path / "reports"
    settings.NAKHON_UPLOAD_DIR = tmp_path / "uploads"
    return lake_dir


@pytest.fixture
def task_queue(settings: Any, monkeypatch: Any) -> None:
    """Background tasks wait in the queue (the ``database`` backend, as deployed) until the test
    runs them with ``nakhon.core.workers.TaskWorkers.drain()`` (the worker loop, in the test's
    own thread and transaction). The test settings otherwise run tasks at once."""
    settings.NAKHON_TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # the loop drops a connection inside a transaction (it expects none): keep the test's
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
