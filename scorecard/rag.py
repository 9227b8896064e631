"""The RAG rule for a recommendation x owner: the one definition.

The mart (``warehouse/sql/mart/050_recommendation_status.sql``) gets its CASE from
:func:`rag_sql`, and the dashboard judges an owner's newer in-app update with
:func:`rag_of`; both read :data:`RULES`, so the extract and the app cannot be judged
differently. First matching rule wins; overdue means red.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DONE = ("implemented", "verified")
NOT_APPLICABLE = "not_applicable"
RAGS = ("green", "amber", "red", "grey")
OVERDUE = "red"


@dataclass(frozen=True)
class Rule:
    """A RAG when the status is one of ``statuses`` (any, if empty) and, when ``late`` is
    set, the as-at date is past the target date."""

    rag: str
    statuses: tuple[str, ...] = ()
    late: bool = False


RULES: tuple[Rule, ...] = (
    Rule("grey", (NOT_APPLICABLE,)),
    Rule("green", DONE),
    Rule(OVERDUE, late=True),  # not done and past target (includes not started, no return)
    Rule("amber"),
)


def rag_of(status: str, target: date | None, as_at: date | None) -> tuple[str, bool]:
    """(RAG, overdue) of one status as at a date."""
    late = bool(target and as_at and as_at > target)
    for rule in RULES:
        if (not rule.statuses or status in rule.statuses) and (not rule.late or late):
            return rule.rag, rule.rag == OVERDUE
    raise AssertionError("RULES ends with a catch-all")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def rag_sql(status: str = "status", target: str = "target_date", as_at: str = "as_at") -> str:
    """:data:`RULES` as a SQL CASE over the named columns (a NULL date is never late)."""
    whens = []
    for rule in RULES:
        conds = []
        if rule.statuses:
            conds.append(f"{status} IN ({_quoted(rule.statuses)})")
        if rule.late:
            conds.append(f"coalesce({as_at} > {target}, false)")
        whens.append((" AND ".join(conds) or "true", rule.rag))
    body = " ".join(f"WHEN {c} THEN '{r}'" for c, r in whens[:-1])
    return f"CASE {body} ELSE '{whens[-1][1]}' END"
