"""User administration (``/admin/users``, admins only): who can sign in, with which role and
organisation; add a user, disable, re-enable or unlock one. Every change is audited.

Password resets stay on the command line (``scorecard users set-password``), where the
password is typed into a prompt rather than sent through the browser a second time.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, html

from accounts import appdb
from accounts import users as accounts
from dashboard import ids
from dashboard.auth import policy
from dashboard.auth.web import current_role, signed_in
from dashboard.ui.attrs import attrs
from dashboard.ui.components import page_header, table
from scorecard import reference

dash.register_page(
    __name__, name="Users", path="/admin/users", title="User administration", order=6
)


def _users_table() -> html.Div:
    rows = [
        {
            "Username": u.username,
            "Role": policy.ROLE_TEXT.get(u.role, u.role),
            "Organisation": u.org_name or "",
            "State": "disabled" if u.disabled else ("locked" if u.locked() else "active"),
            "Last sign-in": f"{u.last_login_at:%Y-%m-%d %H:%M} UTC" if u.last_login_at else "never",
            "Added": f"{u.created_at:%Y-%m-%d}",
        }
        for u in accounts.list_users()
    ]
    frame = pd.DataFrame(
        rows, columns=["Username", "Role", "Organisation", "State", "Last sign-in", "Added"]
    )
    return table(frame, f"{len(frame)} user(s)")


def _org_options() -> list[dict[str, str]]:
    forces = [{"label": f"{f.name} (force)", "value": f.code} for f in reference.forces()]
    owners = sorted(
        {o for r in reference.recommendations() for o in reference.owners_of(r.rec_no)}
        - {f.code for f in reference.forces()}
    )
    others = [{"label": appdb.owner_name(o), "value": o} for o in owners]
    return [{"label": "None (board, analyst, admin)", "value": ""}, *forces, *others]


def _field(label: str, control: Any, fid: str, hint: str | None = None) -> html.Div:
    parts: list[Any] = [html.Label(label, htmlFor=fid, className="form-label"), control]
    if hint:
        parts.append(html.Div(hint, className="form-text"))
    return html.Div(parts, className="mb-3")


def layout(**_: Any) -> html.Div:
    names = [u.username for u in accounts.list_users()]
    return html.Div(
        [
            page_header("Users", "Who can sign in, and what their role lets them see and do."),
            html.Div(_users_table(), id=ids.ADMIN_USERS, className="analyst-scroll"),
            html.Div(
                [
                    attrs(
                        html.Section(
                            [
                                html.H2("Add a user", className="h5"),
                                _field(
                                    "Username",
                                    dbc.Input(id=ids.ADMIN_ADD_NAME, autoComplete="off"),
                                    ids.ADMIN_ADD_NAME,
                                    "Lower-case letters, digits and . _ @ -",
                                ),
                                _field(
                                    "Role",
                                    dbc.Select(
                                        id=ids.ADMIN_ADD_ROLE,
                                        options=[
                                            {"label": policy.ROLE_TEXT[r], "value": r}
                                            for r in policy.ROLES
                                        ],
                                        value="board",
                                    ),
                                    ids.ADMIN_ADD_ROLE,
                                ),
                                _field(
                                    "Organisation",
                                    dbc.Select(
                                        id=ids.ADMIN_ADD_ORG, options=_org_options(), value=""
                                    ),
                                    ids.ADMIN_ADD_ORG,
                                    "A PCC's force, or the organisation an owner updates for.",
                                ),
                                _field(
                                    "Initial password",
                                    dbc.Input(
                                        id=ids.ADMIN_ADD_PASSWORD,
                                        type="password",
                                        autoComplete="new-password",
                                    ),
                                    ids.ADMIN_ADD_PASSWORD,
                                    f"At least {accounts.PASSWORD_MIN} characters; give it to the "
                                    "user by a separate channel.",
                                ),
                                _field(
                                    "Repeat the password",
                                    dbc.Input(
                                        id=ids.ADMIN_ADD_CONFIRM,
                                        type="password",
                                        autoComplete="new-password",
                                    ),
                                    ids.ADMIN_ADD_CONFIRM,
                                ),
                                html.Button(
                                    "Add user",
                                    id=ids.ADMIN_ADD_SUBMIT,
                                    type="button",
                                    className="btn btn-primary",
                                ),
                                html.Div(id=ids.ADMIN_ADD_RESULT, className="mt-3", role="status"),
                            ],
                            className="card card-body col-md-6",
                        ),
                        {"aria-label": "Add a user"},
                    ),
                    attrs(
                        html.Section(
                            [
                                html.H2("Disable, enable or unlock", className="h5"),
                                _field(
                                    "User",
                                    dbc.Select(
                                        id=ids.ADMIN_ACT_USER,
                                        options=[{"label": n, "value": n} for n in names],
                                        value=names[0] if names else None,
                                    ),
                                    ids.ADMIN_ACT_USER,
                                ),
                                html.Div(
                                    [
                                        html.Button(
                                            "Disable",
                                            id=ids.ADMIN_ACT_DISABLE,
                                            type="button",
                                            className="btn btn-outline-danger",
                                        ),
                                        html.Button(
                                            "Enable",
                                            id=ids.ADMIN_ACT_ENABLE,
                                            type="button",
                                            className="btn btn-outline-primary",
                                        ),
                                        html.Button(
                                            "Unlock",
                                            id=ids.ADMIN_ACT_UNLOCK,
                                            type="button",
                                            className="btn btn-outline-secondary",
                                        ),
                                    ],
                                    className="d-flex gap-2",
                                ),
                                html.P(
                                    [
                                        "Disabling ends the user's sessions at once. Passwords are "
                                        "reset on the server with ",
                                        html.Code("scorecard users set-password NAME"),
                                        ".",
                                    ],
                                    className="form-text",
                                ),
                                html.Div(id=ids.ADMIN_ACT_RESULT, className="mt-3", role="status"),
                            ],
                            className="card card-body col-md-5",
                        ),
                        {"aria-label": "Disable, enable or unlock a user"},
                    ),
                ],
                className="d-flex flex-wrap gap-4 mt-4",
            ),
            html.P(html.A("See the audit log", href="/admin/audit"), className="mt-4"),
        ]
    )


def _admin() -> str:
    """The acting admin's name; the guard already refused everyone else, this checks again."""
    user = signed_in()
    if user is None or not policy.can(current_role(), policy.USERS):
        raise dash.exceptions.PreventUpdate
    return user.username


