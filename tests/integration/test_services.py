"""The docker-compose services run outside Docker (no engine on these machines): PostgreSQL,
the Prefect server, the ETL worker (``scorecard etl serve``) and the dashboard under gunicorn,
each started with the command docker-compose.yml gives it, on free ports on 127.0.0.1.

PostgreSQL is a throwaway cluster under a temporary folder (initdb/pg_ctl from Debian's
postgresql-15, which .ci/run installs) holding Prefect's database and the app database; when
its binaries are missing both fall back to SQLite, and the test says which it used.

The helpers are in tests/helpers/services.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests

from tests.helpers.pipeline import LoadedHome
from tests.helpers.services import (
    BOARD_PASSWORD,
    BOARD_USER,
    HELD_BACK,
    HOST,
    ROOT,
    Client,
    add_user,
    app_env,
    base_env,
    children,
    databases,
    free_port,
    gunicorn_argv,
    http_status,
    later_vintage,
    login_available,
    prefect_api,
    running,
    tool,
    wait_until,
)
from tests.helpers.settings import TEST_KEY

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_compose_commands_run_outside_docker(
    tmp_path: Path, loaded_home: LoadedHome, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.publish import current_snapshot
    from tests.helpers.pipeline import copy_home

    logs = tmp_path / "logs"
    # The national set already loaded (the session's full run, copied): the CLI's first
    # refresh finds nothing new; the worker's deployment then loads a later vintage of one
    # sender's extract, held back until then.
    home = copy_home(loaded_home.path, tmp_path / "home")
    landing = home / "landing"
    held_name, held_bytes = later_vintage(loaded_home.files, HELD_BACK)

    with databases(tmp_path) as db:
        with capsys.disabled():
            print(f"\n[test_services] {db.note}")

        # Prefect server: `prefect server start`, its own home, on PostgreSQL (asyncpg).
        pport = free_port()
        api = f"http://{HOST}:{pport}/api"
        prefect_env = base_env(
            PREFECT_HOME=str(tmp_path / "prefect-server"),
            PREFECT_API_DATABASE_CONNECTION_URL=db.prefect_url,
            PREFECT_UI_API_URL=api,
        )
        server_argv = [tool("prefect"), "server", "start", "--host", HOST, "--port", str(pport)]
        with running("prefect-server", server_argv, prefect_env, logs) as server:
            wait_until("the Prefect API", lambda: http_status(f"{api}/health") == 200, 180, server)
            assert http_status(f"http://{HOST}:{pport}/") == 200, "the Prefect UI is not served"

            # First refresh through the CLI against that server: its flow run is recorded there.
            etl_env = base_env(
                SCORECARD_HOME=str(home),
                SCORECARD_PSEUDONYM_KEY=TEST_KEY,
                SCORECARD_APP_DB=db.app_url,
                PREFECT_HOME=str(tmp_path / "prefect-client"),
                PREFECT_API_URL=api,
            )
            first = subprocess.run(
                [tool("scorecard"), "etl", "run"], env=etl_env, cwd=ROOT,
                capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
            assert first.returncode == 0, f"{first.stdout}\n{first.stderr}"
            first_snapshot = current_snapshot(home / "snapshots")
            assert first_snapshot is not None
            runs = prefect_api(api, "/flow_runs/filter", {"limit": 10})
            assert runs and runs[0]["state_type"] == "COMPLETED", runs

            # The dashboard: docker-compose.yml's gunicorn command, three workers.
            web_env = app_env(home, db.app_url, PREFECT_API_URL=api)
            if login_available():
                add_user(web_env, BOARD_USER, BOARD_PASSWORD)
            wport = free_port()
            base = f"http://{HOST}:{wport}"
            with running("gunicorn", gunicorn_argv(wport, 3), web_env, logs) as web:
                wait_until("/healthz", lambda: http_status(f"{base}/healthz") == 200, 120, web)
                assert len(wait_until("3 workers", lambda: len(children(web.proc.pid)) == 3
                                      and children(web.proc.pid), 60, web)) == 3  # fmt: skip
                if login_available():
                    anonymous = requests.get(f"{base}/api/metrics?level=national", timeout=30)
                    assert anonymous.status_code == 401, "the API answered without a session"
                client = Client(base)
                client.login()
                before = client.metrics()
                assert before.status_code == 200, before.text[:300]
                assert before.json(), "no national metric values in the first snapshot"
                home_page = client.get(client.url("/"), timeout=30)
                assert home_page.status_code == 200 and "_dash-config" in home_page.text
                deps = client.get(client.url("/_dash-dependencies"), timeout=30).json()
                rendered = client.page_callback("/", deps)
                assert rendered.status_code == 200, rendered.text[:300]
                assert "_pages_content" in rendered.json()["response"]

                # ETL worker: `scorecard etl serve` registers refresh/nightly with the server.
                rport = free_port()
                worker_env = etl_env | {
                    "PREFECT_RUNNER_SERVER_ENABLE": "true",
                    "PREFECT_RUNNER_SERVER_HOST": HOST,
                    "PREFECT_RUNNER_SERVER_PORT": str(rport),
                    "PREFECT_RUNNER_POLL_FREQUENCY": "2",
                }
                argv = [tool("scorecard"), "etl", "serve"]
                with running("etl-worker", argv, worker_env, logs) as worker:
                    dep = wait_until(
                        "the refresh/nightly deployment",
                        lambda: prefect_api(api, "/deployments/name/refresh/nightly"),
                        180, worker, server,
                    )  # fmt: skip
                    sched = dep["schedules"][0]["schedule"]
                    assert (sched["cron"], sched["timezone"]) == ("30 2 * * *", "Europe/London")
                    assert dep["parameters"]["home"] == str(home)
                    health = f"http://{HOST}:{rport}/health"
                    wait_until(
                        "the worker's /health", lambda: http_status(health) == 200, 60, worker
                    )

                    # "Quick run" as the UI does it: the worker runs it, loading the held-back
                    # extract and publishing a new snapshot, which gunicorn then serves.
                    (landing / held_name).write_bytes(held_bytes)
                    run = prefect_api(api, f"/deployments/{dep['id']}/create_flow_run", {})
                    assert run, "could not create a flow run from the deployment"

                    def finished() -> str | None:
                        got = prefect_api(api, f"/flow_runs/{run['id']}")
                        state = (got or {}).get("state_type")
                        return state if state in {"COMPLETED", "FAILED", "CRASHED"} else None

                    state = wait_until("the deployment's flow run", finished, 300, worker, server)
                    assert state == "COMPLETED", worker.tail(80)
                    assert http_status(health) == 200

                new_snapshot = current_snapshot(home / "snapshots")
                assert new_snapshot is not None and new_snapshot != first_snapshot
                after = [client.metrics() for _ in range(9)]  # spread over the three workers
                assert all(r.status_code == 200 for r in after)
                assert all(r.json() == after[0].json() for r in after)
                assert after[0].json() != before.json(), "workers still serve the old snapshot"
                assert web.alive()
            assert server.alive()
