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
    SCORECARD_LOAD_SAMPLES                         file for every request's time (TSV)
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

SCRIPT_ENV = "SCORECARD_LOAD_SCRIPT"
SAMPLES_ENV = "SCORECARD_LOAD_SAMPLES"


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
# Every response time, so load_bench.py computes exact percentiles (locust's are bucketed)
# and can leave the one-off sign-in out of the page figures.
_path = os.environ.get(SAMPLES_ENV)
_samples = open(_path, "a", encoding="utf-8") if _path else None  # noqa: SIM115 - whole run


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
    if _samples is not None:
        _samples.write(f"{request_type}\t{name}\t{response_time:.2f}\t{int(bool(exception))}\n")


@events.spawning_complete.add_listener
def _spawned(user_count: int, **_: Any) -> None:
    """Mark the end of the ramp (and of most sign-ins): the steady state starts here."""
    if _samples is not None:
        _samples.write(f"#spawned\t{user_count}\n")
        _samples.flush()  # load_bench.py watches for this line to sample the server's CPU


@events.quitting.add_listener
def _close(**_: Any) -> None:
    if _samples is not None:
        _samples.close()


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
