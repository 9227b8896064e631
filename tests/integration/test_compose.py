"""docker-compose.yml checked without a Docker engine: no machine here runs one, so the file
is parsed and its promises (services, build contexts, volumes, health checks, every variable
documented) are checked against the repository. test_services.py runs the same commands."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SERVICES = ("postgres", "prefect-server", "etl-worker", "dashboard")
DATA_VOLUMES = ("landing", "warehouse", "snapshots")
HOME = "/srv/scorecard"  # SCORECARD_HOME inside the containers

# $$ is compose's escape for a literal $, so it is not a reference.
_VAR = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict) and isinstance(doc.get("services"), dict)
    return doc


def referenced_vars(text: str) -> set[str]:
    """Every variable compose interpolates: ${VAR}, ${VAR:-x}, ${VAR:?x}, $VAR (not $$VAR)."""
    text = text.replace("$$", "")
    return {m.group(1) or m.group(2) for m in _VAR.finditer(text)}


def documented_vars(text: str) -> set[str]:
    return {
        line.split("=", 1)[0].strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and "=" in line
    }


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command")
    return cmd.split() if isinstance(cmd, str) else [str(c) for c in cmd or []]


def mounts(service: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Target path -> (source, read_only) for short-syntax volume entries."""
    out = {}
    for v in service.get("volumes") or []:
        parts = str(v).split(":")
        out[parts[1]] = (parts[0], len(parts) > 2 and "ro" in parts[2].split(","))
    return out


def test_var_helpers_see_every_form() -> None:
    text = "a ${A} b ${B:-x} c ${C:?set C} d $D e $${NOT} f $$NOT2"
    assert referenced_vars(text) == {"A", "B", "C", "D"}
    assert documented_vars("# X=1\nA=\nB=2\n\n") == {"A", "B"}


def test_services_exist_with_image_or_build(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(SERVICES) <= set(services), sorted(services)
    for name, svc in services.items():
        assert svc.get("image") or svc.get("build"), f"{name} has neither image nor build"
        build = svc.get("build")
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        context = (ROOT / build.get("context", ".")).resolve()
        assert context.is_dir(), f"{name}: build context {context} does not exist"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"


def test_dockerfile_copies_what_exists_and_is_not_ignored() -> None:
    """A COPY of a missing or .dockerignore'd path fails the build: catch it here."""
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]
    sources = [
        src
        for line in dockerfile.splitlines()
        if line.startswith("COPY ") and "--from" not in line
        for src in line.split()[1:-1]
    ]
    assert "pyproject.toml" in sources and "dashboard" in sources
    for src in sources:
        assert (ROOT / src).exists(), f"Dockerfile copies {src}, which does not exist"
        top = src.split("/")[0]
        assert top not in ignored and src not in ignored, f"{src} is excluded by .dockerignore"
    assert ".env" in ignored, ".env holds secrets: keep it out of the build context"


def test_commands_are_the_documented_ones(compose: dict[str, Any]) -> None:
    s = compose["services"]
    assert command(s["etl-worker"]) == ["scorecard", "etl", "serve"]
    dash = command(s["dashboard"])
    assert dash[0] == "gunicorn" and "--no-control-socket" in dash
    assert dash[-1] == "dashboard.wsgi:server"
    assert "0.0.0.0:8050" in dash
    prefect = command(s["prefect-server"])
    assert prefect[:3] == ["prefect", "server", "start"] and "0.0.0.0" in prefect


def test_volumes_declared_and_mounted_where_settings_expect(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    assert set(DATA_VOLUMES) <= declared, sorted(declared)
    for name, svc in compose["services"].items():
        for target, (source, _ro) in mounts(svc).items():
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name}: bind source {source} missing"
            else:
                assert source in declared, f"{name} mounts undeclared volume {source!r}"
            assert target.startswith("/"), f"{name}: mount target {target!r} is not absolute"

    worker = mounts(compose["services"]["etl-worker"])
    # scorecard/settings.py: warehouse.duckdb in the home, snapshots/ under it, and the
    # landing folder (raw extracts) its sibling <home>-landing, outside the home.
    assert worker[HOME] == ("warehouse", False)
    assert worker[f"{HOME}-landing"] == ("landing", False)
    assert worker[f"{HOME}/snapshots"] == ("snapshots", False)

    dash = mounts(compose["services"]["dashboard"])
    assert dash[f"{HOME}/snapshots"] == ("snapshots", True), "dashboard must read snapshots ro"
    assert all(ro for _src, ro in dash.values()), "the dashboard writes no volume"
    assert "warehouse" not in {src for src, _ro in dash.values()}, "one writer: not the warehouse"


def test_every_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        check = svc.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
    dash_test = " ".join(map(str, compose["services"]["dashboard"]["healthcheck"]["test"]))
    assert "/healthz" in dash_test and ":8050" in dash_test
    prefect_test = " ".join(map(str, compose["services"]["prefect-server"]["healthcheck"]["test"]))
    assert "/api/health" in prefect_test


def test_services_get_the_settings_they_need(compose: dict[str, Any]) -> None:
    s = compose["services"]
    worker, dash = s["etl-worker"]["environment"], s["dashboard"]["environment"]
    prefect = s["prefect-server"]["environment"]
    assert "SCORECARD_PSEUDONYM_KEY" in worker
    assert "SCORECARD_PSEUDONYM_KEY" not in dash, "the dashboard never needs the key"
    assert "SCORECARD_SECRET_KEY" in dash
    for env in (worker, dash):
        assert env["SCORECARD_HOME"] == HOME
        assert str(env["SCORECARD_APP_DB"]).startswith("postgresql+psycopg://")
        assert str(env["PREFECT_API_URL"]).startswith("http://prefect-server:4200/")
    assert str(prefect["PREFECT_API_DATABASE_CONNECTION_URL"]).startswith("postgresql+asyncpg://")
    assert worker["PREFECT_RUNNER_SERVER_ENABLE"] == "true"  # what its health check calls
    assert s["dashboard"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert s["etl-worker"]["depends_on"]["prefect-server"]["condition"] == "service_healthy"


def test_every_variable_is_documented_and_every_documented_one_used() -> None:
    used = referenced_vars(COMPOSE.read_text(encoding="utf-8"))
    documented = documented_vars(ENV_EXAMPLE.read_text(encoding="utf-8"))
    assert used, "no ${VAR} found: the parser is broken"
    assert not used - documented, f"used in compose, missing from .env.example: {used - documented}"
    assert not documented - used, f"in .env.example, unused by compose: {documented - used}"


def test_each_documented_variable_has_a_comment() -> None:
    """Each variable (or run of variables) sits under a comment that says what it is for."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        j = i - 1
        while j >= 0 and lines[j].strip() and not lines[j].startswith("#"):
            j -= 1
        assert j >= 0 and lines[j].startswith("#"), f"{line!r} in .env.example is not explained"


def test_docker_compose_config_validates(tmp_path: Path) -> None:
    """When Debian's docker-compose (v1) is installed, let it validate the file too."""
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose is not installed; the checks above stand in for it")
    env = tmp_path / ".env"
    filled = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and line.endswith("="):
            line += "example-secret-value-0123456789"
        filled.append(line)
    env.write_text("\n".join(filled) + "\n", encoding="utf-8")
    got = subprocess.run(
        [tool, "--env-file", str(env), "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert got.returncode == 0, got.stderr
