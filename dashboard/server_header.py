"""No ``Server`` header naming the software: it only tells an attacker which exploits to try.

Flask's responses never carry one (the app's after-request hook drops any), but gunicorn writes
``Server: gunicorn`` itself, ahead of the application's headers, and has no setting to turn it
off. :func:`hide_gunicorn_server_header` removes that line from gunicorn's response writer; the
WSGI entry point calls it, so every worker serves without it.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def hide_gunicorn_server_header() -> bool:
    """Stop gunicorn sending its Server header; False when gunicorn is not installed or its
    response writer has changed shape (a test fails then, rather than the header coming back
    silently)."""
    try:
        from gunicorn.http import wsgi
    except ImportError:
        return False
    response = wsgi.Response
    if getattr(response.default_headers, "_scorecard_no_server", False):
        return True
    original = response.default_headers

    def default_headers(self: Any) -> list[str]:
        return [h for h in original(self) if not h.lower().startswith("server:")]

    default_headers._scorecard_no_server = True  # type: ignore[attr-defined]
    response.default_headers = default_headers
    return True
