"""Dash callback requests as the browser's Dash renderer sends them, for tests that drive
the app's callbacks over HTTP or its test client (the access matrix, editions)."""

from __future__ import annotations

import json
from collections.abc import Callable
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


def request_body(
    key: str,
    inputs: list[dict[str, Any]],
    state: list[dict[str, Any]],
    value: Callable[[dict[str, Any]], Any],
    changed: list[dict[str, Any]],
) -> dict[str, Any]:
    """The JSON the Dash renderer posts to /_dash-update-component for the callback ``key``:
    each input and state ``{id, property}`` with ``value(it)``, ``changed`` marked as what
    fired it. The one builder for a callback map entry in-process (:func:`callback_request`)
    and for one read from a served app's /_dash-dependencies (:func:`page_load_request`)."""
    outs = [{"id": concrete_id(i), "property": p} for i, p in callback_outputs(key)]

    def items(deps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"id": concrete_id(d["id"]), "property": d["property"], "value": value(d)} for d in deps
        ]

    def changed_id(d: dict[str, Any]) -> str:
        cid = concrete_id(d["id"])
        return f"{json.dumps(cid) if isinstance(cid, dict) else cid}.{d['property']}"

    return {
        "output": key,
        "outputs": outs if key.startswith("..") else outs[0],
        "inputs": items(inputs),
        "state": items(state),
        "changedPropIds": [changed_id(d) for d in changed],
    }


def callback_request(app: Any, key: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A callback request as the Dash renderer would send it, from the app's callback map;
    ``values`` maps 'id.property' (the id as in the map) to a value, others are None."""
    spec = app.callback_map[key]
    given = values or {}
    return request_body(
        key,
        spec["inputs"],
        spec["state"],
        lambda d: given.get(f"{d['id']}.{d['property']}"),
        spec["inputs"][:1],
    )


def page_load_request(deps: list[dict[str, Any]], pathname: str) -> dict[str, Any]:
    """What a browser posts for the pages callback on first load of ``pathname``, from a
    served app's /_dash-dependencies (every location input changed at once)."""
    cb = next(d for d in deps if "_pages_content.children" in d["output"])
    here = {"pathname": pathname, "search": "", "hash": "", "href": pathname}
    return request_body(
        cb["output"],
        cb["inputs"],
        cb.get("state", []),
        lambda d: here.get(d["property"]),
        cb["inputs"],
    )
