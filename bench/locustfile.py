"""Locust users for the load test (bench/load_bench.py runs it headless on 127.0.0.1).

Each user signs in once through /login, as a person does, then repeatedly opens a dashboard
page the way the browser does - the page, Dash's layout and dependencies, then the callbacks
the page fires on load, replayed from a recording made in Chromium - or reads /api/metrics,
pausing 1-5 s between actions. Every POST carries the app's own Origin, which the sign-in
guard requires.

Environment (set by load_bench.py):
    SCORECARD_LOAD_USER, SCORECARD_LOAD_PASSWORD   the account to sign in with (no sign-in
                                                   when unset: the app had none yet)
    SCORECARD_LOAD_SCRIPT                          JSON: {page: [callback bodies, ...]}
    SCORECARD_LOAD_API_QUERY                       query string for /api/metrics
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

SCRIPT_ENV = "SCORECARD_LOAD_SCRIPT"


def _load_script() -> dict[str, list[dict[str, Any]]]:
    path = os.environ.get(SCRIPT_ENV)
    if not path:
        raise RuntimeError(f"{SCRIPT_ENV} must name the recorded page script (load_bench.py)")
    script = json.loads(Path(path).read_text(encoding="utf-8"))
    if not script:
        raise RuntimeError(f"{path} records no pages")
    return script


SCRIPT = _load_script()
PAGES = sorted(SCRIPT)


def _callback_name(page: str, body: dict[str, Any]) -> str:
    """A stable stats label: the page and the callback's first output."""
    out = str(body.get("output", "?")).strip(".").split("...")[0]
    return f"callback {page} {out[:60]}"


class BoardMember(HttpUser):
    """A board member reading the scorecard: any page, now and then the API."""

    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.client.headers["Origin"] = self.host.rstrip("/")
        user = os.environ.get("SCORECARD_LOAD_USER")
        if not user:
            return
        with self.client.post(
            "/login",
            data={"username": user, "password": os.environ.get("SCORECARD_LOAD_PASSWORD", "")},
            allow_redirects=False,
            name="POST /login",
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"sign-in refused: HTTP {r.status_code}")

    @task(6)
    def open_page(self) -> None:
        page = random.choice(PAGES)
        label = page if not page.startswith("/area/") else "/area/[force]"
        self.client.get(page, name=f"GET {label}")
        self.client.get("/_dash-layout", name="GET /_dash-layout")
        self.client.get("/_dash-dependencies", name="GET /_dash-dependencies")
        for body in SCRIPT[page]:
            self.client.post("/_dash-update-component", json=body, name=_callback_name(label, body))

    @task(1)
    def api(self) -> None:
        query = os.environ.get("SCORECARD_LOAD_API_QUERY", "level=national")
        self.client.get(f"/api/metrics?{query}", name="GET /api/metrics")
