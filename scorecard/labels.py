"""The one place codes become words: breakdowns, Home Office outcome codes, bases, units,
statistics, levels, sides and extract kinds, as a person reads them.

The words live in versioned reference data (``reference/data/labels.yaml``, outcome names in
``outcome_types.csv``); this module only reads them. It sits in the kernel so the dashboard,
the board pack and the warehouse's exports all take the same words. Machine outputs (the
metrics export, ``/api/metrics``) keep the codes.

An unknown code never breaks a page: it is shown with underscores as spaces. The unit tests
(tests/unit/test_labels.py) make sure every code the pipeline can produce has a real label.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from scorecard import reference

LABELS_FILE = "labels.yaml"


@cache
def _doc() -> dict[str, Any]:
    doc = yaml.safe_load(reference.read_text(LABELS_FILE)) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{LABELS_FILE}: expected a mapping at the top level")
    return doc


def _section(name: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in (_doc().get(name) or {}).items()}


def humanise(code: str) -> str:
    """The fallback for a code without a label: underscores as spaces."""
    return code.replace("_", " ")


@cache
def outcome_names() -> dict[str, str]:
    """Home Office outcome code -> name (outcome_types.csv)."""
    return {r["code"].lower(): r["name"] for r in reference.read_csv("outcome_types.csv")}


def outcome(code: str) -> str:
    """A Home Office outcome code as its name: '16' -> 'Evidential difficulties: ...
    (outcome 16)'. The number stays, in words, because analysts and forces know them."""
    name = outcome_names().get(str(code).lower())
    return f"{name} (outcome {code})" if name else f"outcome {code}"


# --- breakdowns ---------------------------------------------------------------------------

# Breakdowns whose values are Home Office outcome codes (unless labels.yaml names the value).
OUTCOME_BREAKDOWNS = ("outcome", "police_nfa_outcome")


@cache
def _breakdowns() -> dict[str, dict[str, Any]]:
    return {str(k): v or {} for k, v in (_doc().get("breakdowns") or {}).items()}


def breakdown_names() -> tuple[str, ...]:
    """Every breakdown name with a label."""
    return tuple(_breakdowns())


def breakdown_name(name: str) -> str:
    """'team_type' -> 'Investigating team'."""
    entry = _breakdowns().get(name)
    return str(entry["label"]) if entry and entry.get("label") else humanise(name).capitalize()


def has_value_label(name: str, value: str) -> bool:
    """Whether the value has its own label (labels.yaml, or an outcome name)."""
    values = (_breakdowns().get(name) or {}).get("values") or {}
    if str(value) in {str(k) for k in values}:
        return True
    return name in OUTCOME_BREAKDOWNS and str(value).lower() in outcome_names()


def breakdown_value(name: str, value: str) -> str:
    """'team_type', 'non_specialist' -> 'non-specialist team'; an outcome code -> its name."""
    values = {
        str(k): str(v) for k, v in ((_breakdowns().get(name) or {}).get("values") or {}).items()
    }
    if str(value) in values:
        return values[str(value)]
    if name in OUTCOME_BREAKDOWNS:
        return outcome(value)
    return humanise(str(value))


def all_cases() -> str:
    return str(_doc().get("all_cases") or "all cases")


def breakdown(code: str | None) -> str:
    """A breakdown code as words: '' -> 'all cases'; 'sex=u' -> "Victim's sex: not known";
    'outcome=16' -> 'Outcome: Evidential difficulties: ... (outcome 16)'."""
    if not code:
        return all_cases()
    name, sep, value = str(code).partition("=")
    if not sep:
        return breakdown_name(name)
    return f"{breakdown_name(name)}: {breakdown_value(name, value)}"


# --- bases, units, statistics, levels, sides, extract kinds --------------------------------


def _lookup(section: str, code: str) -> str:
    return _section(section).get(str(code), humanise(str(code)))


def basis(code: str) -> str:
    """'period' -> 'events in the period'; 'cohort' -> 'cohort: offences recorded ...'."""
    return _lookup("bases", code)


def unit(code: str) -> str:
    """A catalogue unit as a figure is read ('percent' -> '%', 'per_100' -> 'per 100')."""
    return _lookup("units", code)


def change_unit(code: str) -> str:
    """The unit of a change in a figure: 'percent' -> 'percentage points' (never 'pp')."""
    return _section("change_units").get(str(code), unit(code))


def statistic(code: str) -> str:
    """'count' -> 'number', 'median' -> 'median (middle value)'."""
    return _lookup("statistics", code)


def level(code: str) -> str:
    """'cps_area' -> 'CPS Area'."""
    return _lookup("levels", code)


def side(code: str) -> str:
    """'joint' -> 'Joint (police and CPS)'."""
    return _lookup("sides", code)


def direction(code: str) -> str:
    """'lower_is_better' -> 'lower is better'."""
    return _lookup("directions", code)


def extract_kind(code: str) -> str:
    """'police_cases' -> 'police case records'."""
    return _lookup("extract_kinds", code)


def section_codes(section: str) -> tuple[str, ...]:
    """The codes a section labels (for tests: every code in use must be here)."""
    return tuple(_section(section))
