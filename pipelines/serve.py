"""Scheduled refreshes: one Prefect deployment per configured schedule.

``scorecard etl serve`` registers them (cron, Europe/London) with the Prefect server named
by PREFECT_API_URL and runs them as they fall due; analysts trigger, pause and reschedule
them in the Prefect UI.
"""

from __future__ import annotations

from prefect.schedules import Cron

from pipelines.config import PipelineConfig
from pipelines.flow import refresh


def deployments(config: PipelineConfig, home: str) -> list:
    """A RunnerDeployment per schedule, passing the data home and its sources."""
    out = []
    for sch in config.schedules:
        out.append(
            refresh.to_deployment(
                name=sch.name,
                schedules=[Cron(sch.cron, timezone=sch.timezone)],
                parameters={"home": home, "source_names": list(sch.sources) or None},
                description=f"Refresh from {', '.join(sch.sources) or 'every source'} "
                f"on cron '{sch.cron}' ({sch.timezone})",
                tags=["scorecard"],
                # a sync caller may still have an event loop (e.g. under Playwright); `_sync` is
                # added by prefect's @async_dispatch, which its stubs do not show
                _sync=True,  # type: ignore[call-arg]
            )
        )
    return out


def serve_forever(config: PipelineConfig, home: str) -> None:
    from prefect import serve

    serve(*deployments(config, home))
