"""The explanation of a land and building tax quote names its first step properly: the value
the person gave is "Appraised value" (``มูลค่าทรัพย์สิน``), not "Appraised value value" — the
quote's one item is called ``value`` internally and that name leaked into the label."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nakhon.cli import main
from nakhon.tax.tests.test_quotes import LAND


@pytest.mark.parametrize("use", ["residential-primary", "commercial", "vacant"])
def test_first_step_of_a_quote_is_the_appraised_value(use: str) -> None:
    args = [*LAND[: LAND.index("--use") + 1], use, *LAND[LAND.index("--use") + 2 :], "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["steps"][0]
    assert first["code"] == "value"
    assert (first["label_en"], first["label_th"]) == ("Appraised value", "มูลค่าทรัพย์สิน")
    assert first["value"].replace(",", "").startswith("60000000")
