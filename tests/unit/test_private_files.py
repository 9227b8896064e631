"""What the product creates is private to its user, and raw extracts are not in the data home:
the app database (password hashes, audit log) is 0600 in a 0700 folder whatever the umask,
every entry point sets a umask of 077, and the default landing folder is beside the home."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accounts import appdb
from pipelines.config import default_config
from scorecard.settings import load_settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask of 022 (the usual default, world-readable files), restored afterwards."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)
        appdb.dispose_all()


def test_the_app_database_is_private_whatever_the_umask(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "fresh" / "home"
    monkeypatch.setenv("SCORECARD_HOME", str(home))
    monkeypatch.delenv("SCORECARD_APP_DB", raising=False)
    appdb.engine()
    assert _mode(home / "app.sqlite") == 0o600
    assert _mode(home) == 0o700


def test_an_existing_readable_app_database_is_tightened(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "app.sqlite").touch(mode=0o644)
    monkeypatch.setenv("SCORECARD_HOME", str(home))
    monkeypatch.delenv("SCORECARD_APP_DB", raising=False)
    appdb.engine()
    assert _mode(home / "app.sqlite") == 0o600


def test_the_cli_makes_everything_it_creates_private(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorecard_app.cli import app

    home = tmp_path / "home"
    monkeypatch.setenv("SCORECARD_HOME", str(home))
    monkeypatch.delenv("SCORECARD_APP_DB", raising=False)
    result = CliRunner().invoke(app, ["users", "list"])
    assert result.exit_code == 0, result.output
    assert os.umask(0o022) == 0o077  # the entry point set it (the fixture restores 022)
    created = [home, *home.rglob("*")]
    assert created and all(_mode(p) & 0o077 == 0 for p in created), [
        (str(p), oct(_mode(p))) for p in created
    ]


def test_the_landing_folder_is_outside_the_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCORECARD_LANDING", raising=False)
    settings = load_settings(tmp_path / "home")
    assert settings.landing_dir == tmp_path / "home-landing"
    assert settings.home not in settings.landing_dir.parents
    assert default_config(settings).sources[0].url == str(tmp_path / "home-landing")
    # Quarantined files live inside their source folder, so they are outside the home too.
    monkeypatch.setenv("SCORECARD_LANDING", str(tmp_path / "drop"))
    assert load_settings(tmp_path / "home").landing_dir == tmp_path / "drop"
    monkeypatch.setenv("SCORECARD_LANDING", "$SCORECARD_HOME/../in")
    assert load_settings(tmp_path / "home").landing_dir == tmp_path / "in"
