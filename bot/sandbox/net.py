"""Loopback plumbing for the sandbox: threaded WSGI servers and address checks."""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class SandboxError(Exception):
    """Why the sandbox cannot start, in one line for the command line."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _ThreadingWSGIServer6(_ThreadingWSGIServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the sandbox page and the app log what matters themselves."""


def bind_wsgi(host: str, port: int, app: Any) -> WSGIServer:
    """A threaded WSGI server bound now (served later); a busy port is one clear line."""
    server_class = _ThreadingWSGIServer6 if ":" in host else _ThreadingWSGIServer
    try:
        return make_server(
            host.strip("[]"), port, app, server_class=server_class, handler_class=_QuietHandler
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise SandboxError(
                f"port {port} on {host} is already in use: stop what uses it "
                "or choose another with --port"
            ) from None
        raise SandboxError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None


def serve_in_thread(server: WSGIServer, name: str) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
    )
    thread.start()
    return thread
