"""One recommendation (``/recommendations/<n>``): its owners' status, the evidence metrics for
an owner, the update form (status, target date, evidence) and the history of updates.

Only an owner signed in for one of the recommendation's owner organisations gets the form;
the save callback takes who and the allowed organisation from the session, never the form,
so a hand-made request cannot update another owner's row. An unknown number
(``/recommendations/99``, ``/recommendations/abc``) gets a clear page.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from accounts import appdb
from dashboard import ids
from dashboard.auth import policy
from dashboard.auth.web import signed_in
from dashboard.data import recommendations as rd
from dashboard.data.snapshot import NoSnapshotError
from dashboard.data.source import snapshot_cached
from dashboard.ui.attrs import attrs
from dashboard.ui.components import notice, page_header
from dashboard.ui.figures import figure_card
from dashboard.ui.recommendations import owners_body
from dashboard.ui.status import RECS_SOURCE as SOURCE
from dashboard.ui.status import legend
from scorecard import reference
from warehouse.metrics import catalogue

log = logging.getLogger(__name__)


def _title(rec_no: str | None = None, **_: Any) -> str:
    return f"Recommendation {rec_no}" if rec_no else "Recommendation"


dash.register_page(
    __name__,
    name="Recommendation",
    path_template="/recommendations/<rec_no>",
    title=_title,
    order=3,
)

FIELD_LABELS = {
    "who": "Signed-in user",
    "rec_no": "Recommendation",
    "owner_code": "Owner organisation",
    "status": "Status",
    "target_date": "Target date",
    "evidence": "Evidence",
}


def parse_rec_no(raw: object) -> tuple[int | None, str | None]:
    """(number, None) for a known recommendation, else (None, a plain message)."""
    text = str(raw or "").strip()
    if not text.isdigit():
        return None, f"{text!r} is not a recommendation number; they are numbered 1 to 13."
    n = int(text)
    if n not in {r.rec_no for r in reference.recommendations()}:
        return None, f"There is no recommendation {n}; the inspection made 13 (1 to 13)."
    return n, None


def _not_found(message: str) -> html.Div:
    return html.Div(
        [
            page_header("Recommendation not found"),
            html.Div(message, className="alert alert-warning", role="status"),
            html.A("See all 13 recommendations", href="/recommendations"),
        ]
    )


def _my_org() -> str | None:
    """The signed-in owner's organisation (its rows are listed first), else None."""
    user = signed_in()
    if user is None or not policy.can(user.role, policy.UPDATE_RECS):
        return None
    return user.org_code or None


def _owners_card(rec_no: int) -> html.Section:
    """The owners card; rebuilt only for a new snapshot or a new app update (a save changes
    :func:`~dashboard.data.recommendations.app_version`, so it shows at once), per owner
    organisation listed first."""
    return _owners_card_for(rec_no, rd.app_version(), _my_org())


@snapshot_cached
def _owners_card_for(rec_no: int, version: tuple[int, int], first: str | None) -> html.Section:
    df = rd.owners_in_order(rd.status_table(rec_no), first)
    frame = rd.owners_table(df, first)
    as_at = rd.as_at()
    mine = first is not None and bool((df["owner_code"] == first).any())
    return figure_card(
        ids.REC_OWNERS_CARD,
        f"Recommendation {rec_no}: status by owner",
        f"As at {as_at}" if as_at else "Latest returns",
        frame,
        source=SOURCE,
        description="The newer of each owner's latest extract return and any update made "
        "here. Overdue: past the target date and not implemented, verified or not applicable."
        + (" Your organisation is listed first." if mine else ""),
        body=owners_body(df, frame),
    )


def _history_card(rec_no: int) -> html.Section:
    hist = rd.history_table(rec_no)
    return figure_card(
        f"{ids.REC_HISTORY}-card",
        f"Recommendation {rec_no}: updates made in the app",
        "All updates, newest first",
        hist,
        source="Source: the scorecard's app database (who, when, before and after).",
        description=None if len(hist) else "No owner has updated this recommendation here yet.",
        table_open=True,
    )


