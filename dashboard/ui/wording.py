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
