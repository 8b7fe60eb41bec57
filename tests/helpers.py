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

NAKHON = str(Path(sys.executable).with_name("nakhon"))


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
        match = re.search(r"(http://\S+/accounts/link/\S+/)", self.output)
        if not match:
            raise AssertionError("no sign-in link printed:\n" + self.output)
        return match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(data_dir: Path, *args: str, timeout: float = 180, **extra: str) -> Server:
    """Start ``nakhon [args]`` and wait until /healthz answers; its output goes to a log file.
    ``extra``: more environment variables (``NAKHON_API_RATE_LIMIT="0"``)."""
    port = free_port()
    log = data_dir.parent / f"{data_dir.name}-server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [NAKHON, *args],
            env=cli_env(data_dir, NAKHON_PORT=str(port), **extra),
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


# Debian's Chromium, driven by Playwright in the browser tests (skipped where it is absent).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"]


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
