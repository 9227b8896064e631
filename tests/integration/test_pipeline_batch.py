"""A refresh validates a kind's new files together, yet each file is judged against the
warehouse as it is when that file's turn comes, as a run file by file did."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.runtime import close_all
from tests.helpers.pipeline import run

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]

HEADER = (
    "org_code,financial_year,rasso_investigators_qualified,ssaidp_attendance,"
    "detective_vacancies,rasso_prosecutors_fte,rasso_prosecutor_vacancies,"
    "joint_trauma_training_staff\n"
)


def _workforce(org: str, years: int) -> str:
    return HEADER + "".join(f"{org},{2023 - i}-{24 - i},1,1,1,,,1\n" for i in range(years))


@pytest.mark.timeout(300)
def test_a_later_snapshot_in_the_same_batch_is_checked_against_the_one_loaded_before_it(
    home: Path,
) -> None:
    """kent sends 4 rows then 1 row in one run: the second is within +/-50% of nothing when
    the batch is read, but of 4 rows once the first has loaded, so it carries the row-count
    warning, exactly as when each file was read, validated and loaded in turn."""
    landing = home / "landing"
    landing.mkdir()
    (landing / "workforce__kent__2024-09-30.csv").write_text(_workforce("kent", 4))
    (landing / "workforce__kent__2024-12-31.csv").write_text(_workforce("kent", 1))
    (landing / "workforce__surrey__2024-12-31.csv").write_text(_workforce("surrey", 1))
    result = run(home)
    close_all()
    got = {f["file"]: (f["outcome"], f["warnings"]) for f in result.files}
    assert got == {
        "workforce__kent__2024-09-30.csv": ("loaded", 0),
        "workforce__kent__2024-12-31.csv": ("loaded", 1),
        "workforce__surrey__2024-12-31.csv": ("loaded", 0),
    }
