"""The dashboard's development server (``scorecard dashboard``, ``scorecard demo``).

Werkzeug's server made directly rather than through ``app.run``: it is bound before anything
is printed, so a port in use fails with one clear line naming the port (and the demo can check
before minutes of loading), and the caller chooses whether every request is logged. Production
serves under gunicorn (``dashboard/wsgi.py``) and does not use this.
"""

from __future__ import annotations

import errno
import gc
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer


class PortError(OSError):
    """The dashboard cannot listen where asked; the message says where and what to do."""


def port_error(host: str, port: int, exc: OSError) -> PortError:
    """The one wording for a port that cannot be used (in use, or not allowed)."""
    if exc.errno == errno.EADDRINUSE:
        return PortError(
            f"port {port} on {host} is already in use (perhaps an earlier demo or dashboard "
            "is still running); stop that program or choose another port with --port",
        )
    return PortError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def check_port(host: str, port: int) -> None:
    """Raise PortError now if ``port`` cannot be listened on; the socket is closed again.

    Address reuse is allowed as the server itself allows it, so a port left in TIME_WAIT by a
    server just stopped is not mistaken for one in use."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise port_error(host, port, exc) from None


def dev_server(host: str, port: int, access_log: bool = True) -> BaseWSGIServer:
    """The app under Werkzeug's threaded server, bound; call ``serve_forever()`` on it.

    ``access_log=False`` drops the line per request (errors are still logged)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from dashboard.app import create_app

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

    check_port(host, port)  # Werkzeug would print its own words and exit the process
    app = create_app()
    gc.freeze()  # start-up objects out of the collector's view (see dashboard/wsgi.py)
    handler = None if access_log else QuietHandler
    return make_server(host, port, app.server, threaded=True, request_handler=handler)


def serve_until_stopped(server: BaseWSGIServer) -> None:
    """Serve until Ctrl+C, then close the socket (the CLI's dashboard and the demo alike)."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