def _evidence_card(rec_no: int, owner_code: str) -> html.Section:
    period, frame = rd.evidence_table(rec_no, owner_code)
    name = appdb.owner_name(owner_code)
    return figure_card(
        ids.REC_EVIDENCE_CARD,
        f"Evidence metrics for {name}",
        f"Financial year {period}" if period else "Current financial year",
        frame,
        description=None
        if len(frame)
        else "No evidence metric figures for this owner (some recommendations have none).",
        table_open=True,
    )


def _form(rec_no: int, owners: list[dict[str, str]], state: appdb.RecState | None) -> html.Form:
    """The owner's form, filled with their current status, target and evidence."""

    def field(label: str, control: Any, fid: str, hint: str | None = None) -> html.Div:
        parts: list[Any] = [html.Label(label, htmlFor=fid, className="form-label"), control]
        if hint:
            parts.append(html.Div(hint, id=f"{fid}-hint", className="form-text"))
        return html.Div(parts, className="mb-3")

    form = html.Form(
        [
            field(
                "Owner organisation",
                dbc.Select(id=ids.REC_FORM_OWNER, options=owners, value=owners[0]["value"]),
                ids.REC_FORM_OWNER,
                "The organisation you are updating for; its evidence metrics are above.",
            ),
            field(
                "Status",
                dbc.Select(
                    id=ids.REC_FORM_STATUS,
                    options=rd.status_choices(),
                    value=state.status if state else None,
                ),
                ids.REC_FORM_STATUS,
            ),
            field(
                "Target date",
                dcc.Input(
                    id=ids.REC_FORM_TARGET,
                    type="date",  # type: ignore[arg-type]  # the browser's own date field: dcc.Input passes it on; its stub lists fewer types
                    className="form-control",
                    value=state.target_date.isoformat() if state and state.target_date else None,
                ),
                ids.REC_FORM_TARGET,
                "Leave as it is to keep the current target.",
            ),
            field(
                "Evidence",
                dbc.Textarea(
                    id=ids.REC_FORM_EVIDENCE,
                    rows=4,
                    value=(state.evidence or "") if state else "",
                ),
                ids.REC_FORM_EVIDENCE,
                f"Up to {appdb.EVIDENCE_MAX:,} characters; required when implemented or verified.",
            ),
            html.Button(
                "Save update",
                id=ids.REC_FORM_SUBMIT,
                type="button",
                className="btn btn-primary",
            ),
            html.Div(id=ids.REC_FORM_RESULT, className="mt-3", role="status"),
            dcc.Store(id=ids.REC_FORM_REC, data=rec_no),
        ]
    )
    return attrs(form, {"aria-label": f"Update recommendation {rec_no}"})


def _update_section(rec_no: int, owners: list[dict[str, str]]) -> html.Section:
    """The update form for an owner of this recommendation; others are told who can update.
    The server checks again on save: the form is a convenience, not the control."""
    user = signed_in()
    mine = [o for o in owners if user is not None and o["value"] == user.org_code]
    can_update = user is not None and policy.can(user.role, policy.UPDATE_RECS)
    if user is not None and can_update and mine:
        body: list[Any] = [
            html.P(
                f"You are signed in as {user.username} for {mine[0]['label']}. Every update is "
                "kept with who made it, when, and the status before and after.",
                className="small",
            ),
            _form(rec_no, mine, rd.current_state(rec_no, mine[0]["value"])),
        ]
    else:
        reason = (
            "your organisation does not own this recommendation"
            if can_update
            else "only a recommendation owner, signed in for their organisation, can update it"
        )
        body = [html.P(f"You cannot update this recommendation: {reason}.", className="small")]
        body.append(html.Label("Owner organisation", htmlFor=ids.REC_FORM_OWNER))
        body.append(dbc.Select(id=ids.REC_FORM_OWNER, options=owners, value=owners[0]["value"]))
        body.append(html.P("Choose an owner to see their evidence above.", className="form-text"))
        body.append(dcc.Store(id=ids.REC_FORM_REC, data=rec_no))
    return html.Section(
        [html.H3("Update the status", className="h5"), *body], className="card card-body mb-4"
    )


