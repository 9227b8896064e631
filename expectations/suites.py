"""One GX ExpectationSuite per extract kind, built from ``scorecard.contract``.

The suites are derived from the contract-as-data, never hand-written, so the contract, the
checks and the rejection report's wording cannot drift apart. Values that differ per file are
GX suite parameters (``{"$PARAMETER": name}``) filled at validation time:

- ``as_at``       the file's as-at date, ISO text (``*.as_at`` rules)
- ``org_codes``   ``[file org code]`` (``*.matches_file`` rules)
- ``area_forces`` forces the reference mapping assigns to the file's CPS Area
- (``known_urns``, urns of the same Area's latest cps_cases snapshot, arrive as the helper
  column ``case_known``: see ``CASE_KNOWN_COLUMN``)
- ``min_rows`` / ``max_rows``  +/-50% of the previous snapshot's row count

The committed File Data Context under ``expectations/gx`` holds these suites as templates;
``python -m expectations.suites`` rewrites them and a unit test fails if they drift. Every
expectation's ``meta`` names the contract rule (``rule_id``), its ``severity`` and ``column``.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.metadata_types import FailureSeverity
from great_expectations.expectations.row_conditions import Column as Col

from expectations.custom import (
    DATE_REGEX,
    INTEGER_REGEX,
    NUMBER_REGEX,
    ExpectColumnPairIsoDatesAToBeOnOrAfterB,
    ExpectColumnPairValuesToBeAllowedPairs,
    ExpectColumnValuesToBeFinancialYears,
    ExpectColumnValuesToBeIsoDatesBetween,
    ExpectColumnValuesToBeNumbersBetween,
)
from scorecard import reference
from scorecard.contract import (
    CONTRACT_VERSION,
    EARLIEST_DATE,
    FILE_RULES,
    KINDS,
    Column,
    ExtractKind,
    Rule,
)

log = logging.getLogger(__name__)

GX_DIR = Path(__file__).resolve().parent / "gx"
# Helper column validate_frame adds to cps_action_plans: the case's received_date, by urn.
CASE_RECEIVED_COLUMN = "case_received_date"
# Helper column validate_frame adds to cps_court_outcomes: the case's decision_date, by urn.
CASE_DECIDED_COLUMN = "case_decision_date"
# Helper column validate_frame adds to kinds with an ``urn_in_cases`` rule: "y" where the
# row's urn is one of the Area's known cases. A value set of every known urn (tens of
# thousands at national volume) made GX walk that list dozens of times per file, ~2 s a file.
CASE_KNOWN_COLUMN = "case_known"
ROW_NO = "row_no"

# Rules checked only when the caller supplies the per-file value they need.
OPTIONAL_RULE_KINDS = {
    "urn_in_cases": "known_urns",
    "date_ge_case_received": "case_received",
    "date_ge_case_decision": "case_decided",
    "row_count_change": "previous_rows",
}


def uses_rule_kind(kind: str, rule_kind: str) -> bool:
    """Whether ``kind``'s contract has a rule of ``rule_kind`` (so needs its helper column)."""
    return any(r.kind == rule_kind for r in KINDS[kind].rules)


_NS = uuid.UUID("6f1d6c1e-2f0b-4a53-9a3e-5c0de0c0ffee")


@dataclass(frozen=True)
class RuleInfo:
    """What a rule id means: severity, column and the wording shown to the sender."""

    rule_id: str
    severity: str
    column: str
    description: str
    kind: str


