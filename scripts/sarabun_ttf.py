"""Build the TrueType fonts the PDF notices embed from the vendored Sarabun web fonts.

The vendored files (nakhon/static/vendor/sarabun, from @fontsource/sarabun, OFL 1.1) are WOFF2
split by script; a PDF needs one TrueType font with Thai and Latin. This merges the ``thai``
and ``latin`` subsets of a weight into nakhon/tax/notices/fonts/Sarabun-<Weight>.ttf.
Needs fontTools and brotli (dev dependencies). Run: ``.venv/bin/python scripts/sarabun_ttf.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fontTools.merge import Merger, Options
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "nakhon/static/vendor/sarabun/files"
TARGET = ROOT / "nakhon/tax/notices/fonts"


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for weight, name in (("400", "Regular"), ("700", "Bold")):
            parts = []
            for subset in ("latin", "thai"):
                font = TTFont(SOURCE / f"sarabun-{subset}-{weight}-normal.woff2")
                font.flavor = None
                path = Path(tmp) / f"{subset}-{weight}.ttf"
                font.save(path)
                parts.append(str(path))
            merged = Merger(options=Options(drop_tables=["vhea", "vmtx"])).merge(parts)
            merged["name"].setName(f"Sarabun {name}", 4, 3, 1, 0x409)
            merged["name"].setName(f"Sarabun-{name}", 6, 3, 1, 0x409)
            merged.save(TARGET / f"Sarabun-{name}.ttf")
            print(TARGET / f"Sarabun-{name}.ttf")


if __name__ == "__main__":
    main()
