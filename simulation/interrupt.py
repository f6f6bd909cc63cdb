"""Prompt, clean interruption of long work: Ctrl-C (SIGINT) and SIGTERM.

The command line calls :func:`install`: the first signal becomes an :class:`Interrupted`
exception raised in the main thread, wherever it is. It unwinds the command like any exception:
worker processes are killed and Dask futures cancelled (``parallel``), temporary output is
removed (``output``), a sweep saves the runs that finished. A second signal while that clean-up
runs does not wait for it: the clean-ups registered with :func:`on_force` run at once (kill the
workers, remove temporary folders) and the process ends with the first signal's exit code.

A signal ignored when the process started (``SIG_IGN``, as a non-interactive shell leaves SIGINT
for a background job ``cmd &``) stays ignored, as Unix programs do; SIGTERM still stops it.
Library users (a notebook) get Python's own KeyboardInterrupt, which the executor treats the
same way.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
from collections.abc import Callable, Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)
NAMES = {signal.SIGINT: "interrupted (Ctrl-C)", signal.SIGTERM: "terminated (SIGTERM)"}

_FORCE: dict[int, Callable[[], None]] = {}  # clean-ups for a second signal, by token
_TOKENS = itertools.count()
_state = {"first": None, "deferring": 0, "pending": None}


class Interrupted(BaseException):
    """The command received SIGINT or SIGTERM (not an ``Exception``: nothing catches it by accident)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def code(self) -> int:
        """The shell's exit code for death by this signal: 130 (SIGINT), 143 (SIGTERM)."""
        return 128 + self.signum

    def __str__(self) -> str:
        return NAMES.get(self.signum, f"stopped by signal {self.signum}")


def stopped(exc: BaseException) -> bool:
    """Whether ``exc`` is an interruption (ours, or Python's KeyboardInterrupt)."""
    return isinstance(exc, (Interrupted, KeyboardInterrupt))


def exit_code(exc: BaseException) -> int:
    return exc.code if isinstance(exc, Interrupted) else 128 + signal.SIGINT


def install() -> None:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` (main thread only; signals ignored at
    start stay ignored).
    """
    _state.update(first=None, deferring=0, pending=None)
    for signum in SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _first)


def _first(signum, _frame) -> None:
    if _state["deferring"]:
        _state["pending"] = _state["pending"] or signum
        return
    _state["first"] = signum
    for sig in SIGNALS:
        if signal.getsignal(sig) is _first:
            signal.signal(sig, _again)
    raise Interrupted(signum)


def _again(_signum, _frame) -> None:
    force(128 + (_state["first"] or signal.SIGINT))


def force(code: int) -> None:
    """End the process now: run the registered clean-ups, then exit with ``code``."""
    for cleanup in list(_FORCE.values()):
        with contextlib.suppress(Exception):
            cleanup()
    with contextlib.suppress(Exception):
        sys.stderr.write("stopped at once (a second signal): worker processes killed\n")
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


@contextlib.contextmanager
def on_force(cleanup: Callable[[], None]) -> Iterator[None]:
    """Register ``cleanup`` (fast, never raising) for a forced exit while the block runs."""
    token = next(_TOKENS)
    _FORCE[token] = cleanup
    try:
        yield
    finally:
        _FORCE.pop(token, None)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A block that a first signal does not cut in two (a few renames): the signal is raised
    when the block ends.
    """
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
        pending = _state["pending"]
        if not _state["deferring"] and pending is not None:
            _state["pending"] = None
            _first(pending, None)
