"""``/api/metrics``: the disclosure-controlled metric values as JSON, the same rows and columns
as ``scorecard metrics export`` (both call :func:`warehouse.metrics.export.rows`).

``?level=`` (national, force, cps_area, joint, region) and ``?period=`` (``2023-24`` or
``2023-24-Q1``) filter the rows; at least one is required, because the unfiltered set is
every metric for every organisation and period (about a million rows at a fifth of national
scale, 45 s and 390 MB of JSON) - that is what ``scorecard metrics export`` is for, and it
would tie up a dashboard worker. Anything malformed gets a 400 with a plain message.

Rows come in pages, so one request costs a bounded amount of memory and time however many
rows match (``level=force`` alone was 150 MB of JSON and 1.6 GB of worker memory at a
twentieth of national scale): ``?limit=`` rows per page (default and maximum
``PAGE_MAX``), ``?offset=`` where to start. The body is the page's rows, a JSON list as
before; a ``Link: <…>; rel="next"`` header (and ``X-Next-Page``) gives the next page's URL
while there is one, and ``X-Total-Count`` the number of matching rows.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, request

from dashboard.data import source
from dashboard.data.snapshot import NoSnapshotError
from warehouse.metrics import export

log = logging.getLogger(__name__)

PARAMS = ("level", "period")
PAGING = ("limit", "offset")
PAGE_MAX = 5000

_WHERE = (
    "WHERE (CAST(? AS VARCHAR) IS NULL OR level = ?) AND (CAST(? AS VARCHAR) IS NULL OR period = ?)"
)
_ORDER = "ORDER BY level, org_code, period, basis, metric_id, stat, breakdown"


def _int_param(name: str, default: int, low: int, high: int | None) -> int:
    """A bounded integer query parameter; ValueError with a plain message otherwise."""
    got = request.args.getlist(name)
    if len(got) > 1:
        raise ValueError(f"give {name} at most once")
    if not got or not got[0].strip():
        return default
    try:
        value = int(got[0].strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {got[0]!r}") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bound}")
    return value


def _page(
    cur: Any, level: str | None, period: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the export's rows (same columns and order) and the total that match."""
    params = [level, level, period, period]
    total_row = cur.execute(f"SELECT count(*) FROM mart.metric_values {_WHERE}", params).fetchone()
    cols = ", ".join(export.COLUMNS)
    cur.execute(
        f"SELECT {cols} FROM mart.metric_values {_WHERE} {_ORDER} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    rows = [dict(zip(export.COLUMNS, r, strict=True)) for r in cur.fetchall()]
    return rows, int(total_row[0]) if total_row else 0


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def metrics() -> tuple[Response, int] | Response:
    """Rows of mart.metric_values from the serving snapshot, filtered and validated."""
    unknown = sorted(set(request.args) - set(PARAMS) - set(PAGING))
    if unknown:
        return _error(
            400,
            f"unknown parameter(s) {', '.join(unknown)}; use {' and '.join(PARAMS)} "
            f"(and {' and '.join(PAGING)} to page)",
        )
    values = {}
    for name in PARAMS:
        got = request.args.getlist(name)
        if len(got) > 1:
            return _error(400, f"give {name} at most once")
        values[name] = got[0].strip() if got and got[0].strip() else None
    if values["level"] is None and values["period"] is None:
        return _error(
            400,
            "give level and/or period (e.g. ?level=force&period=2023-24); for every row use "
            "`scorecard metrics export`",
        )
    try:
        limit = _int_param("limit", PAGE_MAX, 1, PAGE_MAX)
        offset = _int_param("offset", 0, 0, None)
    except ValueError as exc:
        return _error(400, str(exc))
    try:
        export.validate(values["level"], values["period"])
        with source.cursor() as cur:
            data, total = _page(cur, values["level"], values["period"], limit, offset)
    except export.ExportError as exc:
        return _error(400, str(exc))
    except NoSnapshotError as exc:
        return _error(503, str(exc))
    resp = Response(export.to_json(data), mimetype="application/json")
    resp.headers["X-Total-Count"] = str(total)
    if offset + len(data) < total:
        query = {k: v for k, v in values.items() if v is not None}
        query |= {"limit": str(limit), "offset": str(offset + limit)}
        next_url = f"{request.path}?{urlencode(query)}"
        resp.headers["Link"] = f'<{next_url}>; rel="next"'
        resp.headers["X-Next-Page"] = next_url
    return resp


def register_api(app: Flask) -> None:
    """Add the API routes to the dashboard's Flask server (called from create_app)."""
    app.add_url_rule("/api/metrics", "api_metrics", metrics, methods=["GET"])
