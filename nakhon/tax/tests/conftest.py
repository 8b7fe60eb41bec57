"""Helpers of the tax tests: register files as tax offices keep them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nakhon.tax.demo import fake_id

TAXPAYERS_CSV = "code,kind,national_id,title,name,address,tambon\n"


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """``write_csv("x.csv", header, rows, encoding="cp874")`` → the file's path."""

    def make(name: str, header: str, rows: list[str], encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes((header + "".join(r + "\n" for r in rows)).encode(encoding))
        return path

    return make


def valid_id(seed: int, first: str = "1") -> str:
    import random

    return fake_id(random.Random(seed), first)
