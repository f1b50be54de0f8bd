"""The review desk: a local web app over the store for reviewers with only a browser.

``pipeline review serve`` starts it on 127.0.0.1 and prints its address with a secret token,
as Jupyter does (see :mod:`pipeline.desk.app` for the guards). Pages are rendered by the
server (Jinja2, every text escaped) with a little plain JavaScript; the app serves its own
script and style, and Myanmar and Devanagari render with the system's fonts.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable, Sequence

from pipeline.errors import InputError

LOOPBACK = "127.0.0.1"


def serve(
    store: str,
    langs: Sequence[str],
    documents: Sequence[str] = (),
    *,
    host: str = LOOPBACK,
    port: int = 0,
    ui_lang: str | None = None,
    page_size: int = 200,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the desk until interrupted; announce its address (with the token) first."""
    import uvicorn

    from pipeline.desk.app import DeskConfig, create_app

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # Listening before the address is printed: a client that opens it at once is not refused.
    sock.listen(128)
    bound = sock.getsockname()[1]
    hosts: frozenset[str] | None = None
    if host in (LOOPBACK, "localhost", "::1"):
        # Loopback only answers to its own names: a page elsewhere that rebinds a DNS name to
        # 127.0.0.1 is refused. On other addresses the machine has names of its own.
        names = {host, LOOPBACK, "localhost"}
        hosts = frozenset(f"[{n}]:{bound}" if ":" in n else f"{n}:{bound}" for n in names)
    name = socket.gethostname() if host in ("0.0.0.0", "::") else host
    shown = f"[{name}]" if ":" in name else name
    token = secrets.token_urlsafe(32)
    config = DeskConfig(
        store, token, tuple(langs), tuple(documents), ui_lang, hosts, page_size=page_size
    )
    app = create_app(config)
    announce(f"http://{shown}:{bound}/?token={token}")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])
