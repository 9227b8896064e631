"""The headline scorecard's pure rules, on hand-worked figures: the change test (one function
per statistic), its judgement with the metric's direction, the position against national in
words (all nine direction x position cases), the catalogue's headline and theme fields, the
SPC quarter that goes with a period and the indexed count trend."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.data import area as area_data
from dashboard.data.headline import spc_quarter
from dashboard.ui import wording
from warehouse.metrics import catalogue
from warehouse.metrics.catalogue import CatalogueError, parse
from warehouse.metrics.change import Figure, change_test, judgement

# --- change_test -----------------------------------------------------------------------------


def test_two_proportion_z_test_by_hand() -> None:
    # 60/100 vs 45/100: pooled p = 0.525, se = sqrt(.525*.475*(2/100)) = 0.070622,
    # z = 0.15 / 0.070622 = 2.1240, two-sided p = 0.0337 -> significant at 5%.
    got = change_test("percent", Figure(60.0, 60, 100), Figure(45.0, 45, 100))
    assert got.tested and got.significant
    assert got.p_value == pytest.approx(0.03367, abs=2e-4)
    assert got.method == "two-proportion z-test"
    # 52/100 vs 45/100: z = 0.07 / 0.070622... = 0.99, p = 0.32 -> no significant change.
    flat = change_test("percent", Figure(52.0, 52, 100), Figure(45.0, 45, 100))
    assert flat.tested and not flat.significant and flat.p_value == pytest.approx(0.3213, abs=1e-3)


def test_poisson_counts_exact() -> None:
    # 13 vs 6: conditional on 19, 13 ~ Bin(19, 1/2); two-sided p = 2 * P(X >= 13) = 0.1671.
    got = change_test("count", Figure(13.0), Figure(6.0))
    assert got.tested and not got.significant and got.p_value == pytest.approx(0.1671, abs=1e-3)
    # 40 vs 20: p = 2 * P(X >= 40 | Bin(60, .5)) = 0.0135 -> significant.
    big = change_test("count", Figure(40.0), Figure(20.0))
    assert big.significant and big.p_value == pytest.approx(0.0135, abs=1e-3)
    assert big.sign == 1 and big.difference == 20.0


def test_poisson_rate_per_100_uses_the_exposure() -> None:
    # 30 referrals per 100 offences vs 30 per 200: rates 30 and 15 per 100. Under no change
    # 30 ~ Bin(45, 100/300); P two-sided < 0.01.
    got = change_test("per_100", Figure(30.0, 30, 100), Figure(15.0, 30, 200))
    assert got.significant and got.p_value is not None and got.p_value < 0.01
    # same rate on different exposure: no change at all
    same = change_test("per_100", Figure(10.0, 10, 100), Figure(10.0, 20, 200))
    assert same.tested and not same.significant


def test_mean_days_with_and_without_a_published_spread() -> None:
    # means 120 vs 100 days, n 100 each, sd 50: se = sqrt(25 + 25) = 7.07, z = 2.83 -> p 0.0047
    got = change_test("mean", Figure(120.0, None, 100, sd=50.0), Figure(100.0, None, 100, sd=50.0))
    assert got.significant and got.p_value == pytest.approx(0.00468, abs=2e-4)
    assert got.method == "z-test on the two means"
    # no sd: spread taken as the mean: se = sqrt(144 + 100) = 15.6, z = 1.28 -> not significant
    assumed = change_test("mean", Figure(120.0, None, 100), Figure(100.0, None, 100))
    assert not assumed.significant and "spread taken as equal to the mean" in assumed.method
    assert assumed.p_value == pytest.approx(2 * (1 - 0.8997), abs=2e-3)


def test_untested_cases() -> None:
    assert not change_test("median", Figure(10.0), Figure(8.0)).tested
    missing = change_test("percent", Figure(None), Figure(40.0, 4, 10))
    assert missing.difference is None and not missing.tested
    no_base = change_test("percent", Figure(50.0), Figure(40.0))
    assert no_base.difference == 10.0 and not no_base.tested


@pytest.mark.parametrize(
    ("direction", "now", "before", "expected"),
    [
        ("higher_is_better", 40.0, 20.0, "improving"),
        ("higher_is_better", 20.0, 40.0, "worsening"),
        ("lower_is_better", 40.0, 20.0, "worsening"),
        ("lower_is_better", 20.0, 40.0, "improving"),
        ("neutral", 40.0, 20.0, "changed"),
        ("neutral", 20.0, 40.0, "changed"),
        ("higher_is_better", 21.0, 20.0, "no_change"),
        ("neutral", 21.0, 20.0, "no_change"),
    ],
)
def test_judgement_uses_the_direction(
    direction: str, now: float, before: float, expected: str
) -> None:
    assert judgement(change_test("count", Figure(now), Figure(before)), direction) == expected


def test_judgement_not_tested() -> None:
    assert judgement(change_test("median", Figure(1.0), Figure(2.0)), "neutral") == "not_tested"
    assert wording.change_words("not_tested") == "not tested"
    assert wording.change_words("changed").startswith("changed")


# --- position against national in words: 3 directions x 3 positions ------------------------

WORSE = "significantly worse than national: outside the 99.8% limits"
BETTER = "significantly better than national: outside the 99.8% limits"


@pytest.mark.parametrize(
    ("direction", "position", "words", "tone"),
    [
        ("higher_is_better", "above", BETTER, "good"),
        ("higher_is_better", "within", "no different from national", "neutral"),
        ("higher_is_better", "below", WORSE, "bad"),
        ("lower_is_better", "above", WORSE, "bad"),
        ("lower_is_better", "within", "no different from national", "neutral"),
        ("lower_is_better", "below", BETTER, "good"),
        ("neutral", "above", "significantly higher than national: outside the 99.8% limits",
         "neutral"),
        ("neutral", "within", "no different from national", "neutral"),
        ("neutral", "below", "significantly lower than national: outside the 99.8% limits",
         "neutral"),
    ],
)  # fmt: skip
def test_position_words_all_nine_cases(
    direction: str, position: str, words: str, tone: str
) -> None:
    assert wording.position_words(direction, position) == words
    assert wording.position_tone(direction, position) == tone


def test_position_words_without_a_position() -> None:
    assert wording.position_words("higher_is_better", None) == "not compared"
    assert wording.position_tone("lower_is_better", None) == "neutral"


def test_spc_point_variation() -> None:
    assert wording.spc_point_variation(True, "high", "lower_is_better") == "concerning"
    assert wording.spc_point_variation(True, "high", "higher_is_better") == "improving"
    assert wording.spc_point_variation(False, None, "neutral") == "common_cause"
    assert wording.spc_point_variation(True, "low", "neutral") == "special_cause_neither"
    assert wording.spc_point_variation(None, None, "neutral") is None
    assert wording.spc_point_variation(math.nan, None, "neutral") is None


# --- catalogue: headline and theme ----------------------------------------------------------

ENTRY = """
  - id: {id}
    name: N
    definition: D
    stage: report
    side: police
    basis: [period]
    unit: count
    direction: neutral
    stats: [count]
    sql: x.sql
