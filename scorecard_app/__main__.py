"""``python -m scorecard_app``: the ``scorecard`` command without the installed script, which
is how the dashboard's "run now" starts a refresh in its own process."""

from __future__ import annotations

from scorecard_app.cli import app

app()
