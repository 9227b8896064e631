"""Hyphenated HTML attributes (``aria-*``, ``data-*``) on Dash components.

Dash accepts them only as ``**{"aria-label": ...}``, which its typed keyword arguments
reject (mypy matches the dict against every parameter). Set on the built component instead:
Dash sends every ``aria-*``/``data-*`` attribute of a component to the browser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from dash.development.base_component import Component

C = TypeVar("C", bound=Component)
PREFIXES = ("aria-", "data-")


def attrs(component: C, attributes: Mapping[str, str]) -> C:
    """``component`` with the ``aria-*``/``data-*`` attributes set; any other name is refused
    (a typo such as ``aria_label`` would otherwise be dropped silently)."""
    for name, value in attributes.items():
        if not name.startswith(PREFIXES) or len(name) <= 5:
            raise ValueError(f"not an aria-* or data-* attribute: {name!r}")
        setattr(component, name, value)
    return component
