"""The extract contract (shared/design/extract-contract.md, version 1.1) as data.

One declaration serves the generator (what to write), the readers (how to type columns),
the Great Expectations suites (what to check) and the sender's rejection report (what the
rule was called). Each rule has a stable id, a severity (``must`` rejects the file, ``should``
warns) and the contract's own wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from scorecard import reference

CONTRACT_VERSION = "1.1"
# Kinds each version added: a sender of an earlier version sends none of these, and what they
# feed shows "not yet sent" for that sender, never zero.
KINDS_SINCE: dict[str, str] = {"cps_court_outcomes": "1.1"}
EARLIEST_DATE = date(2016, 4, 1)
EXTENSIONS = ("csv", "parquet", "xlsx")

ColumnType = Literal["text", "date", "flag", "enum", "integer", "number", "org_code", "fy"]
Severity = Literal["must", "should"]

FLAG_VALUES = ("y", "n")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    max_len: int | None = None
    values: tuple[str, ...] | None = None  # enumerations, stored lower case
    min_value: float | None = None
    max_value: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """A contract rule beyond a column's own type: see ``kind`` for the check it names.

    kinds: present, unique, unique_together, date_min, date_le_as_at, date_ge_column,
    required_when_present, required_when_value, required_unless_value, present_iff,
    empty_unless_value,
    reactivation, org_matches_file, force_in_area, urn_in_cases, date_ge_case_received,
    date_ge_case_decision, owner_of_rec, row_count_change.

    ``urn_in_cases`` with ``values`` restricts the cases to those whose decision is one of
    them (court outcomes: only charged cases).
    """

    id: str
    severity: Severity
    kind: str
    column: str
    text: str
    other: str | None = None
    values: tuple[str, ...] = ()
    param: str | None = None


@dataclass(frozen=True)
class ExtractKind:
    name: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    org_column: str | None = None  # column that must match the file name's org code
    senders: tuple[str, ...] = ("force", "cps_area", "national")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _flag(name: str) -> Column:
    return Column(name, "flag", values=FLAG_VALUES)


def _text(name: str, n: int, required: bool = False) -> Column:
    return Column(name, "text", required=required, max_len=n)


SEX = ("f", "m", "x", "u")
AGE_BANDS = ("16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "u")
ETHNICITY = ("white", "black", "asian", "mixed", "other", "u")
ORIENTATION = ("heterosexual", "gay_lesbian", "bisexual", "other", "u")
RELATIONSHIP = (
    "partner",
    "ex_partner",
    "acquaintance",
    "friend",
    "relative",
    "stranger",
    "other",
    "u",
)
TEAM_TYPES = ("specialist", "non_specialist")
EARLY_ADVICE = ("sought", "not_sought")
WITHDRAWAL_STAGES = ("before_account", "investigation", "awaiting_cps", "after_charge")
WITHDRAWAL_REASONS = (
    "time_taken",
    "relationship_with_suspect",
    "recovery_wellbeing",
    "fear_of_process",
    "lack_of_support",
    "other",
    "u",
)
REFERRAL_TYPES = ("early_advice", "charging_decision")
DECISIONS = ("charge", "nfa", "admin_finalised", "other", "pending")
PLEAS = ("guilty", "not_guilty", "mixed")
COURT_OUTCOMES = reference.court_outcome_codes()
# The CPS's own definition: a conviction for any offence is a successful prosecution.
SUCCESSFUL_OUTCOMES = reference.successful_court_outcomes()
MAX_INEFFECTIVE_TRIALS = 20
REC_STATUSES = ("not_started", "in_progress", "implemented", "verified", "not_applicable")


def _police_cases() -> ExtractKind:
    k = "police_cases"
    cols = (
        _text("crime_ref", 40, required=True),
        Column(
            "offence_code",
            "enum",
            required=True,
            values=tuple(c.lower() for c in reference.offence_codes()),
        ),
        Column("recorded_date", "date", required=True),
        Column("victim_sex", "enum", required=True, values=SEX),
        Column("victim_age_band", "enum", required=True, values=AGE_BANDS),
        Column("victim_ethnicity", "enum", required=True, values=ETHNICITY),
        _flag("victim_disability"),
        _flag("victim_mental_health"),
        Column("victim_sexual_orientation", "enum", required=True, values=ORIENTATION),
        Column("relationship", "enum", required=True, values=RELATIONSHIP),
        Column("team_type", "enum", required=True, values=TEAM_TYPES),
        _flag("investigator_trained"),
        _flag("victim_supported_at_outset"),
        _flag("isva_referral"),
        Column("safeguarding_referral", "enum", values=("y", "n", "na")),
        _flag("victim_contact_contract"),
        Column("early_advice", "enum", values=EARLY_ADVICE),
        _text("early_advice_reason", 200),
        Column("first_referral_date", "date"),
        _text("cps_urn", 40),
        Column("withdrawal_date", "date"),
        Column("withdrawal_stage", "enum", values=WITHDRAWAL_STAGES),
        Column("withdrawal_reason", "enum", values=WITHDRAWAL_REASONS),
        Column("outcome_code", "enum", values=tuple(c.lower() for c in reference.outcome_codes())),
        Column("outcome_date", "date"),
        Column("victim_informed_date", "date"),
        _flag("vrr_informed"),
        _flag("vrr_requested"),
    )
    rules = (
        Rule(f"{k}.crime_ref.unique", "must", "unique", "crime_ref", "crime_ref unique in file"),
        Rule(
            f"{k}.recorded_date.min",
            "must",
            "date_min",
            "recorded_date",
            "recorded_date >= 2016-04-01",
        ),
        Rule(
            f"{k}.recorded_date.as_at",
            "must",
            "date_le_as_at",
            "recorded_date",
            "recorded_date <= as_at",
        ),
        Rule(
            f"{k}.early_advice_reason.when_not_sought",
            "should",
            "required_when_value",
            "early_advice_reason",
            "early_advice_reason present when early_advice is not_sought",
            other="early_advice",
            values=("not_sought",),
        ),
        Rule(
            f"{k}.first_referral_date.after_recorded",
            "must",
            "date_ge_column",
            "first_referral_date",
            "first_referral_date >= recorded_date",
            other="recorded_date",
        ),
        Rule(
            f"{k}.first_referral_date.as_at",
            "must",
            "date_le_as_at",
            "first_referral_date",
            "first_referral_date <= as_at",
        ),
        Rule(
            f"{k}.cps_urn.when_referred",
            "must",
            "required_when_present",
            "cps_urn",
            "cps_urn present when first_referral_date is",
            other="first_referral_date",
        ),
        Rule(
            f"{k}.withdrawal_date.after_recorded",
            "must",
            "date_ge_column",
            "withdrawal_date",
            "withdrawal_date >= recorded_date",
            other="recorded_date",
        ),
        Rule(
            f"{k}.withdrawal_date.as_at",
            "must",
            "date_le_as_at",
            "withdrawal_date",
            "withdrawal_date <= as_at",
        ),
        Rule(
            f"{k}.withdrawal_stage.when_withdrawn",
            "should",
            "required_when_present",
            "withdrawal_stage",
            "withdrawal_stage present when withdrawal_date is",
            other="withdrawal_date",
        ),
        Rule(
            f"{k}.withdrawal_reason.when_withdrawn",
            "should",
            "required_when_present",
            "withdrawal_reason",
            "withdrawal_reason present when withdrawal_date is",
            other="withdrawal_date",
        ),
        Rule(
            f"{k}.outcome_date.iff_outcome",
            "must",
            "present_iff",
            "outcome_date",
            "outcome_date present if and only if outcome_code is",
            other="outcome_code",
        ),
        Rule(
            f"{k}.outcome_date.after_recorded",
            "must",
            "date_ge_column",
            "outcome_date",
            "outcome_date >= recorded_date",
            other="recorded_date",
        ),
        Rule(
            f"{k}.outcome_date.as_at",
            "must",
            "date_le_as_at",
            "outcome_date",
            "outcome_date <= as_at",
        ),
        Rule(
            f"{k}.victim_informed_date.after_outcome",
            "must",
            "date_ge_column",
            "victim_informed_date",
            "victim_informed_date >= outcome_date when present",
            other="outcome_date",
        ),
    )
    return ExtractKind(k, cols, rules, senders=("force",))


def _cps_cases() -> ExtractKind:
    k = "cps_cases"
    cols = (
        _text("urn", 40, required=True),
        Column("police_force_code", "org_code", required=True),
        _text("crime_ref", 40),
        Column("received_date", "date", required=True),
        Column("referral_type", "enum", required=True, values=REFERRAL_TYPES),
        _flag("file_standard_met"),
        Column("decision", "enum", required=True, values=DECISIONS),
        Column("decision_date", "date"),
        Column("reactivated_date", "date"),
        _flag("face_to_face_before_nfa"),
        Column("victim_letter_date", "date"),
        _flag("vrr_requested"),
        _flag("vrr_upheld"),
        _flag("police_appeal"),
        _flag("police_appeal_upheld"),
    )
    rules = (
        Rule(f"{k}.urn.unique", "must", "unique", "urn", "urn unique in file"),
        Rule(
            f"{k}.police_force_code.in_area",
            "must",
            "force_in_area",
            "police_force_code",
            "police_force_code is a force the reference mapping assigns to this CPS Area",
        ),
        Rule(
            f"{k}.crime_ref.present",
            "should",
            "present",
            "crime_ref",
            "crime_ref present (links to the police record)",
        ),
        Rule(
            f"{k}.received_date.min",
            "must",
            "date_min",
            "received_date",
            "received_date >= 2016-04-01",
        ),
        Rule(
            f"{k}.received_date.as_at",
            "must",
            "date_le_as_at",
            "received_date",
            "received_date <= as_at",
        ),
        Rule(
            f"{k}.decision_date.unless_pending",
            "must",
            "required_unless_value",
            "decision_date",
            "decision_date present unless decision is pending",
            other="decision",
            values=("pending",),
        ),
        Rule(
            f"{k}.decision_date.after_received",
            "must",
            "date_ge_column",
            "decision_date",
            "decision_date >= received_date",
            other="received_date",
        ),
        Rule(
            f"{k}.decision_date.as_at",
            "must",
            "date_le_as_at",
            "decision_date",
            "decision_date <= as_at",
        ),
        Rule(
            f"{k}.reactivated_date.after_admin_finalised",
            "must",
            "reactivation",
            "reactivated_date",
            "reactivated_date only when the decision was admin_finalised (and on or after it)"
            " or the current decision came after it",
        ),
        Rule(
            f"{k}.face_to_face_before_nfa.when_nfa",
            "should",
            "required_when_value",
            "face_to_face_before_nfa",
            "face_to_face_before_nfa present when decision is nfa",
            other="decision",
            values=("nfa",),
        ),
        Rule(
            f"{k}.victim_letter_date.after_decision",
            "must",
            "date_ge_column",
            "victim_letter_date",
            "victim_letter_date >= decision_date when present",
            other="decision_date",
        ),
        Rule(
            f"{k}.vrr_upheld.unless_requested",
            "must",
            "empty_unless_value",
            "vrr_upheld",
            "vrr_upheld empty unless vrr_requested is Y",
            other="vrr_requested",
            values=("y",),
        ),
        Rule(
            f"{k}.police_appeal_upheld.unless_appeal",
            "must",
            "empty_unless_value",
            "police_appeal_upheld",
            "police_appeal_upheld empty unless police_appeal is Y",
            other="police_appeal",
            values=("y",),
        ),
    )
    return ExtractKind(k, cols, rules, senders=("cps_area",))


def _cps_action_plans() -> ExtractKind:
    k = "cps_action_plans"
    cols = (
        _text("urn", 40, required=True),
        Column("plan_no", "integer", required=True, min_value=1),
        Column("issued_date", "date", required=True),
        Column("target_date", "date"),
        Column("response_date", "date"),
        Column("items", "integer", required=True, min_value=1, max_value=100),
        _flag("escalated"),
    )
    rules = (
        Rule(
            f"{k}.urn.in_cases",
            "must",
            "urn_in_cases",
            "urn",
            "urn present in the same Area's latest cps_cases snapshot",
        ),
        Rule(
            f"{k}.plan_no.unique_per_urn",
            "must",
            "unique_together",
            "plan_no",
            "plan_no unique per urn",
            other="urn",
        ),
        Rule(
            f"{k}.issued_date.after_received",
            "must",
            "date_ge_case_received",
            "issued_date",
            "issued_date >= the case's received_date",
        ),
        Rule(
            f"{k}.issued_date.as_at", "must", "date_le_as_at", "issued_date", "issued_date <= as_at"
        ),
        Rule(
            f"{k}.target_date.after_issued",
            "must",
            "date_ge_column",
            "target_date",
            "target_date >= issued_date when present",
            other="issued_date",
        ),
        Rule(
            f"{k}.response_date.after_issued",
            "must",
            "date_ge_column",
            "response_date",
            "response_date >= issued_date when present",
            other="issued_date",
        ),
        Rule(
            f"{k}.response_date.as_at",
            "must",
            "date_le_as_at",
            "response_date",
            "response_date <= as_at when present",
        ),
    )
    return ExtractKind(k, cols, rules, senders=("cps_area",))


def _cps_court_outcomes() -> ExtractKind:
    """Stage three (v1.1): one row per charged case, the prosecution to completion at court."""
    k = "cps_court_outcomes"
    cols = (
        _text("urn", 40, required=True),
        Column("charge_date", "date", required=True),
        Column("first_hearing_date", "date"),
        Column("plea", "enum", values=PLEAS),
        Column("trial_start_date", "date"),
        Column(
            "ineffective_trials",
            "integer",
            required=True,
            min_value=0,
            max_value=MAX_INEFFECTIVE_TRIALS,
        ),
        Column("completion_date", "date"),
        Column("outcome", "enum", values=COURT_OUTCOMES),
        _flag("victim_withdrew_after_charge"),
        _flag("special_measures"),
        _flag("isva_at_trial"),
    )
    rules = (
        Rule(f"{k}.urn.unique", "must", "unique", "urn", "urn unique in file"),
        Rule(
            f"{k}.urn.in_charged_cases",
            "must",
            "urn_in_cases",
            "urn",
            "urn present in the same Area's latest cps_cases snapshot with decision charge",
            values=("charge",),
        ),
        Rule(
            f"{k}.charge_date.min",
            "must",
            "date_min",
            "charge_date",
            "charge_date >= 2016-04-01",
        ),
        Rule(
            f"{k}.charge_date.after_decision",
            "must",
            "date_ge_case_decision",
            "charge_date",
            "charge_date >= the case's decision_date",
        ),
        Rule(
            f"{k}.charge_date.as_at", "must", "date_le_as_at", "charge_date", "charge_date <= as_at"
        ),
        Rule(
            f"{k}.first_hearing_date.after_charge",
            "must",
            "date_ge_column",
            "first_hearing_date",
            "first_hearing_date >= charge_date when present",
            other="charge_date",
        ),
        Rule(
            f"{k}.first_hearing_date.as_at",
            "must",
            "date_le_as_at",
            "first_hearing_date",
            "first_hearing_date <= as_at when present",
        ),
        Rule(
            f"{k}.trial_start_date.after_first_hearing",
            "must",
            "date_ge_column",
            "trial_start_date",
            "trial_start_date >= first_hearing_date when both are present",
            other="first_hearing_date",
        ),
        Rule(
            f"{k}.completion_date.iff_outcome",
            "must",
            "present_iff",
            "completion_date",
            "completion_date present if and only if outcome is",
            other="outcome",
        ),
        Rule(
            f"{k}.completion_date.after_charge",
            "must",
            "date_ge_column",
            "completion_date",
            "completion_date >= charge_date",
            other="charge_date",
        ),
        Rule(
            f"{k}.completion_date.as_at",
            "must",
            "date_le_as_at",
            "completion_date",
            "completion_date <= as_at",
        ),
        Rule(
            f"{k}.victim_withdrew_after_charge.when_discontinued",
            "should",
            "required_when_value",
            "victim_withdrew_after_charge",
            "victim_withdrew_after_charge present when outcome is discontinued",
            other="outcome",
            values=("discontinued",),
        ),
    )
    return ExtractKind(k, cols, rules, senders=("cps_area",))


def _workforce() -> ExtractKind:
    k = "workforce"
    cols = (
        Column("org_code", "org_code", required=True),
        Column("financial_year", "fy", required=True),
        Column("rasso_investigators_qualified", "integer", min_value=0, note="forces"),
        Column("ssaidp_attendance", "integer", min_value=0, note="forces (Rec 12)"),
        Column("detective_vacancies", "integer", min_value=0, note="forces (Rec 11)"),
        Column("rasso_prosecutors_fte", "number", min_value=0, note="CPS Areas"),
        Column("rasso_prosecutor_vacancies", "number", min_value=0, note="CPS Areas"),
        Column("joint_trauma_training_staff", "integer", min_value=0, note="both (Rec 13)"),
    )
    rules = (
        Rule(
            f"{k}.org_code.matches_file",
            "must",
            "org_matches_file",
            "org_code",
            "org_code matches the file name",
        ),
        Rule(
            f"{k}.financial_year.unique",
            "must",
            "unique",
            "financial_year",
            "one row per financial year",
        ),
    )
    return ExtractKind(k, cols, rules, org_column="org_code")


def _recommendation_updates() -> ExtractKind:
    k = "recommendation_updates"
    cols = (
        Column("rec_no", "integer", required=True, min_value=1, max_value=13),
        Column("owner_code", "org_code", required=True),
        Column("status", "enum", required=True, values=REC_STATUSES),
        Column("target_date", "date"),
        _text("evidence", 2000),
        Column("updated_on", "date", required=True),
    )
    rules = (
        Rule(
            f"{k}.owner_code.matches_file",
            "must",
            "org_matches_file",
            "owner_code",
            "owner_code matches the file name",
        ),
        Rule(
            f"{k}.owner_code.owner_of_rec",
            "must",
            "owner_of_rec",
            "owner_code",
            "owner_code is an owner of that recommendation in the reference data",
            other="rec_no",
        ),
        Rule(
            f"{k}.evidence.when_implemented",
            "should",
            "required_when_value",
            "evidence",
            "evidence present when status is implemented or verified",
            other="status",
            values=("implemented", "verified"),
        ),
        Rule(f"{k}.updated_on.as_at", "must", "date_le_as_at", "updated_on", "updated_on <= as_at"),
    )
    return ExtractKind(k, cols, rules, org_column="owner_code")


KINDS: dict[str, ExtractKind] = {
    kind.name: kind
    for kind in (
        _police_cases(),
        _cps_cases(),
        _cps_action_plans(),
        _cps_court_outcomes(),
        _workforce(),
        _recommendation_updates(),
    )
}


def case_decisions(kind: str) -> tuple[str, ...]:
    """The CPS decisions a kind's ``urn_in_cases`` rule accepts (empty: any decision)."""
    return next((r.values for r in KINDS[kind].rules if r.kind == "urn_in_cases"), ())


