"""Fixtures of the browser tests (tests/test_browser*.py, tests/test_accessibility.py): the real
``nakhon`` and a headless Chromium, each started once per test module. The demo-city fixtures
of every test are in the root conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import Server, chromium, require_chromium, start


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """More environment variables for ``server``; a module overrides this fixture to set some
    (``{"NAKHON_API_RATE_LIMIT": "0"}``)."""
    return {}


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    server_env: dict[str, str],
) -> Iterator[Server]:
    """``nakhon`` (command 1 of the README: the demo city) on a fresh data directory named
    after the test module, stopped after the module's last test."""
    module = request.module.__name__.rpartition(".")[2]  # "test_browser_tax"
    running = start(tmp_path_factory.mktemp(module), env=server_env)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for one test module; the test is skipped where it is absent."""
    require_chromium()
    with chromium() as launched:
        yield launched
