"""Custom GX expectations for checks the core set cannot make on text columns.

The reader hands GX object-dtype strings. Core ``expect_column_values_to_be_between`` raises
on strings against numbers or date parameters, and the core pair comparison orders junk text
as if it were a date, so a mistyped date would also fail every ordering rule. These
expectations compare only well-formed values: a malformed value is the ``.type`` rule's
failure alone, which keeps each rejection reason single and honest. Pandas only, because
validation runs on the pandas frame (GX's SQL datasource is broken on DuckDB).

Importing this module registers the expectations and their metrics with GX; the suites in
``expectations/gx`` cannot be loaded without it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar, Literal

import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
)

_DAY31 = r"(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
_DAY30 = r"(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
_FEB = r"02-(?:0[1-9]|1\d|2[0-8])"
_LEAP = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
# A real calendar date in YYYY-MM-DD form (leap years included), as one regex so the check
# is vectorised and readable in Data Docs.
DATE_REGEX = rf"^(?:\d{{4}}-(?:{_DAY31}|{_DAY30}|{_FEB})|{_LEAP})$"
INTEGER_REGEX = r"^[+-]?\d+$"
NUMBER_REGEX = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
_FY_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _iso(value: Any) -> str | None:
    """A bound as ISO text: GX turns date-like parameter strings into datetimes."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _well_formed_dates(column: pd.Series) -> pd.Series:
    """Vectorised (Arrow's RE2) real-date test; missing values are False."""
    text = column.astype("string[pyarrow]")
    return text.str.fullmatch(DATE_REGEX).fillna(False).astype(bool)


class ColumnValuesIsoDateBetween(ColumnMapMetricProvider):
    """True where the value is not a valid date (the type rule's business) or within bounds."""

    condition_metric_name = "column_values.iso_date_between"
    condition_value_keys = ("min_value", "max_value")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, min_value: Any = None, max_value: Any = None, **kwargs):
        lo, hi = _iso(min_value), _iso(max_value)
        text = column.astype("string[pyarrow]")
        inside = pd.Series(True, index=column.index)
        if lo is not None:
            inside &= (text >= lo).fillna(True).astype(bool)
        if hi is not None:
            inside &= (text <= hi).fillna(True).astype(bool)
        return ~_well_formed_dates(column) | inside


class ColumnPairIsoDateAOnOrAfterB(ColumnPairMapMetricProvider):
    """True where A >= B as dates, or where either is not a valid date (type rules catch it)."""

    condition_metric_name = "column_pair_values.iso_date_a_on_or_after_b"
    condition_value_keys = ()

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A: pd.Series, column_B: pd.Series, **kwargs):
        both = _well_formed_dates(column_A) & _well_formed_dates(column_B)
        a = column_A.astype("string[pyarrow]")
        b = column_B.astype("string[pyarrow]")
        return ~both | (a >= b).fillna(True).astype(bool)


class ColumnPairInPairSetWhenAKnown(ColumnPairMapMetricProvider):
    """True where B is allowed with A, or A is not one the map knows (A's rules catch it).

    The core pair-in-set expectation crashes in GX 1.24 when combined with a row_condition,
    which is how "only rows with a valid A" would otherwise be said.
    """

    condition_metric_name = "column_pair_values.in_pair_set_when_a_known"
    condition_value_keys = ("allowed_by_a",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A: pd.Series, column_B: pd.Series, allowed_by_a=None, **kwargs):
        allowed = {str(a): set(str(bs).split()) for a, bs in (allowed_by_a or {}).items()}
        keys = zip(column_A.astype(object), column_B.astype(object), strict=True)
        ok = [str(a) not in allowed or str(b) in allowed[str(a)] for a, b in keys]
        return pd.Series(ok, index=column_A.index, dtype=bool)


class ColumnValuesNumberBetween(ColumnMapMetricProvider):
    """True where the value is not a number (the type rule's business) or within bounds."""

    condition_metric_name = "column_values.number_between"
    condition_value_keys = ("min_value", "max_value")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, min_value: Any = None, max_value: Any = None, **kwargs):
        numbers = pd.to_numeric(column, errors="coerce")
        ok = pd.Series(True, index=column.index)
        if min_value is not None:
            ok &= ~(numbers < float(min_value))
        if max_value is not None:
            ok &= ~(numbers > float(max_value))
        return ok


class ColumnValuesFinancialYear(ColumnMapMetricProvider):
    """``YYYY-YY`` where the second part is the year after the first (2023-24, 1999-00)."""

    condition_metric_name = "column_values.financial_year"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs):
        def ok(value: Any) -> bool:
            m = _FY_RE.match(value) if isinstance(value, str) else None
            return m is not None and int(m[2]) == (int(m[1]) + 1) % 100

        return column.astype(object).map(ok).astype(bool)


class ExpectColumnValuesToBeIsoDatesBetween(ColumnMapExpectation):
    """Expect ISO date text to lie within [min_value, max_value]; malformed dates are ignored."""

    min_value: str | SuiteParameterDict | None = None
    max_value: str | SuiteParameterDict | None = None

    map_metric = "column_values.iso_date_between"
    success_keys = ("min_value", "max_value", "mostly")
    args_keys = ("column", "min_value", "max_value")
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["scorecard"], "contributors": []}

    @pydantic.root_validator
    def _one_bound(cls, values: dict) -> dict:
        if values.get("min_value") is None and values.get("max_value") is None:
            raise ValueError("min_value and max_value cannot both be None")
        return values


class ExpectColumnPairIsoDatesAToBeOnOrAfterB(ColumnPairMapExpectation):
    """Expect ISO date A >= date B; rows with a missing or malformed date are ignored."""

    # Missing values count as "not a valid date" inside the metric, so no row filtering is
    # needed (filtering copies the whole frame, which is slow on a million rows).
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = (
        "neither"
    )

    map_metric = "column_pair_values.iso_date_a_on_or_after_b"
    success_keys = ("column_A", "column_B", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B")
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["scorecard"], "contributors": []}


class ExpectColumnPairValuesToBeAllowedPairs(ColumnPairMapExpectation):
    """Expect B among the values ``allowed_by_a`` lists for A, wherever the map knows A.

    ``allowed_by_a`` maps each A value to its allowed B values, space separated: GX
    rebuilds an expectation's configuration dozens of times per validation, walking every
    element of its parameters, and ~800 (rec_no, owner) pairs as tuples cost 0.2 s a file.
    """

    allowed_by_a: dict[str, str]
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = (
        "either_value_is_missing"
    )

    map_metric = "column_pair_values.in_pair_set_when_a_known"
    success_keys = ("column_A", "column_B", "allowed_by_a", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B", "allowed_by_a")
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["scorecard"], "contributors": []}


class ExpectColumnValuesToBeNumbersBetween(ColumnMapExpectation):
    """Expect numeric text within [min_value, max_value]; non-numbers are ignored."""

    min_value: float | None = None
    max_value: float | None = None

    map_metric = "column_values.number_between"
    success_keys = ("min_value", "max_value", "mostly")
    args_keys = ("column", "min_value", "max_value")
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["scorecard"], "contributors": []}


class ExpectColumnValuesToBeFinancialYears(ColumnMapExpectation):
    """Expect ``YYYY-YY`` financial years whose second part follows the first."""

    map_metric = "column_values.financial_year"
    success_keys = ("mostly",)
    args_keys = ("column",)
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["scorecard"], "contributors": []}
