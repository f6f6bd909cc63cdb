"""Fault points for the tests: calls of named functions wait at a gate that the test controls.

    GATE="module:function@N[/after] …"  GATE_DIR=/folder  python tests/gated.py ARGS…

Importing this module replaces each listed function in its module, in every process that imports
it: the command's own process, its local worker processes (which import tests/gated.py, their
main module, and so this module) and Dask workers started with GATE in their environment. The
first N calls in a process go through; each later call writes GATE_DIR/reached-<function>-<pid>
and then waits until GATE_DIR/release exists — before the call runs, or with ``/after`` once it
has returned. A test waits for the reached file (a condition, never a duration) and then signals
or kills the command: the signal is certain to land while the call is held there.
"""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path

DIR = Path(os.environ.get("GATE_DIR", "."))
_calls: dict[str, int] = {}


def hold(name: str) -> None:
    (DIR / f"reached-{name}-{os.getpid()}").touch()
    while not (DIR / "release").exists():
        time.sleep(0.005)


def install(item: str) -> None:
    """Gate one ``module:function@N[/after]``."""
    target, _, rest = item.partition("@")
    passes, _, when = (rest or "0").partition("/")
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, name)

    def gated(*args, **kwargs):
        _calls[target] = _calls.get(target, 0) + 1
        held = _calls[target] > int(passes)
        if held and when != "after":
            hold(name)
        result = original(*args, **kwargs)
        if held and when == "after":
            hold(name)
        return result

    gated.__name__ = gated.__qualname__ = f"gated_{name}"  # picklable by reference: gate.gated_<name>
    gated.__module__ = __name__
    globals()[gated.__name__] = gated
    setattr(module, name, gated)


for _item in os.environ.get("GATE", "").split():
    install(_item)
