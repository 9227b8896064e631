"""What every demo run must end with, checked on the stand-in run (tests/unit/test_demo.py)
and on the real one (tests/integration/test_pipeline_flow.py)."""

from __future__ import annotations

from scorecard_app.demo import DEMO_USERS


def assert_ends_with_the_sign_in_box(out: str, url: str) -> None:
    """The last lines printed are one box holding the address and a sign-in for every role."""
    lines = out.rstrip("\n").splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("+-"))
    box = lines[top:]
    assert box[-1] == box[0] and all(line.startswith("| ") for line in box[1:-1]), box
    assert url in "\n".join(box)
    for username, role, _ in DEMO_USERS:
        assert any(username in line and f" {role} " in line for line in box), (role, box)
