"""Batch printing of notices (pure, no Django): one PDF per notice and one merged PDF.

Chunks of notices are rendered in worker processes, each writing its notices' own files;
the parent writes the merged file page by page as the chunks come back in order, so memory
stays bounded (a few chunks in flight) whatever the number of notices.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nakhon.tax.notices import pdf
from nakhon.tax.notices.render import NoticeData, draw

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class BatchResult:
    folder: Path
    merged: Path
    notices: int
    pages: int


def _file_name(data: NoticeData) -> str:
    return f"{data.form}-{data.tax_year}-{data.number.split('/')[0].zfill(7)}.pdf"


def _render_chunk(items: list[NoticeData], folder: str) -> list[tuple[str, bytes, Any]]:
    """In a worker: write each notice's own PDF; return the pages' content for the merge."""
    fonts = pdf.sarabun()
    done = []
    for data in items:
        pages = draw(data, fonts)
        contents = [p.content() for p in pages]
        name = _file_name(data)
        with open(os.path.join(folder, name), "wb") as fh:
            writer = pdf.Writer(fh, fonts, title=f"{data.form} {data.number}")
            for page, content in zip(pages, contents, strict=True):
                writer.add(page, content)
            writer.close()
        for page, content in zip(pages, contents, strict=True):
            done.append((name, content, _glyphs(page, fonts)))
    return done


def _glyphs(page: pdf.Page, fonts: tuple[pdf.Font, ...]) -> dict[int, list[tuple[int, str]]]:
    """The glyphs of a page with their text (the worker's shaping found the alternates)."""
    return {i: [(g, fonts[i].to_unicode.get(g, "")) for g in gids] for i, gids in page.used.items()}


def _chunks(items: Iterator[NoticeData], size: int) -> Iterator[list[NoticeData]]:
    chunk: list[NoticeData] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def print_batch(
    items: Iterator[NoticeData],
    total: int,
    folder: Path,
    *,
    merged_name: str = "all-notices.pdf",
    progress: Progress | None = None,
    workers: int | None = None,
    chunk: int = 200,
) -> BatchResult:
    """Write each notice as its own PDF into ``folder`` and all of them into one merged PDF.

    Pure of Django: ``items`` is any iterator of ``NoticeData`` (the benchmark feeds generated
    ones). Chunks are rendered in ``workers`` processes; the merged file is written as the
    chunks come back, in order, so memory stays bounded (a few chunks in flight).
    """
    folder.mkdir(parents=True, exist_ok=True)
    fonts = pdf.sarabun()
    merged = folder / merged_name
    workers = workers or min(2, os.cpu_count() or 1)
    done = pages = 0
    with merged.open("wb") as fh:
        writer = pdf.Writer(fh, fonts, title=merged_name)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending: list[Any] = []
            for part in _chunks(items, chunk):
                pending.append((len(part), pool.submit(_render_chunk, part, str(folder))))
                while len(pending) > workers * 2:
                    done, pages = _drain(
                        pending.pop(0), writer, fonts, done, pages, total, progress
                    )
            for item in pending:
                done, pages = _drain(item, writer, fonts, done, pages, total, progress)
        writer.close()
    return BatchResult(folder, merged, done, pages)


def _drain(
    item: Any,
    writer: pdf.Writer,
    fonts: tuple[pdf.Font, ...],
    done: int,
    pages: int,
    total: int,
    progress: Progress | None,
) -> tuple[int, int]:
    count, future = item
    for _name, content, glyphs in future.result():
        page = pdf.Page(fonts)
        for i, pairs in glyphs.items():
            page.used[i] = {g for g, _t in pairs}
            for g, text in pairs:
                if text:
                    fonts[i].to_unicode.setdefault(g, text)
        writer.add(page, content)
        pages += 1
    done += count
    if progress:
        progress(done, total)
    return done, pages
