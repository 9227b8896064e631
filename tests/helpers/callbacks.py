"""Dash callback requests as the browser's Dash renderer sends them, for tests that drive
the app's callbacks over HTTP or its test client (the access matrix, editions)."""

from __future__ import annotations

import json
from typing import Any


def callback_outputs(key: str) -> list[tuple[Any, str]]:
    """(id, property) for each output in a Dash callback-map key."""
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    out = []
    for p in parts:
        cid, prop = p.rsplit(".", 1)
        out.append((json.loads(cid) if cid.startswith("{") else cid, prop))
    return out


def concrete_id(cid: Any) -> Any:
    """A pattern id made concrete (the CSV download on a scorecard card)."""
    if isinstance(cid, str) and cid.startswith("{"):
        cid = json.loads(cid)
    if isinstance(cid, dict):
        return {k: ("compare-funnel" if v == ["MATCH"] else v) for k, v in cid.items()}
    return cid


def callback_request(app: Any, key: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A callback request as the Dash renderer would send it."""
    spec = app.callback_map[key]
    values = values or {}
    outs = [{"id": concrete_id(i), "property": p} for i, p in callback_outputs(key)]

    def items(kind: str) -> list[dict[str, Any]]:
        return [
            {
                "id": concrete_id(x["id"]),
                "property": x["property"],
                "value": values.get(f"{x['id']}.{x['property']}"),
            }
            for x in spec[kind]
        ]

    inputs = items("inputs")
    changed = []
    if inputs:
        first = inputs[0]["id"]
        first_id = json.dumps(first) if isinstance(first, dict) else first
        changed = [f"{first_id}.{inputs[0]['property']}"]
    return {
        "output": key,
        "outputs": outs if key.startswith("..") else outs[0],
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": changed,
    }
