"""``/api/metrics``: the disclosure-controlled metric values as JSON, the same rows and columns
as ``scorecard metrics export`` (both call :func:`warehouse.metrics.export.rows`).

``?level=`` (national, force, cps_area, joint, region) and ``?period=`` (``2023-24`` or
``2023-24-Q1``) filter the rows; at least one is required, because the unfiltered set is
every metric for every organisation and period (about a million rows at a fifth of national
scale, 45 s and 390 MB of JSON) - that is what ``scorecard metrics export`` is for, and it
would tie up a dashboard worker. Anything malformed gets a 400 with a plain message.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request

from dashboard.data import source
from dashboard.data.snapshot import NoSnapshotError
from warehouse.metrics import export

log = logging.getLogger(__name__)

PARAMS = ("level", "period")


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def metrics() -> tuple[Response, int] | Response:
    """Rows of mart.metric_values from the serving snapshot, filtered and validated."""
    unknown = sorted(set(request.args) - set(PARAMS))
    if unknown:
        return _error(400, f"unknown parameter(s) {', '.join(unknown)}; use {' and '.join(PARAMS)}")
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
        export.validate(values["level"], values["period"])
        with source.cursor() as cur:
            data = export.rows(cur, values["level"], values["period"])
    except export.ExportError as exc:
        return _error(400, str(exc))
    except NoSnapshotError as exc:
        return _error(503, str(exc))
    body = export.to_json(data)
    return Response(body, mimetype="application/json")


def register_api(app: Flask) -> None:
    """Add the API routes to the dashboard's Flask server (called from create_app)."""
    app.add_url_rule("/api/metrics", "api_metrics", metrics, methods=["GET"])
