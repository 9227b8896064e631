"""``make demo``: generate synthetic national extracts, refresh, start the dashboard."""

from __future__ import annotations

import logging
import os
from datetime import date

from scorecard.settings import load_settings, private_files

log = logging.getLogger(__name__)


DEMO_USERS = (
    ("demo-board", "board", None),
    ("demo-pcc", "pcc", "kent"),
    ("demo-owner", "owner", "cps_hq"),
    ("demo-analyst", "analyst", None),
    ("demo-admin", "admin", None),
)


def demo_users() -> list[tuple[str, str, str | None, str]]:
    """One user per role with a fresh random password (set again on every demo run), so no
    fixed password ships with the product. Returns (username, role, org, password)."""
    import secrets

    from accounts import users

    made = []
    for username, role, org in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        existing = users.get(username)
        if existing is None:
            users.add(username, role, password, org_code=org, who="demo")
        else:
            users.set_password(username, password, who="demo")
            if existing.disabled:
                users.set_disabled(username, False, who="demo")
        made.append((username, role, org, password))
    return made


def run_demo(
    port: int = 8050, scale: float = 1.0, serve: bool = True, as_at: date | None = None
) -> int:
    """Returns the refresh's exit code; serves until interrupted when ``serve``. ``as_at``
    (default the generator's) dates the synthetic extracts."""
    from pipelines.runner import run_refresh
    from scorecard.synthetic import DEFAULT_AS_AT, GenerateOptions, generate_all

    private_files()
    os.environ["SCORECARD_DEMO"] = "1"
    settings = load_settings()
    landing = settings.landing_dir
    if not any(landing.glob("*__*__*.*")):
        print(f"Generating synthetic national extracts (scale {scale}) into {landing} ...")
        summary = generate_all(
            GenerateOptions(out=landing, seed=1, scale=scale, as_at=as_at or DEFAULT_AS_AT),
            progress=True,
        )
        print(f"  {summary.files} files, {summary.rows:,} rows")
    print("Running the pipeline (demo pseudonym key; synthetic data only) ...")
    result = run_refresh()
    print(
        f"  {result.status}: {result.loaded} loaded, {result.rejected} rejected, "
        f"{result.new} new file(s)"
    )
    print("Demo sign-ins (new random passwords each run; synthetic data only):")
    for username, role, org, password in demo_users():
        where = f" for {org}" if org else ""
        print(f"  {role:<8} {username:<14} {password}{where}")
    if serve:
        from dashboard.app import serve as serve_app

        print(f"Dashboard: http://127.0.0.1:{port}/  (Ctrl+C to stop)", flush=True)
        serve_app(port=port)
    return result.exit_code