"""


def _doc(n: int, extra: str = "    theme: volume\n    headline: true\n") -> str:
    return "metrics:\n" + "".join(ENTRY.format(id=f"m{i}") + extra for i in range(n))


def test_catalogue_headline_and_theme_parse() -> None:
    ms = parse(_doc(8))
    assert all(m.headline and m.theme == "volume" for m in ms)
    plain = parse(_doc(2, ""))
    assert all(not m.headline and m.theme is None for m in plain)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_doc(1, "    theme: volumes\n"), "theme"),
        (_doc(8, "    headline: true\n"), "needs a theme"),
        (_doc(8, "    theme: quality\n    headline: yes please\n"), "true or false"),
        (_doc(7), "7 headline metrics"),
        (_doc(13), "13 headline metrics"),
    ],
)
def test_catalogue_rejects_bad_headline_entries(text: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        parse(text)


def test_the_catalogue_marks_8_to_12_headline_metrics_across_the_four_themes() -> None:
    heads = catalogue.headline()
    assert 8 <= len(heads) <= 12
    assert {m.theme for m in heads} == set(catalogue.THEMES)
    assert all(m.theme in catalogue.THEMES for m in catalogue.load())


# --- the SPC quarter of a period ------------------------------------------------------------


def test_spc_quarter_of_a_period() -> None:
    assert spc_quarter("2024-25", date(2025, 9, 30)) == (
        "2024-25-Q4",
        "Quarter 4 of 2024-25 (the last quarter of the year)",
    )
    assert spc_quarter("2025-26", date(2025, 9, 30))[0] == "2025-26-Q2"
    assert "latest complete quarter" in spc_quarter("2025-26", date(2025, 9, 30))[1]
    assert spc_quarter("2025-26", date(2025, 5, 1))[0] is None
    assert spc_quarter("2024-25-Q2", date(2025, 9, 30))[0] == "2024-25-Q2"


# --- area trend: counts indexed to a base year ----------------------------------------------


def test_counts_are_indexed_to_the_first_complete_year() -> None:
    quarters = [f"2022-23-Q{q}" for q in (1, 2, 3, 4)] + [f"2023-24-Q{q}" for q in (1, 2)]
    plot = pd.DataFrame(
        {
            "period": quarters * 2,
            "org": ["Kent"] * 6 + ["National"] * 6,
            "value": [10, 10, 10, None, 12, 15, 1000, 1000, 1000, 1000, 1100, 900],
        }
    )
    # Kent misses 2022-23 Q4, so no year is complete for both: no base.
    assert area_data.index_base_year(plot) is None
    plot.loc[3, "value"] = 30  # Kent 2022-23: 10, 10, 10, 30 -> mean 15
    assert area_data.index_base_year(plot) == "2022-23"
    got = area_data.indexed_counts(plot, "2022-23")
    assert got[4] == pytest.approx(80.0) and got[5] == pytest.approx(100.0)  # 12/15, 15/15
    assert got[10] == pytest.approx(110.0) and got[11] == pytest.approx(90.0)