def layout(rec_no: str | None = None, **_: Any) -> html.Div:
    n, problem = parse_rec_no(rec_no)
    if n is None:
        return _not_found(problem or "Unknown recommendation.")
    rec = next(r for r in reference.recommendations() if r.rec_no == n)
    metrics = catalogue.by_id()
    evidence_names = [metrics[m].name for m in rec.evidence if m in metrics]
    header = page_header(f"Recommendation {n}", rec.title)
    try:
        owners_card = _owners_card(n)
        history_card = _history_card(n)
    except NoSnapshotError as exc:
        return html.Div([header, notice(str(exc))])
    owners = rd.owner_choices(n)
    due = (
        "immediately (by default 3 months after publication)"
        if rec.due == "immediate"
        else "by default 12 months after publication"
    )
    return html.Div(
        [
            header,
            html.P(
                [
                    html.A("All recommendations", href="/recommendations"),
                    f" · {len(owners)} owners · due {due}, unless the owner set a target"
                    " · evidence: "
                    + (", ".join(evidence_names) if evidence_names else "none in the catalogue"),
                ]
            ),
            legend(),
            html.H2("Status by owner", className="h4"),
            html.Div(owners_card, id=f"{ids.REC_OWNERS_CARD}-wrap"),
            html.H2("An owner's evidence and update", className="h4"),
            html.Div(id=ids.REC_EVIDENCE_CONTENT),
            _update_section(n, owners),
            html.H2("History", className="h4"),
            html.Div(history_card, id=ids.REC_HISTORY),
        ]
    )


@dash.callback(
    Output(ids.REC_EVIDENCE_CONTENT, "children"),
    Input(ids.REC_FORM_OWNER, "value"),
    State(ids.REC_FORM_REC, "data"),
)
def _owner_chosen(owner: str | None, rec_no: int | None) -> Any:
    """Show the chosen owner's evidence metrics (the form, for an owner, is filled when the
    page is built: only their own organisation is offered)."""
    if not owner or not rec_no:
        raise dash.exceptions.PreventUpdate
    try:
        return _evidence_card(int(rec_no), owner)
    except NoSnapshotError as exc:
        return notice(str(exc))


@dash.callback(
    Output(ids.REC_FORM_RESULT, "children"),
    Output(ids.REC_HISTORY, "children"),
    Output(f"{ids.REC_OWNERS_CARD}-wrap", "children"),
    Input(ids.REC_FORM_SUBMIT, "n_clicks"),
    State(ids.REC_FORM_REC, "data"),
    State(ids.REC_FORM_OWNER, "value"),
    State(ids.REC_FORM_STATUS, "value"),
    State(ids.REC_FORM_TARGET, "value"),
    State(ids.REC_FORM_EVIDENCE, "value"),
    prevent_initial_call=True,
)
def _submit(
    _clicks: int | None,
    rec_no: int | None,
    owner: str | None,
    status: str | None,
    target: str | None,
    evidence: str | None,
) -> tuple[Any, ...]:
    """Validate, store with before/after, and redraw the owners and history cards."""
    user = signed_in()
    if user is None or not policy.can(user.role, policy.UPDATE_RECS):
        # The access guard refuses this before it runs; this is the second lock.
        raise dash.exceptions.PreventUpdate
    form = {
        "rec_no": rec_no,
        "owner_code": owner,
        "status": status,
        "target_date": target,
        "evidence": evidence,
    }
    try:
        update = appdb.validate_update(
            form, who=user.username, allowed_owners=[user.org_code] if user.org_code else []
        )
    except appdb.UpdateError as err:
        items = [html.Li(f"{FIELD_LABELS.get(k, k)}: {v}") for k, v in err.errors.items()]
        msg = html.Div(
            [html.Strong("The update was not saved:"), html.Ul(items, className="mb-0")],
            className="alert alert-danger",
        )
        return msg, dash.no_update, dash.no_update
    before = rd.current_state(update.rec_no, update.owner_code)
    appdb.record_update(update, before)
    done = html.Div(
        f"Saved: recommendation {update.rec_no}, {appdb.owner_name(update.owner_code)} is now "
        f"{rd.STATUS_TEXT.get(update.status, update.status).lower()}.",
        className="alert alert-success",
    )
    return done, _history_card(update.rec_no), _owners_card(update.rec_no)
