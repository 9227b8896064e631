"""The roles a user may hold. Here rather than in the dashboard's access policy because user
management checks them without the web stack; ``dashboard.auth.policy`` maps each role to
what it may open."""

from __future__ import annotations

ROLES = ("board", "pcc", "owner", "analyst", "admin")
# Roles tied to one organisation: a PCC to a force (their landing page), an owner to the
# organisation whose recommendation rows they may change.
ROLES_WITH_ORG = ("pcc", "owner")
