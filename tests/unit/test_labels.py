"""Labels (scorecard/labels.py): every code the pipeline can put in front of a person has
plain words, read from one place.

The breakdown values a metric can produce are read from its SQL (literal ``'name=value'``
codes) and, where the SQL builds the value from a column (``'name=' || column``), from the
extract contract's enumeration of that column. A new breakdown, a new literal value or a new
enumeration value without a label fails here, before a person sees a code."""

from __future__ import annotations

import re

import pytest

from scorecard import contract, labels, reference
from warehouse.metrics import catalogue

# Where the SQL builds a breakdown's value from a column: the values that column can hold
# (the extract contract's enumerations, plus what the SQL itself adds).
DYNAMIC_VALUES: dict[str, tuple[str, ...]] = {
    "sex": contract.SEX,
    "age_band": contract.AGE_BANDS,
    "ethnicity": contract.ETHNICITY,
    "team_type": contract.TEAM_TYPES,
    # metric__engage.withdrawal_stage_reason.sql: missing stage, or a missing or 'u' reason,
    # is 'not_recorded'.
    "stage": (*contract.WITHDRAWAL_STAGES, "not_recorded"),
    "reason": (*(r for r in contract.WITHDRAWAL_REASONS if r != "u"), "not_recorded"),
    # metric__quality.early_advice.sql: coalesce(cps_decision, 'none').
    "cps_decision": (*contract.DECISIONS, "none"),
    # metric__engage.vrr_takeup.sql: the two decision makers of its CTE.
    "decision_by": ("police", "cps"),
    # metric__mix.outcome.sql: open, charge, other, or the outcome code itself.
    "outcome": ("open", "charge", "other", *reference.outcome_codes()),
    "police_nfa_outcome": reference.outcome_codes(),
}
LITERAL = re.compile(r"'([a-z_]+)=([A-Za-z0-9_+-]+)'")
BUILT = re.compile(r"'([a-z_]+)=' \|\||\bd\.name \|\| '='")
CODE_PATTERNS = (
    re.compile(r"\b[a-z]+_[a-z_]+\b"),
    re.compile(r"\w=\w"),
    re.compile(r"outcome: \d"),
)


def _produced() -> dict[str, set[str]]:
    """Breakdown name -> every value the catalogue's metric SQL can produce."""
    out: dict[str, set[str]] = {}
    for m in catalogue.load():
        sql = m.sql_text()
        literal = LITERAL.findall(sql)
        for name, value in literal:
            assert name in m.breakdowns, f"{m.id}: SQL makes '{name}=' not in its breakdowns"
            out.setdefault(name, set()).add(value)
        built = bool(BUILT.search(sql))
        for name in m.breakdowns:
            if built and name in DYNAMIC_VALUES:
                out.setdefault(name, set()).update(DYNAMIC_VALUES[name])
            assert name in out, (
                f"{m.id}: no known values for breakdown {name!r}; add its value domain to "
                "DYNAMIC_VALUES in this test and its labels to labels.yaml"
            )
    return out


def _looks_like_code(text: str) -> bool:
    return any(p.search(text) for p in CODE_PATTERNS)


def test_every_breakdown_value_the_pipeline_can_produce_has_a_label() -> None:
    produced = _produced()
    assert {"sex", "team_type", "plans", "view", "outcome", "measure"} <= set(produced)
    missing = [
        f"{name}={value}"
        for name, values in sorted(produced.items())
        for value in sorted(values)
        if not labels.has_value_label(name, value)
    ]
    assert missing == [], f"add labels to scorecard/reference/data/labels.yaml for {missing}"
    unnamed = [n for n in produced if n not in labels.breakdown_names()]
    assert unnamed == []


def test_no_breakdown_label_reads_as_a_code() -> None:
    for name, values in _produced().items():
        for value in values:
            text = labels.breakdown(f"{name}={value}")
            assert not _looks_like_code(text), (name, value, text)
            assert "_" not in text, text


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "all cases"),
        (None, "all cases"),
        ("team_type=non_specialist", "Investigating team: non-specialist team"),
        ("plans=more_than_1", "Action plans per referral: more than one"),
        ("view=cps", "Counted from: CPS referrals received"),
        ("sex=u", "Victim's sex: not known"),
        ("sex=x", "Victim's sex: other or indeterminate"),
        ("age_band=65+", "Victim's age: 65 and over"),
        ("characteristic=sexual_orientation", "Characteristic recorded: sexual orientation"),
        ("outcome=charge", "Outcome: charged or summonsed (outcomes 1 and 1a)"),
    ],
)
def test_breakdown_words(code: str | None, words: str) -> None:
    assert labels.breakdown(code) == words


def test_outcome_codes_read_as_home_office_names() -> None:
    text = labels.breakdown("outcome=16")
    assert text.startswith("Outcome: Evidential difficulties: named suspect identified; victim")
    assert text.endswith("(outcome 16)")
    assert labels.breakdown("police_nfa_outcome=18").startswith(
        "Police no-further-action outcome: Investigation complete - no suspect identified"
    )
    for code in reference.outcome_codes():
        assert code in labels.outcome(code) and len(labels.outcome(code)) > 15


def test_an_unknown_code_still_reads_as_words() -> None:
    assert labels.breakdown("new_name=some_value") == "New name: some value"
    assert labels.basis("new_basis") == "new basis"


def test_every_catalogue_code_has_a_label() -> None:
    metrics = catalogue.load()
    sections = {
        "bases": catalogue.BASES,
        "units": catalogue.UNITS,
        "change_units": catalogue.UNITS,
        "statistics": catalogue.STATS,
        "levels": catalogue.LEVELS,
        "sides": catalogue.SIDES,
        "directions": catalogue.DIRECTIONS,
        "extract_kinds": tuple(contract.KINDS),
    }
    for section, codes in sections.items():
        assert set(codes) <= set(labels.section_codes(section)), section
    used = {b for m in metrics for b in m.basis} | {s for m in metrics for s in m.stats}
    assert used <= set(labels.section_codes("bases")) | set(labels.section_codes("statistics"))


def test_bases_units_and_statistics_in_words() -> None:
    assert labels.basis("period") == "events in the period"
    assert labels.basis("cohort").startswith("cohort: offences recorded in the period")
    assert labels.change_unit("percent") == "percentage points"
    assert labels.unit("per_100") == "per 100"
    assert labels.statistic("count") == "number"
    assert labels.level("cps_area") == "CPS Area"
    words = [labels.basis(b) for b in catalogue.BASES] + [labels.unit(u) for u in catalogue.UNITS]
    words += [labels.statistic(s) for s in catalogue.STATS] + [
        labels.level(lv) for lv in catalogue.LEVELS
    ]
    assert not [w for w in words if _looks_like_code(w) or w == "pp"]


def test_no_stale_breakdown_labels() -> None:
    """labels.yaml names exactly the catalogue's breakdowns (a renamed one is caught too)."""
    used = {b for m in catalogue.load() for b in m.breakdowns}
    assert set(labels.breakdown_names()) == used
