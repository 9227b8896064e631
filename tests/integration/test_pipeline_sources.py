"""Sources other than a local folder, the CLI's exit codes and status, and scheduling."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipelines.runtime import close_all
from scorecard_app.cli import app
from tests.helpers.pipeline import generated, run

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    yield
    close_all()


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A directory served over HTTP on 127.0.0.1 (python's own file server)."""
    folder = tmp_path / "served"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    finally:
        server.shutdown()
        server.server_close()


def _write_config(home: Path, sources: list[dict], schedules: list[dict] | None = None) -> None:
    (home / "pipeline.yaml").write_text(
        yaml.safe_dump({"sources": sources, "schedules": schedules or []})
    )


def test_pull_over_http(
    home: Path, http_folder: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    url, folder = http_folder
    files = generated(tmp_path_factory.getbasetemp())
    chosen = sorted(files.glob("police_cases__*"))[:3] + sorted(files.glob("workforce__*"))[:2]
    for f in chosen:
        (folder / f.name).write_bytes(f.read_bytes())
    _write_config(home, [{"name": "web", "url": url}])
    result = run(home, ["web"])
    assert result.status == "succeeded", result.files
    assert result.loaded == len(chosen)
    assert sorted(f["file"] for f in result.files) == sorted(f.name for f in chosen)
    # The served files are untouched and nothing is left in staging.
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.name for f in chosen)
    assert not any((home / "staging").glob("*/*"))
    again = run(home, ["web"])
    assert again.new == 0


def test_unreachable_source_fails_the_run(home: Path) -> None:
    _write_config(home, [{"name": "down", "url": "http://127.0.0.1:9/"}])
    result = run(home)
    assert result.status == "failed" and result.exit_code == 1
    assert "down" in (result.message or "")


def test_cli_exit_codes_and_status(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    files = generated(tmp_path_factory.getbasetemp())
    landing = home / "landing"
    landing.mkdir()
    good = sorted(files.glob("workforce__*"))[:2]
    for f in good:
        (landing / f.name).write_bytes(f.read_bytes())
    runner = CliRunner()
    ok = runner.invoke(app, ["etl", "run"])
    assert ok.exit_code == 0, ok.output
    assert "2 loaded" in ok.output
    # A file with a broken must rule: rejected, exit 3, and the good one still loads.
    bad = landing / "workforce__kent__2024-09-30.csv"
    bad.write_text(
        "org_code,financial_year,rasso_investigators_qualified,ssaidp_attendance,"
        "detective_vacancies,rasso_prosecutors_fte,rasso_prosecutor_vacancies,"
        "joint_trauma_training_staff\nsurrey,2023-24,1,1,1,,,1\n"
    )
    other = sorted(files.glob("workforce__*"))[5]
    (landing / other.name).write_bytes(other.read_bytes())
    partial = runner.invoke(app, ["etl", "run"])
    assert partial.exit_code == 3, partial.output
    assert "rejected" in partial.output and "workforce.org_code.matches_file" in partial.output
    assert not bad.exists(), "a rejected local file is moved to quarantine"
    assert list((landing / "quarantine").glob(f"*/{bad.name}"))
    close_all()  # `etl status` opens the warehouse read-only, as its own process would
    status = runner.invoke(app, ["etl", "status"])
    assert status.exit_code == 0
    assert "kent" in status.output and "rejected" in status.output
    assert "Recent runs" in status.output


def test_cli_refuses_without_key(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORECARD_PSEUDONYM_KEY")
    out = CliRunner().invoke(app, ["etl", "run"])
    assert out.exit_code == 1
    assert "SCORECARD_PSEUDONYM_KEY" in out.output


def test_schedules_register_as_deployments(home: Path) -> None:
    from prefect.client.orchestration import get_client

    from pipelines.config import load_config
    from pipelines.serve import deployments
    from scorecard.settings import load_settings

    _write_config(
        home,
        [{"name": "landing", "url": str(home / "landing")}],
        [
            {"name": "nightly", "cron": "30 2 * * *"},
            {"name": "weekly-landing", "cron": "0 6 * * 1", "sources": ["landing"]},
        ],
    )
    deps = deployments(load_config(load_settings()), str(home))
    ids = [d.apply(_sync=True) for d in deps]
    with get_client(sync_client=True) as client:
        got = [client.read_deployment(i) for i in ids]
    by_name = {d.name: d for d in got}
    assert set(by_name) == {"nightly", "weekly-landing"}
    nightly = by_name["nightly"].schedules[0].schedule
    assert nightly.cron == "30 2 * * *" and nightly.timezone == "Europe/London"
    assert by_name["weekly-landing"].parameters["source_names"] == ["landing"]
    assert by_name["nightly"].parameters["home"] == str(home)