# Whole-file rules, every kind.
FILE_RULES: tuple[Rule, ...] = (
    Rule(
        "file.name",
        "must",
        "file_name",
        "",
        "file name is <kind>__<org_code>__<as_at>.<csv|parquet|xlsx> with a known org code",
    ),
    Rule(
        "file.readable",
        "must",
        "readable",
        "",
        "valid UTF-8 CSV (BOM accepted) or a readable Parquet/XLSX file",
    ),
    Rule("file.header", "must", "header", "", "a header with every contract column"),
    Rule("file.not_empty", "must", "not_empty", "", "at least one row"),
    Rule(
        "file.row_count_change",
        "should",
        "row_count_change",
        "",
        "row count within +/-50% of the organisation's previous snapshot of that kind",
    ),
)


class ContractError(ValueError):
    """An extract (or its name) breaks the contract; message says which rule and why."""

    def __init__(self, rule_id: str, message: str) -> None:
        super().__init__(f"[{rule_id}] {message}")
        self.rule_id = rule_id
        self.detail = message


@dataclass(frozen=True)
class ExtractName:
    kind: str
    org_code: str
    as_at: date
    ext: str

    @property
    def filename(self) -> str:
        return f"{self.kind}__{self.org_code}__{self.as_at.isoformat()}.{self.ext}"


