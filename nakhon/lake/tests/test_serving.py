"""The serving database and the quick conversion of filter values."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import duckdb
import pytest

from nakhon.lake import query, serving


def test_requests_arriving_together_share_one_serving_database(monkeypatch: Any) -> None:
    # a fresh process: the first requests came together and each opened a database of its
    # own, so a version loaded by one was "missing" for the others
    monkeypatch.setattr(serving, "_database", None)
    slow_connect = serving.duck.connect

    def connect(**kwargs: Any) -> duckdb.DuckDBPyConnection:
        barrier_wait()
        return slow_connect(**kwargs)

    barrier = threading.Barrier(4, timeout=0.5)

    def barrier_wait() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(serving.duck, "connect", connect)
    seen: list[Any] = []
    threads = [threading.Thread(target=lambda: seen.append(serving._db())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(db) for db in seen}) == 1
    serving._database = None  # monkeypatch restores the original after


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("42", "BIGINT"),
        ("-7", "INTEGER"),
        ("3000000000", "INTEGER"),  # out of range: DuckDB's error, not a quick value
        ("007", "BIGINT"),
        ("1.5", "DOUBLE"),
        ("82015", "DECIMAL(18,2)"),
        ("82015.5", "DECIMAL(18,2)"),
        ("1.234", "DECIMAL(18,2)"),  # rounded by DuckDB: left to it
        ("123456", "DECIMAL(5,2)"),  # too wide: NULL from DuckDB
        ("2024-02-29", "DATE"),
        ("2023-02-29", "DATE"),
        ("2567-01-01", "DATE"),
        ("1,000", "BIGINT"),
    ],
)
def test_quick_cast_agrees_with_try_cast(text: str, kind: str) -> None:
    con = duckdb.connect()
    row = con.execute(f"SELECT TRY_CAST(? AS {kind})", [text]).fetchone()
    expected = row[0] if row else None
    quick = query._quick_cast(text, kind)
    if quick is not None:
        assert quick == expected
    if expected is None:
        assert quick is None
