"""aria-*/data-* attributes reach the browser; anything else is refused, not dropped."""

from __future__ import annotations

import pytest
from dash import html

from dashboard.ui.attrs import attrs


def test_aria_and_data_attributes_are_sent() -> None:
    div = attrs(html.Div("x", id="d"), {"aria-label": "Key", "data-state": "failed"})
    props = div.to_plotly_json()["props"]
    assert props["aria-label"] == "Key" and props["data-state"] == "failed"
    assert props["id"] == "d"


@pytest.mark.parametrize("name", ["aria_label", "arialabel", "aria-", "onclick", "style"])
def test_other_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        attrs(html.Div("x"), {name: "v"})
