"""WSGI entry point for gunicorn: ``gunicorn --no-control-socket -w 4 dashboard.wsgi:server``.

Each worker builds the app once at import. ``gc.freeze()`` then moves everything built at start
(page registry, layouts, catalogue, reference data) out of the collector's view, so full
collections during requests scan only per-request garbage: they were the p95 tail of every
callback (bench/dashboard_bench.py, "gc2"). gunicorn's own ``Server: gunicorn`` header is
removed (dashboard/server_header.py), and what the app writes (the SQLite app database) is
private to its user (umask 077).
"""

from __future__ import annotations

import gc

from dashboard.app import create_app
from dashboard.server_header import hide_gunicorn_server_header
from scorecard.settings import private_files

private_files()
hide_gunicorn_server_header()
app = create_app()
server = app.server
gc.freeze()