def _param(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


def _file_rule(kind: str) -> Rule:
    return next(r for r in FILE_RULES if r.kind == kind)


def _type_rules(spec: ExtractKind, col: Column) -> list[tuple[RuleInfo, list[Expectation]]]:
    """Rules implied by a column's declaration: presence, type, enumeration, length, range."""
    k, c = spec.name, col.name
    out: list[tuple[RuleInfo, list[Expectation]]] = []

    def add(suffix: str, text: str, *exps: Expectation) -> None:
        out.append((RuleInfo(f"{k}.{c}.{suffix}", "must", c, text, suffix), list(exps)))

    if col.required:
        add("required", f"{c} present", gxe.ExpectColumnValuesToNotBeNull(column=c))
    if col.type == "date":
        add(
            "type",
            f"{c} is a real date written YYYY-MM-DD",
            gxe.ExpectColumnValuesToMatchRegex(column=c, regex=DATE_REGEX),
        )
    elif col.type == "fy":
        add(
            "type",
            f"{c} is a financial year written YYYY-YY, e.g. 2023-24",
            ExpectColumnValuesToBeFinancialYears(column=c),
        )
    elif col.type in {"integer", "number"}:
        integer = col.type == "integer"
        add(
            "type",
            f"{c} is a {'whole number' if integer else 'number'}",
            gxe.ExpectColumnValuesToMatchRegex(
                column=c, regex=INTEGER_REGEX if integer else NUMBER_REGEX
            ),
        )
        if col.min_value is not None or col.max_value is not None:
            lo, hi = col.min_value, col.max_value
            if lo is not None and hi is not None:
                text = f"{c} between {lo:g} and {hi:g}"
            elif lo is not None:
                text = f"{c} at least {lo:g}"
            else:
                text = f"{c} at most {hi:g}"
            add(
                "range",
                text,
                ExpectColumnValuesToBeNumbersBetween(column=c, min_value=lo, max_value=hi),
            )
    elif col.type in {"enum", "flag"}:
        values = col.values or ()
        shown = ", ".join(v.upper() if col.type == "flag" else v for v in values)
        add(
            "enum",
            f"{c} is one of {shown} (or empty)" if not col.required else f"{c} is one of {shown}",
            gxe.ExpectColumnValuesToBeInSet(column=c, value_set=list(values)),
        )
    if col.max_len is not None:
        add(
            "max_length",
            f"{c} at most {col.max_len} characters",
            gxe.ExpectColumnValueLengthsToBeBetween(column=c, max_value=col.max_len),
        )
    return out


def _contract_rule(spec: ExtractKind, rule: Rule) -> list[Expectation]:
    """The expectation(s) that check one contract Rule; several share the rule's id."""
    c, other, values = rule.column, rule.other, list(rule.values)
    match rule.kind:
        case "present":
            return [gxe.ExpectColumnValuesToNotBeNull(column=c)]
        case "unique":
            return [gxe.ExpectColumnValuesToBeUnique(column=c)]
        case "unique_together":
            assert other is not None
            return [gxe.ExpectCompoundColumnsToBeUnique(column_list=[other, c])]
        case "date_min":
            return [
                ExpectColumnValuesToBeIsoDatesBetween(column=c, min_value=EARLIEST_DATE.isoformat())
            ]
        case "date_le_as_at":
            return [ExpectColumnValuesToBeIsoDatesBetween(column=c, max_value=_param("as_at"))]
        case "date_ge_column":
            assert other is not None
            return [ExpectColumnPairIsoDatesAToBeOnOrAfterB(column_A=c, column_B=other)]
        case "date_ge_case_received":
            return [
                ExpectColumnPairIsoDatesAToBeOnOrAfterB(column_A=c, column_B=CASE_RECEIVED_COLUMN)
            ]
        case "date_ge_case_decision":
            return [
                ExpectColumnPairIsoDatesAToBeOnOrAfterB(column_A=c, column_B=CASE_DECIDED_COLUMN)
            ]
        case "required_when_present":
            assert other is not None
            return [
                gxe.ExpectColumnValuesToNotBeNull(column=c, row_condition=Col(other).is_not_null())
            ]
        case "required_when_value":
            assert other is not None
            return [
                gxe.ExpectColumnValuesToNotBeNull(column=c, row_condition=Col(other).is_in(values))
            ]
        case "required_unless_value":
            assert other is not None
            cond = Col(other).is_not_null() & Col(other).is_not_in(values)
            return [gxe.ExpectColumnValuesToNotBeNull(column=c, row_condition=cond)]
        case "present_iff":
            assert other is not None
            return [
                gxe.ExpectColumnValuesToNotBeNull(column=c, row_condition=Col(other).is_not_null()),
                gxe.ExpectColumnValuesToBeNull(column=c, row_condition=Col(other).is_null()),
            ]
        case "empty_unless_value":
            assert other is not None
            return [
                gxe.ExpectColumnValuesToBeNull(column=c, row_condition=Col(other).is_not_in(values))
            ]
        case "reactivation":
            # Allowed when the decision is admin_finalised or pending; for any other decision
            # the decision must have come on or after the reactivation. A missing
            # decision_date is the decision_date.unless_pending rule's failure, not this one.
            cond = Col("decision").is_not_null() & Col("decision").is_not_in(
                ["admin_finalised", "pending"]
            )
            return [
                ExpectColumnPairIsoDatesAToBeOnOrAfterB(
                    column_A="decision_date", column_B=c, row_condition=cond
                )
            ]
        case "org_matches_file":
            return [gxe.ExpectColumnValuesToBeInSet(column=c, value_set=_param("org_codes"))]
        case "force_in_area":
            return [gxe.ExpectColumnValuesToBeInSet(column=c, value_set=_param("area_forces"))]
        case "urn_in_cases":
            return [
                gxe.ExpectColumnValuesToNotBeNull(
                    column=CASE_KNOWN_COLUMN, row_condition=Col(c).is_not_null()
                )
            ]
        case "owner_of_rec":
            assert other is not None
            allowed = {
                str(r.rec_no): " ".join(sorted(reference.owners_of(r.rec_no)))
                for r in reference.recommendations()
            }
            # Rows with an unknown rec_no are the rec_no rules' failure, not this one.
            return [
                ExpectColumnPairValuesToBeAllowedPairs(
                    column_A=other, column_B=c, allowed_by_a=allowed
                )
            ]
    raise ValueError(f"{rule.id}: no expectation for contract rule kind {rule.kind!r}")


@cache
def rule_catalogue(kind: str) -> tuple[tuple[RuleInfo, tuple[Expectation, ...]], ...]:
    """Every rule the suite for ``kind`` checks, with its expectations, in suite order."""
    spec = KINDS[kind]
    header = _file_rule("header")
    out: list[tuple[RuleInfo, tuple[Expectation, ...]]] = []
    for col in spec.columns:
        out.append(
            (
                RuleInfo(
                    header.id, header.severity, col.name, f"{header.text} ({col.name})", "header"
                ),
                (gxe.ExpectColumnToExist(column=col.name),),
            )
        )
    for col in spec.columns:
        out.extend((info, tuple(exps)) for info, exps in _type_rules(spec, col))
    for rule in spec.rules:
        info = RuleInfo(rule.id, rule.severity, rule.column, rule.text, rule.kind)
        out.append((info, tuple(_contract_rule(spec, rule))))
    change = _file_rule("row_count_change")
    out.append(
        (
            RuleInfo(change.id, change.severity, "", change.text, change.kind),
            (
                gxe.ExpectTableRowCountToBeBetween(
                    min_value=_param("min_rows"), max_value=_param("max_rows")
                ),
            ),
        )
    )
    return tuple(out)


def all_rule_ids(kind: str) -> list[tuple[str, str, str]]:
    """(rule_id, severity, column) for every rule the suite checks, contract Rules included.

    ``file.header`` appears once per contract column (one existence check each).
    """
    return [(i.rule_id, i.severity, i.column) for i, _ in rule_catalogue(kind)]


@cache
def rule_descriptions(kind: str) -> dict[str, str]:
    """rule_id -> the contract's wording, for reports (header: the generic wording)."""
    out: dict[str, str] = {}
    for info, _ in rule_catalogue(kind):
        out.setdefault(info.rule_id, info.description)
    out[_file_rule("header").id] = _file_rule("header").text
    for rule in FILE_RULES:
        out.setdefault(rule.id, rule.text)
    return out


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join(parts)))


