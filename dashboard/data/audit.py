"""The audit log as a person reads it: actions in words, and each entry's before and after
as a list of changes ("Status: In progress → Implemented") instead of two JSON blobs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dashboard.ui.status import STATUS_TEXT

ACTION_TEXT = {
    "recommendation.update": "Recommendation updated",
    "refresh.start": "Refresh started",
    "user.add": "User added",
    "user.disable": "User disabled",
    "user.enable": "User enabled",
    "user.unlock": "User unlocked",
    "user.locked": "User locked out",
    "user.set_password": "Password changed",
}
FIELD_TEXT = {
    "org_code": "Organisation",
    "target_date": "Target date",
    "locked_until": "Locked until",
    "failed_logins": "Failed sign-ins",
    "result": "Result",
}
TEXT_MAX = 160


def action_text(action: str) -> str:
    return ACTION_TEXT.get(action, action.replace(".", " ").replace("_", " ").capitalize())


_REC_TARGET = re.compile(r"^recommendation (\d+) / (\S+)$")


def target_text(target: str) -> str:
    """What an entry is about, in words: 'recommendation 9 / cps_hq' ->
    'Recommendation 9, CPS Headquarters' (a user name or 'pipeline' stays as it is)."""
    got = _REC_TARGET.match(target or "")
    if not got:
        return target or ""
    from accounts.appdb import owner_name

    return f"Recommendation {got.group(1)}, {owner_name(got.group(2))}"


def field_text(key: str) -> str:
    return FIELD_TEXT.get(key, key.replace("_", " ").capitalize())


def value_text(key: str, value: Any) -> str:
    """A before or after value in words: statuses named, yes/no, dates without seconds."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "status" and str(value) in STATUS_TEXT:
        return STATUS_TEXT[str(value)]
    if key == "role":
        from dashboard.auth.policy import ROLE_TEXT

        return ROLE_TEXT.get(str(value), str(value))
    if key == "org_code":
        from accounts.appdb import owner_name

        return owner_name(str(value))
    text = str(value)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        text = f"{when:%d %b %Y %H:%M}" if ("T" in text or " " in text) else f"{when:%d %b %Y}"
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def change_list(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """What changed, one line per field: 'Status: In progress → Implemented'; a field only
    in the new state reads 'Role: Analyst' (set), only in the old 'Evidence: removed'."""
    old, new = dict(before or {}), dict(after or {})
    lines = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        if key in old and key in new:
            if was == now:
                continue
            lines.append(f"{field_text(key)}: {value_text(key, was)} → {value_text(key, now)}")
        elif key in new:
            lines.append(f"{field_text(key)}: {value_text(key, now)}")
        else:
            lines.append(f"{field_text(key)}: removed (was {value_text(key, was)})")
    return lines