@dash.callback(
    Output(ids.ADMIN_ADD_RESULT, "children"),
    Output(ids.ADMIN_USERS, "children", allow_duplicate=True),
    Input(ids.ADMIN_ADD_SUBMIT, "n_clicks"),
    State(ids.ADMIN_ADD_NAME, "value"),
    State(ids.ADMIN_ADD_ROLE, "value"),
    State(ids.ADMIN_ADD_ORG, "value"),
    State(ids.ADMIN_ADD_PASSWORD, "value"),
    State(ids.ADMIN_ADD_CONFIRM, "value"),
    prevent_initial_call=True,
)
def _add(
    _n: int | None,
    name: str | None,
    role: str | None,
    org: str | None,
    password: str | None,
    confirm: str | None,
) -> tuple[Any, Any]:
    who = _admin()
    if (password or "") != (confirm or ""):
        return _alert("The two passwords differ; nothing was saved.", False), dash.no_update
    try:
        user = accounts.add(name or "", role or "", password or "", org_code=org or None, who=who)
    except accounts.UserError as exc:
        return _alert(f"Not added: {exc}.", False), dash.no_update
    return _alert(f"Added {user.username}.", True), _users_table()


@dash.callback(
    Output(ids.ADMIN_ACT_RESULT, "children"),
    Output(ids.ADMIN_USERS, "children", allow_duplicate=True),
    Input(ids.ADMIN_ACT_DISABLE, "n_clicks"),
    Input(ids.ADMIN_ACT_ENABLE, "n_clicks"),
    Input(ids.ADMIN_ACT_UNLOCK, "n_clicks"),
    State(ids.ADMIN_ACT_USER, "value"),
    prevent_initial_call=True,
)
def _act(_d: int | None, _e: int | None, _u: int | None, name: str | None) -> tuple[Any, Any]:
    who = _admin()
    if not name:
        return _alert("Choose a user.", False), dash.no_update
    action = ctx.triggered_id
    if action == ids.ADMIN_ACT_DISABLE and name == who:
        return _alert("You cannot disable your own account.", False), dash.no_update
    try:
        if action == ids.ADMIN_ACT_DISABLE:
            accounts.set_disabled(name, True, who=who)
            done = f"Disabled {name}; their sessions have ended."
        elif action == ids.ADMIN_ACT_ENABLE:
            accounts.set_disabled(name, False, who=who)
            done = f"Enabled {name}."
        else:
            accounts.unlock(name, who=who)
            done = f"Unlocked {name}."
    except accounts.UserError as exc:
        return _alert(f"Nothing changed: {exc}.", False), dash.no_update
    return _alert(done, True), _users_table()


def _alert(text: str, ok: bool) -> html.Div:
    return html.Div(text, className=f"alert alert-{'success' if ok else 'danger'} mb-0")
