"""Python child processes joined to their parent by a pickling pipe, and nothing else.

The crawl keeps worker processes (ingest, parsing) for its whole life, and its memory goal
counts every one of them. ``multiprocessing``'s spawn context also starts a resource-tracker
process (13 MB) whether or not anything needs tracking; a plain ``subprocess`` with one end of
a socket pair costs only the worker itself. The child runs ``target(conn, *args)`` (``target``
is ``"module:function"``) with the parent's ``sys.path``, and should return when ``conn``
reports end of file: the parent closed it or died, so a SIGKILLed crawl leaves no orphans
(a worker busy in C code notices once that returns).
"""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from typing import Any


def start_child(target: str, *args: Any) -> tuple[subprocess.Popen[bytes], Connection]:
    """Start ``target(conn, *args)`` in a new interpreter; returns the process and our end."""
    ours, theirs = socket.socketpair()
    fd = theirs.fileno()
    process = subprocess.Popen(
        [sys.executable, "-c", f"from parsers.child import _main; _main({fd})"],
        pass_fds=(fd,),
        stdin=subprocess.DEVNULL,
    )
    theirs.close()
    conn = Connection(ours.detach())
    conn.send((list(sys.path), target, args))
    return process, conn


def _main(fd: int) -> None:
    conn = Connection(fd)
    try:
        path, target, args = conn.recv()
    except (EOFError, OSError):
        return
    sys.path[:] = path
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    function(conn, *args)
