"""``make demo``: generate synthetic national extracts, refresh, start the dashboard."""

from __future__ import annotations

import logging
import os

from scorecard.settings import load_settings

log = logging.getLogger(__name__)


def run_demo(port: int = 8050, scale: float = 1.0, serve: bool = True) -> int:
    """Returns the refresh's exit code; serves until interrupted when ``serve``."""
    from pipelines.runner import run_refresh
    from scorecard.synthetic import DEFAULT_AS_AT, GenerateOptions, generate_all

    os.environ["SCORECARD_DEMO"] = "1"
    settings = load_settings()
    landing = settings.landing_dir
    if not any(landing.glob("*__*__*.*")):
        print(f"Generating synthetic national extracts (scale {scale}) into {landing} ...")
        summary = generate_all(
            GenerateOptions(out=landing, seed=1, scale=scale, as_at=DEFAULT_AS_AT), progress=True
        )
        print(f"  {summary.files} files, {summary.rows:,} rows")
    print("Running the pipeline (demo pseudonym key; synthetic data only) ...")
    result = run_refresh()
    print(
        f"  {result.status}: {result.loaded} loaded, {result.rejected} rejected, "
        f"{result.new} new file(s)"
    )
    if serve:
        from dashboard.app import serve as serve_app

        print(f"Dashboard: http://127.0.0.1:{port}/  (Ctrl+C to stop)", flush=True)
        serve_app(port=port)
    return result.exit_code
