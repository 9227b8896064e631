"""How figures and their statistical status are put in words: the one home of each wording.

Every page, table alternative, CSV and the board pack take their words from here, so the
same value, funnel position or SPC status never reads two ways. Pure functions of their
arguments (no Dash, no snapshot), so the data modules can build display frames with them.
"""

from __future__ import annotations

import math
from typing import Any

from warehouse.metrics import spc

SUPPRESSION_REASONS = {
    "small_count": "suppressed (count of 1-4)",
    "small_base": "suppressed (fewer than 10 cases)",
}


def suppressed_text(reason: str | None) -> str:
    if not reason:
        return ""
    return SUPPRESSION_REASONS.get(reason, f"suppressed ({reason.replace('_', ' ')})")


def format_value(value: Any, unit: str, suppressed: str | None = None) -> str:
    """A figure as shown: suppressed with its reason, or rounded for its unit."""
    if suppressed:
        return suppressed_text(suppressed)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit in {"per_100", "ratio"}:
        return f"{value:.1f}"
    if unit == "days":
        return f"{value:.0f} days"
    return f"{value:,.0f}"


# --- funnel position against national (mart.metric_values.position) ----------------------

POSITION_TEXT = {
    "above": "▲ above national (outside 99.8% limits)",
    "within": "● within national limits",
    "below": "▼ below national (outside 99.8% limits)",
}
POSITION_NONE = "– not compared"
POSITION_SUPPRESSED = "– not compared (suppressed)"
POSITION_NO_FIGURES = "– not compared (no figures)"


def position_text(position: str | None) -> str:
    return POSITION_TEXT.get(position or "", POSITION_NONE)


# --- SPC variation (mart.spc.variation, from warehouse.metrics.spc.variation) -------------

SPC_TEXT = {
    "improving": "▲ improving (special cause)",
    "concerning": "▼ concerning (special cause)",
    "common_cause": "● common cause (no significant change)",
    "special_cause_neither": "◆ special cause (neither better nor worse)",
}
SPC_NONE = "– no SPC (too few quarters or suppressed)"
# A special cause's judgement in one word or two (legends, tables).
SPC_WORD = {
    "improving": "improving",
    "concerning": "concerning",
    "special_cause_neither": "neither better nor worse",
}


def spc_text(variation: str | None) -> str:
    return SPC_TEXT.get(variation or "", SPC_NONE)


def special_cause_variation(side: str, direction: str) -> str:
    """The variation of a special cause on ``side`` (high/low) for a metric's direction: the
    warehouse's rule (:func:`warehouse.metrics.spc.variation`), not a second copy."""
    return spc.variation(True, side, direction)


def special_cause_text(side: str, direction: str) -> str:
    """A special-cause quarter in words for a table: 'yes, high (improving)'."""
    return f"yes, {side} ({SPC_WORD[special_cause_variation(side, direction)]})"


def spc_rules_text(rules: object) -> str:
    """The SPC rules a point broke, as words ('beyond_limits,run' -> 'beyond limits, run')."""
    return str(rules).replace(",", ", ").replace("_", " ")


# --- headline wording: position against national and change, with the metric's direction -

# (direction, position) -> words. The funnel says above / within / below national; the
# catalogue's direction says whether that is better or worse. A neutral metric stays neutral.
POSITION_WORDS = {
    ("higher_is_better", "above"): "significantly better than national: outside the 99.8% limits",
    ("higher_is_better", "below"): "significantly worse than national: outside the 99.8% limits",
    ("lower_is_better", "above"): "significantly worse than national: outside the 99.8% limits",
    ("lower_is_better", "below"): "significantly better than national: outside the 99.8% limits",
    ("neutral", "above"): "significantly higher than national: outside the 99.8% limits",
    ("neutral", "below"): "significantly lower than national: outside the 99.8% limits",
}
POSITION_SAME = "no different from national"


def position_words(direction: str, position: str | None) -> str:
    """The position against national in words that say whether it is good or bad:
    'significantly worse than national: outside the 99.8% limits', 'no different from
    national'; a neutral metric is 'higher' or 'lower', never better or worse."""
    if position == "within":
        return POSITION_SAME
    return POSITION_WORDS.get((direction, position or ""), POSITION_NONE.lstrip("– "))


def position_tone(direction: str, position: str | None) -> str:
    """'good', 'bad' or 'neutral' for the position (styles and the needs-attention list)."""
    words = position_words(direction, position)
    if words.startswith("significantly better"):
        return "good"
    if words.startswith("significantly worse"):
        return "bad"
    return "neutral"


# The judgement of the change on a year earlier (warehouse.metrics.change.judgement).
CHANGE_WORDS = {
    "improving": "improving",
    "worsening": "worsening",
    "no_change": "no significant change",
    "changed": "changed (neither better nor worse)",
    "not_tested": "not tested",
}
CHANGE_SYMBOL = {"improving": "▲", "worsening": "▼", "no_change": "●", "changed": "◆"}


def change_words(judgement: str) -> str:
    return CHANGE_WORDS.get(judgement, CHANGE_WORDS["not_tested"])


def spc_point_variation(special: object, side: object, direction: str) -> str | None:
    """The SPC variation of one published point (None when the point has no judgement, e.g.
    suppressed): the warehouse's rule applied to that point's flags."""
    if special is None or (isinstance(special, float) and math.isnan(special)):
        return None
    side_s = side if isinstance(side, str) and side else None
    return spc.variation(bool(special), side_s, direction)


# --- /compare: why a unit is not compared (helper "stats") -------------------------------


def not_compared_text(suppressed: str | None) -> str:
    """'not compared: fewer than 10 cases' - a comparison left out always says why."""
    if suppressed:
        why = suppressed_text(suppressed)
        return "not compared: " + why.removeprefix("suppressed (").removesuffix(")")
    return "not compared: no figures for this period"


# --- editions ------------------------------------------------------------------------------
LATEST_TEXT = "Latest figures"


def day_words(when: Any) -> str:
    """'3 Dec 2026' (no leading zero), the way a board paper dates things."""
    return f"{when.day} {when:%b %Y}"


def edition_words(label: str | None, published_at: Any = None) -> str:
    """Which figures a page, CSV or board pack shows: a published edition or the latest."""
    if not label:
        return LATEST_TEXT
    when = f", published {day_words(published_at)}" if published_at is not None else ""
    return f"Edition: {label}{when}"


# --- attrition (stage three) ---------------------------------------------------------------
NOT_YET_SENT = "not yet sent"


def court_not_sent_words(names: list[str]) -> str:
    """'Court outcomes not yet sent by CPS London South' (and 'and' between several)."""
    if not names:
        return ""
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Court outcomes not yet sent by {joined}"