_NAME_RE = re.compile(r"^(?P<kind>[a-z_]+)__(?P<org>[a-z0-9_]+)__(?P<as_at>[0-9-]+)\.(?P<ext>\w+)$")


def parse_extract_name(filename: str) -> ExtractName:
    """Parse and check ``<kind>__<org_code>__<as_at>.<ext>``; raise ContractError naming why."""
    m = _NAME_RE.match(filename)
    if not m:
        raise ContractError(
            "file.name", f"{filename!r} is not named <kind>__<org_code>__<YYYY-MM-DD>.<ext>"
        )
    kind, org, as_at_s, ext = m["kind"], m["org"], m["as_at"], m["ext"].lower()
    if kind not in KINDS:
        raise ContractError(
            "file.name", f"{filename!r}: unknown kind {kind!r}; expected one of {sorted(KINDS)}"
        )
    if ext not in EXTENSIONS:
        raise ContractError("file.name", f"{filename!r}: extension must be one of {EXTENSIONS}")
    try:
        as_at = date.fromisoformat(as_at_s)
    except ValueError:
        raise ContractError(
            "file.name", f"{filename!r}: as_at {as_at_s!r} is not a YYYY-MM-DD date"
        ) from None
    org_kind = reference.org_kind(org)
    if org_kind is None:
        raise ContractError("file.name", f"{filename!r}: unknown organisation code {org!r}")
    if org_kind not in KINDS[kind].senders:
        raise ContractError("file.name", f"{filename!r}: a {org_kind} cannot send {kind} extracts")
    return ExtractName(kind, org, as_at, ext)
