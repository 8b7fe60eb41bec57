"""Schemathesis against the OpenAPI document of the running demo: no server error for any
generated request (schemathesis's ``not_a_server_error`` check), for every operation."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Server, run, start

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
pytestmark = pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(tmp_path_factory.mktemp("schemathesis"), NAKHON_API_RATE_LIMIT="0")
    yield running
    running.stop()


def admin_token(server: Server) -> str:
    """A read/write/personal API token of the demo city's admin, made in the server's data."""
    code = (
        "from nakhon.accounts.models import Municipality, User\n"
        "from nakhon.accounts.services import api_token_create\n"
        "u = User.objects.get(username='kk-admin')\n"
        "m = Municipality.objects.get(slug='khon-kaen')\n"
        "t = api_token_create(actor=u, municipality=m, user=u, name='schemathesis',\n"
        "    scopes=['read', 'write', 'personal'])\n"
        "print('TOKEN=' + t.raw)\n"
    )
    done = run(server.data_dir, "manage", "shell", "-c", code)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("TOKEN=")[1].split()[0]


@pytest.mark.parametrize("who", ["anonymous", "city admin"])
def test_no_operation_answers_with_a_server_error(server: Server, tmp_path: Path, who: str) -> None:
    auth = (
        ["--header", f"Authorization: Bearer {admin_token(server)}"] if who != "anonymous" else []
    )
    done = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{server.base_url}/api/v1/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "30",
            "--generation-deterministic",
            "--request-timeout",
            "30",
            "--workers",
            "1",  # schemathesis 4.32's coverage phase has a race with more workers
            *auth,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    assert "operations" in report.lower() or "passed" in report.lower(), report[-2000:]
    assert "Traceback" not in server.output, server.output[-4000:]
