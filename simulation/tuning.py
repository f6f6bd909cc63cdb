"""Process settings that make runs faster, applied only where alliance-sim owns the process or
the moment: never on import.

- ``one_blas_thread()``: the model's matrices are small (N <= 250 states), and one BLAS thread is
  2–4x faster than one per core on a busy machine; worker processes must not oversubscribe the
  cores either (docs/performance.md §1). Above all, a BLAS routine split over threads sums in
  another order: a run's last bits would depend on the machine's cores. A context
  (``threadpoolctl``): the model holds it while it builds and steps (``limited``), worker
  processes for their lifetime.
- ``keep_freed_memory()``: asks glibc's allocator to keep freed memory for reuse. By default glibc
  maps large blocks afresh and trims its heap as soon as a few hundred KB are free, so the model's
  N x N temporaries and each new model's records keep landing on new pages faulted in on first
  touch (docs/performance.md §4). Called by the command line and by worker processes — processes
  of alliance-sim's own — never by a library import. ``ALLIANCE_SIM_MALLOC=default`` skips it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


@functools.lru_cache(maxsize=1)
def _controller():
    import numpy  # noqa: F401 - its BLAS must be loaded before the controller looks for libraries
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> contextlib.AbstractContextManager:
    """A context in which BLAS libraries (OpenBLAS, MKL) use one thread; as it was afterwards (~25 µs)."""
    return _controller().limit(limits=1, user_api="blas")


def limited(function: F) -> F:
    """``function`` run with one BLAS thread."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        with one_blas_thread():
            return function(*args, **kwargs)
    return run


BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def for_this_process() -> None:
    """Settings for a process of alliance-sim's own (the command line): one BLAS thread unless the
    environment says otherwise (before NumPy loads BLAS; worker processes inherit it), and the
    allocator kept warm.
    """
    for name in BLAS_VARIABLES:
        os.environ.setdefault(name, "1")
    keep_freed_memory()


def keep_freed_memory() -> bool:
    """Tune glibc's allocator for this process (Linux, glibc only); whether it was done."""
    if os.environ.get("ALLIANCE_SIM_MALLOC", "") == "default" or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl, …): nothing to tune
        return False
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3  # <malloc.h>
    mallopt(m_mmap_threshold, 256 << 20)  # blocks up to 256 MB from the heap, not fresh maps
    mallopt(m_trim_threshold, 1 << 30)  # give memory back once 1 GB of it is free, not 256 KB
    mallopt(m_top_pad, 64 << 20)  # grow the heap 64 MB at a time
    return True
