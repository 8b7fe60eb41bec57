"""Run the real ``nakhon`` command in a subprocess, with its own data directory (SQLite)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

NAKHON = str(Path(sys.executable).with_name("nakhon"))
ROOT = Path(__file__).resolve().parent.parent
#: the "http://…/accounts/link/…/" one-time sign-in link that `nakhon` and `nakhon login-link` print
SIGN_IN_LINK = re.compile(r"(http://\S+/accounts/link/\S+/)")


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh machine: no Django settings from pytest, no database URL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NAKHON_", "DJANGO_")) and k not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env["NAKHON_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def run(
    data_dir: Path,
    *args: str,
    timeout: float = 120,
    input: str | None = None,
    env: dict[str, str] | None = None,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NAKHON, *args],
        env=cli_env(data_dir, **(env or {}), **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    data_dir: Path

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def sign_in_link(self) -> str:
        match = SIGN_IN_LINK.search(self.output)
        if not match:
            raise AssertionError("no sign-in link printed:\n" + self.output)
        return match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(
    data_dir: Path,
    *args: str,
    timeout: float = 180,
    env: dict[str, str] | None = None,
    **extra: str,
) -> Server:
    """Start ``nakhon [args]`` and wait until /healthz answers; its output goes to a log file.
    ``env`` and ``extra``: more environment variables (``NAKHON_API_RATE_LIMIT="0"``)."""
    port = free_port()
    log = data_dir.parent / f"{data_dir.name}-server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [NAKHON, *args],
            env=cli_env(data_dir, NAKHON_PORT=str(port), **(env or {}), **extra),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log, data_dir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("nakhon exited:\n" + server.output)
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise AssertionError("nakhon did not answer /healthz in time:\n" + server.output)


def login_link(server: Server, username: str, next_path: str) -> str:
    """A one-time sign-in link for ``username`` from ``nakhon login-link USERNAME --next
    NEXT_PATH``, run on ``server``'s data directory and port (``Server.sign_in_link`` is the
    link the server printed when it started)."""
    port = server.base_url.rsplit(":", 1)[1]
    result = run(server.data_dir, "login-link", username, "--next", next_path, NAKHON_PORT=port)
    assert result.returncode == 0, result.stderr
    match = SIGN_IN_LINK.search(result.stdout)
    assert match, result.stdout
    return match.group(1)


# Debian's Chromium, driven by Playwright in the browser tests (skipped where it is absent).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"]


def require_chromium() -> None:
    """Skip the calling test module (called at its top level) or test (from a fixture) where
    Chromium or Playwright is absent."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium for one test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def shot_path(name: str, docs: bool | str = True) -> Path:
    """Where the screenshot ``name`` goes: ``test-results/NAME.png``; with NAKHON_SCREENSHOTS=docs
    (``make screenshots``) ``docs/screenshots/NAME.png`` instead, or ``docs/screenshots/DOCS.png``
    where ``docs`` is a name, and still ``test-results/`` where ``docs`` is False."""
    if docs and os.environ.get("NAKHON_SCREENSHOTS") == "docs":
        folder, name = ROOT / "docs" / "screenshots", name if docs is True else str(docs)
    else:
        folder = ROOT / "test-results"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


def shot(page: Any, name: str, docs: bool | str = True) -> None:
    """A screenshot of the whole page (see ``shot_path``)."""
    page.screenshot(path=str(shot_path(name, docs)), full_page=True)