def build_suite(kind: str) -> gx.ExpectationSuite:
    """A fresh ExpectationSuite for ``kind`` with deterministic ids (the committed template)."""
    suite = gx.ExpectationSuite(
        name=kind,
        id=_stable_id(kind),
        meta={"contract_version": CONTRACT_VERSION, "generated_by": "expectations.suites"},
    )
    for info, exps in rule_catalogue(kind):
        for m, exp in enumerate(exps):
            copy = exp.copy(deep=True)
            # Named by rule, not position, so adding a rule leaves the other ids alone.
            copy.id = _stable_id(kind, info.rule_id, info.column, str(m))
            copy.meta = {"rule_id": info.rule_id, "severity": info.severity, "column": info.column}
            copy.severity = (
                FailureSeverity.CRITICAL if info.severity == "must" else FailureSeverity.WARNING
            )
            suite.expectations.append(copy)
    return suite


def suite_json(kind: str) -> dict[str, Any]:
    """The suite as the File Data Context stores it (what is committed under gx/)."""
    return build_suite(kind).to_json_dict()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


_CONTEXT_YML = """\
# GX Core 1.x File Data Context holding the extract suites (templates; see expectations/suites.py).
# Regenerate with `python -m expectations.suites`. Validation itself runs in an ephemeral
# context on the reader's pandas frame, so nothing here is written at run time.
config_version: 4.0
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: expectations/
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: uncommitted/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: validation_definitions/
expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store
data_docs_sites:
  local_site:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/data_docs/local_site/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
analytics_enabled: false
progress_bars:
  globally: false
  metric_calculations: false
fluent_datasources: {}
"""


def init_context(root: Path | None = None) -> Path:
    """(Re)write the File Data Context under ``root`` (default expectations/gx); return it.

    Written directly (not through a live context) so the committed files are deterministic:
    stable ids, sorted keys, no run-time state.
    """
    root = GX_DIR if root is None else Path(root)
    _write_atomic(root / "great_expectations.yml", _CONTEXT_YML)
    _write_atomic(root / ".gitignore", "uncommitted/\n")
    for empty in ("checkpoints", "validation_definitions", "plugins"):
        _write_atomic(root / empty / ".gitkeep", "")
    for kind in KINDS:
        text = json.dumps(suite_json(kind), indent=2, sort_keys=True) + "\n"
        _write_atomic(root / "expectations" / f"{kind}.json", text)
    log.info("wrote %d suites to %s", len(KINDS), root)
    return root


def committed_suite_json(kind: str, root: Path | None = None) -> dict[str, Any]:
    root = GX_DIR if root is None else Path(root)
    return json.loads((root / "expectations" / f"{kind}.json").read_text(encoding="utf-8"))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    init_context()
